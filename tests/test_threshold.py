"""lib.lessons.threshold against scikit-learn: the choosers equal a brute force over sklearn.metrics,
the model is deterministic per seed, and the shown code reproduces the confusion matrix."""

import functools

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix, f1_score, recall_score

from lib.core import metrics
from lib.core.datasets import DatasetSpec, load_dataset
from lib.lessons.threshold import (
    best_f1_threshold,
    boundary_case,
    candidates,
    cost_threshold,
    fit_binary_logistic,
    recall_threshold,
    reproduce_code,
)
from lib.plots import threshold as plots


def _data(seed: int, n: int = 60, ties: bool = False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    p = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    if ties:
        p = np.round(p, 1)  # many equal probabilities, some exactly 0 and 1
    return y, p


def _grid(p):
    # every threshold in [0, 1] acts like one of these: a probability, a midpoint between two
    # neighbours, or a coarse grid value
    u = np.unique(p)
    return np.unique(np.r_[u, (u[:-1] + u[1:]) / 2, np.linspace(0, 1, 41)])


@functools.cache
def _brute(seed: int, ties: bool) -> dict:
    """sklearn's metrics at every threshold of the grid, computed once per data case."""
    y, p = _data(seed, ties=ties)
    table = {}
    for t in _grid(p):
        pred = (p >= t).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        table[float(t)] = {
            "f1": f1_score(y, pred, zero_division=0.0),
            "recall": recall_score(y, pred, zero_division=0.0),
            "fn": fn,
            "fp": fp,
            "pred": pred,
        }
    return table


CASES = [(seed, ties) for seed in range(4) for ties in (False, True)]


@pytest.mark.parametrize(("seed", "ties"), CASES)
def test_best_f1_is_the_brute_force_maximum(seed, ties):
    y, p = _data(seed, ties=ties)
    chosen = best_f1_threshold(y, p)
    table = _brute(seed, ties)
    scores = {t: row["f1"] for t, row in table.items()}
    best = max(scores.values())
    assert scores[chosen] == pytest.approx(best)
    # ties: the highest threshold that reaches the best score (fewest positives)
    assert chosen == pytest.approx(max(t for t in candidates(p) if abs(scores[t] - best) < 1e-12))


@pytest.mark.parametrize(("seed", "ties"), CASES)
@pytest.mark.parametrize("target", [0.5, 0.95, 1.0])
def test_recall_threshold_is_the_highest_reaching_target(seed, ties, target):
    y, p = _data(seed, ties=ties)
    chosen = recall_threshold(y, p, target)
    table = _brute(seed, ties)
    assert table[chosen]["recall"] >= target - 1e-12
    reaching = [t for t, row in table.items() if row["recall"] >= target - 1e-12]
    # any higher threshold that still reaches the target predicts exactly the same rows
    for t in [t for t in reaching if t > chosen]:
        assert np.array_equal(table[t]["pred"], table[chosen]["pred"])
    assert chosen in p  # the cut sits on a test probability


@pytest.mark.parametrize(("seed", "ties"), CASES)
@pytest.mark.parametrize("ratio", [0.2, 5.0, 50.0])
def test_cost_threshold_is_the_brute_force_minimum(seed, ties, ratio):
    y, p = _data(seed, ties=ties)
    chosen = cost_threshold(y, p, ratio)
    costs = {t: ratio * row["fn"] + row["fp"] for t, row in _brute(seed, ties).items()}
    cheapest = min(costs.values())
    assert costs[chosen] == pytest.approx(cheapest)
    assert chosen == max(t for t in candidates(p) if abs(costs[t] - cheapest) < 1e-9)


def test_high_cost_of_misses_lowers_the_threshold():
    y, p = _data(3)
    assert cost_threshold(y, p, 50.0) <= cost_threshold(y, p, 1.0) <= cost_threshold(y, p, 0.1)


@pytest.mark.parametrize(("seed", "ties"), CASES)
def test_core_threshold_metrics_and_sweep_equal_sklearn(seed, ties):
    """The one implementation the lesson uses (lib.core.metrics), at ties and at 0 and 1."""
    y, p = _data(seed, ties=ties)
    t = np.r_[0.0, 0.3, 0.5, 0.7, 1.0, candidates(p)]
    sweep = metrics.threshold_sweep(y, p, t)
    for i, ti in enumerate(t):
        pred = (p >= ti).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        one = metrics.threshold_metrics(y, p, ti)
        assert (one["tn"], one["fp"], one["fn"], one["tp"]) == (tn, fp, fn, tp)
        assert (sweep["tn"][i], sweep["fp"][i], sweep["fn"][i], sweep["tp"][i]) == (tn, fp, fn, tp)
        for name, score in (("f1", f1_score), ("recall", recall_score)):
            expected = score(y, pred, zero_division=0.0)
            assert one[name] == pytest.approx(expected) and sweep[name][i] == pytest.approx(
                expected
            )


def test_one_threshold_metrics_implementation():
    """Issue #12: the lesson's own copy (metrics_at / counts) is gone; core's is used."""
    import lib.lessons.threshold as lesson
    import lib.plots.threshold as figures
    import lib.ui.threshold as glue

    for module in (lesson, figures, glue):
        assert not hasattr(module, "metrics_at") and not hasattr(module, "counts")
    assert glue.threshold_metrics is metrics.threshold_metrics


def test_doctest_examples():
    y, p = [0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]
    assert best_f1_threshold(y, p) == 0.4
    assert recall_threshold(y, p, 0.5) == 0.9
    assert cost_threshold(y, p, 5.0) == 0.4
    assert cost_threshold(y, p, 0.1) == 0.9
    # a miss is cheap and the top score is a negative: predict nobody positive
    assert cost_threshold(y, [0.1, 0.95, 0.4, 0.9], 0.1) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: best_f1_threshold([], []), "at least one"),
        (lambda: best_f1_threshold([0, 1], [0.2]), "2 labels but 1"),
        (lambda: best_f1_threshold([0, 2], [0.2, 0.3]), "0 or 1"),
        (lambda: best_f1_threshold([0, 1], [0.2, 1.5]), "between 0 and 1"),
        (lambda: best_f1_threshold([0, 1], [0.2, float("nan")]), "finite"),
        (lambda: best_f1_threshold([0, 0], [0.2, 0.3]), "no positive"),
        (lambda: recall_threshold([0, 1], [0.2, 0.3], 0.0), "target recall"),
        (lambda: recall_threshold([0, 1], [0.2, 0.3], 1.5), "target recall"),
        (lambda: cost_threshold([0, 1], [0.2, 0.3], -1.0), "positive number"),
        (lambda: cost_threshold([0, 1], [0.2, 0.3], float("inf")), "positive number"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_boundary_case_finds_the_row_on_the_threshold():
    p = np.array([0.2, 0.45, 0.7])
    assert boundary_case(p, 0.45) == {"row": 1, "probability": 0.45, "count": 1}
    assert boundary_case(p, 0.5) is None
    # at that threshold >= and > disagree on exactly that row
    assert (p >= 0.45).sum() - (p > 0.45).sum() == 1


# --- the model ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cancer_fit():
    return fit_binary_logistic(load_dataset(DatasetSpec()), seed=0)


def test_fit_is_deterministic_for_a_seed(cancer_fit):
    again = fit_binary_logistic(load_dataset(DatasetSpec()), seed=0)
    assert np.array_equal(again.proba, cancer_fit.proba)
    assert np.array_equal(again.y, cancer_fit.y)
    other = fit_binary_logistic(load_dataset(DatasetSpec()), seed=1)
    assert not np.array_equal(other.proba, cancer_fit.proba)


def test_fit_learns_breast_cancer(cancer_fit):
    assert cancer_fit.n_test == 143 and cancer_fit.n_train == 426
    assert cancer_fit.class_names == ("benign", "malignant")
    assert np.all((cancer_fit.proba >= 0) & (cancer_fit.proba <= 1))
    assert metrics.roc_auc_score(cancer_fit.y, cancer_fit.proba) > 0.97
    assert metrics.threshold_metrics(cancer_fit.y, cancer_fit.proba, 0.5)["accuracy"] > 0.9


def test_fit_refuses_multiclass():
    with pytest.raises(ValueError, match="3 classes"):
        fit_binary_logistic(load_dataset(DatasetSpec(name="Iris")))


def _run_shown_code(spec, seed, threshold, stratified=True):
    namespace: dict = {}
    before = torch.get_num_threads()
    try:
        code = reproduce_code(spec, seed, threshold, stratified)
        exec(compile(code, "<shown code>", "exec"), namespace)
    finally:
        torch.set_num_threads(before)
    return namespace


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_shown_code_reproduces_the_confusion_matrix(cancer_fit, threshold, capsys):
    ns = _run_shown_code(DatasetSpec(), 0, threshold)
    m = metrics.threshold_metrics(cancer_fit.y, cancer_fit.proba, threshold)
    assert ns["cm"].ravel().tolist() == [m["tn"], m["fp"], m["fn"], m["tp"]]
    # bitwise the same probabilities, so even a threshold on a row's probability agrees
    assert np.array_equal(ns["proba"].numpy().astype(np.float64), cancer_fit.proba)
    assert f"TN={m['tn']} FP={m['fp']}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "spec",
    [
        DatasetSpec(name="Moons", n_samples=120),
        DatasetSpec(name="Circles", n_samples=200, noise=0.5, seed=3),
        DatasetSpec(name="XOR", n_samples=140, seed=1),
        DatasetSpec(name="Blobs", n_classes=2, noise=0.4),
        DatasetSpec(name="Spiral", n_classes=2, n_samples=160, seed=2),
    ],
)
def test_shown_code_for_every_binary_generated_dataset(spec):
    fit = fit_binary_logistic(load_dataset(spec), seed=2)
    t = best_f1_threshold(fit.y, fit.proba)  # exactly on a row's probability: bitwise test
    code = reproduce_code(spec, 2, t, fit.stratified)
    assert "import lib" not in code and "from lib" not in code
    ns = _run_shown_code(spec, 2, t, fit.stratified)
    m = metrics.threshold_metrics(fit.y, fit.proba, t)
    assert ns["cm"].ravel().tolist() == [m["tn"], m["fp"], m["fn"], m["tp"]]
    assert np.array_equal(ns["proba"].numpy().astype(np.float64), fit.proba)


