"""lib.lessons.encoding against pandas / scikit-learn oracles, and the shown code executed."""

import contextlib
import io
import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from lib.core.datasets import (
    ACCOMMODATIONS,
    DatasetSpec,
    load_dataset,
    read_accommodation_example,
    read_students,
)
from lib.core.training import single_thread
from lib.lessons import encoding as enc

ROOT = Path(__file__).resolve().parent.parent
SEED_MAPPING = {"A": 4, "B": 3, "C": 2, "D": 1, "F": 0}


def run_code(code: str, monkeypatch) -> tuple[dict, str]:
    """Execute a displayed snippet from the repository root, warnings as errors."""
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), single_thread():
        warnings.simplefilter("error")
        exec(compile(code, "<shown code>", "exec"), namespace)
    return namespace, out.getvalue()


# --- label encoding ---------------------------------------------------------------------


def test_default_order_is_the_seeds_mapping():
    assert enc.mapping_from_order(enc.parse_order(enc.DEFAULT_GRADE_ORDER)) == SEED_MAPPING


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "order is empty"),
        (" , ", "order is empty"),
        ("A,,B", "Category 2 of the order is empty"),
        ("A,B,", "Category 3 of the order is empty"),
        ("A,B,A", "'A' appears twice"),
    ],
)
def test_parse_order_rejects_nonsense(text, message):
    with pytest.raises(ValueError, match=message):
        enc.parse_order(text)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"A": 1, "B": 1}, "Duplicate code 1: 'A' and 'B'"),
        (
            {"A": 0, "B": 2},
            "Code 2 for 'B' is out of range: with 2 categories the codes are 0 to 1",
        ),
        ({"A": -1, "B": 0}, "Code -1 for 'A' is out of range"),
        ({"A": 0, "": 1}, "Row 2 has an empty category name"),
        ({"A": 0, "   ": 1}, "Row 2 has an empty category name"),
        ({"A": 0.5, "B": 1}, "must be a whole number"),
        ({"A": "x", "B": 1}, "must be a whole number, got 'x'"),
        ({"A": float("nan"), "B": 1}, "'A' has no code"),
        ({"A": float("inf"), "B": 1}, "must be a whole number"),
        ({}, "mapping is empty"),
    ],
)
def test_validate_mapping_rejects_nonsense(table, message):
    with pytest.raises(ValueError, match=message):
        enc.validate_mapping(table)


def test_validate_mapping_rejects_what_a_data_editor_returns():
    # rows added in st.data_editor come back as None / <NA>; names can repeat
    added = pd.DataFrame({"category": ["A", None], "code": pd.array([1, 0], dtype="Int64")})
    with pytest.raises(ValueError, match="Row 2 has an empty category name"):
        enc.validate_mapping(added)
    no_code = pd.DataFrame({"category": ["A", "B"], "code": pd.array([1, None], dtype="Int64")})
    with pytest.raises(ValueError, match="'B' has no code"):
        enc.validate_mapping(no_code)
    twice = pd.DataFrame({"category": ["A", "A"], "code": [0, 1]})
    with pytest.raises(ValueError, match="'A' appears twice"):
        enc.validate_mapping(twice)


def test_validate_mapping_accepts_floats_that_are_whole_and_strips_names():
    table = pd.DataFrame({"category": [" A ", "B"], "code": [1.0, 0.0]})
    assert enc.validate_mapping(table) == {"A": 1, "B": 0}
    assert enc.validate_mapping(enc.mapping_table(SEED_MAPPING)) == SEED_MAPPING


@pytest.mark.parametrize("order", list(itertools.permutations("ABCDF"))[::7])
def test_apply_mapping_equals_pandas_replace_and_ordinal_encoder(order):
    grades = read_students()["Letter_Grade"]
    mapping = enc.mapping_from_order(list(order))
    codes = enc.apply_mapping(grades, mapping)
    assert codes.dtype == np.int64
    pd.testing.assert_series_equal(codes, grades.replace(mapping).astype("int64"))
    encoder = OrdinalEncoder(categories=[enc.categories_by_code(mapping)])
    np.testing.assert_array_equal(codes, encoder.fit_transform(grades.to_frame())[:, 0])


def test_apply_mapping_names_values_the_mapping_lacks():
    grades = read_students()["Letter_Grade"]
    with pytest.raises(ValueError, match="does not cover: 'F'"):
        enc.apply_mapping(grades, {"A": 3, "B": 2, "C": 1, "D": 0})


