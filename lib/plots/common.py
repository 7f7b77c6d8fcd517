"""Helpers shared by the lesson figures: building a figure fast, and the usual traces.

Every figure a page draws on a rerun is built from plain trace/layout dicts in one go, without
plotly's per-property validation (tens of ms a figure), and with ``template={}``: Streamlit's
theme styles the chart, while plotly's default template would be deep-copied on every rerun
(≈ 4x the cost of the whole figure). The tests validate each builder's dict once with
``go.Figure(fig.to_dict())`` instead.

Outside text (class names typed by a learner or carried by a link) reaches a figure only
through :func:`labels` / :func:`lib.text.plotly_literal`: plotly renders ``<a href>`` and
``<img>``-like markup in every label. Text is at least :data:`FONT_SIZE` px: Streamlit's theme
sets the tick labels, axis titles and legend to 12 px itself, so :func:`readable_layout`
sizes each of them explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from lib.plots.style import FONT_SIZE  # px, the smallest chart text
from lib.text import plotly_literal

# One fill pattern per class (or per series), so bars differ without colour.
PATTERNS = ("", "/", "\\", "x", "-", "|", "+", ".")


def plain_figure(data: list[dict], layout: dict) -> go.Figure:
    """``go.Figure`` from plain dicts, unvalidated, with an empty template (see the module doc)."""
    return go.Figure(data=data, layout={**layout, "template": {}}, _validate=False)


def labels(names: Sequence[object]) -> list[str]:
    """Class names as inert plotly text (one per name, still unique when the names are).

    >>> labels(["cat", "<b>dog</b>"])
    ['cat', '&lt;b&gt;dog&lt;/b&gt;']
    """
    return [plotly_literal(n) for n in names]


def pattern(index: int) -> str:
    """The bar fill pattern of class (or series) ``index``: none, /, \\, x …"""
    return PATTERNS[index % len(PATTERNS)]


def readable_layout(layout: dict, size: int = FONT_SIZE) -> dict:
    """``layout`` with every text at least ``size`` px: font, title, both axes and the legend.

    >>> out = readable_layout({"xaxis": {"title": {"text": "z"}}})
    >>> out["xaxis"]["tickfont"]["size"], out["xaxis"]["title"]["font"]["size"]
    (14, 14)
    """
    out = {**layout, "font": {**layout.get("font", {}), "size": size}}
    for key in ("xaxis", "yaxis"):
        axis = dict(out.get(key, {}))
        axis["tickfont"] = {**axis.get("tickfont", {}), "size": size}
        title = axis.get("title", {})
        axis["title"] = {**title, "font": {**title.get("font", {}), "size": size}}
        out[key] = axis
    out["legend"] = {**out.get("legend", {}), "font": {"size": size}}
    if isinstance(out.get("title"), dict):
        out["title"] = {**out["title"], "font": {"size": size + 2}}
    out["hoverlabel"] = {"font": {"size": size}}
    return out


def point(
    x: float,
    y: float,
    name: str,
    color: str,
    size: int = 12,
    symbol: str = "circle",
    text: str | None = None,
) -> dict:
    """One marker at (x, y): the learner's current value on a curve.

    With ``text`` the marker is labelled on the chart, so it reads without its colour.
    """
    trace = dict(
        type="scatter",
        x=[x],
        y=[y],
        mode="markers",
        name=name,
        marker=dict(color=color, size=size, symbol=symbol),
    )
    if text is not None:
        trace.update(
            mode="markers+text",
            text=[text],
            textposition="top right",
            textfont={"size": FONT_SIZE},
            marker=dict(color=color, size=size, symbol=symbol, line={"width": 2, "color": "#000"}),
        )
    return trace


def bars(
    name: str,
    categories: Sequence[str],
    values: Sequence[float],
    color: str,
    fill: str = "",
) -> dict:
    """One bar per category, as plain floats (a series of a grouped bar chart).

    ``categories`` are outside text (class names) and are made inert; ``fill`` is a plotly
    pattern shape that tells this series apart without colour.
    """
    return {
        "type": "bar",
        "name": plotly_literal(name),
        "x": labels(categories),
        "y": [float(v) for v in values],
        "marker": {"color": color, "pattern": {"shape": fill}},
    }
