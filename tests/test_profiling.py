"""lib.tabular.profile: column flags, default features, target suggestions and target checks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lib.tabular.profile import MAX_CLASSES, check_target, profile_frame


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "PassengerId": np.arange(1, n + 1),
            "age": np.where(rng.random(n) < 0.2, np.nan, rng.normal(30, 10, n)),
            "sex": rng.choice(["male", "female"], n),
            "name": [f"Person number {i}, a passenger of the ship" for i in range(n)],
            "ticket": [f"T{i:05d}" for i in range(n)],
            "date": pd.date_range("2020-01-01", periods=n).strftime("%Y-%m-%d"),
            "const": ["x"] * n,
            "empty": [np.nan] * n,
            "flag": rng.random(n) < 0.5,
            "survived": rng.integers(0, 2, n),
        }
    )


def test_kinds_and_default_features():
    df = _frame()
    profile = profile_frame(df)
    kinds = {c.name: c.kind for c in profile.columns}
    assert kinds == {
        "PassengerId": "id",
        "age": "numeric",
        "sex": "categorical",
        "name": "text",
        "ticket": "id",
        "date": "date",
        "const": "constant",
        "empty": "empty",
        "flag": "boolean",
        "survived": "numeric",
    }
    # Dates are used (turned into year / month / weekday numbers), not left out.
    assert profile.default_features("survived") == ["age", "sex", "date", "flag"]
    excluded = profile.excluded("survived")
    assert set(excluded) == {"PassengerId", "name", "ticket", "const", "empty"}
    assert all(reason for reason in excluded.values())


def test_the_profile_table_does_not_tick_the_target_as_a_feature():
    """Issue #16: the table ticked the target as a default feature."""
    profile = profile_frame(_frame())
    table = profile.table("survived").set_index("column")
    assert not table.loc["survived", "feature by default"]
    assert "target" in table.loc["survived", "why"]
    assert table.loc["age", "feature by default"]
    ticked = table.index[table["feature by default"]].tolist()
    assert ticked == profile.default_features("survived")


def test_counts_match_pandas():
    df = _frame()
    profile = profile_frame(df)
    table = profile.table()
    assert table["missing"].tolist() == df.isna().sum().tolist()
    assert table["distinct"].tolist() == df.nunique().tolist()
    assert (profile.n_rows, profile.n_cols) == df.shape


def test_continuous_floats_are_not_ids():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=100), "y": rng.integers(0, 2, 100)})
    assert profile_frame(df).column("x").kind == "numeric"


def test_target_suggestions_prefer_named_targets():
    df = _frame()
    suggestions = profile_frame(df).target_suggestions
    assert suggestions[0] == "survived"
    assert "age" not in suggestions and "PassengerId" not in suggestions


def test_check_target_encodes_sorted_classes():
    df = pd.DataFrame({"x": range(20), "y": ["b", "a", "c", "a"] * 5})
    info = check_target(df, "y")
    assert info.classes == ["a", "b", "c"]
    assert info.codes().tolist()[:4] == [1, 0, 2, 0]
    assert info.counts == {"a": 10, "b": 5, "c": 5}


@pytest.mark.parametrize(
    "values, words",
    [
        (np.linspace(0, 1, 40), "regression"),
        ([f"id{i}" for i in range(40)], "identifier"),
        (["same"] * 40, "single class"),
        ([f"c{i % 25}" for i in range(50)], f"at most {MAX_CLASSES}"),
        (["a"] * 20 + ["b"] * 19 + ["c"], "fewer than 2 rows"),
        ([np.nan] * 40, "empty"),
    ],
    ids=["regression", "id", "single", "too-many", "tiny-class", "all-missing"],
)
def test_target_refusals(values, words):
    df = pd.DataFrame({"x": np.arange(len(values)), "target": values})
    with pytest.raises(ValueError, match=words):
        check_target(df, "target")


def test_too_few_rows_and_one_column():
    with pytest.raises(ValueError, match="too few"):
        check_target(pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "a"]}), "y")
    with pytest.raises(ValueError, match="only one column"):
        check_target(pd.DataFrame({"y": ["a", "b"] * 10}), "y")
    with pytest.raises(ValueError, match="no column"):
        check_target(pd.DataFrame({"y": ["a", "b"] * 10, "x": 1}), "nope")


def test_missing_targets_dropped_and_counted():
    y = ["a", "b"] * 10 + [np.nan, None, "  "]
    df = pd.DataFrame({"x": range(len(y)), "y": y})
    info = check_target(df, "y")
    assert info.dropped_missing == 3
    assert len(info.labels) == 20
    assert any("3 row(s)" in n for n in info.notes)


