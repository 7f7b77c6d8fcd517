"""Classification metrics computed by ClassLab itself, equal to ``sklearn.metrics``.

Conventions (as scikit-learn states them):

* confusion matrix rows are the **true** class, columns the **predicted** class; for two
  classes ``cm.ravel()`` is ``tn, fp, fn, tp``;
* ``*_score`` is higher-better;
* ``zero_division`` is the value used when a ratio's denominator is 0 (no predicted
  positives for precision, no true positives for recall);
* averages: **macro** is the plain mean over classes; **weighted** weights each class by its
  support (number of true samples) — the cheat sheet calls this "micro"; **micro** pools
  every decision, which for single-label multiclass data equals accuracy.
"""

from __future__ import annotations

import numpy as np

AVERAGES = (None, "binary", "micro", "macro", "weighted")


def _labels(y_true, y_pred, labels=None) -> np.ndarray:
    if labels is not None:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("labels must not be empty.")
        return labels
    return np.unique(np.concatenate([np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()]))


def _check_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}.")
    if y_true.size == 0:
        raise ValueError("Metrics need at least one sample.")
    return y_true, y_pred


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """Counts with rows = true class, columns = predicted class.

    >>> confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]).ravel().tolist()  # tn, fp, fn, tp
    [2, 0, 1, 1]
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    labels = _labels(y_true, y_pred, labels)
    index = {label: i for i, label in enumerate(labels.tolist())}
    k = len(labels)
    t = np.array([index.get(v, -1) for v in y_true.tolist()])
    p = np.array([index.get(v, -1) for v in y_pred.tolist()])
    keep = (t >= 0) & (p >= 0)
    return np.bincount(t[keep] * k + p[keep], minlength=k * k).reshape(k, k).astype(np.int64)


def accuracy_score(y_true, y_pred) -> float:
    """Share of correct predictions: (TP + TN) / (TP + TN + FP + FN) for two classes."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def _divide(num, den, zero_division) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, float(zero_division), dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def precision_recall_fscore_support(
    y_true, y_pred, labels=None, average=None, pos_label=1, zero_division=0.0
):
    """Precision, recall, F1 and support per class, or averaged.

    Returns arrays per label when ``average`` is None, otherwise three floats and ``None``
    for the support (as scikit-learn does).
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}.")
    y_true, y_pred = _check_pair(y_true, y_pred)
    if average == "binary":
        present = _labels(y_true, y_pred)
        if len(present) > 2:
            raise ValueError(
                f"average='binary' needs two classes but found {len(present)}; "
                "choose 'macro', 'weighted' or 'micro'."
            )
        if pos_label not in present.tolist() and len(present) == 2:
            raise ValueError(f"pos_label={pos_label!r} is not a label: {present.tolist()}.")
        labels = [pos_label]
    labels = _labels(y_true, y_pred, labels)
    # Count over every label seen, so predictions of a class outside ``labels`` still count
    # as false positives / negatives of the classes inside it.
    all_labels = np.union1d(labels, _labels(y_true, y_pred))
    cm = confusion_matrix(y_true, y_pred, all_labels)
    idx = [all_labels.tolist().index(label) for label in labels.tolist()]
    tp = np.diag(cm)[idx].astype(np.float64)
    pred_pos = cm.sum(axis=0)[idx].astype(np.float64)
    true_pos = cm.sum(axis=1)[idx].astype(np.float64)
    if average == "micro":
        tp, pred_pos, true_pos = (
            tp.sum(keepdims=True),
            pred_pos.sum(keepdims=True),
            true_pos.sum(keepdims=True),
        )
    precision = _divide(tp, pred_pos, zero_division)
    recall = _divide(tp, true_pos, zero_division)
    # F1 = 2TP / (2TP + FP + FN): the harmonic mean of precision and recall, defined even
    # when one of them hit a zero division.
    f1 = _divide(2 * tp, pred_pos + true_pos, zero_division)
    support = true_pos.astype(np.int64)
    if average is None:
        return precision, recall, f1, support
    weights = true_pos if average == "weighted" else None
    return (
        _mean(precision, weights),
        _mean(recall, weights),
        _mean(f1, weights),
        None,
    )


def _mean(values: np.ndarray, weights) -> float:
    finite = ~np.isnan(values)
    if not finite.any():
        return float("nan")
    weights = None if weights is None else np.asarray(weights)[finite]
    if weights is None or weights.sum() == 0:
        # All weights zero (no true samples of the scored classes): plain mean, as sklearn.
        return float(np.mean(values[finite]))
    return float(np.average(values[finite], weights=weights))


def precision_score(y_true, y_pred, **kwargs) -> float:
    kwargs.setdefault("average", "binary")
    return precision_recall_fscore_support(y_true, y_pred, **kwargs)[0]


def recall_score(y_true, y_pred, **kwargs) -> float:
    kwargs.setdefault("average", "binary")
    return precision_recall_fscore_support(y_true, y_pred, **kwargs)[1]


def f1_score(y_true, y_pred, **kwargs) -> float:
    kwargs.setdefault("average", "binary")
    return precision_recall_fscore_support(y_true, y_pred, **kwargs)[2]


def classification_report(
    y_true, y_pred, labels=None, target_names=None, output_dict=False, digits=2, zero_division=0.0
):
    """Per-class precision / recall / F1 / support plus accuracy, macro and weighted averages.

    Same structure and numbers as ``sklearn.metrics.classification_report``: with
    ``output_dict=True`` a dict keyed by class name, then ``"accuracy"`` (or ``"micro avg"``
    when ``labels`` leaves some classes out), ``"macro avg"`` and ``"weighted avg"``.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    labels_given = labels is not None
    labels = _labels(y_true, y_pred, labels)
    if target_names is None:
        target_names = [str(label) for label in labels.tolist()]
    elif len(target_names) != len(labels):
        raise ValueError(
            f"{len(target_names)} target names for {len(labels)} labels; give one name per label."
        )
    present = set(_labels(y_true, y_pred).tolist())
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= present
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=zero_division
    )
    report: dict = {}
    for name, values in zip(target_names, zip(p, r, f, s, strict=True), strict=True):
        report[str(name)] = {
            "precision": float(values[0]),
            "recall": float(values[1]),
            "f1-score": float(values[2]),
            "support": int(values[3]),
        }
    averages = ["micro", "macro", "weighted"]
    for average in averages:
        if average == "micro" and micro_is_accuracy:
            report["accuracy"] = accuracy_score(y_true, y_pred)
            continue
        ap, ar, af, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, zero_division=zero_division
        )
        report[f"{average} avg"] = {
            "precision": ap,
            "recall": ar,
            "f1-score": af,
            "support": int(s.sum()),
        }
    if output_dict:
        return report
    return format_report(report, digits)


