"""lib.tabular.preprocess against scikit-learn's ColumnTransformer (median imputer with
missing indicators, scaler, one-hot encoder with infrequent categories) and splitter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from lib.tabular.preprocess import INDICATOR_SUFFIX, OTHER, Preprocessor, prepare
from lib.tabular.profile import check_target

PART_OF = {"year": "year", "month": "month", "weekday": "dayofweek", "hour": "hour"}


def oracle_table(df, numeric, dates, booleans, categorical, train_rows):
    """The columns scikit-learn's transformer takes, built independently of lib: numbers
    (absurd values as NaN), date parts that vary in the training rows, booleans as 0/1,
    categories as text with missing values written "(missing)"."""
    table = pd.DataFrame(index=df.index)
    for c in numeric:
        v = pd.to_numeric(df[c], errors="coerce").astype("float64")
        table[c] = v.mask(~np.isfinite(v) | (v.abs() > 1e12))
    for c, fmt in dates.items():
        stamps = pd.to_datetime(df[c], format=fmt, errors="coerce", utc=True)
        for part, attr in PART_OF.items():
            v = getattr(stamps.dt, attr).astype("float64")
            if v.iloc[train_rows].dropna().nunique() > 1:
                table[f"{c}_{part}"] = v
    for c in booleans:
        table[c] = df[c].astype("float64")
    for c in categorical:
        table[c] = df[c].astype(object).where(df[c].notna(), "(missing)").astype(str)
    return table


def oracle(table, numbers, booleans, categorical, max_categories, flagged):
    """``flagged``: the columns that may get a missing indicator (a date's parts go missing
    together: only its first part)."""
    return ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                                  StandardScaler()), numbers),
            ("ind", MissingIndicator(features="missing-only", error_on_new=False), flagged),
            ("bool", "passthrough", booleans),
            ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=2,
                                  max_categories=max_categories + 1, sparse_output=False),
             categorical),
        ],
        sparse_threshold=0,
    )  # fmt: skip


def our_names_for(transformer, categorical, date_of) -> list[str]:
    """scikit-learn's output column names written as ClassLab names them."""
    names = []
    for name in transformer.get_feature_names_out():
        kind, rest = name.split("__", 1)
        if kind in ("ind", "missing"):
            column = rest.removeprefix("missingindicator_")
            names.append(date_of.get(column, column) + INDICATOR_SUFFIX)
        elif kind in ("cat", "categories"):
            column = next(c for c in categorical if rest.startswith(c + "_"))
            value = rest[len(column) + 1 :]
            names.append(f"{column}={OTHER if value == 'infrequent_sklearn' else value}")
        else:
            names.append(rest)
    return names


def assert_equals_sklearn(df, p, numeric, dates, booleans, categorical, max_categories, new=None):
    """The prepared matrices (and the transform of ``new`` rows) equal scikit-learn's, the
    columns matched by name (the order of the blocks may differ)."""
    table = oracle_table(df, numeric, dates, booleans, categorical, p.rows_train)
    numbers = [c for c in table.columns if c not in booleans and c not in categorical]
    first_parts = {next(n for n in numbers if n.startswith(c + "_")): c for c in dates}
    flagged = [n for n in numbers if n in numeric or n in first_parts]
    ct = oracle(table, numbers, booleans, categorical, max_categories, flagged)
    expected_train = ct.fit_transform(table.iloc[p.rows_train])
    names = our_names_for(ct, categorical, first_parts)
    pre = p.preprocessor
    assert sorted(names) == sorted(pre.feature_names)
    order = [names.index(n) for n in pre.feature_names]
    np.testing.assert_allclose(p.X_train, expected_train[:, order], rtol=1e-4, atol=1e-4)
    expected_test = ct.transform(table.iloc[p.rows_test])
    np.testing.assert_allclose(p.X_test, expected_test[:, order], rtol=1e-4, atol=1e-4)
    if new is not None:
        new_table = oracle_table(new, numeric, dates, booleans, categorical, [])
        new_table = new_table.reindex(columns=table.columns)
        for c in table.columns.difference(new_table.columns.dropna()):
            new_table[c] = np.nan
        for c, fmt in dates.items():  # the parts the training rows kept
            stamps = pd.to_datetime(new[c], format=fmt, errors="coerce", utc=True)
            for part, attr in PART_OF.items():
                if f"{c}_{part}" in table.columns:
                    new_table[f"{c}_{part}"] = getattr(stamps.dt, attr).astype("float64")
        expected_new = ct.transform(new_table)
        np.testing.assert_allclose(pre.transform(new), expected_new[:, order], rtol=1e-4,
                                   atol=1e-4)  # fmt: skip