def test_whitespace_variants_are_merged_and_reported():
    y = ["yes", " yes", "yes ", "no", "no\t"] * 4
    info = check_target(pd.DataFrame({"x": range(20), "y": y}), "y")
    assert info.classes == ["no", "yes"]
    assert info.counts == {"no": 8, "yes": 12}
    assert any("merged" in n for n in info.notes)


def test_case_variants_are_merged_into_the_most_frequent_spelling():
    y = ["yes", "yes", "Yes", "no", "NO", "no"] * 4 + ["YES", " Yes "]
    info = check_target(pd.DataFrame({"x": range(len(y)), "y": y}), "y")
    assert info.classes == ["no", "yes"]
    assert info.counts == {"no": 12, "yes": 14}
    assert set(info.labels) == {"no", "yes"}
    assert info.case_merged == {"NO": "no", "YES": "yes", "Yes": "yes"}
    note = [n for n in info.notes if "upper / lower case" in n]
    assert note == [
        "Labels that differ only in upper / lower case were merged: 'NO' → 'no'; "
        "'YES', 'Yes' → 'yes' (10 row(s) relabelled)."
    ]
    assert any("spaces around them" in n for n in info.notes)  # the whitespace note stays


def test_case_variant_tie_keeps_the_smallest_spelling():
    y = ["Cat", "cat", "dog"] * 6
    info = check_target(pd.DataFrame({"x": range(len(y)), "y": y}), "y")
    assert info.classes == ["Cat", "dog"]  # "Cat" < "cat": uppercase sorts first
    assert info.counts == {"Cat": 12, "dog": 6}


def test_case_note_shows_at_most_three_groups():
    names = ["a", "b", "c", "d"]
    y = [n for n in names for _ in range(4)] + [n.upper() for n in names]
    info = check_target(pd.DataFrame({"x": range(len(y)), "y": y}), "y")
    assert info.classes == names
    (note,) = [n for n in info.notes if "upper / lower case" in n]
    assert "'C' → 'c'" in note and "'D'" not in note and "and 1 more" in note


def test_one_upper_case_typo_is_not_a_too_small_class():
    y = ["yes", "no"] * 15 + ["YES"]
    info = check_target(pd.DataFrame({"x": range(len(y)), "y": y}), "y")  # no ValueError
    assert info.counts == {"no": 15, "yes": 16}
    assert any("'YES' → 'yes'" in n and "1 row(s)" in n for n in info.notes)


def test_numeric_and_boolean_targets_have_no_case_merge():
    numbers = check_target(pd.DataFrame({"x": range(20), "y": [1, 2] * 10}), "y")
    flags = check_target(pd.DataFrame({"x": range(20), "y": [True, False] * 10}), "y")
    for info in (numbers, flags):
        assert info.case_merged == {}
        assert not any("upper / lower case" in n for n in info.notes)


def test_true_false_labels():
    df = pd.DataFrame({"x": range(20), "y": [True, False] * 10})
    info = check_target(df, "y")
    assert info.classes == ["False", "True"]
    assert info.codes().tolist()[:2] == [1, 0]


def test_integer_float_labels_are_formatted_as_integers():
    df = pd.DataFrame({"x": range(20), "y": [0.0, 1.0, 2.0, 1.0] * 5})
    assert check_target(df, "y").classes == ["0", "1", "2"]
    df = pd.DataFrame({"x": range(20), "y": [1, 2, 10, 1] * 5})
    assert check_target(df, "y").classes == ["1", "2", "10"]  # numeric order, not text order


def _row_wise_labels(col: pd.Series) -> tuple[pd.Series, int]:
    """The textbook way, one row at a time: drop missing, strip, drop empty, merge case
    variants into the group's most frequent spelling (ties: the smallest)."""
    stripped = col.dropna().astype(str).str.strip()
    labels = stripped[stripped != ""]
    counts = labels.value_counts()
    kept = {}
    for spellings in labels.groupby(labels.str.casefold()).unique():
        best = min(spellings, key=lambda s: (-counts[s], s))
        kept.update({s: best for s in spellings})
    return labels.map(kept), int(
        col.dropna().astype(str).ne(col.dropna().astype(str).str.strip()).sum()
    )