def format_report(report: dict, digits: int = 2) -> str:
    """The text form of :func:`classification_report` (as ``print(classification_report(...))``)."""
    headers = ["precision", "recall", "f1-score", "support"]
    names = [k for k in report if k != "accuracy"]
    width = max([len(n) for n in names] + [len("weighted avg"), digits])
    head = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in headers)
    lines = [head, ""]
    row = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}"

    def line(name: str) -> str:
        return row.format(name, *(report[name][h] for h in headers), width=width, digits=digits)

    lines += [line(n) for n in names if not n.endswith(" avg")]
    lines.append("")
    for name in [n for n in report if n.endswith(" avg") or n == "accuracy"]:
        if name == "accuracy":
            total = report["macro avg"]["support"]
            lines.append(
                f"{'accuracy':>{width}s}  {'':>9} {'':>9} {report['accuracy']:>9.{digits}f} {total:>9}"
            )
        else:
            lines.append(line(name))
    return "\n".join(lines) + "\n"


# --- threshold curves ------------------------------------------------------------------


def _binary_curve(y_true, scores):
    """False and true positive counts at each distinct score, highest score first."""
    y_true = np.asarray(y_true).ravel()
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if y_true.shape != scores.shape:
        raise ValueError(f"{y_true.size} labels but {scores.size} scores.")
    if y_true.size == 0:
        raise ValueError("Curves need at least one sample.")
    if not np.all(np.isfinite(scores)):
        raise ValueError("Scores must be finite numbers.")
    classes = np.unique(y_true)
    if not set(classes.tolist()) <= {0, 1}:
        raise ValueError(f"Curves need labels 0 and 1, got {classes.tolist()}.")
    y = (y_true == 1).astype(np.float64)
    order = np.argsort(scores, kind="mergesort")[::-1]
    scores, y = scores[order], y[order]
    distinct = np.where(np.diff(scores))[0]
    ends = np.r_[distinct, y.size - 1]
    tps = np.cumsum(y)[ends]
    fps = 1 + ends - tps
    return fps, tps, scores[ends]


