"""The encoding lesson under AppTest: every control changes what is shown, nonsense input gives
a message (never an exception), the URL restores the state, the shown code reproduces the
shown tables."""

import base64
import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest

from lib.core.datasets import ACCOMMODATIONS
from lib.text import md_literal
from tests.conftest import ROOT, charts, metric_values, open_page, texts

PAGE = "pages/1_Encoding.py"


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def frames(at) -> list[pd.DataFrame]:
    return [el.value for el in at.dataframe]


def frame_with(at, *columns) -> pd.DataFrame:
    """The first shown table that has exactly these columns, in this order."""
    for df in frames(at):
        if list(df.columns) == list(columns):
            return df
    raise AssertionError(
        f"no table with columns {columns}: {[list(f.columns) for f in frames(at)]}"
    )


def code_with(at, needle: str) -> str:
    matches = [el.value for el in at.code if needle in el.value]
    assert len(matches) == 1, (needle, len(matches))
    return matches[0]


def run_shown(code: str, monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    ns: dict = {}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("error")
        exec(compile(code, "<shown>", "exec"), ns)
    return ns


def grade_codes(at) -> dict[str, int]:
    counts = frame_with(at, "Letter_Grade", "code", "rows")
    return dict(zip(counts["Letter_Grade"], counts["code"], strict=True))


SEED_ONE_HOT = [[1, 1, 0, 0, 0], [2, 0, 1, 0, 0], [3, 0, 0, 1, 0], [4, 0, 0, 0, 1]]


def test_default_page_shows_the_seed_examples(default_page):
    at = default_page
    assert [t.value for t in at.title] == ["Label and one-hot encoding"]
    assert len(at.get("latex")) >= 1
    assert grade_codes(at) == {"A": 4, "B": 3, "C": 2, "D": 1, "F": 0}
    original = frame_with(at, "ID", "Accommodation")
    assert original["Accommodation"].tolist() == ACCOMMODATIONS
    encoded = [df for df in frames(at) if list(df.columns) == ["ID", *ACCOMMODATIONS]]
    assert len(encoded) == 2  # get_dummies and OneHotEncoder side by side
    for df in encoded:
        assert df.to_numpy().tolist() == SEED_ONE_HOT
    body = texts(at)
    assert "df['Letter_Grade'].replace({'A': 4, 'B': 3, 'C': 2, 'D': 1, 'F': 0})" in body
    assert "OrdinalEncoder(categories=[['F', 'D', 'C', 'B', 'A']]" in body
    assert "pd.get_dummies" in body and "OneHotEncoder(categories=" in body
    m = metric_values(at)
    assert m["Accuracy on label codes"] == "78.3%" and m["Accuracy on one-hot"] == "81.2%"
    assert "Breast cancer** has no categorical features" in body
    assert len(at.radio) >= 4 + 1  # quiz questions + handle_unknown


def test_shown_code_reproduces_the_shown_tables(default_page, monkeypatch):
    at = default_page
    label = run_shown(code_with(at, "OrdinalEncoder(categories="), monkeypatch)["df"]
    shown = frame_with(at, "Letter_Grade", "code")
    assert label["Letter_Grade_code"].head(8).tolist() == shown["code"].tolist()
    assert label["Letter_Grade_sklearn"].head(8).tolist() == shown["code"].tolist()
    shown_one_hot = frame_with(at, "ID", *ACCOMMODATIONS)
    for needle in ("pd.get_dummies(df, columns", "names = [n.removeprefix"):
        encoded = run_shown(code_with(at, needle), monkeypatch)["encoded"]
        pd.testing.assert_frame_equal(encoded, shown_one_hot, check_dtype=False)


def test_order_text_reorders_the_codes():
    at = open_page(PAGE)
    at.text_input(key="enc_order").input("F,D,C,B,A").run()
    assert not at.exception
    assert grade_codes(at) == {"A": 0, "B": 1, "C": 2, "D": 3, "F": 4}
    assert frame_with(at, "category", "code")["category"].tolist() == list("FDCBA")
    assert "replace({'F': 4, 'D': 3, 'C': 2, 'B': 1, 'A': 0})" in texts(at)


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("A,,B,C,D,F", "Category 2 of the order is empty"),
        ("A,B,A,C,D,F", "'A' appears twice"),
        ("A,B,C,D", "does not cover: 'F'"),
        ("", "order is empty"),
    ],
)
def test_nonsense_order_gives_a_message(order, message):
    at = open_page(PAGE)
    at.text_input(key="enc_order").input(order).run()
    assert not at.exception
    assert any(md_literal(message) in e.value for e in at.error), [e.value for e in at.error]