def test_encoded_preview_counts_every_grade():
    grades = read_students()["Letter_Grade"]
    shown, counts = enc.encoded_preview(grades, SEED_MAPPING)
    assert shown["code"].tolist() == [SEED_MAPPING[g] for g in grades.head(8)]
    assert counts["Letter_Grade"].tolist() == ["A", "B", "C", "D", "F"]
    assert counts["code"].tolist() == [4, 3, 2, 1, 0]
    assert counts["rows"].tolist() == [int((grades == g).sum()) for g in "ABCDF"]


@pytest.mark.parametrize("order", ["A,B,C,D,F", "C,A,F,B,D"])
def test_label_code_runs_without_warning_and_matches(order, monkeypatch):
    mapping = enc.mapping_from_order(enc.parse_order(order))
    ns, printed = run_code(enc.label_encode_code(mapping), monkeypatch)
    df = ns["df"]
    expected = enc.apply_mapping(read_students()["Letter_Grade"], mapping)
    assert df["Letter_Grade_code"].tolist() == expected.tolist()
    assert df["Letter_Grade_sklearn"].tolist() == expected.tolist()
    assert f"df['Letter_Grade'].replace({mapping!r})" in enc.label_encode_code(mapping)
    assert "Letter_Grade_code" in printed


# --- one-hot ---------------------------------------------------------------------------


SEED_ONE_HOT = pd.DataFrame(
    {
        "ID": [1, 2, 3, 4],
        "Rental": [1, 0, 0, 0],
        "Dormitory": [0, 1, 0, 0],
        "With Family": [0, 0, 1, 0],
        "Other": [0, 0, 0, 1],
    }
)


def test_one_hot_reproduces_the_seed_table_exactly():
    table = read_accommodation_example()
    assert table["Accommodation"].tolist() == ACCOMMODATIONS
    got = enc.one_hot_pandas(table, "Accommodation", ACCOMMODATIONS)
    pd.testing.assert_frame_equal(got, SEED_ONE_HOT, check_dtype=False)
    assert all(pd.api.types.is_integer_dtype(t) for t in got.dtypes)


@pytest.mark.parametrize("drop_first", [False, True])
@pytest.mark.parametrize("categories", [ACCOMMODATIONS, None, ACCOMMODATIONS[::-1]])
def test_get_dummies_equals_one_hot_encoder(drop_first, categories):
    for table in (read_accommodation_example(), read_students()):
        a = enc.one_hot_pandas(table, "Accommodation", categories, drop_first)
        b = enc.one_hot_sklearn(table, "Accommodation", categories, drop_first)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
        n = len(ACCOMMODATIONS) - drop_first
        assert a.shape[1] == table.shape[1] - 1 + n
        sk = OneHotEncoder(
            categories=[categories] if categories else "auto",
            drop="first" if drop_first else None,
            sparse_output=False,
        )
        np.testing.assert_array_equal(a.iloc[:, -n:], sk.fit_transform(table[["Accommodation"]]))


@pytest.mark.parametrize("drop_first", [False, True])
def test_one_hot_code_prints_the_table_shown(drop_first, monkeypatch):
    shown = enc.one_hot_pandas(
        read_accommodation_example(), "Accommodation", ACCOMMODATIONS, drop_first
    )
    for code in enc.one_hot_code(ACCOMMODATIONS, drop_first):
        ns, printed = run_code(code, monkeypatch)
        pd.testing.assert_frame_equal(ns["encoded"], shown, check_dtype=False)
        assert printed.strip() == str(ns["encoded"]).strip()


# --- the chosen dataset: cardinality -----------------------------------------------------


def test_categorical_columns():
    assert enc.categorical_columns(read_students()) == ["Accommodation", "Letter_Grade"]
    assert enc.categorical_columns(load_dataset(DatasetSpec("Iris")).features) == []
    assert enc.categorical_columns(pd.DataFrame({"b": [True, False], "x": [1, 2]})) == ["b"]


@pytest.mark.parametrize("name", ["Student grades", "Iris", "Breast cancer", "Digits"])
@pytest.mark.parametrize("drop_first", [False, True])
def test_one_hot_estimate_matches_get_dummies(name, drop_first):
    frame = load_dataset(DatasetSpec(name)).frame()
    for column in list(frame.columns)[:6] + [frame.columns[-1]]:
        est = enc.one_hot_estimate(frame[column], drop_first)
        dummies = pd.get_dummies(frame[column], drop_first=drop_first, dtype=np.float32)
        assert est.n_columns == dummies.shape[1]
        assert est.n_categories == frame[column].nunique()
        assert est.dense_bytes == dummies.to_numpy().nbytes
        assert est.n_singletons == int((frame[column].value_counts() == 1).sum())