def roc_curve(y_true, scores, drop_intermediate: bool = True):
    """False-positive rate, true-positive rate and the thresholds they start at.

    The first threshold is ``inf`` (nothing predicted positive), as in scikit-learn.
    """
    fps, tps, thresholds = _binary_curve(y_true, scores)
    if drop_intermediate and len(fps) > 2:
        keep = np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    thresholds = np.r_[np.inf, thresholds]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, thresholds


def precision_recall_curve(y_true, scores):
    """Precision and recall (ending at recall 0, precision 1) and their thresholds."""
    fps, tps, thresholds = _binary_curve(y_true, scores)
    predicted = tps + fps
    precision = _divide(tps, predicted, 0.0)
    recall = np.ones_like(tps) if tps[-1] == 0 else tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def auc(x, y) -> float:
    """Area under a curve by the trapezoid rule (x must be monotonic)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size < 2:
        raise ValueError(f"At least 2 points are needed to compute an area, got {x.size}.")
    dx = np.diff(x)
    direction = 1.0
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1.0
        else:
            raise ValueError("x is neither increasing nor decreasing.")
    return float(direction * np.trapezoid(y, x))


def roc_auc_score(y_true, scores) -> float:
    """Area under the ROC curve; needs both classes in ``y_true``."""
    if np.unique(np.asarray(y_true)).size != 2:
        raise ValueError("ROC AUC needs both classes among the true labels.")
    fpr, tpr, _ = roc_curve(y_true, scores)
    return auc(fpr, tpr)


def average_precision_score(y_true, scores) -> float:
    """AP = Σ (Rₙ − Rₙ₋₁) Pₙ: the step-wise area under the precision–recall curve."""
    precision, recall, _ = precision_recall_curve(y_true, scores)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def threshold_metrics(y_true, proba, threshold: float) -> dict:
    """Confusion counts and scores when ``proba >= threshold`` predicts class 1.

    One row of :func:`threshold_sweep` (one implementation of the counting), as plain ints
    and floats.

    >>> threshold_metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 0.5)["recall"]
    0.5
    """
    row = threshold_sweep(y_true, proba, [threshold])
    out = {name: int(row[name][0]) for name in ("tn", "fp", "fn", "tp")}
    out.update({name: float(row[name][0]) for name in ("accuracy", "precision", "recall", "f1")})
    return out


def threshold_sweep(y_true, proba, thresholds) -> dict[str, np.ndarray]:
    """Accuracy, precision, recall and F1 at many thresholds at once (vectorised)."""
    y = np.asarray(y_true).ravel().astype(bool)
    p = np.asarray(proba, dtype=np.float64).ravel()
    t = np.asarray(thresholds, dtype=np.float64).ravel()
    predicted = p[None, :] >= t[:, None]
    tp = (predicted & y).sum(axis=1).astype(np.float64)
    fp = (predicted & ~y).sum(axis=1).astype(np.float64)
    fn = (~predicted & y).sum(axis=1).astype(np.float64)
    tn = (~predicted & ~y).sum(axis=1).astype(np.float64)
    return {
        "threshold": t,
        "accuracy": (tp + tn) / y.size,
        "precision": _divide(tp, tp + fp, 0.0),
        "recall": _divide(tp, tp + fn, 0.0),
        "f1": _divide(2 * tp, 2 * tp + fp + fn, 0.0),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }
