"""Figures for the metrics lesson: the confusion matrix as a labelled heatmap. Never calls ``st.*``."""

from __future__ import annotations

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go

from lib.lessons.metrics import NORMALISATIONS, normalise_confusion

# Explicit stops: without plotly.py validation the name "Blues" would reach plotly.js, whose
# own "Blues" runs dark-to-grey.
BLUES = [[i / 8, c] for i, c in enumerate(pcolors.sequential.Blues)]
UNDEFINED = "–"  # shown in a row/column with no samples, where a share is undefined


def confusion_heatmap(
    cm: np.ndarray,
    names: list[str],
    how: str = "Counts",
    highlight: tuple[int, int] | None = None,
    title: str | None = None,
    clickable: bool = False,
) -> go.Figure:
    """Rows = true class (top to bottom), columns = predicted class; counts in every cell.

    ``how`` picks the colour and the number written first: raw counts, the row share
    (each row sums to 1, the diagonal is recall) or the column share (the diagonal is
    precision). Cells of an empty row/column show ``–`` instead of a share. ``clickable``
    adds invisible click targets so Streamlit's ``on_select`` can report a clicked cell.
    """
    cm = np.asarray(cm)
    values, defined = normalise_confusion(cm, how)
    counts = cm.astype(np.int64)
    if how == NORMALISATIONS[0]:
        text = [[f"{c}" for c in row] for row in counts]
        zmax = max(1, int(counts.max()))
    else:
        text = [
            [
                f"{v:.2f}<br>({c})" if ok else f"{UNDEFINED}<br>({c})"
                for v, c, ok in zip(vr, cr, dr, strict=True)
            ]
            for vr, cr, dr in zip(values, counts, defined, strict=True)
        ]
        zmax = 1.0
    labels = [str(n) for n in names]
    shapes = []
    if highlight is not None:
        i, j = highlight
        shapes.append(
            {
                "type": "rect",
                "x0": j - 0.5,
                "x1": j + 0.5,
                "y0": i - 0.5,
                "y1": i + 0.5,
                "line": {"color": "#E69F00", "width": 3},
            }
        )
    size = 120 + 48 * len(labels)
    spec = {
        "data": [
            {
                "type": "heatmap",
                "z": values.astype(np.float32).round(4).tolist(),
                "x": labels,
                "y": labels,
                "text": text,
                "texttemplate": "%{text}",
                "colorscale": BLUES,
                "zmin": 0,
                "zmax": zmax,
                "customdata": counts.tolist(),
                "hovertemplate": "true %{y}<br>predicted %{x}<br>count %{customdata}<extra></extra>",
                "showscale": False,
            },
        ]
        + ([_click_targets(labels, counts)] if clickable else []),
        "layout": {
            "title": {"text": title or f"Confusion matrix ({how.lower()})"},
            "height": min(640, max(320, size)),
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
            # Fixed ranges (first true class on top) so the click targets add no padding.
            "xaxis": {
                "title": {"text": "predicted class"},
                "type": "category",
                "range": [-0.5, len(labels) - 0.5],
            },
            "yaxis": {
                "title": {"text": "true class"},
                "type": "category",
                "range": [len(labels) - 0.5, -0.5],
            },
            "shapes": shapes,
        },
    }
    # Plain JSON-ready lists, built without plotly's per-property validation (which costs
    # ~40 ms a figure); tests/test_evaluation.py validates the same dict with go.Figure.
    return go.Figure(spec, _validate=False)


def _click_targets(labels: list[str], counts: np.ndarray) -> dict:
    """Invisible markers on the cell centres: plotly.js cannot select heatmap cells, but a
    click selects a scatter point, which Streamlit's ``on_select`` reports (x, y)."""
    k = len(labels)
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [labels[j] for i in range(k) for j in range(k)],
        "y": [labels[i] for i in range(k) for j in range(k)],
        "customdata": counts.ravel().tolist(),
        "marker": {"size": max(12, 240 // k), "symbol": "square", "color": "rgba(0,0,0,0)"},
        "selected": {"marker": {"opacity": 0}},
        "unselected": {"marker": {"opacity": 0}},
        "hovertemplate": "true %{y}<br>predicted %{x}<br>count %{customdata}"
        "<br>click to list these rows<extra></extra>",
        "showlegend": False,
    }
