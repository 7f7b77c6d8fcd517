"""Figures (and the numbers beside them) for the binary cross-entropy lesson. Never calls ``st.*``.

The readouts run exactly the torch calls that the lesson's code panels print, so the page
and the code agree digit for digit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
from torch import nn

from lib.plots.common import point
from lib.plots.sigmoid import figure, vline
from lib.plots.style import BLUE, GREEN, ORANGE
from lib.sgd_paths import METHODS, SgdPicture

PATH_COLORS = dict(zip(METHODS, (BLUE, ORANGE, GREEN), strict=True))
BATCH_REST = ((2.0, 1), (-1.5, 0), (0.8, 0))  # the rest of the small batch: (logit, y)


def by_hand_bce(p: float, y: int) -> float:
    """The cheat sheet's ``BCELoss(p, y)``, literally."""
    if y == 1:
        return float(-np.log(p))
    return float(-np.log(1 - p))


def three_losses(p: float, y: int) -> dict[str, float]:
    """One sample's loss three ways: by hand, ``nn.BCELoss`` on p, ``nn.BCEWithLogitsLoss`` on z."""
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}.")
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y}.")
    target = torch.tensor([float(y)])
    z = torch.logit(torch.tensor([p]))
    return {
        "by hand BCELoss(p, y)": by_hand_bce(p, y),
        "nn.BCELoss()": nn.BCELoss()(torch.tensor([p]), target).item(),
        "nn.BCEWithLogitsLoss()": nn.BCEWithLogitsLoss()(z, target).item(),
    }


def bce_curves_figure(p: float, y: int) -> go.Figure:
    """−log(p) (true label 1) and −log(1 − p) (true label 0), with the learner's point."""
    ps = np.linspace(0.001, 0.999, 200)
    loss = by_hand_bce(p, y)
    traces = [
        dict(
            type="scatter",
            x=ps.astype(np.float32),
            y=curve.astype(np.float32),
            name=f"y = {label}: −log({'p' if label else '1 − p'})",
            line=dict(color=color, width=4 if label == y else 1.5),
            opacity=1.0 if label == y else 0.5,
        )
        for label, curve, color in ((1, -np.log(ps), BLUE), (0, -np.log(1 - ps), ORANGE))
    ]
    traces.append(point(p, loss, f"p = {p:g}, y = {y}: loss {loss:.4f}", "black", size=13))
    return figure(
        traces,
        f"BCE loss at p = {p:g}, y = {y}: {loss:.4f}",
        "p = predicted P(class 1)",
        "loss",
        [0, 7.2],
        height=360,
    )


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
def _saturation_curves(y: int, z_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss against the logit for both recipes; independent of the learner's z, so computed once."""
    zs = torch.linspace(-z_max if y else 0.0, 0.0 if y else z_max, 201)
    target = torch.full_like(zs, float(y))
    with torch.no_grad():
        clamped = nn.BCELoss(reduction="none")(torch.sigmoid(zs), target)
        exact = nn.BCEWithLogitsLoss(reduction="none")(zs, target)
    return zs.numpy(), clamped.numpy(), exact.numpy()


def saturation_figure(z: float, y: int = 0, z_max: float = 50.0) -> go.Figure:
    """Loss against the logit for a sample of class y: BCELoss on σ(z) hits its clamp at 100."""
    zs, clamped, exact = _saturation_curves(int(y), float(z_max))
    line, label = vline(z, f"z = {z:g}", "black")
    return figure(
        [
            dict(
                type="scatter",
                x=zs,
                y=clamped,
                name="sigmoid + nn.BCELoss (float32)",
                line=dict(color=ORANGE, width=3),
            ),
            dict(
                type="scatter",
                x=zs,
                y=exact,
                name="nn.BCEWithLogitsLoss",
                line=dict(color=BLUE, width=3, dash="dash"),
            ),
        ],
        f"A confident mistake: logit z, true label y = {y}",
        "logit z",
        "loss",
        shapes=[line],
        annotations=[label],
        height=360,
    )


def sgd_figure(picture: SgdPicture, step: int) -> go.Figure:
    """The loss surface over (w, b) as a contour, with each path up to ``step``."""
    traces = [
        dict(
            type="contour",
            x=picture.w_grid.astype(np.float32),
            y=picture.b_grid.astype(np.float32),
            z=picture.surface.astype(np.float32),
            colorscale="Greys",
            reversescale=True,
            ncontours=25,
            showscale=False,
            name="mean BCE",
            hoverinfo="skip",
        )
    ]
    for method, path in picture.paths.items():
        shown = path[: step + 1].astype(np.float32)
        color = PATH_COLORS[method]
        traces.append(
            dict(
                type="scatter",
                x=shown[:, 0],
                y=shown[:, 1],
                mode="lines+markers",
                name=method,
                line=dict(color=color, width=2),
                marker=dict(size=4),
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=shown[-1:, 0].tolist(),
                y=shown[-1:, 1].tolist(),
                mode="markers",
                showlegend=False,
                marker=dict(color=color, size=13),
            )
        )
    start = picture.paths[METHODS[0]][0]
    traces.append(
        dict(
            type="scatter",
            x=[start[0]],
            y=[start[1]],
            mode="markers",
            name="start",
            marker=dict(color="black", symbol="x", size=12),
        )
    )
    row, col = np.unravel_index(np.argmin(picture.surface), picture.surface.shape)
    traces.append(
        dict(
            type="scatter",
            x=[float(picture.w_grid[col])],
            y=[float(picture.b_grid[row])],
            mode="markers",
            name="lowest loss on the grid",
            marker=dict(color="red", symbol="star", size=13),
        )
    )
    w_lim, b_lim = picture.w_grid[[0, -1]].tolist(), picture.b_grid[[0, -1]].tolist()
    title = f"Three ways down the same loss surface: step {step}"
    return figure(traces, title, "weight w", "bias b", b_lim, height=520, xrange=w_lim)


def path_table(picture: SgdPicture, step: int) -> pd.DataFrame:
    """w, b and the whole-data loss of each path after ``step`` updates."""
    rows = [(m, *picture.paths[m][step]) for m in METHODS]
    return pd.DataFrame(rows, columns=["method", "w", "b", "loss on all points"]).round(4)
