"""Figures for the binary cross-entropy lesson: they receive numbers and draw. Never calls ``st.*``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.core.losses import bce_naive
from lib.lessons.bce import METHODS, SgdPicture
from lib.plots.common import point
from lib.plots.sigmoid import figure, vline
from lib.plots.style import BLUE, GREEN, ORANGE

PATH_COLORS = dict(zip(METHODS, (BLUE, ORANGE, GREEN), strict=True))


def bce_curves_figure(p: float, y: int) -> go.Figure:
    """−log(p) (true label 1) and −log(1 − p) (true label 0), with the learner's point."""
    ps = np.linspace(0.001, 0.999, 200)
    loss = float(bce_naive(p, y))
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


def saturation_figure(
    z: float, curves: tuple[np.ndarray, np.ndarray, np.ndarray], y: int = 0
) -> go.Figure:
    """Loss against the logit for a sample of class y: BCELoss on σ(z) hits its clamp at 100.

    ``curves`` is ``(zs, clamped, exact)`` from :func:`lib.lessons.bce.saturation_curves`.
    """
    zs, clamped, exact = curves
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
