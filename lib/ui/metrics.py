"""Streamlit glue for the metrics lesson: the cached training, the sections, the quiz.

The dataset, model and seed decide the trained model, so their controls rerun the page. The
confusion-matrix sections (normalisation, class, drill-down cell and a click on the matrix) and
"accuracy can lie" (its slider) each change only themselves: each is an ``st.fragment``.
Training is cached per (dataset, model, seed) for every learner; the heatmap figure is cached
by its exact inputs (building it is the costliest step of a rerun).
"""

from __future__ import annotations

from functools import lru_cache, partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.core.datasets import DatasetSpec
from lib.lessons import metrics as ev_lib
from lib.lessons.metrics import (
    Evaluation,
    averages,
    cell_rows,
    imbalanced_example,
    report_code,
    report_frame,
    train_and_evaluate,
)
from lib.plots.metrics import cell_of_point, confusion_heatmap
from lib.text import md_literal
from lib.ui.presenter import chart, control_and_figure, presenting
from lib.ui.state import DATASET_KEY
from lib.ui.widgets import Question, code_panel, mistake

URL = {"bind": "query-params"}

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
    """The ``output_dict`` report as a table: per class, accuracy, macro and weighted avg.

    Tall enough for every row, so the accuracy row and the averages are always in view.
    """
    number = st.column_config.NumberColumn(format="%.3f")
    config = {c: number for c in ("precision", "recall", "f1-score")}
    height = 35 * (len(frame) + 1) + 3  # the header and every row, 35 px each
    st.dataframe(frame, column_config=config, width="stretch", height=height)


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


def select_cell(names: list[str]) -> None:
    """Plotly click on the heatmap → the drill-down's true / predicted selectboxes.

    The cell comes from the clicked target's index, not its label: labels are escaped for
    plotly, so they need not equal the class names.
    """
    selection = st.session_state.get("met_cm_chart")
    points = (selection or {}).get("selection", {}).get("points", [])
    if points and "point_index" in points[0]:
        i, j = cell_of_point(points[0]["point_index"], len(names))
        st.session_state["met_true"] = names[i]
        st.session_state["met_pred"] = names[j]


@lru_cache(maxsize=256)
def _heatmap(
    cells: tuple[tuple[int, ...], ...],
    names: tuple[str, ...],
    how: str,
    highlight: tuple[int, int] | None,
    title: str | None,
    clickable: bool,
) -> go.Figure:
    return confusion_heatmap(np.array(cells), list(names), how, highlight, title, clickable)


def heatmap(cm: np.ndarray, names: list[str], how: str = "Counts", highlight=None, title=None,
            clickable: bool = False) -> go.Figure:  # fmt: skip
    """:func:`confusion_heatmap`, built once per exact input. The figure is shared: callers
    draw it and never change it (``chart`` draws a copy)."""
    cells = tuple(tuple(int(v) for v in row) for row in np.asarray(cm))
    return _heatmap(cells, tuple(names), how, highlight, title, clickable)


@st.fragment
def confusion_sections(spec: DatasetSpec, model_name: str, seed: int) -> None:
    """Sections 1–3: the matrix (the key section), one class's formulas, a cell's rows.

    One fragment: the drill-down cell is outlined on the matrix and a click on the matrix
    picks the cell, so the three move together and nothing else reruns with them."""
    summary = cached_summary(spec, model_name, seed)
    names, cm = summary["names"], summary["cm"]
    st.header("1. The confusion matrix")
    controls, figure = control_and_figure()
    with controls:
        norm = st.radio(
            "Show", ev_lib.NORMALISATIONS, horizontal=not presenting(), key="met_norm", **URL
        )
        st.caption(
            "Row-normalised: each row sums to 1 and the diagonal is each class's **recall**. "
            "Column-normalised: each column sums to 1 and the diagonal is **precision**. "
            "– marks a row or column with no samples, where the share is undefined."
        )
    chart_slot, caption_slot = figure.empty(), figure.empty()
    st.latex(ev_lib.accuracy_latex(cm))
    class_section(cm, names)
    true_k, pred_k, n_rows = drill_down_section(spec, model_name, seed, names)
    with chart_slot:
        chart(
            heatmap(cm, names, norm, (true_k, pred_k), clickable=True),
            key="met_cm_chart",
            on_select=partial(select_cell, names),
            selection_mode="points",
        )
    correct, total = int(np.trace(cm)), int(cm.sum())
    caption_slot.caption(
        f"{correct} of {total} test rows lie on the diagonal (accuracy {correct / total:.3f}). "
        f"The dashed outline marks true {md_literal(names[true_k])}, predicted "
        f"{md_literal(names[pred_k])}: {n_rows} rows."
    )