def _show(table):
    from lib.ui.encoding import show_label_result

    show_label_result(table)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"category": ["A", "B", "C", "D", "F"], "code": [4, 4, 2, 1, 0]}, "Duplicate code 4"),
        ({"category": ["A", "", "C", "D", "F"], "code": [4, 3, 2, 1, 0]}, "Row 2 has an empty"),
        ({"category": ["A", None, "C", "D", "F"], "code": [4, 3, 2, 1, 0]}, "Row 2 has an empty"),
        ({"category": ["A", "B", "C", "D", "F"], "code": [9, 3, 2, 1, 0]}, "out of range"),
        ({"category": ["A", "B", "C", "D", "F"], "code": [4.5, 3, 2, 1, 0]}, "whole number"),
        ({"category": ["A", "B", "C", "D", "E"], "code": [4, 3, 2, 1, 0]}, "does not cover: 'F'"),
        ({"category": ["A", "B", "C", "D", "F", None], "code": [4, 3, 2, 1, 0, None]}, "Row 6"),
    ],
)
def test_nonsense_mapping_table_gives_a_message(table, message):
    """What st.data_editor hands back after bad edits goes through the same function."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_show, args=(pd.DataFrame(table),), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] and md_literal(message) in at.error[0].value


def test_edited_mapping_table_is_used():
    from streamlit.testing.v1 import AppTest

    table = pd.DataFrame({"category": list("ABCDF"), "code": [0, 1, 2, 3, 4]})
    at = AppTest.from_function(_show, args=(table,), default_timeout=60).run()
    assert not at.exception and not at.error
    assert grade_codes(at) == {"A": 0, "B": 1, "C": 2, "D": 3, "F": 4}


def test_drop_first_changes_one_hot_and_the_dummy_trap():
    at = open_page(PAGE)
    assert "5 columns but rank 4" in texts(at)
    columns_before = int(metric_values(at)["One-hot columns"])
    at.checkbox(key="enc_drop").check().run()
    assert not at.exception
    dropped = [df for df in frames(at) if list(df.columns) == ["ID", *ACCOMMODATIONS[1:]]]
    assert len(dropped) == 2
    assert dropped[0].to_numpy().tolist() == [
        [1, 0, 0, 0],
        [2, 1, 0, 0],
        [3, 0, 1, 0],
        [4, 0, 0, 1],
    ]
    assert "4 columns but rank 4" in texts(at) and at.success
    assert int(metric_values(at)["One-hot columns"]) == columns_before - 1
    assert "drop_first=True" in code_with(at, "pd.get_dummies(df, columns")
    assert 'drop="first"' in code_with(at, "names = [n.removeprefix")


def test_dataset_without_categorical_features_offers_the_student_table():
    at = open_page(PAGE)
    assert "has no categorical features" in texts(at)
    assert at.selectbox(key="enc_col").options[0] == "diagnosis"
    at.toggle(key="enc_students").set_value(True).run()
    assert not at.exception
    assert at.selectbox(key="enc_col").options[:2] == ["Accommodation", "Letter_Grade"]
    assert metric_values(at)["Categories"] == "4"


def test_student_dataset_columns_and_explosion_warning():
    at = open_page(PAGE)
    at.sidebar.selectbox(key="dataset").select("Student grades").run()
    assert "has no categorical features" not in texts(at)
    assert at.selectbox(key="enc_col").options[:1] == ["Accommodation"]
    assert metric_values(at)["One-hot columns"] == "4"
    assert not [w for w in at.warning if md_literal("One-hot would turn") in w.value]
    at.selectbox(key="enc_col").select("Monthly_Budget").run()
    assert not at.exception
    warning = [w.value for w in at.warning if md_literal("One-hot would turn") in w.value]
    n = int(metric_values(at)["One-hot columns"])
    assert n > 50 and f"into {n} columns for 240 rows" in warning[0]
    assert any("more one-hot columns not shown" in c.value for c in at.caption)


def decode(values) -> np.ndarray:
    """Plotly's JSON may hold arrays as {"dtype", "bdata"} (base64)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_cached_figure_is_a_valid_plotly_figure():
    import plotly.graph_objects as go

    at = open_page(PAGE)
    spec = charts(at)[0]
    figure = go.Figure(spec)  # validates: raises on an invalid property
    names = [trace.name for trace in figure.data]
    assert names == ["actual share", "model on label codes", "model on one-hot"]
    with_family = [decode(trace.y)[2] for trace in figure.data]
    assert with_family[0] == with_family[2] == 0.6 and with_family[1] < 0.5


