"""Multiclass cross-entropy lesson: the loss three ways, the double-softmax mistake, label
smoothing, a batch and its gradient.

The page's numbers come from the same PyTorch calls as its code panels (float32). The NumPy
twins it shows beside them (the textbook formula, the gradient written out) are
:mod:`lib.core.losses`, tested against ``torch`` autograd.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from lib.core.losses import cross_entropy, cross_entropy_grad, cross_entropy_naive
from lib.lessons.softmax import code_num, header, num, show, torch_memo

# ---------------------------------------------------------------- checks and the textbook twin


def _check(z, y: int) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    if not 0 <= int(y) < z.shape[-1]:
        raise ValueError(f"The true class must lie in 0..{z.shape[-1] - 1}, got {y}.")
    return z


def textbook_twin(z: Sequence[float], y: int) -> dict:
    """The loss from the textbook formula −log(e^(z_y) / Σ e^z), written literally in NumPy
    (float64), beside the stable log-sum-exp form. ``naive`` is None where the formula fails
    (e^z overflows, or every e^z underflows to 0), and ``why`` then says which.

    Both come from :mod:`lib.core.losses`, the one implementation of cross-entropy.

    >>> textbook_twin([1000.0, 0.0, -1000.0], 2)["naive"] is None
    True
    """
    _check(z, y)
    naive = cross_entropy_naive(z, y)
    largest = max(float(v) for v in z)
    if math.isfinite(naive):
        why = None
    elif largest > 0:
        why = (
            f"e^{num(largest)} is beyond float64's largest number (about 1.8 × 10^308), "
            "so the division is ∞/∞ or 0 and the log breaks"
        )
    else:
        why = f"every e^z underflows to 0 (even e^{num(largest)}), so the formula divides 0 by 0"
    return {
        "naive": naive if why is None else None,
        "stable": float(cross_entropy([list(z)], [y])[0]) + 0.0,  # never -0.0
        "why": why,
    }


def double_softmax_floor(k: int) -> float:
    """The smallest loss the mistake allows: a perfect p = onehot(y) still costs log(1 + (K−1)/e)."""
    return math.log1p((k - 1) / math.e)


def smoothed_target(y: int, k: int, eps: float) -> np.ndarray:
    """Label smoothing's target: (1 − ε)·onehot(y) + ε/K."""
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing must lie in [0, 1], got {eps}.")
    return (1 - eps) * np.eye(k)[y] + eps / k


def smoothing_note(eps: float, k: int) -> str:
    """What the target q means at this ε: one-hot at ε = 0, softened otherwise.

    >>> smoothing_note(0.0, 3)[:40]
    'With ε = 0 the target is exactly one-hot'
    """
    if eps == 0:
        return (
            "With ε = 0 the target is exactly one-hot: the loss only reaches 0 when "
            "p(true) = 1, so it keeps pushing the true logit further above the others "
            "(towards infinite logits). Move ε above 0 to soften the target."
        )
    top, rest = 1 - eps + eps / k, eps / k
    return (
        f"With ε = {eps:g} the target is not one-hot: the true class aims at {top:.3f} and "
        f"every other class at {rest:.3f}, so the loss is lowest at finite logits and the "
        "model is not pushed towards infinite ones."
    )


# ---------------------------------------------------------------- the numbers on screen (torch)


def _t(z: Sequence[float]) -> torch.Tensor:
    return torch.tensor([[float(v) for v in z]])


@torch_memo
def three_ways(z: Sequence[float], y: int) -> dict[str, float]:
    """The loss from CrossEntropyLoss, NLLLoss(log_softmax) and by hand, as the code computes."""
    _check(z, y)
    logits, target = _t(z), torch.tensor([int(y)])
    return {
        "builtin": float(nn.CrossEntropyLoss()(logits, target)),
        "nll": float(nn.NLLLoss()(torch.log_softmax(logits, dim=1), target)),
        "by_hand": float(-(logits[0, y] - torch.logsumexp(logits[0], dim=0))),
    }


@torch_memo
def loss_and_grad(z: Sequence[float], y: int, double: bool = False, eps: float = 0.0):
    """(loss, gradient w.r.t. the logits) from autograd, right or with the double softmax."""
    _check(z, y)
    logits = _t(z).requires_grad_(True)
    inputs = torch.softmax(logits, dim=1) if double else logits
    loss = nn.CrossEntropyLoss(label_smoothing=float(eps))(inputs, torch.tensor([int(y)]))
    loss.backward()
    return loss.item(), logits.grad[0].tolist()