def class_section(cm: np.ndarray, names: list[str]) -> None:
    st.header("2. Precision, recall and F1 for one class")
    chosen = st.selectbox("Class", names, key="met_class", **URL)
    k = names.index(chosen)
    formulas = ev_lib.class_formulas(cm, k, chosen)
    counts = formulas["values"]
    for col, key in zip(st.columns(4), ("tp", "fp", "fn", "tn"), strict=True):
        col.metric(key.upper(), counts[key])
    st.caption(
        f"One-vs-rest: “{md_literal(chosen)}” is the positive class and every other class is "
        "negative. TP is the diagonal cell, FP the rest of its column, FN the rest of its row."
    )
    for key in ("precision", "recall", "f1", "ovr_accuracy"):
        st.latex(formulas[key])


def drill_down_section(spec: DatasetSpec, model_name: str, seed: int, names: list[str]):
    """Section 3; returns the chosen cell (true, predicted) and its number of rows."""
    st.header("3. Which test rows are in a cell?")
    st.markdown("Pick a cell (or click one in the matrix above) to list the test rows in it.")
    left, right = st.columns(2)
    true_name = left.selectbox("True class", names, key="met_true", **URL)
    pred_name = right.selectbox("Predicted class", names, key="met_pred", **URL)
    true_k, pred_k = names.index(true_name), names.index(pred_name)
    rows = cached_cell_rows(spec, model_name, seed, true_k, pred_k)
    st.markdown(
        f"**{len(rows)}** test rows are **{md_literal(true_name)}** and predicted "
        f"**{md_literal(pred_name)}**."
    )
    cell_table(rows)
    return true_k, pred_k, len(rows)


def report_sections(summary: dict) -> None:
    """Sections 4–5: the classification report, and the three averages spelled out."""
    st.header("4. The classification report")
    report_table(summary["frame"])
    st.caption(
        "The accuracy row has no precision or recall of its own (empty, shown as None); "
        "its f1-score column holds the accuracy and its support the number of test rows, as "
        "in the text report below."
    )
    st.markdown("The same report in the text form the cheat sheet prints:")
    st.code(summary["text"], language="text")
    code_panel(
        summary["code"],
        "The whole program in plain Python (numpy, pandas, PyTorch, scikit-learn) that "
        "reproduces this report",
    )
    st.header("5. Macro, weighted and micro averages")
    avg = summary["averages"]
    st.markdown("- **macro avg**: the plain mean over classes, every class counts the same.")
    st.latex(avg["macro_latex"])
    st.markdown(
        "- **weighted avg**: each class weighted by its **support** (its number of true rows)."
    )
    st.latex(avg["weighted_latex"])
    st.markdown(
        "- **micro avg**: pool every decision of every class, then compute once. With one "
        "label per row, each mistake is one FP (its column) and one FN (its row), so micro "
        "precision = micro recall = micro F1 = **accuracy**. That is why the report prints "
        "an `accuracy` row instead of a micro avg row."
    )
    st.latex(avg["micro_latex"])
    c1, c2 = st.columns(2)
    c1.metric("micro F1", f"{avg['micro']:.4f}")
    c2.metric("accuracy (correct / total)", f"{avg['accuracy']:.4f}")
    mistake(
        "“micro” is not support-weighted",
        "The cheat sheet says the *micro* average “gives more weight to classes with a larger "
        "number of observations (support)”. In scikit-learn that is the **weighted** average. "
        "Micro pools every prediction; for single-label classification it equals accuracy.",
    )


@st.fragment
def imbalance_section() -> None:
    st.header("6. Accuracy can lie")
    minority = st.slider("Share of the rare class (%)", 1, 50, 5, key="met_minority", **URL)
    ex = cached_imbalanced(100 - minority, minority)
    st.markdown(
        f"{100 - minority} rows of the majority class and {minority} of the minority; the "
        "“model” always predicts the majority."
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("accuracy of “always majority”", f"{ex['accuracy']:.0%}")
    c2.metric("recall of the minority", f"{ex['report']['minority']['recall']:.0%}")
    c3.metric("macro F1", f"{ex['macro_f1']:.2f}")
    chart(heatmap(ex["confusion"], ex["names"], title="Always the majority"), key="met_imb_chart")
    st.caption(
        f"All {100 - minority} majority rows and all {minority} minority rows sit in the "
        "“predicted majority” column: the diagonal holds only the majority, so accuracy is "
        f"{ex['accuracy']:.0%} while the minority's recall is 0."
    )
    code_panel(ev_lib.imbalanced_code(100 - minority, minority), "The code for this example")
    mistake(
        "trusting accuracy on imbalanced data",
        "A classifier that never finds the rare class can still score high accuracy. Read the "
        "per-class recall and the macro average, and look at the confusion matrix.",
    )