@pytest.mark.parametrize("seed", range(6))
def test_text_labels_equal_the_row_wise_cleaning(seed):
    """check_target cleans the distinct values only; rows get exactly the labels that
    stripping, dropping and case-merging every row would give."""
    rng = np.random.default_rng(seed)
    spellings = ["yes", "Yes", " yes", "YES ", "no", "No", "no\t", "maybe", "  ", "", "a b"]
    n = int(rng.integers(40, 3_000))
    values = rng.choice(np.array(spellings, dtype=object), n, p=rng.dirichlet(np.ones(11)))
    values[rng.random(n) < 0.1] = None
    col = pd.Series(values, dtype="str" if seed % 2 else object)
    df = pd.DataFrame({"x": range(n), "y": col})
    expected, n_spaced = _row_wise_labels(col)
    try:
        info = check_target(df, "y")
    except ValueError as exc:  # a class too small: the row-wise counts agree
        assert (expected.value_counts() < 2).any(), exc
        return
    pd.testing.assert_series_equal(
        info.labels.astype(object), expected.astype(object), check_names=False
    )
    assert info.counts == expected.value_counts().to_dict()
    assert info.dropped_missing == n - len(expected)
    assert np.array_equal(np.array(info.classes, dtype=object)[info.codes()], expected.to_numpy())
    spaced = [note for note in info.notes if "spaces around them" in note]
    assert bool(spaced) == (n_spaced > 0)
    if spaced:
        assert spaced[0].startswith(f"{n_spaced:,} label(s)")


def test_profile_keeps_text_codes_that_check_target_and_prepare_reuse(monkeypatch):
    """The profile's codes of the text columns stand in for hashing them again: the target
    check and the preprocessing give the same result with them as without."""
    import lib.tabular.profile as profiling
    from lib.tabular.preprocess import prepare
    from lib.tabular.profile import factorize

    monkeypatch.setattr(profiling, "MAX_SHARED_CODES", 100)
    rng = np.random.default_rng(7)
    n = 3_000
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "colour": pd.Series(rng.choice(["red", "green", None, " blue"], n), dtype="str"),
            "code": [f"c{i}" for i in range(n)],  # an identifier: too many values to keep
            "y": rng.choice(["yes", "no", "Yes", None], n),
        }
    )
    profile = profile_frame(df)
    assert set(profile.factorized) == {"colour", "y"}  # not the 3,000 codes of "code"
    for name, (codes, values) in profile.factorized.items():
        expected_codes, expected_values = factorize(df[name])
        np.testing.assert_array_equal(codes, expected_codes)
        assert values == expected_values
    shared = check_target(df, "y", column_codes=profile.factorized)
    alone = check_target(df, "y")
    _assert_same_target(shared, alone)
    features = ["x", "colour"]
    with_codes = prepare(df, shared, features, seed=1, column_codes=profile.factorized)
    without = prepare(df, alone, features, seed=1)
    np.testing.assert_array_equal(with_codes.X_train, without.X_train)
    np.testing.assert_array_equal(with_codes.X_test, without.X_test)
    assert with_codes.preprocessor == without.preprocessor
    # Codes of another frame (a different length) are not used by mistake.
    half = df.iloc[: n // 2].reset_index(drop=True)
    _assert_same_target(
        check_target(half, "y", column_codes=profile.factorized), check_target(half, "y")
    )


def _assert_same_target(a, b):
    pd.testing.assert_series_equal(a.labels, b.labels)
    assert (a.classes, a.counts, a.notes, a.case_merged, a.dropped_missing) == (
        b.classes,
        b.counts,
        b.notes,
        b.case_merged,
        b.dropped_missing,
    )
    np.testing.assert_array_equal(a.codes(), b.codes())


@pytest.mark.parametrize("storage", ["str", "object", "chunked str"])
def test_factorize_equals_pandas_factorize_in_small_integers(storage, monkeypatch):
    """Arrow-backed text is encoded by Arrow itself (no 8-byte code per row); the codes and
    labels are pd.factorize's."""
    import lib.tabular.profile as profiling
    from lib.tabular.profile import factorize

    rng = np.random.default_rng(11)
    values = rng.choice(np.array(["b", "a", "c c", "é", None], dtype=object), 5_000)
    if storage == "chunked str":  # several Arrow chunks, as a parse or a concat leaves them
        # The first chunk holds one value: the others bring new ones, so each chunk's codes
        # must index the one dictionary of the whole column.
        values[:700] = "b"
        parts = [pd.Series(values[i : i + 700], dtype="str") for i in range(0, 5_000, 700)]
        col = pd.concat(parts, ignore_index=True)
        assert col.array._pa_array.num_chunks > 1
    else:
        col = pd.Series(values, dtype=storage)
    expected_codes, expected_uniques = pd.factorize(col, use_na_sentinel=True)
    if storage != "object":  # Arrow's encoding, not pandas', answers

        def no_pandas(*args, **kwargs):
            raise AssertionError("pd.factorize was used for Arrow-backed text")

        monkeypatch.setattr(profiling.pd, "factorize", no_pandas)
    codes, labels = factorize(col)
    assert codes.dtype == np.int8
    np.testing.assert_array_equal(codes, expected_codes)
    assert labels == [str(u) for u in expected_uniques]
    many = pd.Series([f"v{i}" for i in range(300)] * 2, dtype="str")
    codes, labels = factorize(many)
    assert codes.dtype == np.int16 and len(labels) == 300 and codes[300] == 0


def _distinct_cases() -> dict[str, pd.Series]:
    rng = np.random.default_rng(7)
    n = 30_000
    decimals = {f"{k} decimals": pd.Series(rng.normal(0, 50, n).round(k)) for k in range(7)}
    signed_zero = rng.choice([0.0, -0.0, 1.5, -2.25, np.nan], n)
    late_off_grid = rng.integers(0, 100, n) / 10.0
    late_off_grid[n - 7] = 0.123456789  # not among the sampled rows: the full check must catch it
    with_inf = rng.normal(0, 1, n).round(2)
    with_inf[::997] = np.inf
    ids = np.arange(n, dtype=np.int64) * 3 - 1000
    return {
        **decimals,
        "6 decimals in [0, 1)": pd.Series(rng.random(n).round(6)),
        "missing values": pd.Series(np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 9, n))),
        "0.0 and -0.0": pd.Series(signed_zero),
        "one value off the grid, late": pd.Series(late_off_grid),
        "full precision": pd.Series(rng.normal(0, 1, n)),
        "infinities": pd.Series(with_inf),
        "every value missing": pd.Series(np.full(n, np.nan)),
        "int64 ids": pd.Series(ids),
        "int64 wide span": pd.Series(rng.integers(-(10**15), 10**15, n)),
        "19-digit ids": pd.Series(2**62 + np.arange(n, dtype=np.int64)),  # float64 merges them
        "uint64 beyond int64": pd.Series(np.uint64(2**63) + np.arange(n, dtype=np.uint64) % 9),
        "uint8": pd.Series(rng.integers(0, 255, n).astype(np.uint8)),
        "float32": pd.Series(rng.normal(0, 1, n).round(2).astype(np.float32)),
        "nullable Int64": pd.Series(
            pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(0, 50, n)), dtype="Int64")
        ),
        "huge magnitudes": pd.Series(rng.choice([1e300, -1e300, 5e-324, 0.0], n)),
        "the largest floats": pd.Series(rng.choice([1.7e308, -1.7e308, 0.5, np.nan], n)),
    }