def norm(values: Sequence[float]) -> float:
    """Euclidean length of a gradient."""
    return math.sqrt(sum(float(v) ** 2 for v in values))


@torch_memo
def true_prob(z: Sequence[float], y: int) -> float:
    """softmax(z)[y] in float32."""
    return float(torch.softmax(_t(z), dim=1)[0, y])


@torch_memo
def loss_latex(z: Sequence[float], y: int) -> str:
    """loss = −log softmax(z)_y with the learner's numbers (log-sum-exp form when p is tiny)."""
    p, loss = true_prob(z, y), three_ways(z, y)["builtin"]
    if p >= 1e-4:
        return rf"\text{{loss}} = -\log \mathrm{{softmax}}(z)_{{{y}}} = -\log({p:.4f}) = {loss:.4f}"
    lse = float(torch.logsumexp(_t(z)[0], dim=0))
    return (
        rf"\text{{loss}} = \log\sum_j e^{{z_j}} - z_{{{y}}} = {lse:.4f} - ({num(z[y])})"
        rf" = {loss:.4f} \quad (p = e^{{-{loss:.1f}}} \approx 0)"
    )


def make_batch(
    z: Sequence[float], y: int, n: int, seed: int
) -> tuple[list[list[float]], list[int]]:
    """A batch of ``n`` samples: yours first, then seeded random ones (logits to 1 decimal)."""
    if not 1 <= n <= 16:
        raise ValueError(f"Batch size must lie in 1..16, got {n}.")
    rng = np.random.default_rng(seed)
    k = len(z)
    others = np.round(rng.normal(0.0, 2.0, size=(n - 1, k)), 1) + 0.0
    logits = [list(map(float, z)), *others.tolist()]
    targets = [int(y), *rng.integers(0, k, size=n - 1).tolist()]
    return logits, targets


@torch_memo
def batch_results(logits: list[list[float]], targets: list[int]) -> dict:
    """Per-sample losses, their mean (reduction='mean') and the gradient (softmax − onehot)/N."""
    x = torch.tensor(logits).requires_grad_(True)
    t = torch.tensor(targets)
    per_sample = nn.CrossEntropyLoss(reduction="none")(x, t)
    mean = nn.CrossEntropyLoss()(x, t)
    mean.backward()
    p = torch.softmax(x.detach(), dim=1)
    by_hand = cross_entropy_grad(logits, targets)  # (softmax − onehot) / N, NumPy float64
    return {
        "per_sample": per_sample.tolist(),
        "mean": mean.item(),
        "grad": x.grad.tolist(),
        "grad_vs_formula": float(np.abs(x.grad.double().numpy() - by_hand).max()),
        "p_true": p[torch.arange(len(t)), t].tolist(),
        "probs": p.tolist(),
    }


# ---------------------------------------------------------------- code panels


def _lit(rows: Sequence[Sequence[float]]) -> str:
    return "[" + ", ".join("[" + ", ".join(code_num(v) for v in r) + "]" for r in rows) + "]"


def three_ways_code(z: Sequence[float], y: int) -> str:
    """CrossEntropyLoss == NLLLoss(log_softmax) == by hand, for one sample."""
    w = three_ways(z, y)
    return f"""{header("from torch import nn")}
logits = torch.tensor({_lit([z])})  # raw scores, shape (1, {len(z)}): no softmax!
target = torch.tensor([{y}])  # the class index, not one-hot
builtin = nn.CrossEntropyLoss()(logits, target)
nll = nn.NLLLoss()(torch.log_softmax(logits, dim=1), target)
by_hand = -(logits[0, {y}] - torch.logsumexp(logits[0], dim=0))  # -log softmax(z)[y]
print(f"{{builtin:.4f}}")  # {w["builtin"]:.4f}
print(f"{{nll:.4f}}")  # {w["nll"]:.4f}
print(f"{{by_hand:.4f}}")  # {w["by_hand"]:.4f}
"""


