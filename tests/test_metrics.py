"""lib.core.metrics against sklearn.metrics on many random cases, edge cases included."""

import numpy as np
import pytest
from sklearn import metrics as sk

from lib.core import metrics as cl

ZERO_DIVISIONS = [0.0, 1.0, np.nan]


def random_case(rng, n_classes=None, n=None):
    k = n_classes or int(rng.integers(2, 7))
    n = n or int(rng.integers(1, 60))
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, n))
    return y_true, y_pred


def close(a, b):
    np.testing.assert_allclose(
        np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True
    )


def assert_prf_matches(y_true, y_pred, averages=(None, "micro", "macro", "weighted")):
    """precision/recall/F1 (and per-class support) equal sklearn's for each average and
    every zero_division."""
    for zd in ZERO_DIVISIONS:
        for average in averages:
            ours = cl.precision_recall_fscore_support(
                y_true, y_pred, average=average, zero_division=zd
            )
            theirs = sk.precision_recall_fscore_support(
                y_true, y_pred, average=average, zero_division=zd
            )
            for a, b in zip(ours[:3], theirs[:3], strict=True):
                close(a, b)
            if average is None:
                np.testing.assert_array_equal(ours[3], theirs[3])


@pytest.mark.parametrize("seed", range(60))
def test_confusion_matrix_and_scores_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_case(rng)
    np.testing.assert_array_equal(
        cl.confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred)
    )
    assert cl.accuracy_score(y_true, y_pred) == pytest.approx(sk.accuracy_score(y_true, y_pred))
    assert_prf_matches(y_true, y_pred)


@pytest.mark.parametrize("seed", range(30))
def test_report_matches_sklearn(seed):
    rng = np.random.default_rng(100 + seed)
    y_true, y_pred = random_case(rng)
    for zd in ZERO_DIVISIONS:
        ours = cl.classification_report(y_true, y_pred, output_dict=True, zero_division=zd)
        theirs = sk.classification_report(y_true, y_pred, output_dict=True, zero_division=zd)
        assert list(ours) == list(theirs)
        for key, value in theirs.items():
            if isinstance(value, dict):
                for metric, number in value.items():
                    close(ours[key][metric], number)
            else:
                close(ours[key], value)


def test_report_with_names_and_label_subset_uses_micro_avg():
    y_true = [0, 1, 2, 2, 1, 0, 2]
    y_pred = [0, 2, 2, 1, 1, 0, 0]
    names = ["low", "high"]
    ours = cl.classification_report(
        y_true, y_pred, labels=[0, 1], target_names=names, output_dict=True
    )
    theirs = sk.classification_report(
        y_true, y_pred, labels=[0, 1], target_names=names, output_dict=True
    )
    assert list(ours) == list(theirs) and "micro avg" in ours
    for key in theirs:
        for metric in theirs[key]:
            close(ours[key][metric], theirs[key][metric])


def test_report_text_matches_sklearn():
    y_true = ["cat", "dog", "dog", "bird", "cat", "dog"]
    y_pred = ["cat", "dog", "cat", "bird", "cat", "bird"]
    assert cl.classification_report(y_true, y_pred) == sk.classification_report(y_true, y_pred)


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        ([1, 1, 1], [1, 1, 1]),  # a single class everywhere
        ([0, 0, 0], [1, 1, 1]),  # no true positives for class 1, no predictions of 0
        ([0, 0, 1], [0, 0, 0]),  # class 1 never predicted: precision 0/0
        ([0], [0]),  # one sample
    ],
)
def test_edge_cases_match_sklearn(y_true, y_pred):
    assert_prf_matches(y_true, y_pred)
    for zd in ZERO_DIVISIONS:
        ours = cl.classification_report(y_true, y_pred, output_dict=True, zero_division=zd)
        theirs = sk.classification_report(y_true, y_pred, output_dict=True, zero_division=zd)
        assert list(ours) == list(theirs)


@pytest.mark.parametrize("seed", range(20))
def test_binary_average_matches_sklearn(seed):
    rng = np.random.default_rng(200 + seed)
    y_true, y_pred = random_case(rng, n_classes=2)
    assert_prf_matches(y_true, y_pred, averages=("binary",))
    assert cl.f1_score(y_true, y_pred) == pytest.approx(
        sk.f1_score(y_true, y_pred, zero_division=0)
    )


def test_binary_average_refuses_multiclass():
    with pytest.raises(ValueError, match="two classes"):
        cl.precision_recall_fscore_support([0, 1, 2], [0, 1, 2], average="binary")


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 labels but y_pred has 2"):
        cl.confusion_matrix([0, 1, 1], [0, 1])


@pytest.mark.parametrize("seed", range(40))
def test_curves_match_sklearn(seed):
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(2, 80))
    y = rng.integers(0, 2, n)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    # Rounded scores make ties, which is where curve code usually goes wrong.
    scores = np.round(rng.random(n), int(rng.integers(1, 4)))
    for ours, theirs in [
        (cl.roc_curve(y, scores), sk.roc_curve(y, scores)),
        (
            cl.roc_curve(y, scores, drop_intermediate=False),
            sk.roc_curve(y, scores, drop_intermediate=False),
        ),
        (cl.precision_recall_curve(y, scores), sk.precision_recall_curve(y, scores)),
    ]:
        for a, b in zip(ours, theirs, strict=True):
            close(a, b)
    assert cl.roc_auc_score(y, scores) == pytest.approx(sk.roc_auc_score(y, scores))
    assert cl.average_precision_score(y, scores) == pytest.approx(
        sk.average_precision_score(y, scores)
    )


def test_roc_auc_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        cl.roc_auc_score([1, 1, 1], [0.2, 0.5, 0.9])


@pytest.mark.parametrize("seed", range(10))
def test_threshold_metrics_and_sweep_agree_with_sklearn(seed):
    rng = np.random.default_rng(400 + seed)
    y = rng.integers(0, 2, 50)
    proba = rng.random(50)
    thresholds = np.linspace(0, 1, 21)
    sweep = cl.threshold_sweep(y, proba, thresholds)
    for i, t in enumerate(thresholds):
        pred = (proba >= t).astype(int)
        m = cl.threshold_metrics(y, proba, t)
        tn, fp, fn, tp = sk.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        assert (m["tn"], m["fp"], m["fn"], m["tp"]) == (tn, fp, fn, tp)
        for name, fn_ in [
            ("precision", sk.precision_score),
            ("recall", sk.recall_score),
            ("f1", sk.f1_score),
        ]:
            expected = fn_(y, pred, zero_division=0)
            assert m[name] == pytest.approx(expected)
            assert sweep[name][i] == pytest.approx(expected)
        assert sweep["accuracy"][i] == pytest.approx(sk.accuracy_score(y, pred))


def test_threshold_boundary_uses_greater_or_equal():
    # The cheat sheet's int(probability >= threshold): a probability equal to the
    # threshold is predicted positive.
    assert cl.threshold_metrics([1], [0.5], 0.5)["tp"] == 1
