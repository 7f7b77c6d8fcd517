"""The metrics lesson under AppTest: every control drives what is shown, checked against sklearn."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn import metrics as skm

from lib.core.datasets import DatasetSpec
from lib.lessons import metrics as E
from tests.conftest import charts, open_page, texts

PAGE = "pages/7_Metrics_and_Report.py"
TITLE = "Metrics and the classification report"
IRIS = DatasetSpec("Iris")


@pytest.fixture(scope="module")
def iris_ev():
    return E.train_and_evaluate(IRIS, "Logistic regression", 0)


def on_iris(query: dict | None = None):
    """Open the page and switch the sidebar to Iris with the page's own button."""
    at = open_page(PAGE, query=query)
    assert at.title[0].value == TITLE
    at.button(key="met_use_iris").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="dataset").value == "Iris"
    return at


def heatmap(at, index: int = 0) -> dict:
    return charts(at)[index]["data"][0]


def report_df(at):
    frames = [d.value for d in at.dataframe if "macro avg" in list(d.value.index)]
    assert len(frames) == 1
    return frames[0]


def cell_df(at):
    frames = [d.value for d in at.dataframe if "predicted" in d.value.columns]
    return frames[0] if frames else None


def latex(at) -> str:
    return "\n".join(str(el.value) for el in at.latex)


def test_default_binary_dataset_works_and_offers_multiclass():
    at = open_page(PAGE)
    assert at.title[0].value == TITLE
    assert at.selectbox(key="met_class").options == ["benign", "malignant"]
    z = heatmap(at)["z"]
    assert np.asarray(z).shape == (2, 2)
    assert r"\frac{TP + TN}{TP + TN + FP + FN} = \frac{" in latex(at)
    ev = E.train_and_evaluate(DatasetSpec("Breast cancer"), "Logistic regression", 0)
    tn, fp, fn, tp = skm.confusion_matrix(ev.y_true, ev.y_pred).ravel()
    assert rf"\frac{{{tp} + {tn}}}{{{tp} + {tn} + {fp} + {fn}}}" in latex(at)
    assert "two classes" in texts(at)


def test_normalisation_switch_changes_the_matrix(iris_ev):
    at = on_iris()
    cm = skm.confusion_matrix(iris_ev.y_true, iris_ev.y_pred)
    np.testing.assert_array_equal(heatmap(at)["z"], cm)
    assert np.asarray(heatmap(at)["z"]).shape == (3, 3)
    for option, how in zip(E.NORMALISATIONS[1:], ("true", "pred"), strict=True):
        at.radio(key="met_norm").set_value(option).run()
        assert not at.exception
        expected = skm.confusion_matrix(iris_ev.y_true, iris_ev.y_pred, normalize=how)
        np.testing.assert_allclose(heatmap(at)["z"], expected, atol=1e-4)
        assert "nan" not in json.dumps(heatmap(at)["text"]).lower()
    at.radio(key="met_norm").set_value("Counts").run()
    np.testing.assert_array_equal(heatmap(at)["z"], cm)


def test_picking_a_class_changes_the_formulas(iris_ev):
    at = on_iris()
    p, r, f, _ = skm.precision_recall_fscore_support(iris_ev.y_true, iris_ev.y_pred)
    mcm = skm.multilabel_confusion_matrix(iris_ev.y_true, iris_ev.y_pred)
    for k, name in enumerate(iris_ev.names):
        at.selectbox(key="met_class").select(name).run()
        assert not at.exception
        shown = latex(at)
        tn, fp, fn, tp = mcm[k].ravel()
        assert rf"\text{{Precision}}_{{\text{{{name}}}}}" in shown
        assert rf"\frac{{{tp}}}{{{tp} + {fp}}} = {p[k]:.3f}" in shown
        assert rf"\frac{{{tp}}}{{{tp} + {fn}}} = {r[k]:.3f}" in shown
        assert f"= {f[k]:.3f}" in shown
        values = {m.label: m.value for m in at.metric}
        assert (values["TP"], values["FP"], values["FN"], values["TN"]) == tuple(
            str(v) for v in (tp, fp, fn, tn)
        )
    # Multiclass accuracy is correct / total.
    correct, total = int((iris_ev.y_true == iris_ev.y_pred).sum()), len(iris_ev.y_true)
    assert rf"\frac{{{correct}}}{{{total}}}" in latex(at)


