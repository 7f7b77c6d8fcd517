"""Figures for the training lab: decision regions with the points, and the confusion matrix.

Colour-blind safe: the Okabe–Ito palette, and every class also gets its own marker shape.
Builders return ``go.Figure`` and never call Streamlit; data are float32 and bounded
(a 100×100 grid) so a live page can redraw them cheaply.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib.plots.style import FONT_SIZE, MARKERS, OKABE_ITO, rgb  # colour-blind safe
from lib.text import plotly_literal

HEIGHT = 460
CURVE_DASHES = ([1, 0], [6, 3], [2, 2])  # solid, dashed, dotted: one per series of a chart


def region_image(proba: np.ndarray) -> np.ndarray:
    """(n, n, K) probabilities → (n, n, 3) uint8: each class's colour weighted by its
    probability, washed towards white where the model is unsure.

    >>> region_image(np.array([[[1.0, 0.0]]], dtype=np.float32)).shape
    (1, 1, 3)
    """
    k = proba.shape[-1]
    colours = np.array([rgb(c) for c in OKABE_ITO[:k]], dtype=np.float32)  # (K, 3)
    mixed = proba.astype(np.float32) @ colours
    confidence = (proba.max(axis=-1, keepdims=True) - 1 / k) / (1 - 1 / k)
    alpha = 0.25 + 0.5 * np.clip(confidence, 0, 1)
    return np.clip(255 - alpha * (255 - mixed), 0, 255).astype(np.uint8)


def decision_regions(
    xs: np.ndarray,
    ys: np.ndarray,
    proba: np.ndarray,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    class_names: list[str],
    feature_names: tuple[str, str] = ("x1", "x2"),
    title: str = "",
) -> go.Figure:
    """Probability map of the classifier over the plane, with the training points (filled)
    and test points (open), one colour and one marker shape per class.

    Two classes: a heatmap of P(class 1) from blue (0) through white (0.5) to orange (1).
    More classes: each pixel mixes the class colours by probability.

    Built as plain dicts and wrapped without plotly's validation (60 ms → 2 ms: it is
    redrawn live); the tests check that the same dict passes validation.
    """
    k = len(class_names)
    names = [plotly_literal(c, 40) for c in class_names]  # outside text: shown, never markup
    traces = [_probability_trace(xs, ys, proba, names)]
    for split, X, y, hollow in (("train", X_train, y_train, False), ("test", X_test, y_test, True)):
        traces += [_points_trace(X[y == c], c, f"{names[c]} ({split})", hollow) for c in range(k)]
    x_range, y_range = [float(xs[0]), float(xs[-1])], [float(ys[0]), float(ys[-1])]
    layout = {
        "height": HEIGHT,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "font": {"size": FONT_SIZE},
        "title": {"text": plotly_literal(title)},
        "legend": {"orientation": "h", "y": -0.12},
        "uirevision": "regions",
        "xaxis": {"title": {"text": plotly_literal(feature_names[0], 40)}, "range": x_range},
        "yaxis": {
            "title": {"text": plotly_literal(feature_names[1], 40)},
            "range": y_range,
            "autorange": False,
        },
    }
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def _probability_trace(xs, ys, proba: np.ndarray, names: list[str]) -> dict:
    """Two classes: a heatmap of P(class 1), blue (0) through white to orange (1); more:
    an image whose pixels mix the class colours by probability."""
    if len(names) == 2:
        return {
            "type": "heatmap", "x": xs, "y": ys, "z": proba[..., 1].astype(np.float32),
            "zmin": 0, "zmax": 1, "opacity": 0.75,
            "colorscale": [[0, OKABE_ITO[0]], [0.5, "#FFFFFF"], [1, OKABE_ITO[1]]],
            "colorbar": {"title": {"text": f"P({names[1]})"}, "len": 0.8},
            "hovertemplate": "x1=%{x:.2f}<br>x2=%{y:.2f}<br>P=%{z:.2f}<extra></extra>",
        }  # fmt: skip
    return {
        "type": "image", "z": region_image(proba), "x0": float(xs[0]),
        "dx": float(xs[1] - xs[0]), "y0": float(ys[0]), "dy": float(ys[1] - ys[0]),
        "hoverinfo": "skip",
    }  # fmt: skip


def _points_trace(points: np.ndarray, c: int, name: str, hollow: bool) -> dict:
    """One class's points of one split: its colour and its marker shape (open for test)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": points[:, 0].astype(np.float32),
        "y": points[:, 1].astype(np.float32),
        "name": name,
        "legendgroup": name.rsplit(" (", 1)[0],
        "marker": {
            "symbol": MARKERS[c % len(MARKERS)] + ("-open" if hollow else ""),
            "color": OKABE_ITO[c % len(OKABE_ITO)],
            "size": 7 if hollow else 6,
            "line": {"width": 1.5 if hollow else 1, "color": "#222222"},
        },
    }


