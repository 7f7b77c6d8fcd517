"""Figures for the softmax and argmax lesson (plotly; no streamlit).

Figures are written as plain plotly specs and wrapped without plotly's per-property
validation (``figure()``), which costs tens of milliseconds per figure and would blow the
rerun budget; ``tests/test_softmax_ce.py`` validates every spec with full plotly validation.

Every class keeps one look across the lesson: its Okabe–Ito colour, its fill pattern (bars)
and its marker and dash (lines), so no figure relies on colour alone. Class names are outside
text and pass through :func:`lib.plots.common.labels`. Curves carry no per-point hover and
travel as float32 (``typed``): the payload stays small.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from lib.core.activations import sigmoid
from lib.plots.common import FONT_SIZE, bars, labels, pattern, plain_figure, point, readable_layout
from lib.plots.style import BLUE, ORANGE, class_color, class_marker, path_dash

GREY = "#9aa5b1"  # a lighter grey than the other lessons' reference lines
_LAYOUT = {"height": 340, "margin": {"l": 50, "r": 20, "t": 56, "b": 50}}


def typed(values) -> dict:
    """A float32 array in plotly's own base64 form: no per-call conversion when drawn."""
    array = np.ascontiguousarray(values, dtype=np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def figure(data: list[dict], title: str, **layout) -> go.Figure:
    """A figure from plain trace dicts, skipping plotly's slow validation (specs are tested).

    ``title`` is ClassLab's own text; any class name in it must already be escaped."""
    return plain_figure(data, readable_layout({**_LAYOUT, "title": {"text": title}, **layout}))


def class_bars(
    names: Sequence[str], values: Sequence[float], highlight: int | None, mark: str
) -> dict:
    """One bar per class in its colour and pattern; ``highlight`` is outlined and its value
    labelled with ``mark`` (so it stands out without colour)."""
    k = len(names)
    return {
        "type": "bar",
        "x": labels(names),
        "y": [float(v) for v in values],
        "marker": {
            "color": [class_color(i) for i in range(k)],
            "pattern": {"shape": [pattern(i) for i in range(k)]},
            "line": {"color": "#000", "width": [4 if i == highlight else 0 for i in range(k)]},
        },
        "text": [
            f"{v:.2f}" + (f" ({mark})" if i == highlight else "") for i, v in enumerate(values)
        ],
        "textposition": "outside",
        "textfont": {"size": FONT_SIZE},
        "cliponaxis": False,
        "hovertemplate": "%{x}: %{y:.4f}<extra></extra>",
        "showlegend": False,
    }


def probability_bars(
    names: Sequence[str],
    probs: Sequence[float],
    highlight: int | None = None,
    title: str = "softmax(z): the bars sum to 1",
    mark: str = "argmax",
) -> go.Figure:
    """One bar per class with its probability written on it; ``highlight`` outlined."""
    return figure(
        [class_bars(names, probs, highlight, mark)],
        title,
        yaxis={"range": [0, 1.15], "title": {"text": "probability"}},
        xaxis={"type": "category", "title": {"text": "class"}},
    )


def temperature_bars(
    names: Sequence[str], p_one: Sequence[float], p_t: Sequence[float], temperature: float
) -> go.Figure:
    """softmax(z) beside softmax(z / T), grouped per class (hatched grey = T 1, solid = T)."""
    return figure(
        [
            bars("T = 1", names, p_one, GREY, fill="/"),
            bars(f"T = {temperature:g}", names, p_t, BLUE),
        ],
        "softmax(z / T)",
        barmode="group",
        xaxis={"type": "category", "title": {"text": "class"}},
        yaxis={"range": [0, 1.05], "title": {"text": "probability"}},
    )


def sweep_lines(
    names: Sequence[str], grid: np.ndarray, probs: np.ndarray, j: int, z_j: float, p_j: float
) -> go.Figure:
    """p_k as logit j moves (the others fixed), with the current (z_j, p_j) marked."""
    shown = labels(names)
    lines = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": typed(grid),
            "y": typed(probs[:, k]),
            "line": {"width": 4 if k == j else 2, "color": class_color(k), "dash": path_dash(k)},
            "marker": {"symbol": class_marker(k), "size": 9, "maxdisplayed": 12},
            "hoverinfo": "skip",
        }
        for k, name in enumerate(shown)
    ]
    now = point(
        float(z_j),
        float(p_j),
        "now",
        class_color(j),
        size=20,
        symbol="star",
        text=f"now: p = {p_j:.2f}",
    )
    return figure(
        [*lines, now],
        f"Push the logit of “{shown[j]}” and it takes over",
        xaxis={"title": {"text": f"logit of {shown[j]}"}},
        yaxis={"range": [0, 1.08], "title": {"text": "probability"}},
    )


@lru_cache(maxsize=1)
def _sigmoid_curves() -> tuple[dict, dict, dict]:
    """The two fixed curves of :func:`sigmoid_vs_softmax` (x, sigmoid, softmax), float32."""
    x = np.linspace(-10, 10, 161, dtype=np.float32)
    softmax_first = np.exp(x - np.logaddexp(x, 0.0)).astype(np.float32)
    return typed(x), typed(sigmoid(x)), typed(softmax_first)


def sigmoid_vs_softmax(z: float) -> go.Figure:
    """sigmoid(x) and softmax([x, 0])[0] on one axis: the two curves coincide."""
    x, sig, soft = _sigmoid_curves()
    p = float(sigmoid(z))
    return figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "sigmoid(z)",
                "x": x,
                "y": sig,
                "line": {"width": 8, "color": GREY},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "softmax([z, 0])[0]",
                "x": x,
                "y": soft,
                "line": {"dash": "dash", "color": BLUE, "width": 3},
                "hoverinfo": "skip",
            },
            point(
                float(z), p, "your z", ORANGE, size=18, symbol="star", text=f"z = {z:g}: {p:.3f}"
            ),
        ],
        "Sigmoid is the 2-class softmax",
        xaxis={"title": {"text": "z"}},
        yaxis={"title": {"text": "probability"}, "range": [-0.02, 1.1]},
    )