def double_code(z: Sequence[float], y: int) -> str:
    """Loss and logit gradients, right and with the double softmax, via autograd."""
    right, g_right = loss_and_grad(z, y)
    wrong, g_wrong = loss_and_grad(z, y, double=True)
    return f"""{header("from torch import nn")}
loss_fn = nn.CrossEntropyLoss()
target = torch.tensor([{y}])
logits = torch.tensor({_lit([z])}, requires_grad=True)
right = loss_fn(logits, target)  # right: raw logits
right.backward()
print(f"{{right:.4f}}")  # {right:.4f}
print(show(logits.grad[0], 4))  # {show(g_right, 4)}
logits.grad = None
wrong = loss_fn(torch.softmax(logits, dim=1), target)  # mistake: softmax applied twice
wrong.backward()
print(f"{{wrong:.4f}}")  # {wrong:.4f}
print(show(logits.grad[0], 4))  # {show(g_wrong, 4)}
"""


def smoothing_code(z: Sequence[float], y: int, eps: float) -> str:
    """CrossEntropyLoss(label_smoothing=ε) and its gradient softmax(z) − q."""
    loss, grad = loss_and_grad(z, y, eps=eps)
    return f"""{header("from torch import nn")}
logits = torch.tensor({_lit([z])}, requires_grad=True)
loss = nn.CrossEntropyLoss(label_smoothing={code_num(eps)})(logits, torch.tensor([{y}]))
loss.backward()  # logits.grad = softmax(z) - smoothed target
print(f"{{loss:.4f}}")  # {loss:.4f}
print(show(logits.grad[0], 4))  # {show(grad, 4)}
"""


def batch_code(logits: list[list[float]], targets: list[int]) -> str:
    """Per-sample losses, the mean and the gradient (softmax − onehot) / N for a batch."""
    r = batch_results(logits, targets)
    grad_lines = "\n".join(
        f"print(show(logits.grad[{i}], 4))  # {show(g, 4)}" for i, g in enumerate(r["grad"])
    )
    return f"""{header("from torch import nn")}
logits = torch.tensor({_lit(logits)}, requires_grad=True)
targets = torch.tensor({list(targets)})
per_sample = nn.CrossEntropyLoss(reduction="none")(logits, targets)
loss = nn.CrossEntropyLoss()(logits, targets)  # reduction="mean": per_sample.mean()
loss.backward()  # logits.grad = (softmax(logits) - onehot(targets)) / N
print(show(per_sample, 4))  # {show(r["per_sample"], 4)}
print(f"{{loss:.4f}}")  # {r["mean"]:.4f}
{grad_lines}
"""


QUIZ = [
    (
        "What does nn.CrossEntropyLoss expect as its input?",
        ("Probabilities from softmax", "Raw logits", "One-hot vectors", "Log-probabilities"),
        1,
        "It applies log_softmax itself (CrossEntropyLoss = NLLLoss ∘ log_softmax). Passing "
        "probabilities applies softmax twice.",
    ),
    (
        "And as its target, for a batch of N samples and K classes (no label smoothing)?",
        (
            "A long tensor of class indices, shape (N,)",
            "A float tensor of shape (N, 1)",
            "The predicted probabilities",
            "A one-hot long tensor of shape (N, K)",
        ),
        0,
        "Class indices 0..K−1 as a long tensor of shape (N,). (Float class probabilities of shape "
        "(N, K) are also accepted, but indices are the usual form.)",
    ),
    (
        "The true class gets probability 0.05. The loss for this sample is about…",
        ("0.05", "0.95", "3.0", "20"),
        2,
        "−log(0.05) ≈ 3.0. A probability of 0.5 would cost 0.69 and 0.99 costs 0.01: confident "
        "mistakes cost the most.",
    ),
    (
        "For one sample, the gradient of the loss with respect to the logits is…",
        ("onehot(y) − softmax(z)", "softmax(z) − onehot(y)", "−1 / p_y", "always zero"),
        1,
        "softmax(z) − onehot(y): the true class's logit is pushed up by 1 − p_y, every other logit "
        "down by its probability. With reduction='mean' each row is divided by N.",
    ),
    (
        "Someone adds softmax before CrossEntropyLoss. What happens?",
        (
            "Nothing, softmax is idempotent",
            "The loss can never reach 0 and gradients shrink",
            "It raises an error",
            "Training becomes faster",
        ),
        1,
        "softmax(softmax(z)) only sees inputs in [0, 1], so even a perfect prediction costs "
        "log(1 + (K−1)/e) and the gradients are squeezed by the extra softmax Jacobian.",
    ),
]