def test_explosion_is_warned_with_numbers():
    ids = pd.Series(np.arange(20_000), name="Student_ID")
    est = enc.one_hot_estimate(ids)
    assert est.explodes and est.dense_bytes == 20_000 * 20_000 * 4
    assert "20,000 columns for 20,000 rows (1.6 GB as float32)" in est.message
    assert "20,000 of its 20,000 categories appear in a single row" in est.message
    grades = enc.one_hot_estimate(read_students()["Letter_Grade"])
    assert not grades.explodes and grades.message is None
    # many categories, each frequent: too many columns all the same
    wide = enc.one_hot_estimate(pd.Series(np.repeat(np.arange(60), 10), name="city"))
    assert wide.explodes and wide.n_singletons == 0
    assert not enc.one_hot_estimate(pd.Series(np.repeat(np.arange(50), 10), name="c")).explodes


def test_format_bytes():
    assert [enc.format_bytes(n) for n in (0, 999, 1000, 4400, 1_600_000_000)] == [
        "0 B",
        "999 B",
        "1.0 KB",
        "4.4 KB",
        "1.6 GB",
    ]


@pytest.mark.parametrize("drop_first", [False, True])
def test_column_preview_codes_follow_ordinal_encoder_default(drop_first):
    frame = read_students()
    for column in ("Accommodation", "Letter_Grade", "Age"):
        est, preview, hidden = enc.column_preview(frame, column, drop_first)
        codes = OrdinalEncoder().fit(frame[[column]]).transform(frame[[column]].head(6))[:, 0]
        np.testing.assert_array_equal(preview["label code"], codes)
        dummies = pd.get_dummies(frame[column], drop_first=drop_first, dtype=int).head(6)
        shown = preview.iloc[:, 2:]
        assert shown.shape[1] + hidden == est.n_columns == dummies.shape[1]
        np.testing.assert_array_equal(shown, dummies.iloc[:, : shown.shape[1]])
    with pytest.raises(ValueError, match="No column 'nope'"):
        enc.column_preview(frame, "nope", False)


def test_dataset_code_runs_and_agrees(monkeypatch):
    spec = DatasetSpec("Student grades")
    ns, printed = run_code(enc.dataset_code(repr(spec), "Letter_Grade", True), monkeypatch)
    est = enc.one_hot_estimate(load_dataset(spec).frame()["Letter_Grade"], True)
    assert printed.strip() == f"{est.n_categories} categories -> {est.n_columns} one-hot columns"


# --- pitfalls --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_order_result():
    return enc.invented_order_comparison(read_students(), ACCOMMODATIONS, 10.0)


def test_one_hot_recovers_each_share_and_label_codes_cannot(seed_order_result):
    table = seed_order_result.table
    assert table["category"].tolist() == ACCOMMODATIONS
    assert table["code"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(table["p_one_hot"], table["actual"], atol=2e-3)
    # with one feature the logistic curve is monotone in the code
    assert np.all(np.diff(table["p_label"]) > 0) or np.all(np.diff(table["p_label"]) < 0)
    with_family = table.set_index("category").loc["With Family"]
    assert with_family["actual"] > 0.5 > with_family["p_label"]
    assert seed_order_result.accuracy_one_hot > seed_order_result.accuracy_label
    assert seed_order_result.loss_one_hot < seed_order_result.loss_label


def test_logistic_fit_agrees_with_sklearn(seed_order_result):
    students = read_students()
    y = enc.commute_target(students, 10.0)
    codes = students["Accommodation"].map({c: i for i, c in enumerate(ACCOMMODATIONS)})
    sk = LogisticRegression(C=np.inf, max_iter=10_000).fit(codes.to_frame(), y)
    p = pd.Series(sk.predict_proba(codes.to_frame())[:, 1]).groupby(students["Accommodation"])
    np.testing.assert_allclose(
        seed_order_result.table.set_index("category")["p_label"],
        p.mean().reindex(ACCOMMODATIONS),
        atol=5e-3,
    )


def torch_adam_logistic(X, y, steps=200, lr=0.1):
    """The oracle: the PyTorch loop the page shows (invented_order_code's fit)."""
    torch = pytest.importorskip("torch")
    X_t = torch.tensor(X, dtype=torch.float64)
    y_t = torch.tensor(y, dtype=torch.float64).unsqueeze(1)
    model = torch.nn.Linear(X_t.shape[1], 1).double()
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(X_t), y_t).backward()
        optimizer.step()
    with torch.no_grad():
        return torch.sigmoid(model(X_t)).squeeze(1).numpy(), loss_fn(model(X_t), y_t).item()