def generated_table(seed: int):
    """A random table: numbers with and without missing values (some missing only in a few
    rows), an absurd value, a boolean, categories with rare values and missing values, a
    date column in a random format; the target depends on a few of them."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 400))
    fmt = ["%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y/%m/%d"][seed % 4]
    start = np.datetime64("2015-01-01") + rng.integers(0, 2000, n).astype("timedelta64[D]")
    stamps = pd.Series(start.astype("datetime64[ns]")) + pd.to_timedelta(
        rng.integers(0, 24, n), unit="h"
    )
    df = pd.DataFrame(
        {
            "a": rng.normal(5, 2, n),
            "b": rng.integers(0, 100, n).astype(float),
            "c": rng.lognormal(2, 1, n),
            "colour": rng.choice(
                ["red", "green", "blue", "teal", None], n, p=[0.4, 0.3, 0.15, 0.1, 0.05]
            ),  # fmt: skip
            "city": [f"city{int(v)}" for v in rng.zipf(1.6, n).clip(1, 60)],  # many rare ones
            "flag": rng.random(n) < 0.3,
            "when": stamps.dt.strftime(fmt),
        }
    )
    df.loc[rng.random(n) < 0.15, "a"] = np.nan
    df.loc[rng.integers(0, n, 2), "c"] = np.nan  # missing in a row or two: maybe only in test
    df.loc[int(rng.integers(0, n)), "b"] = np.inf
    df.loc[rng.random(n) < 0.05, "when"] = None
    score = df["b"].clip(0, 100) / 30 + (df["colour"] == "red") + df["a"].isna() + df["flag"]
    df["y"] = np.where(score + rng.normal(0, 0.7, n) > np.median(score), "yes", "no")
    return df, fmt


@pytest.mark.parametrize("seed", range(24))
def test_prepared_matrix_equals_a_sklearn_column_transformer(seed):
    """Issue #15.1: numbers imputed with the median plus a missing indicator where training
    rows had missing values, then standardised; dates as varying parts; booleans 0/1;
    categories one-hot 0/1 with rare ones grouped and unseen ones in "Other"; nothing 0/1
    rescaled. Equal to scikit-learn's ColumnTransformer on many generated tables."""
    df, fmt = generated_table(seed)
    max_categories = [3, 5, 20][seed % 3]
    features = ["a", "b", "c", "colour", "city", "flag", "when"]
    p = prepare(df, check_target(df, "y"), features, 0.25, seed, max_categories=max_categories)
    pre = p.preprocessor
    assert pre.numeric == ["a", "b", "c"] and list(pre.dates) == ["when"]
    assert pre.booleans == ["flag"] and list(pre.categorical) == ["colour", "city"]
    new = df.head(5).copy()
    new.loc[new.index[0], "city"] = "Atlantis"  # never seen in training
    new.loc[new.index[1], "colour"] = "purple"
    new.loc[new.index[2], "a"] = np.nan
    assert_equals_sklearn(df, p, ["a", "b", "c"], {"when": fmt}, ["flag"], ["colour", "city"],
                          max_categories, new)  # fmt: skip


def test_indicator_and_one_hot_columns_are_exactly_0_or_1_and_not_rescaled():
    """Issue #15.1: before, every column got std 1 — a category seen once in 69 rows became
    worth ~8 and dominated under L2. Now the 0/1 columns hold 0 and 1 only."""
    rng = np.random.default_rng(0)
    n = 92
    df = pd.DataFrame({"x": rng.normal(size=n), "kind": ["common"] * (n - 2) + ["rare", "rare"]})
    df.loc[:10, "x"] = np.nan
    df["y"] = rng.choice(["a", "b"], n)
    p = prepare(df, check_target(df, "y"), ["x", "kind"], seed=1)
    names = p.preprocessor.feature_names
    for j, name in enumerate(names):
        if name != "x":
            assert set(np.unique(p.X_train[:, j])) <= {0.0, 1.0}, name
    assert "x" + INDICATOR_SUFFIX in names
    assert np.abs(p.X_train).max() < 6  # nothing blown up


