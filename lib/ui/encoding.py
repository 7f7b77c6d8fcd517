"""Streamlit sections of the encoding lesson: each reads its widgets, calls lib.lessons.encoding,
shows the result and the code that produces it. Bad input becomes ``st.error``.

Typed text (the grade order, the code table, the new student's accommodation, all carried
by the link) and the dataset's column names are outside text: they reach Markdown only
through :func:`lib.text.md_literal` and figures only through ``plotly_literal``.

Each section whose widgets change nothing else is a fragment (label encoding, your dataset,
pitfalls 1 and 3): a change reruns that section only. ``drop_first`` (section 2) also drives
section 3 and pitfall 2: the page wraps sections 2–4 in one fragment, which it reruns.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from lib.core.datasets import ACCOMMODATIONS, Dataset, DatasetSpec, read_accommodation_example
from lib.core.datasets import read_students as _read_students
from lib.lessons import encoding as enc
from lib.plots.encoding import order_comparison_figure, order_comparison_summary
from lib.text import md_literal
from lib.ui.loaders import cached_dataset
from lib.ui.presenter import chart, control_and_figure, presenting
from lib.ui.widgets import code_panel

URL = {"bind": "query-params"}
DEFAULT_NOMINAL_ORDER = ",".join(ACCOMMODATIONS)


@st.cache_data(show_spinner=False)
def read_students() -> pd.DataFrame:
    return _read_students()


@st.cache_data(show_spinner=False, max_entries=64)
def cached_order_comparison(order: tuple[str, ...], km: float) -> enc.OrderComparison:
    """Two small trainings per (order, km): once per process."""
    return enc.invented_order_comparison(read_students(), list(order), km)


@st.cache_data(show_spinner=False, max_entries=64)
def default_table(mapping_items: tuple) -> pd.DataFrame:
    return enc.mapping_table(dict(mapping_items))


def _arrow(df: pd.DataFrame) -> pa.Table:
    """Display tables are cached as Arrow: st.dataframe then skips a ~1.5 ms conversion."""
    return pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)


@st.cache_data(show_spinner=False, max_entries=64)
def label_view(mapping_items: tuple) -> tuple[pa.Table, pa.Table]:
    """The first rows of the encoded grade column and the code of each grade."""
    shown, counts = enc.encoded_preview(read_students()["Letter_Grade"], dict(mapping_items))
    return _arrow(shown), _arrow(counts)


@st.cache_data(show_spinner=False)
def one_hot_view(drop_first: bool) -> tuple[pa.Table, pa.Table, pa.Table]:
    table = read_accommodation_example()
    return (
        _arrow(table),
        _arrow(enc.one_hot_pandas(table, "Accommodation", ACCOMMODATIONS, drop_first)),
        _arrow(enc.one_hot_sklearn(table, "Accommodation", ACCOMMODATIONS, drop_first)),
    )


@st.cache_data(show_spinner=False, max_entries=256)
def dataset_view(spec: DatasetSpec | None, column: str, drop_first: bool) -> tuple:
    """(estimate, preview table, one-hot columns not shown) for a column of the chosen table."""
    frame = read_students() if spec is None else cached_dataset(spec).frame()
    estimate, preview, hidden = enc.column_preview(frame, column, drop_first)
    return estimate, _arrow(preview), hidden


@st.cache_data(show_spinner=False)
def cached_trap(drop_first: bool) -> enc.DummyTrap:
    return enc.dummy_trap(read_students()["Accommodation"], drop_first)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_unseen(value: str, handle: str) -> enc.UnknownResult:
    return enc.encode_unseen(value, handle)


def _error(err: Exception) -> None:
    """A ValueError from lib, which may quote typed text, shown as plain text."""
    st.error(md_literal(str(err)))


@st.fragment
def render_label_encoding() -> None:
    st.header("1. Label encoding: letter grades")
    st.markdown(
        "Grades have a real order, so one integer per grade keeps it: **A → 4 … F → 0**. "
        "Type the order (highest code first) or edit the codes in the table."
    )
    text = st.text_input(
        "Order, highest code first", enc.DEFAULT_GRADE_ORDER, key="enc_order", **URL
    )
    try:
        default = enc.mapping_from_order(enc.parse_order(text))
    except ValueError as err:
        _error(err)
        return
    table = st.data_editor(
        default_table(tuple(default.items())),
        key=f"enc_map_{'|'.join(default)}",
        num_rows="dynamic",
        hide_index=True,
        column_config={"code": st.column_config.NumberColumn("code", step=1, format="%d")},
    )
    show_label_result(table)


def show_label_result(table: pd.DataFrame) -> None:
    """Validate the (possibly nonsense) mapping table and show the encoded grade column."""
    try:
        mapping = enc.validate_mapping(table)
        shown, counts = label_view(tuple(mapping.items()))
    except ValueError as err:
        _error(err)
        return
    left, right = st.columns(2)
    left.dataframe(shown, hide_index=True)
    right.dataframe(counts, hide_index=True)
    st.caption("Mapping in use: " + ", ".join(f"{md_literal(k)} → {v}" for k, v in mapping.items()))
    code_panel(enc.label_encode_code(mapping), "The pandas and scikit-learn code")


def render_one_hot() -> bool:
    st.header("2. One-hot encoding: accommodation")
    st.markdown(
        "Accommodation has **no order**: one 0/1 column per category, a 1 where the student "
        "lives. The cheat sheet's example, original and encoded:"
    )
    drop_first = st.checkbox("drop_first (drop the first category's column)", key="enc_drop", **URL)
    table, with_pandas, with_sklearn = one_hot_view(drop_first)
    pandas_code, sklearn_code = enc.one_hot_code(ACCOMMODATIONS, drop_first)
    original, note = st.columns([1, 2])
    original.dataframe(table, hide_index=True)
    note.markdown(
        "Each row gets a 1 in exactly one column: the first student lives in a **Rental**, "
        "so the first row is 1 under Rental and 0 elsewhere. `pd.get_dummies` and "
        "scikit-learn's `OneHotEncoder` build the same table:"
    )
    left, right = st.columns(2)
    left.markdown("**`pd.get_dummies`**")
    left.dataframe(with_pandas, hide_index=True)
    left.code(pandas_code, language="python", wrap_lines=True)
    right.markdown("**`OneHotEncoder`**")
    right.dataframe(with_sklearn, hide_index=True)
    right.code(sklearn_code, language="python", wrap_lines=True)
    return drop_first


@st.cache_data(show_spinner=False, max_entries=64)
def column_choices(spec: DatasetSpec | None) -> tuple[list[str], list[str], bool]:
    """(categorical columns, all columns categorical first, has categorical features)."""
    if spec is None:
        frame, features = read_students(), read_students()
    else:
        dataset = cached_dataset(spec)
        frame, features = dataset.frame(), dataset.features
    categorical = enc.categorical_columns(frame)
    ordered = categorical + [c for c in frame.columns if c not in categorical]
    return categorical, ordered, bool(enc.categorical_columns(features))


@st.fragment
def render_your_dataset(dataset: Dataset, spec: DatasetSpec, drop_first: bool) -> None:
    st.header("3. Your dataset")
    source: DatasetSpec | None = spec
    if not column_choices(spec)[2]:
        st.info(
            f"**{md_literal(dataset.name)}** has no categorical features: its "
            f"{dataset.features.shape[1]} features are all numbers. Only its target "
            f"'{md_literal(dataset.target_name)}' is a category."
        )
        if st.toggle("Use the student table instead", key="enc_students", **URL):
            source = None
    categorical, columns, _ = column_choices(source)
    column = st.selectbox("Column to encode (text columns first)", columns, key="enc_col", **URL)
    if column not in categorical:
        st.caption("A numeric column: one-hot would treat every distinct value as a category.")
    try:
        estimate, preview, hidden = dataset_view(source, column, drop_first)
    except ValueError as err:
        _error(err)
        return
    a, b, c = st.columns(3)
    a.metric("Categories", f"{estimate.n_categories:,}")
    b.metric("One-hot columns", f"{estimate.n_columns:,}")
    c.metric("Size as float32", enc.format_bytes(estimate.dense_bytes))
    if estimate.message:
        st.warning(md_literal(estimate.message))
    st.dataframe(preview, hide_index=True)
    if hidden:
        st.caption(f"… and {hidden:,} more one-hot columns not shown.")
    if source is not None:
        code_panel(enc.dataset_code(repr(source), column, drop_first), "The pandas code")


@st.fragment
def render_invented_order() -> None:
    st.subheader("Pitfall 1: label codes invent an order")
    if not presenting():
        st.markdown(
            "Predict *does the student commute far?* from **Accommodation alone** with a "
            "logistic model (`nn.Linear` + `BCEWithLogitsLoss`), once on label codes 0–3 and "
            "once on one-hot."
        )
    control, figure_box = control_and_figure()
    text = control.text_input(
        "Code order (code 0 first)", DEFAULT_NOMINAL_ORDER, key="enc_nom", **URL
    )
    km = control.slider("Far means more than (km)", 2.0, 20.0, 10.0, 0.5, key="enc_km", **URL)
    try:
        order = enc.parse_order(text)
        result = cached_order_comparison(tuple(order), float(km))
    except ValueError as err:
        with control:
            _error(err)
        return
    a, b = control.columns(2)
    for column, label, accuracy, loss in (
        (a, "Accuracy on label codes", result.accuracy_label, result.loss_label),
        (b, "Accuracy on one-hot", result.accuracy_one_hot, result.loss_one_hot),
    ):
        column.metric(
            label, f"{accuracy:.1%}", f"loss {loss:.3f}", delta_color="off", delta_arrow="off"
        )
    with figure_box:
        chart(order_comparison_figure(result.table, float(km)), key="enc_order_fig")
        st.caption(order_comparison_summary(result.table, float(km)))
    st.markdown(
        "On codes the model's probability can only rise (or fall) steadily from code 0 to "
        "code 3, so a category in the middle cannot stand out. One-hot gives each category "
        "its own weight and recovers each share exactly."
    )
    code_panel(enc.invented_order_code(order, float(km)))


def render_dummy_trap(drop_first: bool) -> None:
    st.subheader("Pitfall 2: the dummy-variable trap")
    trap = cached_trap(drop_first)
    st.markdown(
        f"With an intercept, the design matrix `[1 | one-hot]` of the student table has "
        f"**{trap.n_columns} columns but rank {trap.rank}** "
        f"(`drop_first={drop_first}`, switch it in section 2)."
    )
    if trap.redundant:
        st.warning(
            f"{trap.redundant} column is redundant: every row's one-hot columns sum to 1, the "
            "intercept. Linear regression and unregularised logistic models have no unique "
            "solution. `drop_first=True` (or `drop='first'`) removes it."
        )
    else:
        st.success("Full rank: the dropped category is the baseline the intercept stands for.")


@st.fragment
def render_unseen() -> None:
    st.subheader("Pitfall 3: a category unseen at training time")
    left, right = st.columns(2)
    value = left.text_input("New student's accommodation", "Hostel", key="enc_new", **URL)
    handle = right.radio(
        "handle_unknown", ["error", "ignore"], key="enc_hu", horizontal=True, **URL
    )
    try:
        result = cached_unseen(value, handle)
    except ValueError as err:
        _error(err)
        return
    if result.error:
        st.error(f"OneHotEncoder raised ValueError: {md_literal(result.error)}")
    else:
        st.dataframe(_arrow(result.encoded), hide_index=True)
        if not result.encoded.to_numpy().any():
            st.caption("`ignore`: an unseen category becomes all zeros (no column is 1).")
    columns = ", ".join(md_literal(repr(c)) for c in result.dummies_columns)
    st.markdown(
        f"`pd.get_dummies` on the new row alone makes columns \\[{columns}\\], not "
        f"the {len(ACCOMMODATIONS)} the model was trained on: fit the encoder on the training "
        "data and reuse it."
    )
    code_panel(enc.unseen_code(value, handle), "The scikit-learn code")