def confusion_heatmap(matrix: np.ndarray, class_names: list[str], title: str = "") -> go.Figure:
    """Counts with rows = true class and columns = predicted class (scikit-learn's layout).

    Class names are outside text (an uploaded CSV's labels): they go through
    :func:`lib.text.plotly_literal`, so ``<b>`` or ``<a href>`` in a name shows as written.
    """
    matrix = np.asarray(matrix)
    names = [plotly_literal(c, 40) for c in class_names]
    heatmap = {
        "type": "heatmap", "z": matrix, "x": names, "y": names, "colorscale": "Blues",
        "showscale": False, "text": matrix, "texttemplate": "%{text}",
        "textfont": {"size": FONT_SIZE},
        "hovertemplate": "true %{y}<br>predicted %{x}<br>%{z} rows<extra></extra>",
    }  # fmt: skip
    layout = {
        "height": min(HEIGHT, 140 + 32 * len(class_names)),
        "title": {"text": plotly_literal(title)},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "font": {"size": FONT_SIZE},
        "xaxis": {"title": {"text": "predicted"}, "side": "bottom", "type": "category"},
        "yaxis": {"title": {"text": "true"}, "autorange": "reversed", "type": "category"},
    }
    return go.Figure({"data": [heatmap], "layout": layout}, _validate=False)


def curves_spec(
    columns: list[str],
    y_title: str,
    height: int = 220,
    marker: int | None = None,
    font_size: int = FONT_SIZE,
    y_format: str = ".3~g",
) -> dict:
    """A Vega-Lite spec for ``st.vega_lite_chart`` over a frame with an ``epoch`` column:
    one line per column, Okabe–Ito colours *and* a dash per series (readable without
    colour), text at ``font_size`` px, whole epochs on the x axis (no "0.000000" when only
    epoch 0 exists). ``marker``: an epoch to mark with a vertical rule (the scrubbed one).

    A plain dict (no Altair validation): building it costs microseconds, and Streamlit
    updates the chart in place when only the data change.
    """
    domain = list(columns)
    lines = {
        "transform": [{"fold": domain, "as": ["series", "value"]}],
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": {"field": "epoch", "type": "quantitative", "title": "epoch",
                  "axis": {"format": "d", "tickMinStep": 1}},
            "y": {"field": "value", "type": "quantitative", "title": y_title,
                  "scale": {"zero": False}, "axis": {"format": y_format}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": domain, "range": list(OKABE_ITO[: len(domain)])},
                      "legend": {"orient": "bottom"}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": domain, "range": list(CURVE_DASHES[: len(domain)])}},
            "tooltip": [
                {"field": "epoch", "type": "quantitative"},
                {"field": "series", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": ".4f"},
            ],
        },
    }  # fmt: skip
    layers = [lines]
    if marker is not None:
        layers.append(
            {
                "data": {"values": [{"epoch": int(marker)}]},
                "mark": {
                    "type": "rule",
                    "strokeWidth": 2,
                    "strokeDash": [4, 2],
                    "color": "#666666",
                },
                "encoding": {"x": {"field": "epoch", "type": "quantitative"}},
            }
        )
    text = {"labelFontSize": font_size, "titleFontSize": font_size}
    return {"height": height, "layer": layers, "config": {"axis": text, "legend": text}}