def _frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(5, 2, n)
    a[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "a": a,
            "b": rng.integers(0, 100, n).astype(float),
            "colour": rng.choice(["red", "green", "blue", None], n, p=[0.4, 0.3, 0.2, 0.1]),
            "y": rng.choice(["cat", "dog", "fish"], n, p=[0.5, 0.3, 0.2]),
        }
    )


def test_numeric_columns_equal_sklearn_imputer_and_scaler():
    df = _frame()
    info = check_target(df, "y")
    p = prepare(df, info, ["a", "b"], test_size=0.25, seed=3)
    train = df.iloc[p.rows_train][["a", "b"]].to_numpy()
    test = df.iloc[p.rows_test][["a", "b"]].to_numpy()
    imputer = SimpleImputer(strategy="median").fit(train)
    scaler = StandardScaler().fit(imputer.transform(train).astype(np.float32))
    expected_train = scaler.transform(imputer.transform(train).astype(np.float32))
    expected_test = scaler.transform(imputer.transform(test).astype(np.float32))
    np.testing.assert_allclose(p.X_train[:, :2], expected_train, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(p.X_test[:, :2], expected_test, rtol=1e-4, atol=1e-4)
    # "a" has missing values in the training rows: its indicator follows, as 0/1
    assert p.preprocessor.feature_names == ["a", "b", "a" + INDICATOR_SUFFIX]
    np.testing.assert_array_equal(p.X_test[:, 2], np.isnan(test[:, 0]))


def test_large_table_equals_sklearn_and_its_own_transform():
    """60,000 rows, numbers with missing values and skew, and a category with missing values:
    the float32 fill / gather / scatter path equals scikit-learn's imputer + scaler, the
    one-hot block is 0/1, and transforming the same rows again is identical."""
    df = _frame(60_000, seed=1)
    df["c"] = np.random.default_rng(2).lognormal(3, 1, len(df))
    info = check_target(df, "y")
    p = prepare(df, info, ["a", "b", "c", "colour"], test_size=0.25, seed=0)
    train = df.iloc[p.rows_train][["a", "b", "c"]].to_numpy()
    test = df.iloc[p.rows_test][["a", "b", "c"]].to_numpy()
    imputer = SimpleImputer(strategy="median").fit(train)
    scaler = StandardScaler().fit(imputer.transform(train).astype(np.float32))
    expected_test = scaler.transform(imputer.transform(test).astype(np.float32))
    np.testing.assert_allclose(p.X_test[:, :3], expected_test, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(p.X_train[:, :3].mean(axis=0), 0, atol=1e-5)
    again = p.preprocessor.transform(df, p.rows_test)
    np.testing.assert_array_equal(again, p.X_test)
    pre = p.preprocessor
    start = pre.feature_names.index("colour=(missing)")
    one_hot = p.X_test[:, start:]
    np.testing.assert_array_equal(np.unique(one_hot), [0.0, 1.0])
    colours = df["colour"].iloc[p.rows_test].to_numpy()
    names = pre.feature_names[start:]
    for value in ("red", "green", "blue"):
        column = next(i for i, n in enumerate(names) if n.endswith(value))
        np.testing.assert_array_equal(one_hot[:, column] == 1, colours == value)


def test_split_is_stratified_seeded_and_as_balanced_as_sklearn():
    df = _frame()
    info = check_target(df, "y")
    p = prepare(df, info, ["a"], test_size=0.25, seed=7)
    y = info.codes()
    _, sk_test = train_test_split(np.arange(len(y)), test_size=50, random_state=7, stratify=y)
    assert np.array_equal(np.bincount(y[p.rows_test]), np.bincount(y[sk_test]))
    assert len(p.rows_test) == 50
    again = prepare(df, info, ["a"], test_size=0.25, seed=7)
    other = prepare(df, info, ["a"], test_size=0.25, seed=8)
    assert np.array_equal(again.rows_test, p.rows_test)
    assert not np.array_equal(other.rows_test, p.rows_test)
    assert len(p.rows_train) + len(p.rows_test) == len(df)
    assert not set(p.rows_train) & set(p.rows_test)
    # stratified: class shares equal within one row
    for k in range(3):
        assert abs((p.y_test == k).mean() - (y == k).mean()) < 0.03


def test_one_hot_with_missing_as_category():
    df = _frame()
    info = check_target(df, "y")
    p = prepare(df, info, ["colour"])
    pre = p.preprocessor
    assert pre.categorical["colour"] == ["(missing)", "blue", "green", "red"]
    raw = p.X_train  # 0/1 as they are: one-hot columns are not rescaled
    assert set(np.unique(raw)) <= {0.0, 1.0}
    assert np.all(raw.sum(axis=1) == 1)
    expected = pd.get_dummies(df["colour"].fillna("(missing)").iloc[p.rows_train], dtype=float)
    np.testing.assert_array_equal(raw, expected[pre.categorical["colour"]].to_numpy())


def test_one_hot_width_is_capped_and_rare_categories_grouped():
    n = 3000
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"code": [f"k{i}" for i in rng.integers(0, 2000, n)], "y": rng.choice(["a", "b"], n)}
    )
    info = check_target(df, "y")
    p = prepare(df, info, ["code"], max_categories=20)
    assert p.X_train.shape[1] <= 21
    assert p.preprocessor.other["code"]
    assert p.preprocessor.feature_names[-1] == f"code={OTHER}"
    assert any("grouped" in w for w in p.warnings)


