"""Figures for the multiclass cross-entropy lesson (plotly; no streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lib.plots.softmax import _LAYOUT, BLUE, GREY, ORANGE, probability_bars

P_MIN = 1e-3  # the −log p curve starts here; smaller p are marked at the edge


def true_class_bars(names: Sequence[str], probs: Sequence[float], y: int, loss: float) -> go.Figure:
    """softmax(z) with the true class in orange and the loss in the title."""
    title = f"True class “{names[y]}”: p = {probs[y]:.4f}, loss = −log p = {loss:.4f}"
    return probability_bars(names, probs, highlight=y, title=title)


def neg_log_curve(p: float, loss: float) -> go.Figure:
    """The curve −log p for p in (0, 1] with the learner's point on it."""
    x = np.geomspace(P_MIN, 1.0, 200).astype(np.float32)
    off_chart = p < P_MIN
    fig = go.Figure(
        [
            go.Scatter(x=x, y=-np.log(x), name="−log p", line=dict(color=BLUE)),
            go.Scatter(
                x=[max(p, P_MIN)],
                y=[min(loss, float(-np.log(P_MIN)))],
                mode="markers+text",
                name="your sample",
                marker=dict(size=13, color=ORANGE),
                text=[f"loss {loss:.2f}" + (" (off the chart)" if off_chart else "")],
                textposition="top right",
            ),
        ]
    )
    fig.update_layout(
        title="Loss = −log(probability of the true class)",
        xaxis=dict(title="p(true class)", range=[0, 1.02]),
        yaxis=dict(title="loss", rangemode="tozero"),
        **_LAYOUT,
    )
    return fig


def gradient_bars(
    names: Sequence[str], right: Sequence[float], double: Sequence[float]
) -> go.Figure:
    """∂loss/∂z per class: raw logits (right) against softmax-then-CrossEntropyLoss (mistake)."""
    fig = go.Figure(
        [
            go.Bar(
                name="right: CrossEntropyLoss(z)", x=list(names), y=list(right), marker_color=BLUE
            ),
            go.Bar(
                name="mistake: CrossEntropyLoss(softmax(z))",
                x=list(names),
                y=list(double),
                marker_color=GREY,
            ),
        ]
    )
    fig.update_layout(
        barmode="group",
        title="Gradient with respect to each logit",
        xaxis=dict(type="category"),
        yaxis_title="∂loss/∂z",
        **_LAYOUT,
    )
    return fig
