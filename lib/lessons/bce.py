"""SGD in one picture: a 1-feature logistic model, its loss surface over (w, b), and three paths.

The model is ``logit = w·x + b`` trained with ``nn.BCEWithLogitsLoss`` and ``optim.SGD``.
The three paths start at the same (w, b) with the same learning rate and differ only in how
many points each step looks at:

- full-batch gradient descent: every point, every step (no randomness);
- mini-batch SGD: ``batch_size`` points per step from a ``DataLoader(shuffle=True)``,
  reshuffled every epoch;
- single-sample SGD: one randomly chosen point per step (the cheat sheet's definition),
  i.e. the same loader with ``batch_size=1``.

Each shuffling loader draws from its own ``torch.Generator`` seeded with ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lib.core.losses import bce_naive

METHODS = ("Full-batch GD", "Mini-batch SGD", "Single-sample SGD")
TRUE_W, TRUE_B = 2.0, -1.0
W_RANGE = (-3.0, 6.0)
B_RANGE = (-5.0, 4.0)


def make_data(n_points: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """One feature x ~ N(0, 1) and labels y = [TRUE_W·x + TRUE_B + noise > 0] (float 0/1).

    >>> x, y = make_data(5, seed=0)
    >>> x.shape, y.dtype
    (torch.Size([5]), torch.float32)
    """
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}.")
    g = torch.Generator().manual_seed(int(seed))
    x = torch.randn(n_points, generator=g)
    noise = torch.randn(n_points, generator=g)
    y = (TRUE_W * x + TRUE_B + noise > 0).float()
    return x, y


def loss_surface(
    x: torch.Tensor, y: torch.Tensor, w_grid: np.ndarray, b_grid: np.ndarray
) -> np.ndarray:
    """Mean BCE-with-logits of the whole data set at every (w, b); shape (len(b), len(w))."""
    w = torch.as_tensor(np.asarray(w_grid, dtype=np.float32))
    b = torch.as_tensor(np.asarray(b_grid, dtype=np.float32))
    logits = w[None, :, None] * x[None, None, :] + b[:, None, None]
    target = y[None, None, :].expand_as(logits)
    loss = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return loss.mean(dim=-1).numpy()


def train_path(
    x: torch.Tensor,
    y: torch.Tensor,
    method: str,
    start: tuple[float, float],
    lr: float,
    steps: int,
    batch_size: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """(w, b, full-data loss) after 0, 1, …, ``steps`` updates; shape (steps + 1, 3)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}.")
    if not lr > 0:
        raise ValueError(f"learning rate must be positive, got {lr}.")
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}.")
    n = len(x)
    size = {"Full-batch GD": n, "Mini-batch SGD": batch_size, "Single-sample SGD": 1}[method]
    loader = DataLoader(
        TensorDataset(x, y),
        batch_size=size,
        shuffle=size < n,  # a new order every epoch, drawn from this path's own generator
        generator=torch.Generator().manual_seed(int(seed)),
    )
    w = torch.tensor(float(start[0]), requires_grad=True)
    b = torch.tensor(float(start[1]), requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()

    def full_loss() -> float:
        with torch.no_grad():
            return loss_fn(w * x + b, y).item()

    rows = [(w.item(), b.item(), full_loss())]
    while len(rows) <= steps:
        for xb, yb in loader:
            if len(rows) > steps:
                break
            optimizer.zero_grad()
            loss_fn(w * xb + b, yb).backward()
            optimizer.step()
            rows.append((w.item(), b.item(), full_loss()))
    return np.array(rows, dtype=np.float64)


@dataclass(frozen=True)
class SgdPicture:
    """Everything the picture needs: the grid, the surface and one path per method."""

    w_grid: np.ndarray
    b_grid: np.ndarray
    surface: np.ndarray
    paths: dict[str, np.ndarray]


def sgd_picture(
    lr: float = 0.5,
    batch_size: int = 16,
    seed: int = 0,
    steps: int = 60,
    start: tuple[float, float] = (-2.0, 3.0),
    n_points: int = 200,
    data_seed: int = 0,
    grid: int = 41,
) -> SgdPicture:
    """The loss surface and the three paths from the same start and learning rate."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}.")
    if batch_size > n_points:
        raise ValueError(f"batch size {batch_size} is larger than the {n_points} points.")
    x, y = make_data(n_points, data_seed)
    w_grid = np.linspace(*W_RANGE, grid)
    b_grid = np.linspace(*B_RANGE, grid)
    with torch.enable_grad():
        paths = {m: train_path(x, y, m, start, lr, steps, batch_size, seed) for m in METHODS}
    return SgdPicture(w_grid, b_grid, loss_surface(x, y, w_grid, b_grid), paths)


# The loss readouts beside the figures: exactly the torch calls the code panels print, so the
# page and the code agree digit for digit.
BATCH_REST = ((2.0, 1), (-1.5, 0), (0.8, 0))  # the rest of the small batch: (logit, y)


def three_losses(p: float, y: int) -> dict[str, float]:
    """One sample's loss three ways: by hand, ``nn.BCELoss`` on p, ``nn.BCEWithLogitsLoss`` on z."""
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}.")
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y}.")
    target = torch.tensor([float(y)])
    z = torch.logit(torch.tensor([p]))
    return {
        "by hand BCELoss(p, y)": float(bce_naive(p, y)),
        "nn.BCELoss()": nn.BCELoss()(torch.tensor([p]), target).item(),
        "nn.BCEWithLogitsLoss()": nn.BCEWithLogitsLoss()(z, target).item(),
    }