def test_invented_order_controls():
    at = open_page(PAGE)
    before = metric_values(at)
    at.text_input(key="enc_nom").input("Rental,Dormitory,Other,With Family").run()
    after = metric_values(at)
    assert float(after["Accuracy on label codes"][:-1]) > float(
        before["Accuracy on label codes"][:-1]
    )
    assert after["Accuracy on one-hot"] == before["Accuracy on one-hot"]
    assert "order = ['Rental', 'Dormitory', 'Other', 'With Family']" in texts(at)
    at.slider(key="enc_km").set_value(5.0).run()
    assert metric_values(at)["Accuracy on one-hot"] != after["Accuracy on one-hot"]
    assert '(df["Distance_km"] > 5.0)' in texts(at)
    at.text_input(key="enc_nom").input("Rental,Dorm").run()
    assert not at.exception and any("exactly once" in e.value for e in at.error)


def test_unseen_category_controls():
    at = open_page(PAGE)
    assert any(md_literal("unknown categories ['Hostel']") in e.value for e in at.error)
    at.radio(key="enc_hu").set_value("ignore").run()
    assert not at.exception and not at.error
    assert frame_with(at, *ACCOMMODATIONS).to_numpy().tolist() == [[0, 0, 0, 0]]
    at.text_input(key="enc_new").input("Dormitory").run()
    assert frame_with(at, *ACCOMMODATIONS).to_numpy().tolist() == [[0, 1, 0, 0]]
    at.text_input(key="enc_new").input("  ").run()
    assert not at.exception and "Type a category" in at.error[0].value


def test_quiz_gives_feedback():
    at = open_page(PAGE)
    quiz = [r for r in at.radio if r.key and r.key.startswith("enc_quiz")]
    assert len(quiz) >= 3
    quiz[0].set_value(quiz[0].options[1]).run()
    assert any(s.value.startswith("Correct.") for s in at.success)
    quiz = [r for r in at.radio if r.key and r.key.startswith("enc_quiz")]
    quiz[1].set_value(quiz[1].options[0]).run()
    assert any("Not quite" in e.value for e in at.error)


def test_url_restores_the_lesson_state():
    at = open_page(
        PAGE,
        query={
            "enc_order": "F,D,C,B,A",
            "enc_drop": "true",
            "enc_nom": "Rental,Dormitory,Other,With Family",
            "enc_km": "5.0",
            "enc_new": "Rental",
            "enc_students": "true",
            "enc_col": "Letter_Grade",
        },
    )
    assert grade_codes(at) == {"A": 0, "B": 1, "C": 2, "D": 3, "F": 4}
    assert at.checkbox(key="enc_drop").value is True
    assert [df for df in frames(at) if list(df.columns) == ["ID", *ACCOMMODATIONS[1:]]]
    assert at.slider(key="enc_km").value == 5.0
    assert "order = ['Rental', 'Dormitory', 'Other', 'With Family']" in texts(at)
    assert frame_with(at, *ACCOMMODATIONS).to_numpy().tolist() == [[1, 0, 0, 0]]
    assert at.selectbox(key="enc_col").value == "Letter_Grade"
    assert metric_values(at)["One-hot columns"] == "4"  # 5 grades, drop_first