def test_picking_a_cell_lists_its_rows(iris_ev):
    at = on_iris()
    cm = skm.confusion_matrix(iris_ev.y_true, iris_ev.y_pred)
    wrong = [(i, j) for i in range(3) for j in range(3) if i != j and cm[i, j] > 0]
    cells = [(0, 0), (2, 2), *wrong[:1], (0, 2)]
    for i, j in cells:
        at.selectbox(key="met_true").select(iris_ev.names[i])
        at.selectbox(key="met_pred").select(iris_ev.names[j]).run()
        assert not at.exception
        assert f"**{cm[i, j]}** test rows are **{iris_ev.names[i]}**" in texts(at)
        rows = cell_df(at)
        if cm[i, j] == 0:
            assert rows is None and "No test row falls in this cell" in texts(at)
            continue
        assert len(rows) == cm[i, j]
        assert set(rows["true"]) == {iris_ev.names[i]}
        assert set(rows["predicted"]) == {iris_ev.names[j]}
        mask = (iris_ev.y_true == i) & (iris_ev.y_pred == j)
        np.testing.assert_allclose(
            rows["sepal length (cm)"], iris_ev.test_rows.loc[mask, "sepal length (cm)"]
        )
        np.testing.assert_allclose(
            rows[f"P({iris_ev.names[j]})"], iris_ev.proba[mask, j], atol=1e-4
        )
        # The chosen cell is outlined on the heatmap.
        shape = charts(at)[0]["layout"]["shapes"][0]
        assert (shape["x0"], shape["y0"]) == (j - 0.5, i - 0.5)


def test_report_table_and_text_equal_sklearn(iris_ev):
    at = on_iris()
    expected = skm.classification_report(
        iris_ev.y_true, iris_ev.y_pred, target_names=iris_ev.names, output_dict=True
    )
    table = report_df(at)
    assert list(table.index) == list(expected)
    for name, row in expected.items():
        if name == "accuracy":
            assert table.loc[name, "f1-score"] == pytest.approx(row)
            assert table.loc[name, "support"] == len(iris_ev.y_true)
        else:
            for column in ("precision", "recall", "f1-score", "support"):
                assert table.loc[name, column] == pytest.approx(row[column])
    text = skm.classification_report(iris_ev.y_true, iris_ev.y_pred, target_names=iris_ev.names)
    assert text.rstrip("\n") in [c.value.rstrip("\n") for c in at.code]
    # micro F1 (pooled) equals accuracy, shown side by side.
    values = {m.label: m.value for m in at.metric}
    accuracy = skm.accuracy_score(iris_ev.y_true, iris_ev.y_pred)
    assert values["micro F1"] == values["accuracy (correct / total)"] == f"{accuracy:.4f}"
    shown = latex(at)
    weighted = skm.f1_score(iris_ev.y_true, iris_ev.y_pred, average="weighted")
    macro = skm.f1_score(iris_ev.y_true, iris_ev.y_pred, average="macro")
    assert f"= {weighted:.3f}" in shown and f"= {macro:.3f}" in shown
    assert "In scikit-learn that is the **weighted** average" in texts(at)


def run_panel(code: str, tmp_path) -> str:
    """Run a code panel as a learner would: a fresh interpreter (-I: no PYTHONPATH, no
    user site, not the script's folder) in an empty folder, so ClassLab's lib cannot be
    imported. Returns what it printed."""
    script = tmp_path / "panel.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("dataset", ["Breast cancer", "Iris"])
def test_displayed_code_runs_in_plain_python_and_prints_the_page(dataset, tmp_path):
    at = open_page(PAGE, query={"dataset": dataset})
    shown = [c.value for c in at.code]
    program = next(c for c in shown if "classification_report(" in c and "import torch" in c)
    assert "lib" not in program.split("import torch")[0]  # no ClassLab import at the top
    printed = run_panel(program, tmp_path)
    report_on_screen = next(c for c in shown if "macro avg" in c and "import" not in c)
    assert report_on_screen.rstrip("\n") in printed
    k = len(at.selectbox(key="met_class").options)
    assert f" features, {k} classes: " in printed  # 2 for breast cancer, 3 for iris
    # The confusion matrix it prints is the page's (counts) …
    matrix = re.search(r"\[\[.*?\]\]", printed, re.DOTALL).group(0)
    counts = np.array(
        json.loads(re.sub(r"\]\s*\[", "],[", re.sub(r"(\d)\s+(?=\d)", r"\1,", matrix)))
    )
    np.testing.assert_array_equal(counts, heatmap(at)["z"])
    # … and so is its accuracy.
    accuracy = {m.label: m.value for m in at.metric}["accuracy (correct / total)"]
    assert f"accuracy {accuracy}" in printed