@pytest.mark.parametrize("case", list(_distinct_cases()))
def test_count_distinct_equals_nunique(case):
    from lib.tabular.profile import count_distinct
    from lib.tabular.threads import Scratch

    col = _distinct_cases()[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way to the grid
        assert count_distinct(col) == col.nunique(dropna=True)
    assert count_distinct(col, Scratch()) == col.nunique(dropna=True)


@pytest.mark.parametrize(
    "case, on_grid",
    [("0 decimals", True), ("4 decimals", True), ("6 decimals", False), ("6 decimals in [0, 1)", True), ("int64 ids", True),
     ("0.0 and -0.0", True), ("missing values", True), ("full precision", False),
     ("one value off the grid, late", False), ("infinities", False), ("int64 wide span", False),
     ("every value missing", False)],
)  # fmt: skip
def test_grid_count_answers_for_decimal_numbers_only(case, on_grid):
    """The bitmap count really answers for numbers on a decimal grid (so the test above
    checks it) and declines the rest, which the hash counts: more decimals, infinities, or a
    span of more than GRID_MAX_CELLS steps ("6 decimals" of numbers in the hundreds)."""
    from lib.tabular.profile import _grid_distinct
    from lib.tabular.threads import Scratch

    col = _distinct_cases()[case]
    plain = col.dtype == np.int64
    values = col.to_numpy() if plain else col.to_numpy(np.float64, na_value=np.nan)
    counted = _grid_distinct(values, Scratch())
    assert (counted is not None) == on_grid
    if on_grid:
        assert counted == col.nunique(dropna=True)


def test_an_unknown_target_lists_the_columns_and_the_one_meant():
    df = pd.DataFrame({"Label": ["a", "b"] * 10, **{f"x{i}": range(20) for i in range(15)}})
    with pytest.raises(ValueError) as caught:
        check_target(df, "label")
    message = str(caught.value)
    assert "no column named 'label'" in message and "Did you mean 'Label'?" in message
    assert "'x10'" in message and "and 4 more" in message
    with pytest.raises(ValueError, match=r"Its columns: 'Label', 'x0'") as caught:
        check_target(df, "price")
    assert "Did you mean" not in str(caught.value)
