"""The training engine: one mini-batch at a time, pure and reproducible.

A :class:`Trainer` owns one learner's model, optimizer, shuffling generator and history.
Nothing in here prints, plots or touches Streamlit: ``step`` / ``run_epoch`` /
``train_for`` return numbers and the page decides what to draw.

Reproducibility: initialisation (``lib.core.models.make_model(seed=…)``) and shuffling use
private ``torch.Generator``s, so the same seed gives a bitwise-identical loss curve even
while other sessions train in the same process (``torch.manual_seed`` is process-wide and
would not).
"""

from __future__ import annotations

import copy
import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.core.losses import loss_for, targets_for

OPTIMIZERS = ("SGD", "SGD + momentum", "Adam")

DIVERGENCE_HELP = (
    "Training diverged: the loss {what} at epoch {epoch}, step {step}. The updates were so "
    "large that each step overshot the minimum and made things worse. Training stopped and "
    "the weights were rolled back to the last good epoch. Try a smaller learning rate (for "
    "example a tenth of {lr:g}), standardised features, or Adam."
)

# BCEWithLogitsLoss / CrossEntropyLoss are stable, so a runaway learning rate shows up as a
# loss thousands of times its starting value (or huge weights) long before it reaches inf.
EXPLOSION_FACTOR = 1e4
MAX_WEIGHT_NORM = 1e6