# --- figures -------------------------------------------------------------------------------


def _figures(fit, t):
    m = metrics.threshold_metrics(fit.y, fit.proba, t)
    view = plots.threshold_view(plots.threshold_base(fit.y, fit.proba, fit.class_names), t)
    curves = plots.curves_view(plots.curves_base(fit.y, fit.proba), m, t)
    cm = plots.confusion_heatmap(m["tn"], m["fp"], m["fn"], m["tp"], fit.class_names)
    return m, view, cm, curves


def test_figures_show_the_current_numbers(cancer_fit):
    y, p, t = cancer_fit.y, cancer_fit.proba, 0.3
    m, view, cm, curves = _figures(cancer_fit, t)
    assert np.asarray(cm.data[0].z).tolist() == [[m["tn"], m["fp"]], [m["fn"], m["tp"]]]
    assert [[cell.split("<br>")[0] for cell in row] for row in cm.data[0].text] == [
        ["TN", "FP"],
        ["FN", "TP"],
    ]
    assert list(cm.data[0].y) == ["benign (0)", "malignant (1)"]
    assert cm.layout.yaxis.title.text == "true" and cm.layout.xaxis.title.text == "predicted"
    bars = [trace for trace in view.data if trace.type == "bar"]
    assert sum(sum(trace.y) for trace in bars) == len(y)
    assert sum(bars[1].y) == int((y == 1).sum())  # the hatched bars are the true positives
    assert bars[1].marker.pattern.shape == "/" and not bars[0].marker.pattern.shape
    assert view.layout.shapes[0].x0 == t and view.layout.shapes[0].line.dash == "dash"
    lines = {trace.name: trace for trace in view.data if trace.type == "scatter"}
    assert list(lines) == ["accuracy", "precision", "recall", "f1"]
    assert len({trace.line.dash for trace in lines.values()}) == 4  # not told apart by colour only
    grid = np.asarray(lines["recall"].x)
    i = int(np.argmin(np.abs(grid - t)))
    assert lines["recall"].y[i] == pytest.approx(
        metrics.threshold_metrics(y, p, float(plots.SWEEP[i]))["recall"]
    )
    auc, ap = metrics.roc_auc_score(y, p), metrics.average_precision_score(y, p)
    assert f"AUC = {auc:.3f}" in curves.layout.title.text
    assert f"AP = {ap:.3f}" in curves.layout.title.text
    roc_point, pr_point = curves.data[2], curves.data[5]
    assert roc_point.y[0] == pytest.approx(m["recall"])
    assert roc_point.x[0] == pytest.approx(m["fp"] / (m["fp"] + m["tn"]))
    assert (pr_point.x[0], pr_point.y[0]) == pytest.approx((m["recall"], m["precision"]))
    assert roc_point.marker.symbol == "diamond"
    assert len(curves.data[0].x) <= plots.MAX_CURVE_POINTS


