"""lib.tabular.preprocess against scikit-learn's imputer / scaler / splitter as oracles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from lib.tabular.preprocess import OTHER, Preprocessor, prepare
from lib.tabular.profile import check_target


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
    np.testing.assert_allclose(p.X_train, expected_train, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(p.X_test, expected_test, rtol=1e-4, atol=1e-4)


def test_large_table_equals_sklearn_and_its_own_transform():
    """60,000 rows, numbers with missing values and skew, and a category with missing values:
    the float32 fill / gather / scatter path equals scikit-learn's imputer + scaler, the
    one-hot block is 0/1 before scaling, and transforming the same rows again is identical."""
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
    one_hot = p.X_test[:, 3:] * np.asarray(pre.stds[3:]) + np.asarray(pre.means[3:])
    np.testing.assert_allclose(np.sort(np.unique(one_hot.round(4))), [0.0, 1.0])
    colours = df["colour"].iloc[p.rows_test].to_numpy()
    names = pre.feature_names[3:]
    for value in ("red", "green", "blue"):
        column = next(i for i, n in enumerate(names) if n.endswith(value))
        np.testing.assert_array_equal(one_hot[:, column].round() == 1, colours == value)


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
    raw = (p.X_train * np.asarray(pre.stds, np.float32) + np.asarray(pre.means, np.float32)).round(
        4
    )
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
    assert any("3 value(s)" in w for w in p.warnings)
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
    assert titles[0] == "Label-encode the target" and titles[-1] == "Standardise"
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
