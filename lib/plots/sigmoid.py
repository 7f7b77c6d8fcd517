"""Figures for the sigmoid lesson: they receive numbers and draw. Never calls ``st.*``."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib.core.activations import sigmoid, sigmoid_derivative
from lib.plots.common import plain_figure, point
from lib.plots.style import BLUE, GREY, ORANGE

SLOW_SLOPE = 0.01  # below this slope, a step barely moves the weights


def _x_range(*xs: float) -> np.ndarray:
    half = max(6.0, *(abs(v) + 1.0 for v in xs))
    return np.linspace(-half, half, 161, dtype=np.float32)


def figure(
    traces: list[dict],
    title: str,
    xaxis: str,
    yaxis: str,
    yrange=None,
    shapes=(),
    annotations=(),
    height: int = 340,
    xrange=None,
) -> go.Figure:
    """The sigmoid/BCE lessons' layout around ``traces``, built fast by :func:`plain_figure`."""
    return plain_figure(
        traces,
        dict(
            title=dict(text=title),
            height=height,
            margin=dict(l=10, r=10, t=50, b=10),
            xaxis=dict(title=xaxis, range=xrange),
            yaxis=dict(title=yaxis, range=yrange),
            legend=dict(orientation="h", y=-0.2),
            shapes=list(shapes),
            annotations=list(annotations),
        ),
    )


def hline(y: float, text: str) -> tuple[dict, dict]:
    """A dashed horizontal line across the plot with a label (shape, annotation)."""
    return (
        dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=dict(color=GREY, dash="dash")),
        dict(xref="paper", x=0, y=y, text=text, showarrow=False, yanchor="bottom"),
    )


def vline(x: float, text: str, color: str = GREY) -> tuple[dict, dict]:
    """A dashed vertical line from bottom to top with a label (shape, annotation)."""
    return (
        dict(
            type="line", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=color, dash="dash")
        ),
        dict(yref="paper", x=x, y=1, text=text, showarrow=False, yanchor="bottom"),
    )


def sigmoid_figure(x: float) -> go.Figure:
    """The cheat sheet's picture: the curve, a vertical line at x, a dot on the curve, y = 1."""
    xs = _x_range(x)
    y = float(sigmoid(x))
    line, label = hline(1.0, "1")
    return figure(
        [
            dict(
                type="scatter",
                x=xs,
                y=sigmoid(xs).astype(np.float32),
                name="sigmoid(x)",
                line=dict(color=ORANGE, width=3),
            ),
            dict(
                type="scatter",
                x=[x, x],
                y=[0, y],
                mode="lines",
                name=f"x = {x:g}",
                line=dict(color=BLUE, width=2),
            ),
            point(x, y, f"sigmoid({x:g}) = {y:.3f}", BLUE),
        ],
        f"sigmoid({x:g}) = {y:.3f}",
        "x",
        "sigmoid(x)",
        [-0.05, 1.12],
        [line],
        [label],
    )


def linear_figure(x: float, w: float, b: float) -> go.Figure:
    """σ(w·x + b) against x, with σ(x) for reference and the learner's point."""
    xs = _x_range(x)
    z, p = w * x + b, float(sigmoid(w * x + b))
    shapes, notes = [], []
    if w != 0 and abs(b / w) <= xs[-1]:
        line, label = vline(-b / w, f"p = 0.5 at x = {-b / w + 0.0:.2f}")  # + 0.0: no "-0.00"
        shapes, notes = [line], [label]
    return figure(
        [
            dict(
                type="scatter",
                x=xs,
                y=sigmoid(xs).astype(np.float32),
                name="σ(x): w = 1, b = 0",
                line=dict(color=GREY, dash="dot"),
            ),
            dict(
                type="scatter",
                x=xs,
                y=sigmoid(w * xs + b).astype(np.float32),
                name=f"σ({w:g}·x + {b:g})",
                line=dict(color=ORANGE, width=3),
            ),
            point(x, p, f"z = {z:.2f}, p = {p:.3f}", BLUE),
        ],
        "Weight w sets the steepness, bias b the shift",
        "x",
        "p",
        [-0.05, 1.05],
        shapes,
        notes,
    )


def derivative_figure(x: float) -> go.Figure:
    """σ'(x) = σ(x)(1 − σ(x)) with the flat regions where learning slows shaded."""
    xs = _x_range(x)
    edge = float(np.log((1 + np.sqrt(1 - 4 * SLOW_SLOPE)) / (1 - np.sqrt(1 - 4 * SLOW_SLOPE))))
    d = float(sigmoid_derivative(x))
    shade = [
        dict(
            type="rect",
            yref="paper",
            x0=lo,
            x1=hi,
            y0=0,
            y1=1,
            fillcolor=GREY,
            opacity=0.2,
            line_width=0,
        )
        for lo, hi in ((float(xs[0]), -edge), (edge, float(xs[-1])))
    ]
    note = dict(
        x=edge,
        y=0.2,
        text=f"slope < {SLOW_SLOPE}: learning crawls",
        showarrow=False,
        xanchor="left",
    )
    return figure(
        [
            dict(
                type="scatter",
                x=xs,
                y=sigmoid_derivative(xs).astype(np.float32),
                name="σ'(x)",
                line=dict(color=ORANGE, width=3),
            ),
            point(x, d, f"σ'({x:g}) = {d:.4f}", BLUE),
        ],
        "The slope of the sigmoid: at most 0.25, at x = 0",
        "x",
        "σ'(x)",
        [0, 0.27],
        shade,
        [note],
    )