def test_roc_and_pr_curves_equal_sklearn(cancer_fit):
    from sklearn.metrics import precision_recall_curve, roc_curve

    _, _, _, curves = _figures(cancer_fit, 0.5)
    fpr, tpr, _ = roc_curve(cancer_fit.y, cancer_fit.proba)
    assert np.allclose(curves.data[0].x, fpr, atol=1e-6) and np.allclose(curves.data[0].y, tpr)
    precision, recall, _ = precision_recall_curve(cancer_fit.y, cancer_fit.proba)
    assert np.allclose(curves.data[3].x, recall) and np.allclose(curves.data[3].y, precision)


def test_every_figure_is_valid_plotly(cancer_fit):
    """The builders skip plotly's validation for speed; validate each once here."""
    import plotly.graph_objects as go

    for figure in _figures(cancer_fit, 0.3)[1:]:
        layout = figure.to_dict()["layout"]
        go.Figure(figure.to_dict())  # raises ValueError on any invalid property
        # unvalidated figures reach plotly.js as written: titles must be {"text": ...}
        titled = [layout] + [v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))]
        assert all(isinstance(part.get("title", {}), dict) for part in titled)


def test_class_names_reach_the_figures_as_text():
    hostile = ('<a href="//e.vil">Go</a>', "<b>bold</b>")
    y, p = _data(0)
    view = plots.threshold_view(plots.threshold_base(y, p, hostile), 0.5)
    cm = plots.confusion_heatmap(1, 2, 3, 4, hostile)
    shown = [t.name for t in view.data if t.type == "bar"] + list(cm.data[0].x)
    assert all("<a" not in s and "<b>" not in s for s in shown)
    assert "&lt;a href" in shown[0]


def test_thin_keeps_ends_and_bounds_points():
    x = np.arange(1000)
    (thinned,) = plots.thin(x, limit=50)
    assert len(thinned) <= 50 and thinned[0] == 0 and thinned[-1] == 999