@dataclass(frozen=True)
class TrainConfig:
    """How to optimise. ``batch_size`` is clipped to the training-set size (full batch)."""

    optimizer: str = "SGD"
    learning_rate: float = 0.1
    batch_size: int = 32
    weight_decay: float = 0.0
    momentum: float = 0.9
    seed: int = 0

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}.")
        if not (0 < self.learning_rate <= 100) or not math.isfinite(self.learning_rate):
            raise ValueError(f"learning_rate must be in (0, 100], got {self.learning_rate}.")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}.")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be ≥ 0, got {self.weight_decay}.")


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = model.parameters()
    if config.optimizer == "Adam":
        return torch.optim.Adam(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    momentum = config.momentum if config.optimizer == "SGD + momentum" else 0.0
    return torch.optim.SGD(
        params, lr=config.learning_rate, momentum=momentum, weight_decay=config.weight_decay
    )


@dataclass
class EpochRecord:
    """What the charts show for one completed epoch (every value finite)."""

    epoch: int
    steps: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    weight_norm: float
    grad_norm: float

    def as_dict(self) -> dict:
        return asdict(self)


@contextmanager
def single_thread():
    """One intra-op thread: small models gain nothing from more, and a shared 2-core server
    serving many learners is slowed down by oversubscription."""
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


class Trainer:
    """Mini-batch training of one model on one train/test split.

    >>> import torch
    >>> from lib.core.models import make_model
    >>> X = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    >>> y = (X[:, 0] > 0).long()
    >>> t = Trainer(make_model(2, 2), X, y, X, y, n_classes=2, config=TrainConfig(batch_size=8))
    >>> t.run_epoch(); t.epoch
    1
    """

    def __init__(
        self,
        model: nn.Module,
        X_train: torch.Tensor,
        y_train: torch.Tensor,
        X_test: torch.Tensor,
        y_test: torch.Tensor,
        n_classes: int,
        config: TrainConfig = TrainConfig(),
        max_snapshots: int = 200,
    ) -> None:
        if len(X_train) == 0:
            raise ValueError("The training set is empty.")
        if len(X_train) != len(y_train) or len(X_test) != len(y_test):
            raise ValueError("Features and labels must have the same number of rows.")
        self.model = model
        self.n_classes = n_classes
        self.config = config
        # Row-major (a copy only if needed): a mini-batch then gathers whole rows. On the
        # column-major arrays preprocessing writes, each gather reads every column apart
        # (about 2× slower) and the per-epoch evaluation's product is about 3× slower.
        self.X_train = X_train.float().contiguous()
        self.X_test = X_test.float().contiguous()
        self.y_train = y_train.long()
        self.y_test = y_test.long()
        self._t_train = targets_for(self.y_train, n_classes)
        self.loss_fn = loss_for(n_classes)
        self.optimizer = make_optimizer(model, config)
        self.generator = torch.Generator().manual_seed(int(config.seed))
        self.max_snapshots = max_snapshots
        self.epoch = 0
        self.steps = 0
        self.diverged: str | None = None
        self.history: list[EpochRecord] = []
        self.snapshots: dict[int, dict] = {}
        self._order = torch.randperm(len(self.X_train), generator=self.generator)
        self._position = 0
        self._record_epoch(grad_norm=0.0)

    # -- settings that keep the current weights ------------------------------------------

    @property
    def batch_size(self) -> int:
        return min(self.config.batch_size, len(self.X_train))

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.X_train) / self.batch_size)

    @property
    def position(self) -> int:
        """Training rows already used in the current epoch (0 at an epoch boundary)."""
        return self._position

    @property
    def steps_into_epoch(self) -> int:
        """Optimizer steps taken in the current, unfinished epoch (0 at a boundary)."""
        return math.ceil(self._position / self.batch_size)

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate and continue from the current weights."""
        self.config = TrainConfig(**{**asdict(self.config), "learning_rate": learning_rate})
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate

    # -- training ------------------------------------------------------------------------

    def step(self) -> float | None:
        """One optimizer step on the next mini-batch; returns its loss (None if stopped)."""
        if self.diverged:
            return None
        stop = min(self._position + self.batch_size, len(self._order))
        index = self._order[self._position : stop]
        if not self.model.training:  # toggling every module costs ~10% of a small step
            self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(self.X_train[index]), self._t_train[index])
        value = loss.item()
        if not math.isfinite(value):
            self._stop(value)
            return None
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        self._position = stop
        if self._position >= len(self._order):
            self._finish_epoch()
        return value

    def run_steps(self, n: int) -> None:
        with single_thread():
            for _ in range(n):
                if self.step() is None:
                    break

    @property
    def finished(self) -> bool:
        """No more steps to take: here, only a diverged run (subclasses add their own ends)."""
        return self.diverged

    def run_epoch(self) -> None:
        """Steps until the current epoch completes (a partial epoch is finished)."""
        target = self.epoch + 1
        with single_thread():
            while self.epoch < target and not self.diverged:
                self.step()

    def train_for(self, seconds: float, max_epochs: int | None = None) -> int:
        """Train for about ``seconds`` of wall time (at least one step); returns steps taken.

        Bounded work per call is what lets a live page share the server fairly.
        """
        deadline = time.perf_counter() + seconds
        start_steps = self.steps
        stop_epoch = None if max_epochs is None else self.epoch + max_epochs
        with single_thread():
            while not self.finished:
                self.step()
                if stop_epoch is not None and self.epoch >= stop_epoch:
                    break
                if time.perf_counter() >= deadline:
                    break
        return self.steps - start_steps

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(self, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Mean loss and accuracy on (X, y) without touching gradients."""
        if len(X) == 0:
            return 0.0, 0.0
        if self.model.training:
            self.model.eval()
        with torch.no_grad():
            logits = self.model(X)
            loss = self.loss_fn(logits, targets_for(y, self.n_classes)).item()
            accuracy = (predict_labels(logits) == y).float().mean().item()
        return loss, accuracy

    def predict_proba(self, X: torch.Tensor) -> torch.Tensor:
        from lib.core.models import predict_proba

        return predict_proba(self.model, X.float())

    def weights_at(self, epoch: int) -> nn.Module:
        """A copy of the model with the weights recorded at (or just before) ``epoch``."""
        recorded = [e for e in self.snapshots if e <= epoch]
        chosen = max(recorded) if recorded else min(self.snapshots)
        model = copy.deepcopy(self.model)
        model.load_state_dict(self.snapshots[chosen])
        return model

    # -- internals -----------------------------------------------------------------------

    def _finish_epoch(self) -> None:
        self.epoch += 1
        self._order = torch.randperm(len(self.X_train), generator=self.generator)
        self._position = 0
        grad_norm = _norm(p.grad for p in self.model.parameters() if p.grad is not None)
        self._record_epoch(grad_norm)

    def _record_epoch(self, grad_norm: float) -> None:
        train_loss, train_acc = self.evaluate(self.X_train, self.y_train)
        test_loss, test_acc = self.evaluate(self.X_test, self.y_test)
        weight_norm = _norm(p.detach() for p in self.model.parameters())
        values = (train_loss, test_loss, weight_norm, grad_norm)
        if not all(math.isfinite(v) for v in values):
            self._stop(next(v for v in values if not math.isfinite(v)))
            return
        if self.history:
            start = self.history[0].train_loss
            if train_loss > EXPLOSION_FACTOR * max(start, 1e-3):
                self._stop(train_loss, f"exploded to {train_loss:.3g} (it started at {start:.3g})")
                return
            if weight_norm > MAX_WEIGHT_NORM:
                self._stop(
                    train_loss, f"stayed finite but the weights grew to a norm of {weight_norm:.3g}"
                )
                return
        self.history.append(
            EpochRecord(
                self.epoch,
                self.steps,
                train_loss,
                test_loss,
                train_acc,
                test_acc,
                weight_norm,
                grad_norm,
            )
        )
        self._snapshot()

    def _snapshot(self) -> None:
        self.snapshots[self.epoch] = {
            k: v.detach().clone() for k, v in self.model.state_dict().items()
        }
        if len(self.snapshots) > self.max_snapshots:
            # Thin out evenly: keep the first, the last and every other one between.
            epochs = sorted(self.snapshots)
            for e in epochs[1:-1:2]:
                del self.snapshots[e]

    def _stop(self, value: float, what: str | None = None) -> None:
        self.diverged = DIVERGENCE_HELP.format(
            what=what or f"became {value}",
            epoch=self.epoch,
            step=self.steps,
            lr=self.config.learning_rate,
        )
        last_good = max(self.snapshots) if self.snapshots else None
        if last_good is not None:
            self.model.load_state_dict(self.snapshots[last_good])
            # The rolled-back weights belong to that epoch: counters and charts agree.
            self.epoch = last_good


def predict_labels(logits: torch.Tensor) -> torch.Tensor:
    """Class indices from logits: logit ≥ 0 (p ≥ 0.5) for one output, argmax otherwise."""
    if logits.ndim == 2 and logits.shape[1] == 1:
        return (logits[:, 0] >= 0).long()
    return logits.argmax(dim=1)


def _norm(tensors) -> float:
    total = 0.0
    for t in tensors:
        total += float(t.detach().pow(2).sum())
    return math.sqrt(total)
