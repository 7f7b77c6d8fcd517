"""Figures for the decision-threshold lesson. Never calls ``st.*``.

Three figures per rerun, each built from plain dicts and a few hundred float32 points at most:

* :func:`threshold_view`: the histogram of predicted probabilities by true class above the
  metrics-vs-threshold curves, on one shared threshold axis, with the cut (a dashed vertical
  line) across both;
* :func:`confusion_heatmap`: TN FP / FN TP, rows true, columns predicted;
* :func:`curves_view`: the ROC curve (with AUC) beside the precision–recall curve (with
  average precision), with the current threshold's point (a diamond) on each.

Only the cut and the points depend on the threshold: :func:`threshold_base` and
:func:`curves_base` hold the rest, so a page can build them once per model and add the
threshold with :func:`threshold_view` / :func:`curves_view`. Colour is never the only cue:
the classes' bars differ by fill pattern, the swept scores by dash. Class names are outside
text and reach the figure only through :func:`lib.text.plotly_literal`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lib.core import metrics
from lib.plots.common import FONT_SIZE, plain_figure, readable_layout
from lib.plots.style import BLUE, GREEN, GREY, ORANGE, RED
from lib.text import plotly_literal

MAX_CURVE_POINTS = 200
SWEEP = np.linspace(0.0, 1.0, 101)
# plotly.js reverses a named "Blues" when the figure is not validated: give the stops.
BLUES = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
# Each swept score: its colour and its dash (the cut is the dashed *vertical* line).
SWEPT = {
    "accuracy": (GREY, "solid"),
    "precision": (BLUE, "dot"),
    "recall": (ORANGE, "dashdot"),
    "f1": (GREEN, "longdash"),
}
CLASS_BARS = ((BLUE, ""), (ORANGE, "/"))  # class 0, class 1: colour and fill pattern
_MARGIN = dict(l=10, r=10, t=60, b=20)
_LEGEND = dict(orientation="h", yanchor="top", y=-0.18)
_POINT = dict(color=RED, size=14, symbol="diamond", line=dict(width=1.5, color="#FFFFFF"))


def _readable(layout: dict) -> dict:
    """Every text at least 14 px, on the second pair of axes too."""
    out = readable_layout(layout)
    for key in ("xaxis2", "yaxis2"):
        if key in out:
            axis = out[key]
            title = axis.get("title", {})
            out[key] = {
                **axis,
                "tickfont": {"size": FONT_SIZE},
                "title": {**title, "font": {"size": FONT_SIZE}},
            }
    return out


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


def threshold_base(y, proba, class_names, bins: int = 20) -> dict:
    """The parts of :func:`threshold_view` that do not depend on the threshold (plain dicts)."""
    centres, neg, pos = histogram_counts(y, proba, bins)
    bars = [
        dict(
            type="bar",
            x=centres,
            y=counts.astype(np.int32),
            width=1 / bins,
            opacity=0.75,
            marker=dict(color=color, pattern=dict(shape=shape)),
            name=f"true {k}: {plotly_literal(class_names[k], 40)}",
            xaxis="x",
            yaxis="y",
        )
        for k, counts, (color, shape) in zip((0, 1), (neg, pos), CLASS_BARS, strict=True)
    ]
    sweep = metrics.threshold_sweep(y, proba, SWEEP)
    lines = [
        dict(
            type="scatter",
            mode="lines",
            x=SWEEP.astype(np.float32),
            y=sweep[name].astype(np.float32),
            name=name,
            line=dict(color=color, dash=dash, width=2.5),
            xaxis="x2",
            yaxis="y2",
        )
        for name, (color, dash) in SWEPT.items()
    ]
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
    )
    return dict(data=bars + lines, layout=_readable(layout))


def threshold_view(base: dict, threshold: float) -> go.Figure:
    """:func:`threshold_base` with the cut at ``threshold``: a dashed vertical line across both."""
    cut = dict(
        type="line",
        xref="x",
        x0=threshold,
        x1=threshold,
        yref="paper",
        y0=0,
        y1=1,
        line=dict(color=RED, width=2.5, dash="dash"),
    )
    label = dict(
        xref="x",
        x=threshold,
        yref="paper",
        y=1,
        text=f"threshold {threshold:.3f}",
        showarrow=False,
        yanchor="bottom",
        font=dict(size=FONT_SIZE),
    )
    return plain_figure(base["data"], {**base["layout"], "shapes": [cut], "annotations": [label]})


def threshold_summary(m: dict, threshold: float, class_names) -> str:
    """The text alternative of :func:`threshold_view` (``m`` from ``threshold_metrics``)."""
    negative, positive = class_names
    return (
        f"Chart: histograms of the predicted P(class 1) for the true {negative} rows (plain "
        f"bars) and {positive} rows (hatched), with the cut at t = {threshold:.3f}: "
        f"{m['tp'] + m['fp']} rows lie right of it and are predicted {positive}; below, "
        f"accuracy {m['accuracy']:.3f}, precision {m['precision']:.3f}, recall "
        f"{m['recall']:.3f} and F1 {m['f1']:.3f} at this t, and at every other."
    )


def confusion_heatmap(tn: int, fp: int, fn: int, tp: int, class_names) -> go.Figure:
    """2×2 counts, rows = true class, columns = predicted class, cells named TN FP / FN TP."""
    z = [[tn, fp], [fn, tp]]
    names = [["TN", "FP"], ["FN", "TP"]]
    text = [[f"{names[i][j]}<br>{z[i][j]}" for j in range(2)] for i in range(2)]
    ticks = [f"{plotly_literal(class_names[k], 30)} ({k})" for k in (0, 1)]
    heat = dict(
        type="heatmap",
        z=z,
        text=text,
        texttemplate="%{text}",
        textfont=dict(size=18),
        x=ticks,
        y=ticks,
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
    return plain_figure([heat], _readable(layout))


def confusion_summary(m: dict) -> str:
    """The text alternative of :func:`confusion_heatmap`."""
    return (
        f"Chart: the confusion matrix, rows true and columns predicted: TN {m['tn']}, "
        f"FP {m['fp']}, FN {m['fn']}, TP {m['tp']}."
    )


def curves_base(y, proba) -> dict:
    """The ROC and PR curves (threshold-free), their areas, and the chance lines."""
    fpr, tpr, _ = metrics.roc_curve(y, proba)
    area = metrics.auc(fpr, tpr)
    precision, recall, _ = metrics.precision_recall_curve(y, proba)
    ap = metrics.average_precision_score(y, proba)
    fpr, tpr = thin(fpr, tpr)
    recall, precision = thin(recall, precision)
    base = float(np.mean(np.asarray(y) == 1))
    pr_axes = dict(xaxis="x2", yaxis="y2")
    data = [
        dict(type="scatter", mode="lines", x=fpr, y=tpr, name=f"ROC (AUC = {area:.3f})",
             line=dict(color=BLUE, width=2.5)),
        dict(type="scatter", mode="lines", x=[0, 1], y=[0, 1], name="chance",
             line=dict(color=GREY, dash="dot")),
        dict(type="scatter", mode="lines", x=recall, y=precision, name=f"PR (AP = {ap:.3f})",
             line=dict(color=ORANGE, shape="vh", width=2.5, dash="dashdot"), **pr_axes),
        dict(type="scatter", mode="lines", x=[0, 1], y=[base, base],
             name=f"chance precision {base:.2f}", line=dict(color=GREY, dash="dash"), **pr_axes),
    ]  # fmt: skip
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
    return dict(data=data, layout=_readable(layout), auc=area, ap=ap)


def curves_view(base: dict, m: dict, threshold: float) -> go.Figure:
    """:func:`curves_base` with the threshold's point on each curve (``m``: its metrics)."""
    negatives = m["fp"] + m["tn"]
    fp_rate = m["fp"] / negatives if negatives else 0.0
    name = f"threshold {threshold:.3f}"
    points = [
        dict(type="scatter", mode="markers", x=[fp_rate], y=[m["recall"]], marker=_POINT,
             name=name),
        dict(type="scatter", mode="markers", x=[m["recall"]], y=[m["precision"]], marker=_POINT,
             xaxis="x2", yaxis="y2", showlegend=False, name=name),
    ]  # fmt: skip
    data = base["data"]
    return plain_figure([*data[:2], points[0], *data[2:], points[1]], base["layout"])


def curves_summary(base: dict, m: dict, threshold: float) -> str:
    """The text alternative of :func:`curves_view`."""
    negatives = m["fp"] + m["tn"]
    fp_rate = m["fp"] / negatives if negatives else 0.0
    return (
        f"Chart: the ROC curve (AUC {base['auc']:.3f}) and the precision–recall curve "
        f"(AP {base['ap']:.3f}) over every threshold; the diamonds mark t = {threshold:.3f}: "
        f"false positive rate {fp_rate:.3f} and recall {m['recall']:.3f}, precision "
        f"{m['precision']:.3f}."
    )
