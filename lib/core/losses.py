"""Classification losses: the built-ins ClassLab trains with, and their teaching twins.

Training always uses ``BCEWithLogitsLoss`` (two classes, one logit) or ``CrossEntropyLoss``
(K classes, K logits) on raw logits. The ``_naive`` functions are the cheat sheet's formulas,
tested against the built-ins; the stable twins show how the built-ins avoid log(0).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lib.core.activations import log_softmax


def loss_for(n_classes: int) -> nn.Module:
    """The loss that matches :func:`lib.core.models.n_outputs`."""
    if n_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes, got {n_classes}.")
    return nn.BCEWithLogitsLoss() if n_classes == 2 else nn.CrossEntropyLoss()


def targets_for(y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Shape/dtype the loss expects: float (N, 1) for BCE, long (N,) for cross-entropy."""
    return y.float().unsqueeze(1) if n_classes == 2 else y.long()


def bce_naive(p, y):
    """The cheat sheet's ``BCELoss(p, y)``: −log(p) if y = 1 else −log(1 − p).

    Infinite at p = 0 or 1 with the wrong label; ``nn.BCELoss`` clamps the log at −100.
    """
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(y == 1, -np.log(p), -np.log(1 - p))


def bce_clamped(p, y):
    """What ``nn.BCELoss`` really computes: each log clamped to ≥ −100."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_1mp = np.maximum(np.log1p(-p), -100.0)
    return -(y * log_p + (1 - y) * log_1mp)


def bce_with_logits(z, y):
    """Stable BCE on a logit: max(z, 0) − z·y + log(1 + e^(−|z|)), as ``BCEWithLogitsLoss``."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def cross_entropy_naive(logits, target: int) -> float:
    """−log(e^(z_y) / Σ e^z) for one sample, written as the textbook does, in float64.

    Exact for moderate logits (±100 included). Above z ≈ 709, e^z overflows and the result
    is nan or inf (quietly): the cross-entropy lesson shows that next to :func:`cross_entropy`.

    >>> round(cross_entropy_naive([0.9, 0.8, 0.4], 0), 4)
    0.9208
    """
    z = np.asarray(logits, dtype=np.float64)
    _check_targets(z.shape[-1], [target])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return float(-np.log(np.exp(z[target]) / np.exp(z).sum()))


def _check_targets(k: int, targets) -> None:
    t = np.asarray(targets)
    if t.size and (t.min() < 0 or t.max() >= k):
        raise ValueError(f"targets must lie in 0..{k - 1}, got {t.tolist()}.")


def cross_entropy(logits, targets):
    """Per-sample cross-entropy, stable: −log_softmax(z)[y]. ``logits`` is (N, K) or (K,)."""
    z = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    t = np.atleast_1d(np.asarray(targets, dtype=np.int64))
    if t.shape[0] != z.shape[0]:
        raise ValueError(f"{z.shape[0]} rows of logits but {t.shape[0]} targets.")
    _check_targets(z.shape[1], t)
    return -log_softmax(z, axis=1)[np.arange(len(t)), t]


def cross_entropy_grad(logits, targets):
    """∂loss/∂z for the mean cross-entropy: (softmax(z) − onehot(y)) / N."""
    z = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    t = np.atleast_1d(np.asarray(targets, dtype=np.int64))
    if t.shape[0] != z.shape[0]:
        raise ValueError(f"{z.shape[0]} rows of logits but {t.shape[0]} targets.")
    _check_targets(z.shape[1], t)
    p = np.exp(log_softmax(z, axis=1))
    p[np.arange(len(t)), t] -= 1.0
    return p / len(t)
