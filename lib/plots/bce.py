"""Figures for the binary cross-entropy lesson: they receive numbers and draw. Never calls ``st.*``.

Colour is never the only cue (each curve and path has its own dash, each marker its own
shape), and the markers that are the learner's own (the point on the loss curve, the start
of the SGD paths) are grey with a white edge, which shows on the light and the dark theme.
Each figure has a one-sentence text alternative (``*_summary``) for a caption under it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.core.losses import bce_naive
from lib.lessons.bce import METHODS, SgdPicture
from lib.plots.sigmoid import figure, line, vline
from lib.plots.style import BLUE, GREEN, GREY, ORANGE, RED

# One colour, dash and marker per path: full batch, mini-batch, single sample.
PATH_STYLES = dict(
    zip(
        METHODS,
        ((BLUE, "solid", "circle"), (ORANGE, "dash", "square"), (GREEN, "dot", "diamond")),
        strict=True,
    )
)
_WHITE_EDGE = dict(width=1.5, color="#FFFFFF")


def _own_marker(x: float, y: float, name: str, symbol: str) -> dict:
    """The learner's own point: grey with a white edge, visible on either theme."""
    return dict(
        type="scatter",
        x=[x],
        y=[y],
        mode="markers",
        name=name,
        marker=dict(color=GREY, symbol=symbol, size=15, line=_WHITE_EDGE),
    )


def bce_curves_figure(p: float, y: int) -> go.Figure:
    """−log(p) (true label 1) and −log(1 − p) (true label 0), with the learner's point."""
    ps = np.linspace(0.001, 0.999, 200)
    loss = float(bce_naive(p, y))
    traces = [
        line(ps, curve, name, color, dash, width=4 if label == y else 1.5)
        | dict(opacity=1.0 if label == y else 0.5)
        for label, name, curve, color, dash in (
            (1, "y = 1: −log(p)", -np.log(ps), BLUE, "solid"),
            (0, "y = 0: −log(1 − p)", -np.log(1 - ps), ORANGE, "dash"),
        )
    ]
    traces.append(_own_marker(p, loss, f"p = {p:g}, y = {y}: loss {loss:.4f}", "diamond"))
    return figure(
        traces,
        f"BCE loss at p = {p:g}, y = {y}: {loss:.4f}",
        "p = predicted P(class 1)",
        "loss",
        [0, 7.2],
        height=360,
    )


def bce_curves_summary(p: float, y: int) -> str:
    """The text alternative of :func:`bce_curves_figure`."""
    return (
        f"Chart: the loss −log(p) for label 1 falls from about 7 to 0 as p goes from 0 to 1, "
        f"and −log(1 − p) for label 0 rises the same way; the diamond marks p = {p:g}, y = {y}: "
        f"loss {float(bce_naive(p, y)):.4f}."
    )


def saturation_figure(
    z: float, curves: tuple[np.ndarray, np.ndarray, np.ndarray], y: int = 0
) -> go.Figure:
    """Loss against the logit for a sample of class y: BCELoss on σ(z) hits its clamp at 100.

    ``curves`` is ``(zs, clamped, exact)`` from :func:`lib.lessons.bce.saturation_curves`.
    """
    zs, clamped, exact = curves
    mark, label = vline(z, f"z = {z:g}")
    return figure(
        [
            line(zs, clamped, "sigmoid + nn.BCELoss (float32)", ORANGE),
            line(zs, exact, "nn.BCEWithLogitsLoss", BLUE, dash="dash"),
        ],
        f"A confident mistake: logit z, true label y = {y}",
        "logit z",
        "loss",
        shapes=[mark],
        annotations=[label],
        height=360,
    )


def saturation_summary(z: float, losses: dict[str, tuple[float, float]]) -> str:
    """The text alternative of :func:`saturation_figure`, with the losses at z."""
    (clamped, _), (exact, _) = losses["sigmoid + nn.BCELoss"], losses["nn.BCEWithLogitsLoss"]
    return (
        "Chart: for a label-0 sample both losses grow with the logit z until sigmoid + BCELoss "
        f"flattens at its clamp of 100 while BCEWithLogitsLoss keeps rising; at z = {z:g} "
        f"they are {clamped:.4f} and {exact:.4f}."
    )


def _surface(picture: SgdPicture) -> dict:
    return dict(
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


def _paths(picture: SgdPicture, step: int) -> list[dict]:
    """Each path up to ``step`` (line + small markers), then a big marker where it is now."""
    traces = []
    for method, path in picture.paths.items():
        shown = path[: step + 1].astype(np.float32)
        color, dash, symbol = PATH_STYLES[method]
        traces.append(
            dict(
                type="scatter",
                x=shown[:, 0],
                y=shown[:, 1],
                mode="lines+markers",
                name=method,
                line=dict(color=color, width=2, dash=dash),
                marker=dict(size=5, symbol=symbol),
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=shown[-1:, 0].tolist(),
                y=shown[-1:, 1].tolist(),
                mode="markers",
                showlegend=False,
                name=f"{method}: step {step}",
                marker=dict(color=color, size=14, symbol=symbol, line=_WHITE_EDGE),
            )
        )
    return traces


def sgd_figure(picture: SgdPicture, step: int) -> go.Figure:
    """The loss surface over (w, b) as a contour, with each path up to ``step``."""
    start = picture.paths[METHODS[0]][0]
    row, col = np.unravel_index(np.argmin(picture.surface), picture.surface.shape)
    lowest = dict(
        type="scatter",
        x=[float(picture.w_grid[col])],
        y=[float(picture.b_grid[row])],
        mode="markers",
        name="lowest loss on the grid",
        marker=dict(color=RED, symbol="star", size=15, line=_WHITE_EDGE),
    )
    traces = [
        _surface(picture),
        *_paths(picture, step),
        _own_marker(float(start[0]), float(start[1]), "start", "x"),
        lowest,
    ]
    w_lim, b_lim = picture.w_grid[[0, -1]].tolist(), picture.b_grid[[0, -1]].tolist()
    title = f"Three ways down the same loss surface: step {step}"
    return figure(traces, title, "weight w", "bias b", b_lim, height=520, xrange=w_lim)


def sgd_summary(picture: SgdPicture, step: int) -> str:
    """The text alternative of :func:`sgd_figure`, with each path's loss at ``step``."""
    losses = ", ".join(f"{m} {picture.paths[m][step, 2]:.4f}" for m in METHODS)
    return (
        "Chart: contour lines of the mean loss over the weight w and the bias b, with three "
        f"paths from the same start (the ✕) towards the lowest loss (the star); after {step} "
        f"steps the whole-data loss is {losses}."
    )


def path_table(picture: SgdPicture, step: int) -> pd.DataFrame:
    """w, b and the whole-data loss of each path after ``step`` updates."""
    rows = [(m, *picture.paths[m][step]) for m in METHODS]
    return pd.DataFrame(rows, columns=["method", "w", "b", "loss on all points"]).round(4)
