"""Sigmoid and softmax: the textbook formulas (``_naive``) beside stable versions.

The naive versions are what the cheat sheet writes; they are the "teaching twins" and are
tested against ``torch.sigmoid`` / ``torch.softmax``. The stable ones never overflow.
"""

from __future__ import annotations

import numpy as np


def sigmoid_naive(x):
    """1 / (1 + e^(−x)), literally. Overflows to a warning for x ≲ −710."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def sigmoid(x):
    """Sigmoid that never overflows: uses e^x / (1 + e^x) for negative x.

    >>> round(float(sigmoid(2.5)), 3)
    0.924
    """
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(x):
    """σ'(x) = σ(x)(1 − σ(x)): at most 0.25, at x = 0."""
    s = sigmoid(x)
    return s * (1.0 - s)


def logit(p):
    """The inverse of the sigmoid: log(p / (1 − p))."""
    p = np.asarray(p, dtype=np.float64)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("logit needs probabilities strictly between 0 and 1.")
    return np.log(p) - np.log1p(-p)


def softmax_naive(z, axis: int = -1):
    """e^z / Σ e^z, literally, in float64: the textbook formula.

    Exact for moderate logits (±100 included); above ~709 e^z overflows to inf and the
    result is nan (quietly: the softmax lesson shows this breakdown next to :func:`softmax`).

    >>> np.round(softmax_naive([0.9, 0.8, 0.4]), 2).tolist()
    [0.4, 0.36, 0.24]
    >>> softmax_naive([1000.0, 0.0]).tolist()
    [nan, 0.0]
    """
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64))
        return e / e.sum(axis=axis, keepdims=True)


def softmax(z, axis: int = -1, temperature: float = 1.0):
    """Stable softmax: subtracting max(z) changes nothing mathematically and avoids overflow.

    >>> np.round(softmax([0.9, 0.8, 0.4]), 2).tolist()
    [0.4, 0.36, 0.24]
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}.")
    z = np.asarray(z, dtype=np.float64) / temperature
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis: int = -1):
    """log softmax(z) = z − logsumexp(z), computed stably."""
    z = np.asarray(z, dtype=np.float64)
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
