"""How the "Your own data" pipeline trains: the training lab's :class:`~lib.core.training.Trainer`
with three additions a statistician expects.

* **The baseline's penalty.** scikit-learn's ``LogisticRegression(C=1)`` minimises the mean
  log-loss plus ``||W||² / (2 n)`` over the weights, never the biases. The same penalty here
  (``l2 = 1 / n``) makes the comparison fair.
* **Full-batch L-BFGS** for the model without hidden layers: that objective is convex, and a
  quasi-Newton method reaches its minimum in tens of steps (Adam needs hundreds and stops
  near it). Each step is one pass over all training rows, so an "epoch" is one L-BFGS step.
  Training stops when a step no longer lowers the objective, even after restarting the
  quasi-Newton memory (``converged``).
* **Early stopping** for a network with hidden layers (Adam): a validation split carved from
  the training rows is evaluated after every epoch; training stops ``patience`` epochs after
  its loss last improved, and the weights of the best epoch are restored.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lib.core.training import TrainConfig, Trainer

LBFGS_HISTORY = 10
CONVERGED = 1e-7  # relative change of the objective below which L-BFGS has converged
MIN_DELTA = 1e-5  # a validation loss must beat the best by this (relative) to count


def weights_and_biases(model: nn.Module) -> tuple[list, list]:
    """The Linear layers' weight matrices (penalised) and bias vectors (not)."""
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    biases = [m.bias for m in model.modules() if isinstance(m, nn.Linear) and m.bias is not None]
    return weights, biases


def penalty(weights: list, l2: float) -> torch.Tensor:
    """``l2 / 2 · Σ ||W||²`` (the gradient adds ``l2 · W``, as Adam's weight_decay does)."""
    return (l2 / 2) * sum(w.pow(2).sum() for w in weights)


class PipelineTrainer(Trainer):
    """``method="lbfgs"`` (full batch) or ``"adam"`` (mini-batches of ``batch_size``), with the
    L2 penalty ``l2`` on the weights only; ``patience`` (epochs) turns on early stopping on
    the evaluation rows (then a validation split). ``done`` says why training ended early;
    with ``stop_when_converged=False`` (epochs set by the learner) L-BFGS runs every epoch
    and only notes ``converged_at``."""

    def __init__(
        self,
        model: nn.Module,
        X_train: torch.Tensor,
        y_train: torch.Tensor,
        X_eval: torch.Tensor,
        y_eval: torch.Tensor,
        n_classes: int,
        *,
        method: str = "lbfgs",
        learning_rate: float = 0.05,
        batch_size: int | None = None,
        l2: float = 0.0,
        seed: int = 0,
        patience: int | None = None,
        stop_when_converged: bool = True,
    ) -> None:
        if method not in ("lbfgs", "adam"):
            raise ValueError(f"method must be 'lbfgs' or 'adam', got {method!r}.")
        self.method, self.l2, self.patience = method, float(l2), patience
        self.done: str | None = None  # "converged" / "stopped early"
        self.best_epoch, self.best_loss, self.best_state = 0, math.inf, None
        self.restarts: list[int] = []  # L-BFGS: epochs after which its memory was cleared
        self.stop_when_converged = stop_when_converged  # False: run every epoch asked for
        self.converged_at: int | None = None
        self._restarted = False
        batch = len(X_train) if method == "lbfgs" or batch_size is None else batch_size
        config = TrainConfig("Adam", learning_rate if method == "adam" else 1.0, batch, 0.0,
                             seed=seed)  # fmt: skip
        super().__init__(model, X_train, y_train, X_eval, y_eval, n_classes, config)
        self.weights, biases = weights_and_biases(model)
        if method == "lbfgs":
            self.optimizer = torch.optim.LBFGS(
                model.parameters(), lr=1.0, max_iter=1, history_size=LBFGS_HISTORY,
                line_search_fn="strong_wolfe",
            )  # fmt: skip
        else:
            self.optimizer = torch.optim.Adam(
                [{"params": self.weights, "weight_decay": self.l2},
                 {"params": biases, "weight_decay": 0.0}],
                lr=learning_rate,
            )  # fmt: skip

    # -- training ------------------------------------------------------------------------

    def step(self) -> float | None:
        if self.done:
            return None
        if self.method == "adam":
            return super().step()
        if self.diverged:
            return None
        if not self.model.training:
            self.model.train()
        value = float(self.optimizer.step(self._closure).detach())
        if not math.isfinite(value):
            self._stop(value)
            return None
        self.steps += 1
        self._finish_epoch()
        if self._stalled(value):
            if self._restarted:  # a fresh start made no progress either: the minimum
                self.converged_at = self.converged_at or self.epoch
                if self.stop_when_converged:
                    self.done = "converged"
            else:  # float32 line searches can stall early: restart from the gradient
                self.optimizer.state.clear()
                self.restarts.append(self.epoch)
                self._restarted = True
        else:
            self._restarted = False
        return value

    def objective(self) -> float:
        """The penalised training loss L-BFGS minimises, at the current weights."""
        with torch.no_grad():
            loss = self.loss_fn(self.model(self.X_train), self._t_train)
            return float(loss + penalty(self.weights, self.l2))

    def _stalled(self, before: float) -> bool:
        """This step lowered the objective by (relatively) less than ``CONVERGED``."""
        now = self.objective()
        return before - now <= CONVERGED * max(1.0, abs(now))

    def _closure(self) -> torch.Tensor:
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(self.X_train), self._t_train)
        loss = loss + penalty(self.weights, self.l2)
        loss.backward()
        return loss

    @property
    def finished(self) -> bool:
        """Diverged, converged (L-BFGS) or stopped early: :meth:`train_for` stops here."""
        return self.diverged or bool(self.done)

    # -- early stopping --------------------------------------------------------------------

    def _record_epoch(self, grad_norm: float) -> None:
        super()._record_epoch(grad_norm)
        if self.patience is None or not self.history or self.history[-1].epoch != self.epoch:
            return
        loss = self.history[-1].test_loss  # the evaluation rows: the validation split
        if not math.isfinite(self.best_loss) or loss < self.best_loss * (1 - MIN_DELTA):
            self.best_epoch, self.best_loss = self.epoch, loss
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        elif self.epoch - self.best_epoch >= self.patience:
            self.done = "stopped early"

    def restore_best(self) -> None:
        """Load the weights of the epoch with the lowest validation loss (early stopping)."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
