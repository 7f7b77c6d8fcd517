"""Figures for the metrics lesson: the confusion matrix as a labelled heatmap. Never calls ``st.*``.

Class names are outside text (made inert with :func:`lib.plots.common.labels`); every text is at
least 14 px; the chosen cell is outlined thick and dashed, so it shows without colour vision.
"""

from __future__ import annotations

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go

from lib.lessons.metrics import NORMALISATIONS, normalise_confusion
from lib.plots.common import FONT_SIZE, labels, readable_layout

# Explicit stops: without plotly.py validation the name "Blues" would reach plotly.js, whose
# own "Blues" runs dark-to-grey.
BLUES = [[i / 8, c] for i, c in enumerate(pcolors.sequential.Blues)]
UNDEFINED = "–"  # shown in a row/column with no samples, where a share is undefined
HOVER = "true %{y}<br>predicted %{x}<br>count %{customdata}"


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
    text, zmax = cell_text(values, counts, defined, how)
    ticks = labels(names)  # class names are outside text: inert in plotly
    heat = {
        "type": "heatmap",
        "z": values.astype(np.float32).round(4).tolist(),
        "x": ticks,
        "y": ticks,
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": FONT_SIZE},
        "colorscale": BLUES,
        "zmin": 0,
        "zmax": zmax,
        "customdata": counts.tolist(),
        "hovertemplate": HOVER + "<extra></extra>",
        "showscale": False,
    }
    data = [heat] + ([_click_targets(ticks, counts)] if clickable else [])
    layout = _layout(len(ticks), title or f"Confusion matrix ({how.lower()})", highlight)
    # Plain JSON-ready lists, built without plotly's per-property validation (which costs
    # ~40 ms a figure); tests/test_evaluation.py validates the same dict with go.Figure.
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def cell_text(values: np.ndarray, counts: np.ndarray, defined: np.ndarray, how: str):
    """What each cell says (the count, or the share and the count) and the colour scale's top."""
    if how == NORMALISATIONS[0]:
        return [[f"{c}" for c in row] for row in counts], max(1, int(counts.max()))
    text = [
        [
            f"{v:.2f}<br>({c})" if ok else f"{UNDEFINED}<br>({c})"
            for v, c, ok in zip(vr, cr, dr, strict=True)
        ]
        for vr, cr, dr in zip(values, counts, defined, strict=True)
    ]
    return text, 1.0


def _layout(k: int, title: str, highlight: tuple[int, int] | None) -> dict:
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
                # Thick and dashed, so the chosen cell shows without seeing orange.
                "line": {"color": "#E69F00", "width": 4, "dash": "dash"},
            }
        )
    return readable_layout(
        {
            "title": {"text": title},
            "height": min(660, max(340, 140 + 52 * k)),
            "margin": {"l": 10, "r": 10, "t": 56, "b": 10},
            # Fixed ranges (first true class on top) so the click targets add no padding.
            "xaxis": {
                "title": {"text": "predicted class"},
                "type": "category",
                "range": [-0.5, k - 0.5],
            },
            "yaxis": {
                "title": {"text": "true class"},
                "type": "category",
                "range": [k - 0.5, -0.5],
            },
            "shapes": shapes,
        }
    )


def _click_targets(ticks: list[str], counts: np.ndarray) -> dict:
    """Invisible markers on the cell centres: plotly.js cannot select heatmap cells, but a
    click selects a scatter point, which Streamlit's ``on_select`` reports. Point ``i·k + j``
    is the cell (true i, predicted j): :func:`cell_of_point` reads it back."""
    k = len(ticks)
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [ticks[j] for i in range(k) for j in range(k)],
        "y": [ticks[i] for i in range(k) for j in range(k)],
        "customdata": counts.ravel().tolist(),
        "marker": {"size": max(12, 240 // k), "symbol": "square", "color": "rgba(0,0,0,0)"},
        "selected": {"marker": {"opacity": 0}},
        "unselected": {"marker": {"opacity": 0}},
        "hovertemplate": HOVER + "<br>click to list these rows<extra></extra>",
        "showlegend": False,
    }


def cell_of_point(point_index: int, k: int) -> tuple[int, int]:
    """(true, predicted) class indices of click target ``point_index`` in a k × k matrix.

    >>> cell_of_point(5, 3)
    (1, 2)
    """
    if not 0 <= point_index < k * k:
        raise ValueError(f"point index must be between 0 and {k * k - 1}, got {point_index}.")
    return divmod(int(point_index), k)