def batch_rows(p: float, y: int) -> tuple[list[float], list[float]]:
    """The small batch: the learner's sample (logit of p, rounded) first, then three fixed ones."""
    z = round(float(torch.logit(torch.tensor(p, dtype=torch.float64))), 4)
    logits = [z, *(r[0] for r in BATCH_REST)]
    targets = [float(y), *(float(r[1]) for r in BATCH_REST)]
    return logits, targets


def batch_table(
    logits: list[float], targets: list[float], reduction: str
) -> tuple[pd.DataFrame, float]:
    """Per-sample losses (logit, p, y, loss) and the reduced loss, by ``BCEWithLogitsLoss``."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}.")
    z, t = torch.tensor(logits), torch.tensor(targets)
    per_sample = nn.BCEWithLogitsLoss(reduction="none")(z, t)
    reduced = nn.BCEWithLogitsLoss(reduction=reduction)(z, t).item()
    table = pd.DataFrame(
        {
            "logit z": z.numpy(),
            "p = σ(z)": torch.sigmoid(z).numpy(),
            "y": t.int().numpy(),
            "loss": per_sample.numpy(),
        }
    )
    return table, reduced


def saturation(z: float, y: int = 0) -> dict[str, tuple[float, float]]:
    """(loss, d loss / d z) for sigmoid + BCELoss and for BCEWithLogitsLoss, float32 autograd."""
    out = {}
    target = torch.tensor([float(y)])
    for name in ("sigmoid + nn.BCELoss", "nn.BCEWithLogitsLoss"):
        t = torch.tensor([float(z)], requires_grad=True)
        if name == "nn.BCEWithLogitsLoss":
            loss = nn.BCEWithLogitsLoss()(t, target)
        else:
            loss = nn.BCELoss()(torch.sigmoid(t), target)
        loss.backward()
        out[name] = (loss.item(), t.grad.item())
    return out


@lru_cache(maxsize=4)
def saturation_curves(y: int, z_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss against the logit for both recipes; independent of the learner's z, so computed once."""
    zs = torch.linspace(-z_max if y else 0.0, 0.0 if y else z_max, 201)
    target = torch.full_like(zs, float(y))
    with torch.no_grad():
        clamped = nn.BCELoss(reduction="none")(torch.sigmoid(zs), target)
        exact = nn.BCEWithLogitsLoss(reduction="none")(zs, target)
    return zs.numpy(), clamped.numpy(), exact.numpy()