def test_inf_and_absurd_values_become_missing_with_a_warning():
    df = _frame()
    df.loc[0, "b"] = np.inf
    df.loc[1, "b"] = 1e308
    df.loc[2, "b"] = -np.inf
    info = check_target(df, "y")
    p = prepare(df, info, ["b"])
    assert np.isfinite(p.X_train).all() and np.isfinite(p.X_test).all()
    assert any("3 values infinite" in w for w in p.warnings)
    assert abs(p.X_train.max()) < 10


def test_transform_of_new_rows_matches_and_round_trips():
    df = _frame()
    info = check_target(df, "y")
    p = prepare(df, info, ["a", "b", "colour"])
    again = Preprocessor.from_dict(p.preprocessor.to_dict())
    X = again.transform(df.iloc[p.rows_test].reset_index(drop=True))
    np.testing.assert_array_equal(X, p.X_test)
    unseen = pd.DataFrame({"a": [np.nan], "b": [np.inf], "colour": ["purple"]})
    row = again.transform(unseen)
    assert np.isfinite(row).all()
    with pytest.raises(ValueError, match="lacks"):
        again.transform(pd.DataFrame({"a": [1.0]}))
    np.testing.assert_array_equal(again.transform(df, p.rows_test), p.X_test)
    for outside in ([len(df)], [-1]):  # the gathers skip their own checks: this one counts
        with pytest.raises(IndexError, match="Row positions"):
            again.transform(df, np.array(outside))


def test_every_step_has_code_and_steps_are_in_order():
    df = _frame()
    p = prepare(df, check_target(df, "y"), ["a", "b", "colour"])
    titles = [s.title for s in p.steps]
    assert titles[0] == "Label-encode the target" and titles[-1].startswith("Standardise")
    assert all(s.code.strip() for s in p.steps)
    for step in p.steps:
        compile(step.code, step.title, "exec")
    scope: dict = {"np": np}
    exec(p.steps[1].code.replace("train_pos, test_pos", "_a, _b"), scope | {"y": info_codes(df)})
    assert p.steps[0].table["class"].tolist() == ["cat", "dog", "fish"]


def info_codes(df):
    return check_target(df, "y").codes()


@pytest.mark.parametrize("counts", [[2, 2], [50, 3, 2], [1000, 5], [7, 7, 7, 7]])
def test_stratified_split_edge_cases(counts):
    from lib.tabular.preprocess import split_sizes, stratified_split

    y = np.repeat(np.arange(len(counts)), counts)
    n_test = split_sizes(len(y), len(counts), 0.25)
    train, test = stratified_split(y, n_test, seed=0)
    assert len(test) == n_test and len(train) + len(test) == len(y)
    assert set(np.unique(y[train])) == set(np.unique(y[test])) == set(range(len(counts)))


def test_refusals():
    df = _frame()
    info = check_target(df, "y")
    with pytest.raises(ValueError, match="No feature"):
        prepare(df, info, [])
    with pytest.raises(ValueError, match="cannot also be a feature"):
        prepare(df, info, ["y"])
    with pytest.raises(ValueError, match="between"):
        prepare(df, info, ["a"], test_size=0.9)


