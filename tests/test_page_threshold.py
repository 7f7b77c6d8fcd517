"""The decision-threshold page under AppTest: every control moves the shown numbers, which
equal scikit-learn's on the same model's probabilities."""

import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

from lib.core.datasets import DatasetSpec, load_dataset
from lib.lessons.threshold import (
    best_f1_threshold,
    cost_threshold,
    fit_binary_logistic,
    recall_threshold,
)
from tests.conftest import metric_values, open_page, texts

PAGE = "pages/3_Decision_Threshold.py"


@pytest.fixture(scope="module")
def cancer():
    return fit_binary_logistic(load_dataset(DatasetSpec()), seed=0)


def shown(at) -> dict:
    values = metric_values(at)
    out = {k.lower(): int(values[k]) for k in ("TN", "FP", "FN", "TP")}
    out.update({k.lower(): float(values[k]) for k in ("Accuracy", "Precision", "Recall", "F1")})
    return out


def expected(fit, threshold) -> dict:
    pred = (fit.proba >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(fit.y, pred, labels=[0, 1]).ravel()
    return {
        "tn": tn,
        "fp": fp,
        "fn": fn,
        "tp": tp,
        "accuracy": accuracy_score(fit.y, pred),
        "precision": precision_score(fit.y, pred, zero_division=0.0),
        "recall": recall_score(fit.y, pred, zero_division=0.0),
        "f1": f1_score(fit.y, pred, zero_division=0.0),
    }


def assert_matches(at, fit, threshold):
    got, want = shown(at), expected(fit, threshold)
    for key in ("tn", "fp", "fn", "tp"):
        assert got[key] == want[key], key
    for key in ("accuracy", "precision", "recall", "f1"):
        assert got[key] == pytest.approx(want[key], abs=5e-4), key


def pick(button: str, **inputs: float):
    """Open the page, set the chooser's number inputs, click ``button``: (page, new threshold)."""
    at = open_page(PAGE)
    for key, value in inputs.items():
        at.number_input(key=key).set_value(value).run()
    at.button(key=button).click().run()
    assert not at.exception
    return at, at.slider(key="thr").value


@pytest.fixture(scope="module")
def page():
    return open_page(PAGE)


def test_defaults_breast_cancer_at_one_half(page, cancer):
    at = page
    assert [t.value for t in at.title] == ["Decision threshold"]
    assert at.slider(key="thr").value == 0.5
    assert at.sidebar.selectbox(key="dataset").value == "Breast cancer"
    assert_matches(at, cancer, 0.5)
    got = shown(at)
    assert got["tn"] + got["fp"] + got["fn"] + got["tp"] == 143
    body = texts(at)
    assert "int(probability >= threshold)" in body and "143 test rows" in body
    assert len(at.get("plotly_chart")) == 3
    assert not at.error


def test_lowering_the_threshold_never_lowers_recall(cancer):
    at = open_page(PAGE)
    before = shown(at)
    at.slider(key="thr").set_value(0.3).run()
    assert not at.exception
    after = shown(at)
    assert after["recall"] >= before["recall"]
    assert after["tp"] + after["fn"] == before["tp"] + before["fn"]
    assert sum(after[k] for k in ("tn", "fp", "fn", "tp")) == 143
    assert after["tp"] + after["fp"] >= before["tp"] + before["fp"]
    assert_matches(at, cancer, 0.3)
    # every figure follows the slider
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert sum("threshold 0.300" in s for s in specs) == 2  # the cut's label and the diamonds
    assert f'"z":[[{after["tn"]},{after["fp"]}],[{after["fn"]},{after["tp"]}]]' in specs[1]


def test_best_f1_button_sets_the_threshold(cancer):
    at, t = pick("thr_pick_f1")
    assert t == pytest.approx(best_f1_threshold(cancer.y, cancer.proba))
    assert_matches(at, cancer, t)
    assert shown(at)["f1"] >= expected(cancer, 0.5)["f1"] - 1e-9
    # the chooser put t exactly on a row's probability: the >= / > case is live
    assert "right now" in texts(at)


def test_target_recall_button_sets_the_threshold(cancer):
    at, t = pick("thr_pick_recall", thr_recall=0.99)
    assert t == pytest.approx(recall_threshold(cancer.y, cancer.proba, 0.99))
    assert t < 0.5
    assert shown(at)["recall"] >= 0.99
    assert_matches(at, cancer, t)


def test_cost_ratio_button_sets_the_threshold(cancer):
    at, t = pick("thr_pick_cost", thr_cost=20.0)
    assert t == pytest.approx(cost_threshold(cancer.y, cancer.proba, 20.0))
    got = shown(at)
    assert (
        20 * got["fn"] + got["fp"] <= 20 * expected(cancer, 0.5)["fn"] + expected(cancer, 0.5)["fp"]
    )
    assert "20·" in texts(at)


def test_multiclass_choice_falls_back_with_a_message(cancer):
    at = open_page(PAGE)
    at.sidebar.selectbox(key="dataset").select("Iris").run()
    assert not at.exception
    info = " ".join(i.value for i in at.sidebar.info)
    assert "Iris has 3 classes" in info and "Breast cancer" in info
    assert_matches(at, cancer, 0.5)


def test_two_class_generated_dataset_works():
    at = open_page(PAGE)
    at.sidebar.selectbox(key="dataset").select("Moons").run()
    assert not at.exception
    spec = DatasetSpec(name="Moons")
    fit = fit_binary_logistic(load_dataset(spec), seed=0)
    got = shown(at)
    assert sum(got[k] for k in ("tn", "fp", "fn", "tp")) == fit.n_test == 75
    assert_matches(at, fit, 0.5)
    assert "Moons" in " ".join(c.value for c in at.caption)


def test_link_restores_the_threshold(cancer):
    at = open_page(PAGE, query={"thr": "0.3", "thr_seed": "0"})
    assert at.slider(key="thr").value == pytest.approx(0.3)
    assert_matches(at, cancer, 0.3)


def test_link_restores_the_chooser_settings(cancer):
    at = open_page(PAGE, query={"thr_recall": "0.99", "thr_cost": "20"})
    assert at.number_input(key="thr_recall").value == pytest.approx(0.99)
    assert at.number_input(key="thr_cost").value == pytest.approx(20.0)
    t = recall_threshold(cancer.y, cancer.proba, 0.99)
    assert at.button(key="thr_pick_recall").label == f"Catch ≥ 99%: t = {t:.4g}"
    assert (
        f"{cost_threshold(cancer.y, cancer.proba, 20.0):.4g}"
        in at.button(key="thr_pick_cost").label
    )


def test_multiclass_link_falls_back(cancer):
    at = open_page(PAGE, query={"dataset": "Wine"})
    assert_matches(at, cancer, 0.5)
    assert "Wine has 3 classes" in " ".join(i.value for i in at.sidebar.info)


def test_seed_changes_the_model():
    at = open_page(PAGE, query={"thr_seed": "3"})
    fit = fit_binary_logistic(load_dataset(DatasetSpec()), seed=3)
    assert_matches(at, fit, 0.5)
    assert "SEED, THRESHOLD = 3, 0.5" in texts(at)


@pytest.mark.parametrize(
    "query",
    [
        {"thr": "0.3"},
        {"dataset": "Moons", "points": "240", "noise": "0.35", "data_seed": "4", "thr": "0.62",
         "thr_seed": "2"},
        {"dataset": "Spiral", "classes": "2", "points": "200", "thr": "0.45"},
        {"dataset": "Wine", "thr_seed": "1"},  # multiclass: the page falls back to Breast cancer
    ],
)  # fmt: skip
def test_shown_code_runs_alone_and_prints_the_page_confusion_matrix(query, tmp_path):
    """The code panel in a fresh interpreter, outside the repository (no ClassLab to import)."""
    at = open_page(PAGE, query=query)
    code = next(c.value for c in at.code if "confusion_matrix" in c.value)
    assert "import lib" not in code and "from lib" not in code
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = shown(at)
    assert f"TN={got['tn']} FP={got['fp']} FN={got['fn']} TP={got['tp']}" in out.stdout


def test_the_caption_says_why_the_metrics_lesson_counts_differently(page):
    body = texts(page)
    assert "The Metrics lesson trains the same kind of model on the same split" in body
    assert "mini-batches of 32 rows" in body


def test_rule_uses_a_real_test_row(cancer):
    at = open_page(PAGE)
    rule = next(c.value for c in at.code if "classification = int(" in c.value)
    row = int(np.argmin(np.abs(cancer.proba - 0.5)))
    assert f"test row {row}" in rule
    assert f"# = {int(cancer.proba[row] >= 0.5)}" in rule
    assert "if t were exactly" in texts(at)


def test_quiz_gives_feedback():
    at = open_page(PAGE)
    at.radio(key="thr_quiz_q0").set_value("It can only go up or stay the same").run()
    at.radio(key="thr_quiz_q2").set_value("The confusion matrix").run()
    assert any("Correct" in s.value for s in at.success)
    assert any("Not quite" in e.value for e in at.error)
    assert "Score: 1 / 4" in texts(at)


def test_opens_with_a_challenge(page):
    assert page.info[0].value.startswith("**Try this:**") and "0.2" in page.info[0].value


def test_prose_names_the_cut_by_its_shape_not_its_colour(page):
    body = texts(page)
    assert "red line" not in body and "red point" not in body
    assert "dashed vertical line" in body and "one diamond on each" in body
    assert "The cheat sheet's rule with your numbers" in [h.value for h in page.header]
    assert "seed's" not in body
