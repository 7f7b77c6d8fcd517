"""Figures for the encoding lesson (plotly only; never calls streamlit)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def order_comparison_figure(table: pd.DataFrame, km: float) -> go.Figure:
    """Per category: the actual share of long commutes next to what each model predicts."""
    labels = [f"{c} (code {k})" for c, k in zip(table["category"], table["code"], strict=True)]
    fig = go.Figure()
    for column, name, colour in (
        ("actual", "actual share", "#7f7f7f"),
        ("p_label", "model on label codes", "#d62728"),
        ("p_one_hot", "model on one-hot", "#1f77b4"),
    ):
        fig.add_bar(
            x=labels,
            y=table[column].astype(float).round(3),
            name=name,
            marker_color=colour,
            text=[f"{v:.2f}" for v in table[column]],
            textposition="outside",
        )
    fig.update_layout(
        barmode="group",
        height=340,
        margin=dict(l=10, r=10, t=40, b=10),
        title=f"P(commute > {km:g} km) by accommodation",
        yaxis=dict(range=[0, 1.05], title="probability"),
        legend=dict(orientation="h", y=-0.2),
    )
    return fig
