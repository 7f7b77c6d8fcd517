"""Streamlit glue for the metrics lesson: the cached training, the report table, the quiz."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core.datasets import DatasetSpec
from lib.lessons.metrics import (
    Evaluation,
    averages,
    cell_rows,
    imbalanced_example,
    report_code,
    report_frame,
    train_and_evaluate,
)
from lib.ui.state import DATASET_KEY
from lib.ui.widgets import Question

MULTICLASS_DEFAULT = "Iris"


@st.cache_data(show_spinner="Training the model once for this dataset and seed…", max_entries=32)
def cached_evaluation(spec: DatasetSpec, model_name: str, seed: int) -> Evaluation:
    """Deterministic for (spec, model, seed), so one training serves every learner."""
    return train_and_evaluate(spec, model_name, seed)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_summary(spec: DatasetSpec, model_name: str, seed: int) -> dict:
    """Everything the page shows about one trained model, computed once (one cache read per
    rerun instead of re-deriving the report, the averages and the code)."""
    ev = cached_evaluation(spec, model_name, seed)
    report = ev.report()
    return {
        "names": ev.names,
        "cm": ev.confusion(),
        "caption": f"{ev.model_name} trained for {ev.epochs} epochs with Adam on {ev.dataset}; "
        f"{len(ev.y_true)} test rows.",
        "report": report,
        "frame": report_frame(report),
        "text": ev.report_text(),
        "averages": averages(ev.y_true, ev.y_pred, ev.labels, ev.names),
        "code": report_code(spec, model_name, seed),
    }


@st.cache_data(show_spinner=False, max_entries=256)
def cached_cell_rows(spec: DatasetSpec, model_name: str, seed: int, true_k: int, pred_k: int):
    return cell_rows(cached_evaluation(spec, model_name, seed), true_k, pred_k)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_imbalanced(n_majority: int, n_minority: int) -> dict:
    return imbalanced_example(n_majority, n_minority)


def _use_multiclass() -> None:
    st.session_state[DATASET_KEY] = MULTICLASS_DEFAULT


def multiclass_hint(is_binary: bool) -> None:
    """On a binary dataset, offer a one-click switch to Iris (three classes)."""
    if is_binary:
        st.info(
            "This dataset has two classes, so the matrix is 2 × 2 and one class is “positive”. "
            "Macro vs weighted vs micro is most interesting with more classes."
        )
        st.button(
            f"Switch to {MULTICLASS_DEFAULT} (3 classes)",
            key="met_use_iris",
            on_click=_use_multiclass,
        )


def report_table(frame: pd.DataFrame) -> None:
    """The ``output_dict`` report as a table: per class, accuracy, macro and weighted avg."""
    number = st.column_config.NumberColumn(format="%.3f")
    config = {c: number for c in ("precision", "recall", "f1-score")}
    st.dataframe(frame, column_config=config, width="stretch")


def cell_table(rows: pd.DataFrame) -> None:
    if rows.empty:
        st.caption("No test row falls in this cell.")
    else:
        st.dataframe(rows, width="stretch", hide_index=True, height=min(400, 40 + 35 * len(rows)))


QUIZ = [
    Question(
        "Rows of scikit-learn's confusion matrix are …",
        ("the predicted classes", "the true classes", "sorted by count"),
        1,
        "Rows are the true class and columns the predicted class, so a row sums to the "
        "class's support and a column to how often the class was predicted.",
    ),
    Question(
        "If you divide every row of the confusion matrix by its sum, the diagonal holds …",
        ("precision per class", "recall per class", "accuracy"),
        1,
        "A row is every sample of one true class; the diagonal cell is the share of them found: "
        "TP / (TP + FN), the recall. Column-normalising gives precision.",
    ),
    Question(
        "A 3-class model's report shows accuracy 0.90. What is its micro-averaged F1?",
        (
            "0.90, the same number",
            "It can't be known without the supports",
            "The mean of the three F1 scores",
        ),
        0,
        "With one label per sample every mistake is one FP and one FN, so micro precision = "
        "micro recall = micro F1 = correct / total = accuracy. The mean of the F1s is macro.",
    ),
    Question(
        "Which average gives a large class more say than a small one?",
        ("macro avg", "weighted avg", "neither"),
        1,
        "Weighted avg weights each class by its support (number of true samples). The cheat "
        "sheet calls this “micro”, but in scikit-learn micro pools all decisions.",
    ),
    Question(
        "On data with 95 % negatives, a model that always says “negative” scores …",
        (
            "95 % accuracy and 0 recall on the positives",
            "50 % accuracy",
            "0 % precision on the negatives",
        ),
        0,
        "It is right on every negative (95 %) and finds none of the positives: recall 0. "
        "Per-class recall and macro F1 expose what accuracy hides.",
    ),
]


def select_cell() -> None:
    """Plotly click on the heatmap → the drill-down's true / predicted selectboxes."""
    selection = st.session_state.get("met_cm_chart")
    points = (selection or {}).get("selection", {}).get("points", [])
    if points:
        st.session_state["met_true"] = str(points[0]["y"])
        st.session_state["met_pred"] = str(points[0]["x"])
