"""The decision-threshold lesson's sections: the cached model, the threshold and everything
that moves with it, the chooser buttons, the cheat sheet's rule and the code panel.

Everything that depends on the threshold is one fragment (:func:`lesson`): moving the slider
or pressing a chooser reruns it, not the sidebar, the model or the prose around it. The parts
of the figures that do not depend on the threshold (histogram, score curves, ROC and PR
curves) are built once per model and cached; a rerun only adds the cut and the points.

The threshold slider (key ``thr``) is bound to the URL, so a bound key can only be written
through ``st.session_state`` before the slider is drawn: each chooser button's ``on_click``
callback writes the chosen threshold there, and the fragment's rerun draws the slider at it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib.core.datasets import Dataset, DatasetSpec, load_dataset
from lib.core.metrics import threshold_metrics
from lib.lessons import metrics as metrics_lesson
from lib.lessons.threshold import (
    EPOCHS,
    LEARNING_RATE,
    LogisticFit,
    best_f1_threshold,
    boundary_case,
    cost_threshold,
    example_row,
    expected_cost,
    fit_binary_logistic,
    recall_threshold,
    reproduce_code,
)
from lib.plots import threshold as plots
from lib.text import md_literal
from lib.ui import state
from lib.ui.presenter import chart, control_and_figure
from lib.ui.widgets import Question, code_panel

THR_KEY, SEED_KEY, RECALL_KEY, COST_KEY = "thr", "thr_seed", "thr_recall", "thr_cost"
_BIND = {"bind": "query-params"}
SCORES = ("accuracy", "precision", "recall", "f1")


def spec_of(dataset: Dataset) -> DatasetSpec:
    """The spec of the dataset in use (the fallback's when the sidebar choice has > 2 classes)."""
    spec = getattr(dataset, "spec", None) or state.current_spec()
    return spec if spec.name == dataset.name else DatasetSpec(name=dataset.name)


@st.cache_data(show_spinner="Training a logistic regression…", max_entries=32)
def cached_fit(spec: DatasetSpec, seed: int) -> LogisticFit:
    """One training per (dataset spec, seed) per process; a copy is returned each rerun."""
    return fit_binary_logistic(load_dataset(spec), seed=seed)


@st.cache_data(show_spinner=False, max_entries=16)
def _bases(spec: DatasetSpec, seed: int) -> tuple[dict, dict, dict]:
    """Once per model: the threshold-free parts of the two large figures, and the metrics
    at t = 0.5 that the scores are compared with."""
    fit = cached_fit(spec, seed)
    return (
        plots.threshold_base(fit.y, fit.proba, fit.class_names),
        plots.curves_base(fit.y, fit.proba),
        threshold_metrics(fit.y, fit.proba, 0.5),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _choices(spec: DatasetSpec, seed: int, target: float, ratio: float) -> tuple:
    """((threshold, metrics) for the best F1, the target recall, the lowest cost), per input."""
    fit = cached_fit(spec, seed)
    y, p = fit.y, fit.proba
    picked = (
        best_f1_threshold(y, p),
        recall_threshold(y, p, target),
        cost_threshold(y, p, ratio),
    )
    return tuple((t, threshold_metrics(y, p, t)) for t in picked)


def model_caption(fit: LogisticFit, dataset_name: str) -> None:
    """What the model is, and why the Metrics lesson's model counts a little differently."""
    positive = md_literal(fit.class_names[1])
    st.caption(
        f"A logistic regression ({fit.n_features} standardised features → 1 logit) trained with "
        f"Adam for {fit.epochs} full-batch epochs on {fit.n_train} rows of "
        f"**{md_literal(dataset_name)}**. Everything below is measured on the {fit.n_test} test "
        f"rows; class 1 = **{positive}**."
    )
    st.caption(
        "The Metrics lesson trains the same kind of model on the same split, but with "
        f"mini-batches of {metrics_lesson.BATCH_SIZE} rows (learning rate "
        f"{metrics_lesson.LEARNING_RATE}, about {metrics_lesson.STEP_BUDGET} steps) instead of "
        f"{EPOCHS} full-batch steps (learning rate {LEARNING_RATE}): its weights end a little "
        "elsewhere, so a few test rows can fall on the other side of t = 0.5 there."
    )


@st.fragment
def lesson(fit: LogisticFit, spec: DatasetSpec, seed: int) -> None:
    """The threshold and everything that moves with it."""
    st.header("Move the threshold")
    control, figure_box = control_and_figure()
    threshold = control.slider(
        "Threshold t", 0.0, 1.0, 0.5, 0.001, format="%.3f", key=THR_KEY,
        help="Rows with p ≥ t are predicted class 1.", **_BIND,
    )  # fmt: skip
    m = threshold_metrics(fit.y, fit.proba, threshold)
    view_base, curves_base, at_half = _bases(spec, seed)
    scores(control, m, at_half)
    with figure_box:
        chart(plots.threshold_view(view_base, threshold))
        st.caption(plots.threshold_summary(m, threshold, fit.class_names))
    confusion(fit, m)
    st.header("One point on every curve")
    st.markdown(
        "The ROC and precision–recall curves sweep **every** threshold at once, so their areas "
        "(AUC, average precision) do not depend on t; your threshold is one diamond on each."
    )
    chart(plots.curves_view(curves_base, m, threshold))
    st.caption(plots.curves_summary(curves_base, m, threshold))
    st.header("The cheat sheet's rule with your numbers")
    rule_section(fit, threshold)
    code_panel(
        reproduce_code(spec, seed, threshold, fit.stratified),
        "The PyTorch + scikit-learn code that prints this confusion matrix",
    )


@st.fragment
def goal_section(spec: DatasetSpec, seed: int) -> None:
    """Three goals that each pick a t. Not in :func:`lesson`'s fragment: it does not depend
    on the threshold, so moving the slider does not redraw it, and its own inputs (target
    recall, cost ratio) rerun only this section. A button sets the slider and reruns the
    page, so that everything that depends on t follows."""
    st.header("Let a goal choose the threshold")
    st.markdown(
        "0.5 is a default, not a law. Say what matters and let the numbers pick t; each button "
        "moves the slider above (and the link)."
    )
    choosers(spec, seed)


def scores(where, m: dict, base: dict) -> None:
    """Accuracy, precision, recall and F1 at t, each with its change from t = 0.5."""
    for column, name in zip(where.columns(4), SCORES, strict=True):
        delta = m[name] - base[name]
        column.metric(
            name.capitalize() if name != "f1" else "F1",
            f"{m[name]:.3f}",
            delta=f"{delta:+.3f} vs t = 0.5" if abs(delta) > 1e-12 else None,
        )


def confusion(fit: LogisticFit, m: dict) -> None:
    """The confusion matrix, its four counts, and recall and precision from them."""
    positive = md_literal(fit.class_names[1])
    left, right = st.columns([3, 2])
    with left:
        chart(plots.confusion_heatmap(m["tn"], m["fp"], m["fn"], m["tp"], fit.class_names))
        st.caption(plots.confusion_summary(m))
    for column, name in zip(right.columns(4), ("tn", "fp", "fn", "tp"), strict=True):
        column.metric(name.upper(), m[name])
    right.markdown(
        f"Bars right of the dashed vertical line are predicted **{positive}**. "
        f"Recall = TP / (TP + FN) = {m['tp']} / {m['tp'] + m['fn']} = {m['recall']:.3f}: the "
        f"share of real {positive} cases caught. Precision = TP / (TP + FP) = {m['tp']} / "
        f"{m['tp'] + m['fp']} = {m['precision']:.3f}: how often a *{positive}* alarm is right."
    )


def _set_threshold(value: float) -> None:
    st.session_state[THR_KEY] = float(value)


def _chooser(column, label: str, value: float, detail: str, key: str) -> None:
    # The callback sets the slider's value before any script runs; the click itself reruns
    # only this fragment, so the page is then run, and everything that depends on t follows.
    if column.button(f"{label}: t = {value:.4g}", key=key, on_click=_set_threshold,
                     args=(value,), width="stretch"):  # fmt: skip
        st.rerun()
    column.caption(detail)


def choosers(spec: DatasetSpec, seed: int) -> None:
    """Three ways to pick t; each button moves the slider (and everything with it)."""
    f1_col, recall_col, cost_col = st.columns(3)
    target = recall_col.number_input(
        "Target recall", 0.01, 1.0, 0.95, 0.01, key=RECALL_KEY, **_BIND
    )
    ratio = cost_col.number_input(
        "Cost of a FN ÷ cost of a FP", 0.01, 1000.0, 5.0, 0.5, key=COST_KEY, **_BIND
    )
    try:
        (best, m_best), (reach, m_reach), (cheap, m_cheap) = _choices(
            spec, seed, float(target), float(ratio)
        )
    except ValueError as error:
        st.error(md_literal(str(error)))
        return
    f1_col.markdown("**Best F1** on the test set")
    _chooser(
        f1_col,
        "Best F1",
        best,
        f"F1 = {m_best['f1']:.3f} (precision {m_best['precision']:.3f}, "
        f"recall {m_best['recall']:.3f})",
        "thr_pick_f1",
    )
    _chooser(
        recall_col,
        f"Catch ≥ {target:.0%}",
        reach,
        f"The highest t with recall ≥ {target:.2f}: recall {m_reach['recall']:.3f}, "
        f"precision {m_reach['precision']:.3f}.",
        "thr_pick_recall",
    )
    _chooser(
        cost_col,
        "Cheapest",
        cheap,
        f"Cost = {ratio:g}·FN + FP = {ratio:g}·{m_cheap['fn']} + {m_cheap['fp']} = "
        f"{expected_cost(m_cheap['fn'], m_cheap['fp'], float(ratio)):g} false-alarm units.",
        "thr_pick_cost",
    )


def rule_section(fit: LogisticFit, threshold: float) -> None:
    """The cheat sheet's ``int(probability >= threshold)`` on a real test row, and where ≥ vs >
    differ."""
    row = example_row(fit.proba, threshold)
    p = fit.proba[row]
    st.code(
        f"threshold = {threshold:.4g}\n"
        f"probability = {p:.6g}   # test row {row}, true class {fit.y[row]} "
        f"({fit.class_names[fit.y[row]]})\n"
        f"classification = int(probability >= threshold)   # = {int(p >= threshold)}",
        language="python",
    )
    case = boundary_case(fit.proba, threshold)
    t = threshold if case else float(p)
    at = threshold_metrics(fit.y, fit.proba, t)
    above = threshold_metrics(fit.y, fit.proba, float(np.nextafter(t, np.inf)))
    where = "right now" if case else f"if t were exactly row {row}'s probability"
    st.markdown(
        f"**≥ or >?** A row whose probability equals the threshold is class 1 with `>=` "
        f"(the cheat sheet's rule) and class 0 with `>`. That happens {where}: t = {t:.6g} "
        f"gives TP {at['tp']}, FP {at['fp']} with `>=` but TP {above['tp']}, FP {above['fp']} "
        "with `>`. The choosers put t exactly on a row's probability, so the rule must be "
        "stated; scikit-learn's curves and ClassLab use `>=`."
    )


QUESTIONS = [
    Question(
        "You lower the threshold from 0.5 to 0.3. What can happen to recall?",
        ("It can only go up or stay the same", "It can only go down", "Anything"),
        0,
        "A lower cut turns more rows positive: true positives can only be added, never removed, "
        "and recall = TP / (TP + FN) has a fixed denominator.",
    ),
    Question(
        "Missing a cancer costs 20 times more than a false alarm. Where should the threshold go?",
        ("Higher than 0.5", "Lower than 0.5", "Keep 0.5; the model already knows"),
        1,
        "Expensive false negatives push the cut down: you accept more false positives to miss "
        "fewer positives. With calibrated probabilities the cheapest cut is 1 / (1 + 20) ≈ 0.05.",
    ),
    Question(
        "Which of these does NOT change when you move the threshold?",
        ("The confusion matrix", "The F1 score", "The ROC curve and its AUC"),
        2,
        "The ROC and PR curves are drawn over every threshold at once; moving t only moves the "
        "point on them.",
    ),
    Question(
        "Why would `int(p > t)` and `int(p >= t)` ever disagree?",
        ("Only when p equals t exactly", "Whenever p is near 0.5", "They never disagree"),
        0,
        "They differ only at the boundary p = t; that is exactly where the choosers place t.",
    ),
]
