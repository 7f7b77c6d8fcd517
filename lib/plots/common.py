"""Helpers shared by the lesson figures: building a figure fast, and the usual traces.

Every figure a page draws on a rerun is built from plain trace/layout dicts in one go, without
plotly's per-property validation (tens of ms a figure), and with ``template={}``: Streamlit's
theme styles the chart, while plotly's default template would be deep-copied on every rerun
(≈ 4x the cost of the whole figure). The tests validate each builder's dict once with
``go.Figure(fig.to_dict())`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go


def plain_figure(data: list[dict], layout: dict) -> go.Figure:
    """``go.Figure`` from plain dicts, unvalidated, with an empty template (see the module doc)."""
    return go.Figure(data=data, layout={**layout, "template": {}}, _validate=False)


def point(x: float, y: float, name: str, color: str, size: int = 12) -> dict:
    """One marker at (x, y): the learner's current value on a curve."""
    return dict(
        type="scatter",
        x=[x],
        y=[y],
        mode="markers",
        name=name,
        marker=dict(color=color, size=size),
    )


def bars(name: str, categories: Sequence[str], values: Sequence[float], color: str) -> dict:
    """One bar per category, as plain floats (a series of a grouped bar chart)."""
    return {
        "type": "bar",
        "name": name,
        "x": list(categories),
        "y": [float(v) for v in values],
        "marker": {"color": color},
    }
