"""Figures for the softmax and argmax lesson (plotly; no streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lib.activations import sigmoid

BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#9aa5b1"
_LAYOUT = dict(height=320, margin=dict(l=40, r=20, t=50, b=40))


def probability_bars(
    names: Sequence[str],
    probs: Sequence[float],
    highlight: int | None = None,
    title: str = "softmax(z): the bars sum to 1",
) -> go.Figure:
    """One bar per class with its probability written on it; ``highlight`` in orange."""
    colors = [ORANGE if i == highlight else BLUE for i in range(len(names))]
    fig = go.Figure(
        go.Bar(
            x=list(names),
            y=[float(p) for p in probs],
            marker_color=colors,
            text=[f"{p:.2f}" for p in probs],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=title,
        yaxis=dict(range=[0, 1.1], title="probability"),
        xaxis=dict(type="category"),
        **_LAYOUT,
    )
    return fig


def temperature_bars(
    names: Sequence[str], p_one: Sequence[float], p_t: Sequence[float], temperature: float
) -> go.Figure:
    """softmax(z) beside softmax(z / T), grouped per class."""
    fig = go.Figure(
        [
            go.Bar(name="T = 1", x=list(names), y=list(p_one), marker_color=GREY),
            go.Bar(name=f"T = {temperature:g}", x=list(names), y=list(p_t), marker_color=BLUE),
        ]
    )
    fig.update_layout(
        barmode="group",
        title="softmax(z / T)",
        xaxis=dict(type="category"),
        yaxis=dict(range=[0, 1.05], title="probability"),
        **_LAYOUT,
    )
    return fig


def sweep_lines(
    names: Sequence[str], grid: np.ndarray, probs: np.ndarray, j: int, z_j: float, p_j: float
) -> go.Figure:
    """p_k as logit j moves (the others fixed), with the current (z_j, p_j) marked."""
    lines = [
        go.Scatter(
            x=grid, y=probs[:, k], mode="lines", name=name, line=dict(width=4 if k == j else 2)
        )
        for k, name in enumerate(names)
    ]
    now = go.Scatter(
        x=[float(z_j)],
        y=[float(p_j)],
        mode="markers",
        name=f"now: {z_j:g}",
        marker=dict(size=12, color=ORANGE),
    )
    return go.Figure(
        [*lines, now],
        layout=dict(
            title=f"Push the logit of “{names[j]}” and it takes over",
            xaxis_title=f"logit of {names[j]}",
            yaxis=dict(range=[0, 1.02], title="probability"),
            **_LAYOUT,
        ),
    )


def sigmoid_vs_softmax(z: float) -> go.Figure:
    """sigmoid(x) and softmax([x, 0])[0] on one axis: the two curves coincide."""
    x = np.linspace(-10, 10, 161, dtype=np.float32)
    softmax_first = np.exp(x - np.logaddexp(x, 0.0))
    fig = go.Figure(
        [
            go.Scatter(
                x=x,
                y=sigmoid(x).astype(np.float32),
                name="sigmoid(z)",
                line=dict(width=6, color=GREY),
            ),
            go.Scatter(
                x=x,
                y=softmax_first.astype(np.float32),
                name="softmax([z, 0])[0]",
                line=dict(dash="dash", color=BLUE),
            ),
            go.Scatter(
                x=[float(z)],
                y=[float(sigmoid(z))],
                mode="markers",
                name="your z",
                marker=dict(size=12, color=ORANGE),
            ),
        ]
    )
    fig.update_layout(
        title="Sigmoid is the 2-class softmax",
        xaxis_title="z",
        yaxis_title="probability",
        **_LAYOUT,
    )
    return fig