@pytest.mark.parametrize(
    ("km", "order", "one_hot"),
    [(10.0, ACCOMMODATIONS, False), (10.0, ACCOMMODATIONS, True), (3.5, ACCOMMODATIONS, False),
     (17.0, ["Other", "Rental", "With Family", "Dormitory"], True),
     (6.0, ["With Family", "Other", "Dormitory", "Rental"], False)],
)  # fmt: skip
def test_the_numpy_fit_is_torchs_adam_step_for_step(km, order, one_hot):
    students = read_students()
    y = enc.commute_target(students, km)
    column = students["Accommodation"]
    if one_hot:
        X = pd.get_dummies(pd.Categorical(column, categories=order), dtype=float).to_numpy()
    else:
        X = column.map({c: i for i, c in enumerate(order)}).to_numpy(dtype=float)[:, None]
    for steps in (1, 7, 200):
        proba, loss = enc.fit_commute_logistic(X, y, steps)
        expected_proba, expected_loss = torch_adam_logistic(X, y, steps)
        np.testing.assert_allclose(proba, expected_proba, rtol=0, atol=1e-9)
        assert loss == pytest.approx(expected_loss, abs=1e-9)


def test_putting_the_odd_category_last_helps_label_codes(seed_order_result):
    order = ["Rental", "Dormitory", "Other", "With Family"]
    moved = enc.invented_order_comparison(read_students(), order, 10.0)
    assert moved.accuracy_label > seed_order_result.accuracy_label
    assert moved.accuracy_one_hot == pytest.approx(seed_order_result.accuracy_one_hot)


def test_invented_order_rejects_a_bad_order():
    with pytest.raises(ValueError, match="exactly once"):
        enc.invented_order_comparison(read_students(), ["Rental", "Dorm"], 10.0)


def test_invented_order_code_prints_the_shown_numbers(seed_order_result, monkeypatch):
    _, printed = run_code(enc.invented_order_code(ACCOMMODATIONS, 10.0), monkeypatch)
    lines = printed.strip().splitlines()
    assert lines[0].startswith(f"label codes accuracy={seed_order_result.accuracy_label:.3f}")
    assert lines[1].startswith(f"one-hot accuracy={seed_order_result.accuracy_one_hot:.3f}")
    assert "'With Family': 0.6" in lines[1]


def test_dummy_trap_rank():
    accommodation = read_students()["Accommodation"]
    trap = enc.dummy_trap(accommodation, drop_first=False)
    assert (trap.n_columns, trap.rank, trap.redundant, trap.rows_sum_to_one) == (5, 4, 1, True)
    ok = enc.dummy_trap(accommodation, drop_first=True)
    assert (ok.n_columns, ok.rank, ok.redundant, ok.rows_sum_to_one) == (4, 4, 0, False)
    full = OneHotEncoder(sparse_output=False).fit_transform(accommodation.to_frame())
    design = np.column_stack([np.ones(len(full)), full])
    assert np.linalg.matrix_rank(design) == trap.rank


def test_unseen_category():
    err = enc.encode_unseen("Hostel", "error")
    assert err.encoded is None and "unknown categories ['Hostel']" in err.error
    assert err.dummies_columns == ["Hostel"]
    ignored = enc.encode_unseen("Hostel", "ignore")
    assert ignored.error is None and ignored.encoded.to_numpy().tolist() == [[0, 0, 0, 0]]
    known = enc.encode_unseen(" Other ", "error")
    assert known.encoded.to_numpy().tolist() == [SEED_ONE_HOT.iloc[3, 1:].tolist()]
    with pytest.raises(ValueError, match="Type a category"):
        enc.encode_unseen("  ", "error")
    with pytest.raises(ValueError, match="handle_unknown must be"):
        enc.encode_unseen("Hostel", "infrequent_if_exist")


def test_unseen_code_behaves_as_shown(monkeypatch):
    _, printed = run_code(enc.unseen_code("Hostel", "ignore"), monkeypatch)
    assert printed.splitlines() == ["[[0 0 0 0]]", "['Hostel']"]
    with pytest.raises(ValueError, match="unknown categories"):
        run_code(enc.unseen_code("Hostel", "error"), monkeypatch)


def test_the_two_logistic_fits_are_named_for_what_they_fit():
    """Issue #12: two unrelated functions were both called fit_logistic."""
    import lib.lessons.threshold as threshold

    assert not hasattr(enc, "fit_logistic") and not hasattr(threshold, "fit_logistic")
    assert callable(enc.fit_commute_logistic) and callable(threshold.fit_binary_logistic)
