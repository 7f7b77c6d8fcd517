"""Figures for the encoding lesson (plotly only; never calls streamlit).

Colour is never the only cue: each bar series has its own fill pattern. Category names reach
the figure only through :func:`lib.text.plotly_literal`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.plots.common import plain_figure, readable_layout
from lib.plots.style import BLUE, GREY, ORANGE
from lib.text import plotly_literal

# column of the comparison table, legend name, colour, fill pattern
SERIES = (
    ("actual", "actual share", GREY, ""),
    ("p_label", "model on label codes", ORANGE, "/"),
    ("p_one_hot", "model on one-hot", BLUE, "."),
)


def order_comparison_figure(table: pd.DataFrame, km: float) -> go.Figure:
    """Per category: the actual share of long commutes next to what each model predicts."""
    labels = [
        f"{plotly_literal(c, 30)} (code {k})"
        for c, k in zip(table["category"], table["code"], strict=True)
    ]
    data = [
        dict(
            type="bar",
            x=labels,
            y=table[column].astype(float).round(3).tolist(),
            name=name,
            marker=dict(color=colour, pattern=dict(shape=shape)),
            text=[f"{v:.2f}" for v in table[column]],
            textposition="outside",
            textfont=dict(size=14),
        )
        for column, name, colour, shape in SERIES
    ]
    layout = dict(
        barmode="group",
        height=360,
        margin=dict(l=10, r=10, t=50, b=10),
        title=dict(text=f"P(commute > {km:g} km) by accommodation"),
        xaxis=dict(title=dict(text="accommodation (label code)")),
        yaxis=dict(range=[0, 1.1], title=dict(text="probability")),
        legend=dict(orientation="h", y=-0.3),
    )
    return plain_figure(data, readable_layout(layout))


def order_comparison_summary(table: pd.DataFrame, km: float) -> str:
    """The text alternative of :func:`order_comparison_figure`.

    The categories are the cheat sheet's four (``invented_order_comparison`` refuses others),
    so the sentence holds no outside text.
    """
    rows = "; ".join(
        f"{c}: actual {a:.2f}, label codes {p:.2f}, one-hot {q:.2f}"
        for c, a, p, q in zip(
            table["category"], table["actual"], table["p_label"], table["p_one_hot"], strict=True
        )
    )
    return f"Chart: share of students commuting more than {km:g} km per accommodation: {rows}."