def test_threaded_passes_equal_the_single_thread_result(monkeypatch):
    """Large tables profile and prepare column by column on threads; the numbers are the
    same bit for bit as on one thread (and the one-hot batches join seamlessly)."""
    import lib.tabular.preprocess as preprocessing
    import lib.tabular.profile as profiling
    from lib.tabular import threads

    monkeypatch.setattr(threads, "worker_count", lambda: 2)
    df = _frame(5_000, seed=4)
    df["c"] = np.random.default_rng(5).lognormal(3, 1, len(df))
    df.loc[::97, "c"] = np.inf
    features = ["a", "b", "c", "colour"]

    def run():
        profile = profiling.profile_frame(df)
        info = check_target(df, "y")
        return profile, prepare(df, info, features, test_size=0.25, seed=2)

    monkeypatch.setattr(preprocessing, "PARALLEL_ROWS", 10**9)
    monkeypatch.setattr(profiling, "PARALLEL_ROWS", 10**9)
    profile_one, one = run()
    monkeypatch.setattr(preprocessing, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(profiling, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(preprocessing, "ONEHOT_BATCH", 7)
    profile_many, many = run()
    assert profile_one == profile_many
    np.testing.assert_array_equal(one.X_train, many.X_train)
    np.testing.assert_array_equal(one.X_test, many.X_test)
    assert one.preprocessor == many.preprocessor
    assert one.warnings == many.warnings and "infinite" in " ".join(one.warnings)
    assert [s.title for s in one.steps] == [s.title for s in many.steps]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1001])
def test_finite_median_equals_numpy_median_of_the_finite_values(n):
    from lib.tabular.preprocess import _std, finite_median

    rng = np.random.default_rng(n)
    values = rng.normal(size=n)
    values[rng.random(n) < 0.3] = np.nan
    finite = values[~np.isnan(values)]
    expected = float(np.median(finite)) if finite.size else 0.0
    assert finite_median(values.copy()) == expected
    column = rng.normal(2, 3, max(n, 1)).astype(np.float32)
    work = np.empty(column.size)
    mean = float(column.mean(dtype=np.float64))
    assert _std(column, mean, work) == float(column.std(dtype=np.float64))


def test_transform_raises_no_numpy_warnings():
    """The narrowing float64 → float32 happens explicitly (a cast through ``np.take(out=)``
    once read uninitialised memory and warned "invalid value encountered in cast")."""
    import warnings

    from sklearn.datasets import load_wine

    df = load_wine(as_frame=True).frame
    df["target"] = df["target"].map({0: "a", 1: "b", 2: "c"})
    df.loc[::7, "hue"] = np.nan
    info = check_target(df, "target")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        p = prepare(df, info, [c for c in df.columns if c != "target"], seed=1)
    assert np.isfinite(p.X_train).all() and np.isfinite(p.X_test).all()


