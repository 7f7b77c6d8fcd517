"""Figures for the multiclass cross-entropy lesson (plotly; no streamlit).

Same conventions as :mod:`lib.plots.softmax`: class colours with a pattern per class or
series, the learner's point marked by shape and a label as well as colour, class names escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lib.plots.common import bars, point
from lib.plots.softmax import BLUE, GREY, ORANGE, figure, probability_bars, typed
from lib.text import plotly_literal

P_MIN = 1e-3  # the −log p curve starts here; smaller p are marked at the edge


def true_class_bars(names: Sequence[str], probs: Sequence[float], y: int, loss: float) -> go.Figure:
    """softmax(z) with the true class outlined and labelled, and the loss in the title."""
    title = (
        f"True class “{plotly_literal(names[y])}”: p = {probs[y]:.4f}, loss = −log p = {loss:.4f}"
    )
    return probability_bars(names, probs, highlight=y, title=title, mark="true")


def neg_log_curve(p: float, loss: float) -> go.Figure:
    """The curve −log p for p in (0, 1] with the learner's point on it."""
    x = np.geomspace(P_MIN, 1.0, 200).astype(np.float32)
    off_chart = p < P_MIN
    label = f"loss {loss:.2f}" + (" (off the chart)" if off_chart else "")
    y_max = float(-np.log(P_MIN))
    mark = point(
        max(float(p), P_MIN),
        min(float(loss), y_max),
        "your sample",
        ORANGE,
        size=18,
        symbol="diamond",
        text=label,
    )
    curve = {
        "type": "scatter",
        "mode": "lines",
        "name": "−log p",
        "x": typed(x),
        "y": typed(-np.log(x)),
        "line": {"color": BLUE, "width": 3},
        "hoverinfo": "skip",
    }
    return figure(
        [curve, mark],
        "Loss = −log(probability of the true class)",
        xaxis={"title": {"text": "p(true class)"}, "range": [0, 1.05]},
        yaxis={"title": {"text": "loss"}, "range": [0, y_max * 1.12]},
    )


def gradient_bars(
    names: Sequence[str], right: Sequence[float], double: Sequence[float]
) -> go.Figure:
    """∂loss/∂z per class: raw logits (right, solid) against softmax-then-CrossEntropyLoss
    (mistake, hatched)."""
    return figure(
        [
            bars("right: CrossEntropyLoss(z)", names, right, BLUE),
            bars("mistake: CrossEntropyLoss(softmax(z))", names, double, GREY, fill="x"),
        ],
        "Gradient with respect to each logit",
        barmode="group",
        xaxis={"type": "category", "title": {"text": "class"}},
        yaxis={"title": {"text": "∂loss/∂z"}},
    )
