"""lib.lessons.metrics and lib.plots.metrics against scikit-learn's metrics (the oracle)."""

from __future__ import annotations

import ast
import contextlib
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from sklearn import metrics as skm

from lib.core.datasets import DatasetSpec, load_dataset
from lib.lessons import metrics as E
from lib.plots.metrics import UNDEFINED, confusion_heatmap

ROW, COL = E.NORMALISATIONS[1], E.NORMALISATIONS[2]

# Every built-in dataset, and the generators with 2 and more classes.
SPECS = [
    DatasetSpec("Breast cancer"),
    DatasetSpec("Iris"),
    DatasetSpec("Wine"),
    DatasetSpec("Digits"),
    DatasetSpec("Student grades"),
    DatasetSpec("Student accommodation"),
    DatasetSpec("Moons"),
    DatasetSpec("Circles"),
    DatasetSpec("XOR"),
    DatasetSpec("Blobs", n_classes=4, noise=0.6),
    DatasetSpec("Spiral", n_classes=3),
]
_CACHE: dict = {}


def evaluated(spec: DatasetSpec, model: str = "Logistic regression", seed: int = 0) -> E.Evaluation:
    key = (spec, model, seed)
    if key not in _CACHE:
        _CACHE[key] = E.train_and_evaluate(spec, model, seed)
    return _CACHE[key]


