"""Figures of "Your own data": the loss curves with the early-stopping epoch marked, and the
accuracy of each repeated split as a strip (one dot per split, the mean ± sd beside it).

Builders receive numbers and return a figure (a plotly figure or a Vega-Lite spec); they never
call Streamlit. Axis titles are objects (``{"title": {"text": …}}``), as the browser needs.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib.plots.style import MARKERS, OKABE_ITO
from lib.plots.training import curves_spec


def curves_with_best(columns: list[str], title: str, best_epoch: int | None,
                     height: int = 220) -> dict:  # fmt: skip
    """:func:`lib.plots.training.curves_spec` plus, when ``best_epoch`` is given, a dashed
    vertical rule at that epoch labelled "best (restored)"."""
    base = curves_spec(columns, title, height)
    if best_epoch is None:
        return base
    lines = {k: v for k, v in base.items() if k != "height"}
    rule = {
        "data": {"values": [{"epoch": int(best_epoch), "label": "best epoch (restored)"}]},
        "mark": {"type": "rule", "strokeDash": [4, 4], "strokeWidth": 2},
        "encoding": {
            "x": {"field": "epoch", "type": "quantitative"},
            "tooltip": [{"field": "label", "type": "nominal"},
                        {"field": "epoch", "type": "quantitative"}],
        },
    }  # fmt: skip
    label = {
        "data": {"values": [{"epoch": int(best_epoch), "label": f"best: epoch {best_epoch}"}]},
        "mark": {"type": "text", "align": "left", "dx": 4, "dy": -4, "baseline": "top", "y": 0},
        "encoding": {"x": {"field": "epoch", "type": "quantitative"},
                     "text": {"field": "label", "type": "nominal"}},
    }  # fmt: skip
    return {"height": height, "layer": [lines, rule, label]}


def repeat_strip(seeds: list[int], accuracy: list[float], baseline: list[float]) -> go.Figure:
    """Test accuracy per split: one dot per seed for the network and for the baseline, and
    each one's mean ± sample standard deviation as a bar beside the dots."""
    fig = go.Figure()
    for row, (name, values) in enumerate((("your network", accuracy), ("baseline", baseline))):
        values = np.asarray(values, dtype=np.float64)
        fig.add_trace(
            go.Scatter(
                x=values.tolist(), y=[name] * len(values), mode="markers", name=name,
                marker={"color": OKABE_ITO[row], "symbol": MARKERS[row], "size": 11,
                        "line": {"width": 1}, "opacity": 0.85},
                customdata=[[s] for s in seeds],
                hovertemplate="seed %{customdata[0]}: %{x:.1%}<extra>" + name + "</extra>",
            )
        )  # fmt: skip
        sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
        fig.add_trace(
            go.Scatter(
                x=[float(values.mean())], y=[name], mode="markers", showlegend=False,
                marker={"color": OKABE_ITO[row], "symbol": "line-ns", "size": 22,
                        "line": {"width": 3, "color": OKABE_ITO[row]}},
                error_x={"type": "constant", "value": sd, "thickness": 2, "width": 8},
                hovertemplate=f"mean {values.mean():.1%} ± {sd:.1%}<extra>{name}</extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        height=230,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": f"Test accuracy on {len(seeds)} splits (one dot per split)"},
        xaxis={"title": {"text": "test accuracy"}, "tickformat": ".0%"},
        yaxis={"title": {"text": ""}},
        showlegend=False,
    )
    return fig