def test_model_and_seed_retrain():
    at = on_iris()
    at.selectbox(key="met_model").select("Small MLP (32 ReLU)").run()
    assert not at.exception
    assert "Small MLP (32 ReLU) trained for" in texts(at)
    ev = E.train_and_evaluate(IRIS, "Small MLP (32 ReLU)", 0)
    np.testing.assert_array_equal(heatmap(at)["z"], skm.confusion_matrix(ev.y_true, ev.y_pred))
    at.number_input(key="met_seed").set_value(4).run()
    assert not at.exception
    ev4 = E.train_and_evaluate(IRIS, "Small MLP (32 ReLU)", 4)
    np.testing.assert_array_equal(heatmap(at)["z"], skm.confusion_matrix(ev4.y_true, ev4.y_pred))
    assert "seed=4" in "\n".join(c.value for c in at.code)


def test_accuracy_can_lie_slider():
    at = open_page(PAGE)
    values = {m.label: m.value for m in at.metric}
    assert (
        values["accuracy of “always majority”"] == "95%"
        and values["recall of the minority"] == "0%"
    )
    assert values["macro F1"] == "0.49"
    np.testing.assert_array_equal(heatmap(at, 1)["z"], [[95, 0], [5, 0]])
    at.slider(key="met_minority").set_value(30).run()
    values = {m.label: m.value for m in at.metric}
    assert (
        values["accuracy of “always majority”"] == "70%"
        and values["recall of the minority"] == "0%"
    )
    np.testing.assert_array_equal(heatmap(at, 1)["z"], [[70, 0], [30, 0]])
    assert "[0] * 70 + [1] * 30" in "\n".join(c.value for c in at.code)


def test_url_restores_the_lesson_state():
    query = {
        "met_norm": E.NORMALISATIONS[2],
        "met_class": "malignant",
        "met_true": "malignant",
        "met_pred": "benign",
        "met_minority": "10",
        "met_model": "Small MLP (32 ReLU)",
        "met_seed": "2",
    }
    at = open_page(PAGE, query=query)
    assert at.radio(key="met_norm").value == E.NORMALISATIONS[2]
    assert at.selectbox(key="met_class").value == "malignant"
    assert at.selectbox(key="met_true").value == "malignant"
    assert at.selectbox(key="met_pred").value == "benign"
    assert at.slider(key="met_minority").value == 10
    assert at.selectbox(key="met_model").value == "Small MLP (32 ReLU)"
    assert at.number_input(key="met_seed").value == 2
    ev = E.train_and_evaluate(DatasetSpec("Breast cancer"), "Small MLP (32 ReLU)", 2)
    expected = skm.confusion_matrix(ev.y_true, ev.y_pred, normalize="pred")
    np.testing.assert_allclose(heatmap(at)["z"], expected, atol=1e-4)
    assert r"\text{Precision}_{\text{malignant}}" in latex(at)


def test_dataset_from_the_link_is_used():
    at = open_page(PAGE, query={"dataset": "Wine", "met_class": "class_2"})
    assert at.selectbox(key="met_class").options == ["class_0", "class_1", "class_2"]
    assert at.selectbox(key="met_class").value == "class_2"
    ev = E.train_and_evaluate(DatasetSpec("Wine"), "Logistic regression", 0)
    np.testing.assert_array_equal(heatmap(at)["z"], skm.confusion_matrix(ev.y_true, ev.y_pred))
    assert r"\text{Precision}_{\text{class\_2}}" in latex(at)


def test_quiz_gives_feedback():
    at = open_page(PAGE)
    at.radio(key="met_quiz_q1").set_value("recall per class").run()
    assert any("Correct." in s.value for s in at.success)
    at.radio(key="met_quiz_q2").set_value("The mean of the three F1 scores").run()
    assert any("0.90, the same number" in e.value for e in at.error)