@pytest.mark.parametrize(
    "kind", ["normal", "few values", "sorted", "mostly missing", "constant", "two clusters"]
)
def test_median_of_a_long_column_equals_numpy(kind):
    """np.median's value exactly, ties, NaNs and infinities included, for odd and even counts."""
    from lib.tabular.preprocess import finite_median

    rng = np.random.default_rng(len(kind))
    n = 150_001
    values = {
        "normal": rng.normal(size=n),
        "few values": rng.integers(0, 4, n).astype(float),
        "sorted": np.sort(rng.exponential(size=n)),
        "mostly missing": np.where(rng.random(n) < 0.6, np.nan, rng.normal(size=n)),
        "constant": np.full(n, 2.5),
        "two clusters": np.concatenate([np.full(n // 2, -1.0), 1 + rng.random(n - n // 2)]),
    }[kind]
    values[rng.random(n) < 0.03] = np.nan
    values[rng.random(n) < 0.001] = np.inf
    for size in (n, n - 1, n - 2, n - 3):  # odd and even counts of values
        column = values[:size]
        finite = column[~np.isnan(column)]
        assert finite_median(column.copy()) == float(np.median(finite))


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["1970-01-01", "1999-12-31", "2021-06-15"], "ISO8601"),
        (["2021/03/04", "2020/11/30", "2019/01/02"], "ISO8601"),
        (["04/03/2021", "25/12/2020", "13/01/2019"], "%d/%m/%Y"),
        (["03/04/2021", "12/25/2020", "01/13/2019"], "%m/%d/%Y"),
        (["Mar 4, 2021", "Dec 25, 2020", "Jan 2, 2019"], "%b %d, %Y"),
        (["2021-03-04 10:22", "2021-03-05 23:01", "2021-03-09 08:00"], "ISO8601"),
    ],
)
def test_dates_are_detected_and_split_into_the_parts_that_vary(values, fmt):
    from lib.tabular.dates import date_format
    from lib.tabular.profile import profile_frame

    rng = np.random.default_rng(0)
    n = 60
    df = pd.DataFrame({"when": rng.choice(values, n), "x": rng.normal(size=n)})
    df["y"] = rng.choice(["a", "b"], n)
    assert date_format(df["when"]) == fmt
    assert profile_frame(df).column("when").kind == "date"
    assert "when" in profile_frame(df).default_features("y")
    p = prepare(df, check_target(df, "y"), ["when", "x"], seed=0)
    spec = p.preprocessor.dates["when"]
    stamps = pd.to_datetime(df["when"], format=fmt, utc=True)
    expected = {
        "year": stamps.dt.year, "month": stamps.dt.month,
        "weekday": stamps.dt.dayofweek, "hour": stamps.dt.hour,
    }  # fmt: skip
    varying = [k for k, v in expected.items() if v.iloc[p.rows_train].nunique() > 1]
    assert spec["parts"] == varying and spec["format"] == fmt
    step = next(s for s in p.steps if s.title == "Dates become numbers")
    assert step.table["becomes"].iloc[0] == ", ".join(f"when_{v}" for v in varying)


def test_unreadable_dates_become_missing_with_a_note_and_one_indicator():
    n = 80
    when = pd.Series(pd.date_range("2020-01-01", periods=n, freq="5D").strftime("%Y-%m-%d"))
    when[[3, 10, 11]] = ["not a date", None, "2020-13-45"]
    df = pd.DataFrame({"when": when, "y": ["a", "b"] * (n // 2)})
    p = prepare(df, check_target(df, "y"), ["when"], test_size=0.1, seed=0)
    names = p.preprocessor.feature_names
    assert [n for n in names if n.endswith(INDICATOR_SUFFIX)] == ["when" + INDICATOR_SUFFIX]
    step = next(s for s in p.steps if s.title == "Dates become numbers")
    train_rows = set(p.rows_train.tolist())
    unreadable = len(train_rows & {3, 11})
    if unreadable:
        assert any("could not be read as a date" in w for w in step.warnings)


def test_the_scaling_step_explains_why_the_0_1_columns_are_not_rescaled():
    df, _ = generated_table(3)
    p = prepare(df, check_target(df, "y"), ["a", "colour", "flag"], seed=0)
    step = p.steps[-1]
    assert step.title == "Standardise the numbers; leave the 0/1 columns as they are"
    assert "69 rows" in step.text and "L2 penalty" in step.text
    assert "MissingIndicator" in step.code and "infrequent_if_exist" in step.code


def test_the_sklearn_code_the_page_shows_computes_the_same_matrix():
    """The ColumnTransformer in the last step's code panel, run as shown on the columns it
    describes, gives the prepared matrix (columns matched by name)."""
    df, fmt = generated_table(5)
    features = ["a", "b", "c", "colour", "city", "flag", "when"]
    p = prepare(df, check_target(df, "y"), features, seed=5)
    pre = p.preprocessor
    code = p.steps[-1].code.split("# All of it in scikit-learn", 1)[1]
    table = oracle_table(df, pre.numeric, {"when": fmt}, pre.booleans, list(pre.categorical),
                         p.rows_train)  # fmt: skip
    scope = {"X": table, "train": table.iloc[p.rows_train], "test": table.iloc[p.rows_test]}
    exec(compile("#" + code, "<panel>", "exec"), scope)
    ct = scope["preprocess"]
    names = our_names_for(ct, list(pre.categorical), {"when_year": "when"})
    assert sorted(names) == sorted(pre.feature_names)
    order = [names.index(n) for n in pre.feature_names]
    np.testing.assert_allclose(p.X_train, scope["X_train"][:, order], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(p.X_test, scope["X_test"][:, order], rtol=1e-4, atol=1e-4)
