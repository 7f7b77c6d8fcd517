"""Figures for the decision-threshold lesson. Never calls ``st.*``.

Three figures per rerun, each built in one go from plain dicts and a few hundred float32
points at most (every plotly figure costs validation and serialisation, so a rerun that only
moves the threshold stays cheap):

* :func:`threshold_view`: the histogram of predicted probabilities by true class above the
  metrics-vs-threshold curves, on one shared threshold axis, with the cut across both;
* :func:`confusion_heatmap`: TN FP / FN TP, rows true, columns predicted;
* :func:`curves_view`: the ROC curve (with AUC) beside the precision–recall curve (with
  average precision), with the current threshold's point on each.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib.core import metrics
from lib.lessons.threshold import metrics_at
from lib.plots.common import plain_figure
from lib.plots.style import BLUE, GREEN, GREY, ORANGE, RED

MAX_CURVE_POINTS = 200
SWEEP = np.linspace(0.0, 1.0, 101)
# plotly.js reverses a named "Blues" when the figure is not validated: give the stops.
BLUES = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
SWEPT = {"accuracy": GREY, "precision": BLUE, "recall": ORANGE, "f1": GREEN}
_MARGIN = dict(l=10, r=10, t=60, b=20)
_LEGEND = dict(orientation="h", yanchor="top", y=-0.18)


def thin(*arrays: np.ndarray, limit: int = MAX_CURVE_POINTS) -> list[np.ndarray]:
    """At most ``limit`` evenly spaced points of each array, keeping the first and last."""
    n = len(arrays[0])
    if n <= limit:
        return [np.asarray(a, dtype=np.float32) for a in arrays]
    keep = np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return [np.asarray(a, dtype=np.float32)[keep] for a in arrays]


def histogram_counts(y, proba, bins: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bin centres and the number of test rows of true class 0 and 1 in each bin of P(class 1)."""
    y, proba = np.asarray(y), np.asarray(proba, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    centres = ((edges[:-1] + edges[1:]) / 2).astype(np.float32)
    return centres, np.histogram(proba[y == 0], edges)[0], np.histogram(proba[y == 1], edges)[0]


def threshold_view(y, proba, threshold: float, class_names, bins: int = 20) -> go.Figure:
    """Top: predicted P(class 1) by true class. Bottom: accuracy / precision / recall / F1 at
    every threshold on a 0.01 grid. The red line is the current threshold across both."""
    centres, neg, pos = histogram_counts(y, proba, bins)
    bars = [
        dict(
            type="bar",
            x=centres,
            y=counts,
            width=1 / bins,
            opacity=0.7,
            marker=dict(color=c),
            name=f"true {k}: {class_names[k]}",
            xaxis="x",
            yaxis="y",
        )
        for k, counts, c in ((0, neg, BLUE), (1, pos, ORANGE))
    ]
    sweep = metrics.threshold_sweep(y, proba, SWEEP)
    grid = SWEEP.astype(np.float32)
    lines = [
        dict(
            type="scatter",
            mode="lines",
            x=grid,
            y=sweep[name].astype(np.float32),
            name=name,
            line=dict(color=colour),
            xaxis="x2",
            yaxis="y2",
        )
        for name, colour in SWEPT.items()
    ]
    cut = dict(
        type="line",
        xref="x",
        x0=threshold,
        x1=threshold,
        yref="paper",
        y0=0,
        y1=1,
        line=dict(color=RED, width=2, dash="dash"),
    )
    label = dict(
        xref="x",
        x=threshold,
        yref="paper",
        y=1,
        text=f"threshold {threshold:.3f}",
        showarrow=False,
        yanchor="bottom",
        font=dict(color=RED),
    )
    layout = dict(
        title=dict(text="Where the test rows fall, and what each threshold scores"),
        height=560,
        margin=_MARGIN,
        legend=_LEGEND,
        barmode="overlay",
        xaxis=dict(range=[0, 1], anchor="y", showticklabels=False),
        yaxis=dict(domain=[0.55, 1], title=dict(text="test rows")),
        xaxis2=dict(
            range=[0, 1], anchor="y2", matches="x", title=dict(text="threshold t = P(class 1)")
        ),
        yaxis2=dict(domain=[0, 0.45], range=[0, 1.02], title=dict(text="score")),
        shapes=[cut],
        annotations=[label],
    )
    return plain_figure(bars + lines, layout)


def confusion_heatmap(tn: int, fp: int, fn: int, tp: int, class_names) -> go.Figure:
    """2×2 counts, rows = true class, columns = predicted class, cells named TN FP / FN TP."""
    z = [[tn, fp], [fn, tp]]
    names = [["TN", "FP"], ["FN", "TP"]]
    text = [[f"{names[i][j]}<br>{z[i][j]}" for j in range(2)] for i in range(2)]
    heat = dict(
        type="heatmap",
        z=z,
        text=text,
        texttemplate="%{text}",
        textfont=dict(size=18),
        x=[f"{class_names[k]} ({k})" for k in (0, 1)],
        y=[f"{class_names[k]} ({k})" for k in (0, 1)],
        colorscale=BLUES,
        showscale=False,
    )
    layout = dict(
        title=dict(text="Confusion matrix"),
        height=340,
        margin=dict(_MARGIN, t=100),
        xaxis=dict(title=dict(text="predicted"), side="top", tickangle=0),
        yaxis=dict(title=dict(text="true"), autorange="reversed", tickangle=-90),
    )
    return plain_figure([heat], layout)


def curves_view(y, proba, threshold: float) -> go.Figure:
    """Left: ROC with AUC. Right: precision–recall with average precision. Red: the current t."""
    fpr, tpr, _ = metrics.roc_curve(y, proba)
    area = metrics.auc(fpr, tpr)
    precision, recall, _ = metrics.precision_recall_curve(y, proba)
    ap = metrics.average_precision_score(y, proba)
    fpr, tpr = thin(fpr, tpr)
    recall, precision = thin(recall, precision)
    m = metrics_at(y, proba, threshold)
    negatives = m["fp"] + m["tn"]
    fp_rate = m["fp"] / negatives if negatives else 0.0
    base = float(np.mean(np.asarray(y) == 1))
    point = dict(color=RED, size=12)
    traces = [
        dict(
            type="scatter",
            mode="lines",
            x=fpr,
            y=tpr,
            name=f"ROC (AUC = {area:.3f})",
            line=dict(color=BLUE),
        ),
        dict(
            type="scatter",
            mode="lines",
            x=[0, 1],
            y=[0, 1],
            name="chance",
            line=dict(color=GREY, dash="dot"),
        ),
        dict(
            type="scatter",
            mode="markers",
            x=[fp_rate],
            y=[m["recall"]],
            marker=point,
            name=f"threshold {threshold:.3f}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=recall,
            y=precision,
            name=f"PR (AP = {ap:.3f})",
            line=dict(color=ORANGE, shape="vh"),
            xaxis="x2",
            yaxis="y2",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=[0, 1],
            y=[base, base],
            xaxis="x2",
            yaxis="y2",
            name=f"chance precision {base:.2f}",
            line=dict(color=GREY, dash="dash"),
        ),
        dict(
            type="scatter",
            mode="markers",
            x=[m["recall"]],
            y=[m["precision"]],
            marker=point,
            xaxis="x2",
            yaxis="y2",
            showlegend=False,
            name=f"threshold {threshold:.3f}",
        ),
    ]
    layout = dict(
        title=dict(text=f"ROC curve (AUC = {area:.3f})  ·  precision–recall curve (AP = {ap:.3f})"),
        height=380,
        margin=_MARGIN,
        legend=_LEGEND,
        xaxis=dict(domain=[0, 0.45], range=[-0.02, 1.02], title=dict(text="false positive rate")),
        yaxis=dict(range=[-0.02, 1.02], title=dict(text="true positive rate = recall")),
        xaxis2=dict(domain=[0.55, 1], range=[-0.02, 1.02], anchor="y2", title=dict(text="recall")),
        yaxis2=dict(range=[-0.02, 1.02], anchor="x2", title=dict(text="precision")),
    )
    return plain_figure(traces, layout)
