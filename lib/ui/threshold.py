"""Glue for the decision-threshold lesson: the cached model, the chooser buttons, the quiz.

The threshold slider (key ``thr``) is bound to the URL, so a bound key can only be written
through ``st.session_state`` before the slider is drawn: each chooser button's ``on_click``
callback writes the chosen threshold there, and the rerun that follows draws the slider at it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib.core.datasets import Dataset, DatasetSpec, load_dataset
from lib.lessons.threshold import (
    LogisticFit,
    best_f1_threshold,
    boundary_case,
    cost_threshold,
    example_row,
    expected_cost,
    fit_logistic,
    metrics_at,
    recall_threshold,
)
from lib.ui import state
from lib.ui.widgets import Question

THR_KEY, SEED_KEY, RECALL_KEY, COST_KEY = "thr", "thr_seed", "thr_recall", "thr_cost"
_BIND = {"bind": "query-params"}


def spec_of(dataset: Dataset) -> DatasetSpec:
    """The spec of the dataset in use (the fallback's when the sidebar choice has > 2 classes)."""
    spec = getattr(dataset, "spec", None) or state.current_spec()
    return spec if spec.name == dataset.name else DatasetSpec(name=dataset.name)


@st.cache_data(show_spinner="Training a logistic regression…", max_entries=32)
def cached_fit(spec: DatasetSpec, seed: int) -> LogisticFit:
    """One training per (dataset spec, seed) per process; a copy is returned each rerun."""
    return fit_logistic(load_dataset(spec), seed=seed)


def _set_threshold(value: float) -> None:
    st.session_state[THR_KEY] = float(value)


def _chooser(column, label: str, value: float, detail: str, key: str) -> None:
    column.button(
        f"{label}: t = {value:.4g}",
        key=key,
        on_click=_set_threshold,
        args=(value,),
        width="stretch",
    )
    column.caption(detail)


def choosers(fit: LogisticFit) -> None:
    """Three ways to pick t; each button moves the slider (and everything with it)."""
    y, p = fit.y, fit.proba
    f1_col, recall_col, cost_col = st.columns(3)
    target = recall_col.number_input(
        "Target recall", 0.01, 1.0, 0.95, 0.01, key=RECALL_KEY, **_BIND
    )
    ratio = cost_col.number_input(
        "Cost of a FN ÷ cost of a FP", 0.01, 1000.0, 5.0, 0.5, key=COST_KEY, **_BIND
    )
    try:
        best = best_f1_threshold(y, p)
        reach = recall_threshold(y, p, float(target))
        cheap = cost_threshold(y, p, float(ratio))
    except ValueError as error:
        st.error(str(error))
        return
    f1_col.markdown("**Best F1** on the test set")
    m = metrics_at(y, p, best)
    _chooser(
        f1_col,
        "Best F1",
        best,
        f"F1 = {m['f1']:.3f} (precision {m['precision']:.3f}, recall {m['recall']:.3f})",
        "thr_pick_f1",
    )
    m = metrics_at(y, p, reach)
    _chooser(
        recall_col,
        f"Catch ≥ {target:.0%}",
        reach,
        f"The highest t with recall ≥ {target:.2f}: recall {m['recall']:.3f}, "
        f"precision {m['precision']:.3f}.",
        "thr_pick_recall",
    )
    m = metrics_at(y, p, cheap)
    _chooser(
        cost_col,
        "Cheapest",
        cheap,
        f"Cost = {ratio:g}·FN + FP = {ratio:g}·{m['fn']} + {m['fp']} = "
        f"{expected_cost(m['fn'], m['fp'], float(ratio)):g} false-alarm units.",
        "thr_pick_cost",
    )


def rule_section(fit: LogisticFit, threshold: float) -> None:
    """The seed's ``int(probability >= threshold)`` on a real test row, and where ≥ vs > differ."""
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
    at = metrics_at(fit.y, fit.proba, t)
    above = metrics_at(fit.y, fit.proba, float(np.nextafter(t, np.inf)))
    where = "right now" if case else f"if t were exactly row {row}'s probability"
    st.markdown(
        f"**≥ or >?** A row whose probability equals the threshold is class 1 with `>=` "
        f"(the seed's rule) and class 0 with `>`. That happens {where}: t = {t:.6g} gives "
        f"TP {at['tp']}, FP {at['fp']} with `>=` but TP {above['tp']}, FP {above['fp']} with `>`. "
        "The choosers put t exactly on a row's probability, so the rule must be stated; "
        "scikit-learn's curves and ClassLab use `>=`."
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
