"""Figures for the sigmoid lesson: they receive numbers and draw. Never calls ``st.*``.

Notation: ``z`` is a logit, ``x`` a feature (``z = w·x + b``). Each figure has a one-sentence
text alternative (``*_summary``) with the current numbers, for a caption under the chart.
Colour is never the only cue: every curve has its own dash, every point its own marker.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib.core.activations import sigmoid, sigmoid_derivative
from lib.plots.common import plain_figure, point, readable_layout
from lib.plots.style import BLUE, FONT_SIZE, GREEN, GREY, ORANGE


def _z_range(*zs: float) -> np.ndarray:
    half = max(6.0, *(abs(v) + 1.0 for v in zs))
    return np.linspace(-half, half, 121, dtype=np.float32)  # smooth at this width


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
    """The sigmoid/BCE lessons' layout around ``traces``, built fast by :func:`plain_figure`.

    Axis titles are objects (``{"text": …}``): plotly.js drops a plain-string axis title of an
    unvalidated figure, so the browser would show none. Every text is at least 14 px
    (:func:`readable_layout`), so a page can draw the figure as it is.
    """
    return plain_figure(
        traces,
        readable_layout(
            dict(
                title=dict(text=title),
                height=height,
                margin=dict(l=10, r=10, t=50, b=10),
                xaxis=dict(title=dict(text=xaxis), range=xrange),
                yaxis=dict(title=dict(text=yaxis), range=yrange),
                legend=dict(orientation="h", y=-0.25),
                shapes=list(shapes),
                annotations=list(annotations),
            )
        ),
    )


def line(x, y, name: str, color: str, dash: str = "solid", width: float = 3) -> dict:
    """A curve as float32 (half the bytes of float64 in the page's JSON)."""
    return dict(
        type="scatter",
        mode="lines",
        x=np.asarray(x, dtype=np.float32),
        y=np.asarray(y, dtype=np.float32),
        name=name,
        line=dict(color=color, width=width, dash=dash),
    )


def hline(y: float, text: str) -> tuple[dict, dict]:
    """A dashed horizontal line across the plot with a label (shape, annotation)."""
    return (
        dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=dict(color=GREY, dash="dash")),
        dict(
            xref="paper",
            x=0,
            y=y,
            text=text,
            showarrow=False,
            yanchor="bottom",
            font=dict(size=FONT_SIZE),
        ),
    )


def vline(x: float, text: str, color: str = GREY) -> tuple[dict, dict]:
    """A dashed vertical line from bottom to top with a label (shape, annotation)."""
    return (
        dict(
            type="line", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=color, dash="dash")
        ),
        dict(
            yref="paper",
            x=x,
            y=1,
            text=text,
            showarrow=False,
            yanchor="bottom",
            font=dict(size=FONT_SIZE),
        ),
    )


def sigmoid_figure(z: float) -> go.Figure:
    """The cheat sheet's picture: the curve, a vertical line at z, a dot on the curve, y = 1."""
    zs = _z_range(z)
    p = float(sigmoid(z))
    asymptote, label = hline(1.0, "1")
    return figure(
        [
            line(zs, sigmoid(zs), "σ(z)", ORANGE),
            dict(
                type="scatter",
                x=[z, z],
                y=[0, p],
                mode="lines",
                name=f"z = {z:g}",
                line=dict(color=BLUE, width=2, dash="dot"),
            ),
            point(z, p, f"σ({z:g}) = {p:.3f}", BLUE, symbol="circle"),
        ],
        f"σ({z:g}) = {p:.3f}",
        "logit z",
        "σ(z) = P(class 1)",
        [-0.05, 1.12],
        [asymptote],
        [label],
    )


def sigmoid_summary(z: float) -> str:
    """The text alternative of :func:`sigmoid_figure`."""
    return (
        f"Chart: the S-shaped curve σ(z) rises from 0 to 1 (0.5 at z = 0); the dotted line "
        f"and the dot mark z = {z:g}, where σ(z) = {float(sigmoid(z)):.3f}."
    )


def linear_figure(x: float, w: float, b: float) -> go.Figure:
    """σ(w·x + b) against the feature x, with σ(x) for reference and the learner's point."""
    xs = _z_range(x)
    z, p = w * x + b, float(sigmoid(w * x + b))
    shapes, notes = [], []
    if w != 0 and abs(b / w) <= xs[-1]:
        half, label = vline(-b / w, f"p = 0.5 at x = {-b / w + 0.0:.2f}")  # + 0.0: no "-0.00"
        shapes, notes = [half], [label]
    return figure(
        [
            line(xs, sigmoid(xs), "σ(x): w = 1, b = 0", GREY, dash="dot", width=2),
            line(xs, sigmoid(w * xs + b), f"σ({w:g}·x + {b:g})", ORANGE),
            point(x, p, f"x = {x:g}: z = {z:.2f}, p = {p:.3f}", BLUE, symbol="circle"),
        ],
        "Weight w sets the steepness, bias b the shift",
        "feature x",
        "p = σ(w·x + b)",
        [-0.05, 1.05],
        shapes,
        notes,
    )


def linear_summary(x: float, w: float, b: float) -> str:
    """The text alternative of :func:`linear_figure`."""
    z, p = w * x + b, float(sigmoid(w * x + b))
    where = f"crosses 0.5 at x = {-b / w + 0.0:.2f}" if w != 0 else "is flat (w = 0)"
    return (
        f"Chart: the solid curve σ({w:g}·x + {b:g}) against the feature x {where}; the dot at "
        f"x = {x:g} has z = {z:.2f} and p = {p:.3f}; the dotted curve is σ(x) for comparison."
    )


def gradient_figure(z: float) -> go.Figure:
    """σ′(z) beside dL/dz = σ(z) − y of ``BCEWithLogitsLoss`` for y = 1 and y = 0.

    σ′(z) vanishes in the tails; the loss's gradient does not: for a confident mistake it is
    close to ±1. The learner's z is marked on all three curves.
    """
    zs = _z_range(z)
    s, s_at = sigmoid(zs), float(sigmoid(z))
    slope = float(sigmoid_derivative(z))
    return figure(
        [
            line(zs, sigmoid_derivative(zs), "σ′(z): the sigmoid's slope", ORANGE),
            line(zs, s - 1.0, "dL/dz = σ(z) − 1 (label y = 1)", BLUE, dash="dash"),
            line(zs, s, "dL/dz = σ(z) − 0 (label y = 0)", GREEN, dash="dot"),
            point(z, slope, f"σ′({z:g}) = {slope:.4f}", ORANGE, size=18, symbol="circle"),
            point(z, s_at - 1.0, f"y = 1: {s_at - 1.0:+.4f}", BLUE, symbol="square"),
            point(z, s_at, f"y = 0: {s_at:+.4f}", GREEN, symbol="diamond"),
        ],
        "The sigmoid's slope fades in the tails; the BCE gradient does not",
        "logit z",
        "slope / gradient",
        [-1.1, 1.1],
        height=380,
    )


def gradient_summary(z: float) -> str:
    """The text alternative of :func:`gradient_figure`."""
    s = float(sigmoid(z))
    return (
        f"Chart: at z = {z:g} the sigmoid's slope σ′(z) is {float(sigmoid_derivative(z)):.4f} "
        f"(at most 0.25, at z = 0), while the BCE-with-logits gradient σ(z) − y is "
        f"{s - 1.0:+.4f} for label 1 and {s:+.4f} for label 0: near ±1 for a confident mistake."
    )
