"""Figures for the softmax and argmax lesson (plotly; no streamlit).

Figures are written as plain plotly specs and wrapped without plotly's per-property
validation (``figure()``), which costs tens of milliseconds per figure and would blow the
rerun budget; ``tests/test_softmax_ce.py`` validates every spec with full plotly validation.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lib.core.activations import sigmoid
from lib.plots.common import bars, plain_figure, point
from lib.plots.style import BLUE, ORANGE, class_color

GREY = "#9aa5b1"  # a lighter grey than the other lessons' reference lines
_LAYOUT = {"height": 320, "margin": {"l": 40, "r": 20, "t": 50, "b": 40}}


def typed(values) -> dict:
    """A float32 array in plotly's own base64 form: no per-call conversion when drawn."""
    array = np.ascontiguousarray(values, dtype=np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def figure(data: list[dict], title: str, **layout) -> go.Figure:
    """A figure from plain trace dicts, skipping plotly's slow validation (specs are tested)."""
    return plain_figure(data, {**_LAYOUT, "title": {"text": title}, **layout})


def probability_bars(
    names: Sequence[str],
    probs: Sequence[float],
    highlight: int | None = None,
    title: str = "softmax(z): the bars sum to 1",
) -> go.Figure:
    """One bar per class with its probability written on it; ``highlight`` in orange."""
    bars = {
        "type": "bar",
        "x": list(names),
        "y": [float(p) for p in probs],
        "marker": {"color": [ORANGE if i == highlight else BLUE for i in range(len(names))]},
        "text": [f"{p:.2f}" for p in probs],
        "textposition": "outside",
        "cliponaxis": False,
    }
    return figure(
        [bars],
        title,
        yaxis={"range": [0, 1.1], "title": {"text": "probability"}},
        xaxis={"type": "category"},
    )


def temperature_bars(
    names: Sequence[str], p_one: Sequence[float], p_t: Sequence[float], temperature: float
) -> go.Figure:
    """softmax(z) beside softmax(z / T), grouped per class."""
    return figure(
        [bars("T = 1", names, p_one, GREY), bars(f"T = {temperature:g}", names, p_t, BLUE)],
        "softmax(z / T)",
        barmode="group",
        xaxis={"type": "category"},
        yaxis={"range": [0, 1.05], "title": {"text": "probability"}},
    )


def sweep_lines(
    names: Sequence[str], grid: np.ndarray, probs: np.ndarray, j: int, z_j: float, p_j: float
) -> go.Figure:
    """p_k as logit j moves (the others fixed), with the current (z_j, p_j) marked."""
    lines = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": typed(grid),
            "y": typed(probs[:, k]),
            "line": {"width": 4 if k == j else 2, "color": class_color(k)},
        }
        for k, name in enumerate(names)
    ]
    now = point(float(z_j), float(p_j), f"now: {z_j:g}", ORANGE)
    return figure(
        [*lines, now],
        f"Push the logit of “{names[j]}” and it takes over",
        xaxis={"title": {"text": f"logit of {names[j]}"}},
        yaxis={"range": [0, 1.02], "title": {"text": "probability"}},
    )


def sigmoid_vs_softmax(z: float) -> go.Figure:
    """sigmoid(x) and softmax([x, 0])[0] on one axis: the two curves coincide."""
    x = np.linspace(-10, 10, 161, dtype=np.float32)
    softmax_first = np.exp(x - np.logaddexp(x, 0.0)).astype(np.float32)
    return figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "sigmoid(z)",
                "x": typed(x),
                "y": typed(sigmoid(x)),
                "line": {"width": 6, "color": GREY},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "softmax([z, 0])[0]",
                "x": typed(x),
                "y": typed(softmax_first),
                "line": {"dash": "dash", "color": BLUE},
            },
            point(float(z), float(sigmoid(z)), "your z", ORANGE),
        ],
        "Sigmoid is the 2-class softmax",
        xaxis={"title": {"text": "z"}},
        yaxis={"title": {"text": "probability"}},
    )
