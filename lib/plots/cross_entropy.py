"""Figures for the multiclass cross-entropy lesson (plotly; no streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lib.plots.common import bars
from lib.plots.softmax import BLUE, GREY, ORANGE, figure, probability_bars, typed

P_MIN = 1e-3  # the −log p curve starts here; smaller p are marked at the edge


def true_class_bars(names: Sequence[str], probs: Sequence[float], y: int, loss: float) -> go.Figure:
    """softmax(z) with the true class in orange and the loss in the title."""
    title = f"True class “{names[y]}”: p = {probs[y]:.4f}, loss = −log p = {loss:.4f}"
    return probability_bars(names, probs, highlight=y, title=title)


def neg_log_curve(p: float, loss: float) -> go.Figure:
    """The curve −log p for p in (0, 1] with the learner's point on it."""
    x = np.geomspace(P_MIN, 1.0, 200).astype(np.float32)
    off_chart = p < P_MIN
    label = f"loss {loss:.2f}" + (" (off the chart)" if off_chart else "")
    point = {
        "type": "scatter",
        "mode": "markers+text",
        "name": "your sample",
        "x": [max(float(p), P_MIN)],
        "y": [min(float(loss), float(-np.log(P_MIN)))],
        "marker": {"size": 13, "color": ORANGE},
        "text": [label],
        "textposition": "top right",
    }
    curve = {
        "type": "scatter",
        "mode": "lines",
        "name": "−log p",
        "x": typed(x),
        "y": typed(-np.log(x)),
        "line": {"color": BLUE},
    }
    return figure(
        [curve, point],
        "Loss = −log(probability of the true class)",
        xaxis={"title": {"text": "p(true class)"}, "range": [0, 1.02]},
        yaxis={"title": {"text": "loss"}, "rangemode": "tozero"},
    )


def gradient_bars(
    names: Sequence[str], right: Sequence[float], double: Sequence[float]
) -> go.Figure:
    """∂loss/∂z per class: raw logits (right) against softmax-then-CrossEntropyLoss (mistake)."""
    return figure(
        [
            bars("right: CrossEntropyLoss(z)", names, right, BLUE),
            bars("mistake: CrossEntropyLoss(softmax(z))", names, double, GREY),
        ],
        "Gradient with respect to each logit",
        barmode="group",
        xaxis={"type": "category"},
        yaxis={"title": {"text": "∂loss/∂z"}},
    )
