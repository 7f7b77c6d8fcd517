"""Figures for the decision-threshold lesson. Never calls ``st.*``.

Each figure is built in one go from a few hundred float32 points at most, so a rerun that
only moves the threshold stays cheap.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib import metrics

BLUE, ORANGE, GREY, RED = "#0072B2", "#E69F00", "#999999", "#D55E00"
MAX_CURVE_POINTS = 200
SWEEP = np.linspace(0.0, 1.0, 101)


def _layout(title: str, xaxis: str, yaxis: str, height: int = 320, **extra) -> dict:
    return dict(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(title=xaxis),
        yaxis=dict(title=yaxis),
        legend=dict(orientation="h", y=-0.25),
        **extra,
    )


def _vline(x: float) -> dict:
    return dict(
        type="line",
        x0=x,
        x1=x,
        yref="paper",
        y0=0,
        y1=1,
        line=dict(color=RED, width=2, dash="dash"),
    )


def thin(*arrays: np.ndarray, limit: int = MAX_CURVE_POINTS) -> list[np.ndarray]:
    """At most ``limit`` evenly spaced points of each array, keeping the first and last."""
    n = len(arrays[0])
    if n <= limit:
        return [np.asarray(a, dtype=np.float32) for a in arrays]
    keep = np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return [np.asarray(a, dtype=np.float32)[keep] for a in arrays]


def probability_histogram(y, proba, threshold: float, class_names, bins: int = 20) -> go.Figure:
    """Predicted P(class 1) for each test row, one bar colour per true class, and the cut."""
    y, proba = np.asarray(y), np.asarray(proba, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    centres = ((edges[:-1] + edges[1:]) / 2).astype(np.float32)
    traces = []
    for label, colour in ((0, BLUE), (1, ORANGE)):
        counts, _ = np.histogram(proba[y == label], bins=edges)
        traces.append(
            go.Bar(
                x=centres,
                y=counts,
                width=1 / bins,
                name=f"true {label}: {class_names[label]}",
                marker=dict(color=colour),
                opacity=0.7,
            )
        )
    annotation = dict(
        x=threshold,
        yref="paper",
        y=1,
        text=f"threshold {threshold:.3f}",
        showarrow=False,
        yanchor="bottom",
        font=dict(color=RED),
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            "Predicted probabilities by true class",
            "P(class 1)",
            "test rows",
            barmode="overlay",
            shapes=[_vline(threshold)],
            annotations=[annotation],
        ),
    )


def confusion_heatmap(tn: int, fp: int, fn: int, tp: int, class_names) -> go.Figure:
    """2×2 counts, rows = true class, columns = predicted class, cells named TN FP / FN TP."""
    z = np.array([[tn, fp], [fn, tp]])
    names = np.array([["TN", "FP"], ["FN", "TP"]])
    text = [[f"{names[i, j]}<br>{z[i, j]}" for j in range(2)] for i in range(2)]
    cols = [f"predicted {k}: {class_names[k]}" for k in (0, 1)]
    rows = [f"true {k}: {class_names[k]}" for k in (0, 1)]
    heat = go.Heatmap(
        z=z,
        x=cols,
        y=rows,
        text=text,
        texttemplate="%{text}",
        textfont=dict(size=18),
        colorscale="Blues",
        showscale=False,
    )
    return go.Figure(
        data=[heat],
        layout=_layout(
            "Confusion matrix (rows true, columns predicted)",
            "",
            "",
            height=300,
            yaxis_autorange="reversed",
        ),
    )


def roc_figure(y, proba, threshold: float) -> go.Figure:
    """The ROC curve with its AUC and the point the current threshold gives."""
    fpr, tpr, _ = metrics.roc_curve(y, proba)
    area = metrics.auc(fpr, tpr)
    fpr, tpr = thin(fpr, tpr)
    m = metrics.threshold_metrics(y, proba, threshold)
    negatives = m["fp"] + m["tn"]
    x = m["fp"] / negatives if negatives else 0.0
    traces = [
        go.Scatter(
            x=fpr,
            y=tpr,
            mode="lines",
            name=f"ROC (AUC = {area:.3f})",
            line=dict(color=BLUE, shape="hv"),
        ),
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(color=GREY, dash="dot")
        ),
        go.Scatter(
            x=[x],
            y=[m["recall"]],
            mode="markers",
            name=f"threshold {threshold:.3f}",
            marker=dict(color=RED, size=12),
        ),
    ]
    return go.Figure(
        data=traces,
        layout=_layout(
            f"ROC curve, AUC = {area:.3f}",
            "false positive rate (FP / all negatives)",
            "true positive rate = recall",
        ),
    )


def pr_figure(y, proba, threshold: float) -> go.Figure:
    """The precision–recall curve with its average precision and the current point."""
    precision, recall, _ = metrics.precision_recall_curve(y, proba)
    ap = metrics.average_precision_score(y, proba)
    recall, precision = thin(recall, precision)
    m = metrics.threshold_metrics(y, proba, threshold)
    base = float(np.mean(np.asarray(y) == 1))
    traces = [
        go.Scatter(
            x=recall,
            y=precision,
            mode="lines",
            name=f"PR (AP = {ap:.3f})",
            line=dict(color=BLUE, shape="vh"),
        ),
        go.Scatter(
            x=[0, 1],
            y=[base, base],
            mode="lines",
            name=f"chance ({base:.2f})",
            line=dict(color=GREY, dash="dot"),
        ),
        go.Scatter(
            x=[m["recall"]],
            y=[m["precision"]],
            mode="markers",
            name=f"threshold {threshold:.3f}",
            marker=dict(color=RED, size=12),
        ),
    ]
    return go.Figure(
        data=traces,
        layout=_layout(f"Precision–recall curve, AP = {ap:.3f}", "recall", "precision"),
    )


def metrics_vs_threshold(y, proba, threshold: float) -> go.Figure:
    """Accuracy, precision, recall and F1 on a 0.01 grid of thresholds, with the current cut."""
    sweep = metrics.threshold_sweep(y, proba, SWEEP)
    x = SWEEP.astype(np.float32)
    colours = {"accuracy": GREY, "precision": BLUE, "recall": ORANGE, "f1": "#009E73"}
    traces = [
        go.Scatter(
            x=x, y=sweep[name].astype(np.float32), mode="lines", name=name, line=dict(color=colour)
        )
        for name, colour in colours.items()
    ]
    return go.Figure(
        data=traces,
        layout=_layout(
            "Metrics as the threshold moves", "threshold", "score", shapes=[_vline(threshold)]
        ),
    )