def sk_report(ev: E.Evaluation, output_dict: bool = True):
    return skm.classification_report(
        ev.y_true,
        ev.y_pred,
        labels=ev.labels,
        target_names=ev.names,
        output_dict=output_dict,
        zero_division=0,
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_report_equals_sklearn_on_every_dataset(spec):
    ev = evaluated(spec)
    data = load_dataset(spec)
    assert len(ev.y_true) == len(ev.test_rows) == len(ev.proba)
    assert ev.proba.shape[1] == data.n_classes
    np.testing.assert_allclose(ev.proba.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(ev.y_pred, ev.proba.argmax(axis=1))
    expected = sk_report(ev)
    got = ev.report()
    assert list(got) == list(expected)  # classes, accuracy, macro avg, weighted avg
    for name, row in expected.items():
        if name == "accuracy":
            assert got[name] == pytest.approx(row)
        else:
            assert got[name] == pytest.approx(row), name
    assert ev.report_text() == sk_report(ev, output_dict=False)
    # The table the page shows carries the same numbers.
    frame = E.report_frame(got)
    assert list(frame.index) == list(expected)
    for name, row in expected.items():
        if name == "accuracy":
            assert frame.loc[name, "f1-score"] == pytest.approx(row)
            assert frame.loc[name, "support"] == len(ev.y_true)
            assert np.isnan(frame.loc[name, "precision"])
        else:
            for column in E.REPORT_COLUMNS:
                assert frame.loc[name, column] == pytest.approx(row[column])


def test_training_is_deterministic_and_the_seed_matters():
    spec = DatasetSpec("Wine")
    a = E.train_and_evaluate(spec, "Small MLP (32 ReLU)", seed=3)
    b = E.train_and_evaluate(spec, "Small MLP (32 ReLU)", seed=3)
    np.testing.assert_array_equal(a.proba, b.proba)
    c = evaluated(spec, seed=0)
    assert not a.test_rows.equals(c.test_rows)  # another split
    assert a.model_name == "Small MLP (32 ReLU)" and a.seed == 3


def test_a_trained_model_beats_chance():
    ev = evaluated(DatasetSpec("Iris"))
    assert skm.accuracy_score(ev.y_true, ev.y_pred) > 0.85
    assert E.epochs_for(112) == 150 and E.epochs_for(1347) == 14


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="model must be one of"):
        E.train_and_evaluate(DatasetSpec("Iris"), "Random forest")
    with pytest.raises(ValueError, match="normalisation"):
        E.normalise_confusion(np.eye(2), "percent")
    with pytest.raises(ValueError, match="class index"):
        E.one_vs_rest(np.eye(3), 3)
    with pytest.raises(ValueError, match="class indices"):
        E.cell_rows(evaluated(DatasetSpec("Iris")), 0, 5)
    with pytest.raises(ValueError, match="at least one sample"):
        E.imbalanced_example(10, 0)


# --- normalised confusion matrices ------------------------------------------------------


@pytest.mark.parametrize("name", ["Iris", "Breast cancer", "Student grades"])
def test_normalisations_equal_sklearn(name):
    ev = evaluated(DatasetSpec(name))
    cm = ev.confusion()
    np.testing.assert_array_equal(cm, skm.confusion_matrix(ev.y_true, ev.y_pred, labels=ev.labels))
    for how, sk_how in ((ROW, "true"), (COL, "pred")):
        values, defined = E.normalise_confusion(cm, how)
        expected = skm.confusion_matrix(ev.y_true, ev.y_pred, labels=ev.labels, normalize=sk_how)
        np.testing.assert_allclose(values, expected)
        axis = 1 if sk_how == "true" else 0
        np.testing.assert_allclose(values.sum(axis=axis)[cm.sum(axis=axis) > 0], 1.0)
        # The diagonal is recall (rows) or precision (columns), as the caption says.
        p, r, _, _ = skm.precision_recall_fscore_support(
            ev.y_true, ev.y_pred, labels=ev.labels, zero_division=0
        )
        np.testing.assert_allclose(np.diag(values), r if sk_how == "true" else p)
    counts, defined = E.normalise_confusion(cm, "Counts")
    np.testing.assert_array_equal(counts, cm)
    assert defined.all()


def test_empty_rows_and_columns_are_zero_and_marked_undefined():
    y_true, y_pred = [0, 0, 2, 2], [0, 2, 2, 0]  # class 1: never true, never predicted
    cm = skm.confusion_matrix(y_true, y_pred, labels=[0, 1, 2])
    for how, sk_how in ((ROW, "true"), (COL, "pred")):
        values, defined = E.normalise_confusion(cm, how)
        assert np.isfinite(values).all()
        np.testing.assert_allclose(
            values, skm.confusion_matrix(y_true, y_pred, labels=[0, 1, 2], normalize=sk_how)
        )
        assert not defined[1].any() if sk_how == "true" else not defined[:, 1].any()
        assert defined.sum() == 6
    fig = confusion_heatmap(cm, ["a", "b", "c"], ROW)
    text = "".join("".join(row) for row in fig.data[0].text)
    assert "nan" not in text.lower() and text.count(UNDEFINED) == 3


# --- per-class formulas, one-vs-rest, averages ------------------------------------------


@pytest.mark.parametrize("name", ["Wine", "Breast cancer", "Student accommodation"])
def test_class_formulas_match_sklearn(name):
    ev = evaluated(DatasetSpec(name))
    cm = ev.confusion()
    mcm = skm.multilabel_confusion_matrix(ev.y_true, ev.y_pred, labels=ev.labels)
    p, r, f, _ = skm.precision_recall_fscore_support(
        ev.y_true, ev.y_pred, labels=ev.labels, zero_division=0
    )
    for k, class_name in enumerate(ev.names):
        tn, fp, fn, tp = mcm[k].ravel()
        assert E.one_vs_rest(cm, k) == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
        formulas = E.class_formulas(cm, k, class_name)
        values = formulas["values"]
        assert values["precision"] == pytest.approx(p[k])
        assert values["recall"] == pytest.approx(r[k])
        assert values["f1"] == pytest.approx(f[k])
        assert rf"\frac{{{tp}}}{{{tp} + {fp}}} = {p[k]:.3f}" in formulas["precision"]
        assert rf"\frac{{{tp}}}{{{tp} + {fn}}} = {r[k]:.3f}" in formulas["recall"]
        assert f"= {f[k]:.3f}" in formulas["f1"]


def test_zero_division_is_written_out_not_nan():
    cm = np.array([[5, 0], [3, 0]])  # class 1 never predicted and never found
    formulas = E.class_formulas(cm, 1, "rare_class")
    assert formulas["values"]["precision"] == 0.0
    assert r"0/0 \to 0" in formulas["precision"]
    assert r"\text{rare\_class}" in formulas["precision"]  # LaTeX-escaped name
    assert "nan" not in "".join(v for v in formulas.values() if isinstance(v, str))
    assert skm.precision_score([0] * 5 + [1] * 3, [0] * 8, zero_division=0) == 0.0


def test_accuracy_formula_has_the_live_counts():
    binary = np.array([[50, 3], [2, 40]])
    assert r"\frac{40 + 50}{40 + 50 + 3 + 2} = 0.947" in E.accuracy_latex(binary)
    multi = np.array([[10, 1, 0], [0, 9, 2], [1, 0, 12]])
    assert r"\frac{31}{35} = 0.886" in E.accuracy_latex(multi)


@pytest.mark.parametrize("name", ["Iris", "Student grades", "Breast cancer", "Digits"])
def test_averages_equal_sklearn_and_micro_equals_accuracy(name):
    ev = evaluated(DatasetSpec(name))
    avg = E.averages(ev.y_true, ev.y_pred, ev.labels, ev.names)
    for kind in ("macro", "weighted", "micro"):
        expected = skm.f1_score(
            ev.y_true, ev.y_pred, labels=ev.labels, average=kind, zero_division=0
        )
        assert avg[kind] == pytest.approx(expected)
    assert avg["micro"] == pytest.approx(skm.accuracy_score(ev.y_true, ev.y_pred))
    assert avg["accuracy"] == pytest.approx(avg["micro"])
    assert f"{avg['weighted']:.3f}" in avg["weighted_latex"]
    assert f"{avg['macro']:.3f}" in avg["macro_latex"]


def test_weighted_is_not_micro_when_classes_differ_in_size():
    y_true = np.array([0] * 90 + [1] * 10)
    y_pred = np.array([0] * 85 + [1] * 5 + [1] * 4 + [0] * 6)
    avg = E.averages(y_true, y_pred, [0, 1], ["big", "small"])
    assert avg["weighted"] == pytest.approx(skm.f1_score(y_true, y_pred, average="weighted"))
    assert avg["micro"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert abs(avg["weighted"] - avg["micro"]) > 1e-3  # the cheat sheet's "micro" is not micro


# --- accuracy can lie -------------------------------------------------------------------


@pytest.mark.parametrize(("majority", "minority"), [(95, 5), (99, 1), (50, 50)])
def test_imbalanced_example(majority, minority):
    ex = E.imbalanced_example(majority, minority)
    assert ex["accuracy"] == pytest.approx(majority / (majority + minority))
    assert ex["accuracy"] == skm.accuracy_score(ex["y_true"], ex["y_pred"])
    assert ex["report"]["minority"]["recall"] == 0.0
    assert ex["report"]["majority"]["recall"] == 1.0
    expected = skm.classification_report(
        ex["y_true"],
        ex["y_pred"],
        labels=[0, 1],
        target_names=ex["names"],
        output_dict=True,
        zero_division=0,
    )
    assert list(ex["report"]) == list(expected)
    for key, value in expected.items():
        assert ex["report"][key] == pytest.approx(value)
    assert ex["macro_f1"] == pytest.approx(
        skm.f1_score(ex["y_true"], ex["y_pred"], average="macro")
    )
    np.testing.assert_array_equal(ex["confusion"], [[majority, 0], [minority, 0]])


def test_imbalanced_95_5_numbers():
    ex = E.imbalanced_example()
    assert ex["accuracy"] == 0.95
    assert ex["report"]["minority"]["recall"] == 0.0
    assert ex["report"]["minority"]["f1-score"] == 0.0
    assert ex["macro_f1"] == pytest.approx(0.4871794871794872)  # (0.974 + 0) / 2
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(E.imbalanced_code(95, 5), {})
    assert out.getvalue().splitlines()[0] == "0.95"


# --- drill-down -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Iris", "Student accommodation"])
def test_every_cell_lists_exactly_its_rows(name):
    ev = evaluated(DatasetSpec(name))
    cm = ev.confusion()
    total = 0
    for i in ev.labels:
        for j in ev.labels:
            rows = E.cell_rows(ev, i, j)
            assert len(rows) == cm[i, j]
            total += len(rows)
            assert set(rows["true"]) <= {ev.names[i]} and set(rows["predicted"]) <= {ev.names[j]}
            for column in ev.test_rows.columns:
                assert column in rows.columns
            mask = (ev.y_true == i) & (ev.y_pred == j)
            for k, class_name in enumerate(ev.names):
                np.testing.assert_allclose(rows[f"P({class_name})"], ev.proba[mask, k], atol=1e-4)
            np.testing.assert_array_equal(
                rows[ev.test_rows.columns[0]].to_numpy(),
                ev.test_rows.loc[mask].iloc[:, 0].to_numpy(),
            )
    assert total == len(ev.y_true)


def test_unique_names_for_blank_and_duplicate_class_names():
    assert E.unique_names(["a", "a", "", "a"]) == ["a", "a (2)", "class 2", "a (3)"]
    y = np.array([0, 1, 2, 3])
    names = E.unique_names(["cat", "cat", " ", "dog"])
    ours = E.metrics.classification_report(
        y, y, labels=[0, 1, 2, 3], target_names=names, output_dict=True
    )
    assert list(ours)[:4] == names


# --- the code panel reproduces the report -----------------------------------------------


PLAIN_IMPORTS = {"math", "numpy", "pandas", "torch", "torch.nn", "sklearn"}


def imported_top_modules(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return {n if n in PLAIN_IMPORTS else n.split(".")[0] for n in names}


@pytest.mark.parametrize(
    ("spec", "model"),
    [
        (DatasetSpec("Iris"), "Logistic regression"),
        (DatasetSpec("Breast cancer"), "Small MLP (32 ReLU)"),
        (DatasetSpec("Student accommodation"), "Logistic regression"),  # text features
        (DatasetSpec("Blobs", n_classes=4, noise=0.6, seed=3), "Small MLP (32 ReLU)"),
        (DatasetSpec("Moons", n_samples=120, noise=0.3), "Logistic regression"),
    ],
    ids=["iris-logreg", "cancer-mlp", "accommodation", "blobs4-mlp", "moons"],
)
def test_displayed_code_reproduces_the_report(spec, model):
    """The panel is plain Python (numpy, pandas, torch, scikit-learn only) for every family
    of dataset, and prints this page's predictions and report."""
    ev = evaluated(spec, model)
    code = E.report_code(spec, model, 0)
    assert imported_top_modules(code) <= {"math", "numpy", "pandas", "torch", "sklearn"}
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<report code>", "exec"), namespace)
    np.testing.assert_array_equal(namespace["y_pred"], ev.y_pred)
    assert namespace["report"] == ev.report_text()
    assert ev.report_text() in out.getvalue()
    assert f" features, {len(ev.names)} classes: {ev.names!r}" in out.getvalue()


def test_report_code_refuses_an_unknown_model():
    with pytest.raises(ValueError, match="model must be one of"):
        E.report_code(DatasetSpec("Iris"), "SVM", 0)


def test_report_frame_has_the_accuracy_row_of_sklearn():
    ev = evaluated(DatasetSpec("Wine"))
    frame = E.report_frame(ev.report())
    expected = sk_report(ev)
    assert list(frame.index) == list(expected)  # classes, accuracy, macro avg, weighted avg
    assert frame.loc["accuracy", "f1-score"] == pytest.approx(expected["accuracy"])
    assert frame.loc["accuracy", "support"] == len(ev.y_true)
    assert np.isnan(frame.loc["accuracy", "precision"]) and np.isnan(
        frame.loc["accuracy", "recall"]
    )


# --- the heatmap -------------------------------------------------------------------------


def test_heatmap_is_valid_labelled_and_switches_normalisation():
    cm = np.array([[12, 0, 1], [0, 11, 2], [3, 1, 12]])
    names = ["setosa", "versicolor", "virginica"]
    raw = confusion_heatmap(cm, names, clickable=True)
    assert len(confusion_heatmap(cm, names).data) == 1
    go.Figure(raw.to_dict())  # the unvalidated dict is a valid plotly figure
    heat = raw.data[0]
    assert list(heat.x) == names and list(heat.y) == names
    assert raw.layout.xaxis.title.text == "predicted class"
    assert raw.layout.yaxis.title.text == "true class"
    assert tuple(raw.layout.yaxis.range) == (2.5, -0.5)  # first true class on top
    targets = raw.data[1]  # invisible click targets, one per cell, for on_select
    assert targets.type == "scatter" and len(targets.x) == 9
    assert (targets.x[5], targets.y[5], targets.customdata[5]) == ("virginica", "versicolor", 2)
    assert heat.text[2][0] == "3"
    rows = confusion_heatmap(cm, names, ROW, highlight=(2, 0))
    np.testing.assert_allclose(
        rows.data[0].z,
        skm.confusion_matrix(
            np.repeat([0, 1, 2], cm.sum(axis=1)),
            np.concatenate([np.repeat([0, 1, 2], r) for r in cm]),
            normalize="true",
        ),
        atol=1e-4,
    )
    assert rows.data[0].text[2][0] == "0.19<br>(3)"
    cols = confusion_heatmap(cm, names, COL)
    assert cols.data[0].text[2][0] == "0.20<br>(3)"  # 3 of the 15 predicted setosa
    shape = rows.layout.shapes[0]
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (-0.5, 0.5, 1.5, 2.5)
    assert "recall" in rows.layout.title.text and "precision" in cols.layout.title.text
