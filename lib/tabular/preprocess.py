"""From a clean table to tensors, one teachable step at a time.

:func:`prepare` label-encodes the target, splits rows into a stratified training and test
set with a seed, then fits a :class:`Preprocessor` on the training rows only (no peeking at
the test set). What each kind of column becomes:

* **numbers** — absurd values (inf, |x| > 1e12) become missing; missing values get the
  training median, and a column that had missing values in the training rows gets a 0/1
  *missing indicator* beside it (that a value is missing can itself be informative); then
  each number is standardised with the training mean and standard deviation.
* **dates** (text written like ``1970-01-01`` or ``2021/03/04``) — the year, month, day of the
  week and hour that vary in the training rows, then treated as numbers.
* **true / false** — one 0/1 column.
* **categories** — one 0/1 column per category seen at least twice in the training rows (the
  most frequent ones, up to a width cap); the others, and categories never seen in training,
  share one ``"Other"`` column (scikit-learn: ``handle_unknown="infrequent_if_exist"``).

The 0/1 columns are **not** rescaled: standardising a category seen once in 69 rows turns
its 1 into ~8, and the L2 penalty then charges its weight so little that the rare category
dominates the model. The result equals scikit-learn's ``ColumnTransformer`` built the same
way (see :func:`lib.tabular.steps.sklearn_code` and the tests).

The fitted :class:`Preprocessor` transforms new rows identically and serialises to plain
lists and dicts (so a model file can be loaded with ``torch.load(weights_only=True)``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from lib.tabular import dates
from lib.tabular.profile import TargetInfo, factorize, shared_codes
from lib.tabular.threads import PARALLEL_ROWS, Scratch, release_heap, thread_map

MAX_ABS = 1e12
MAX_CATEGORIES = 20
MAX_WIDTH = 512
MIN_CATEGORY_ROWS = 2
ONEHOT_BATCH = 65_536
MISSING = "(missing)"
OTHER = "Other"
INDICATOR_SUFFIX = "_was_missing"


@dataclass
class Step:
    """One preprocessing step as the page shows it."""

    title: str
    text: str
    code: str
    lesson: str | None = None
    table: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Preprocessor:
    """Everything needed to turn raw rows into the model's inputs.

    The inputs, in order: the numeric features (``numeric`` columns, then each date column's
    kept parts), standardised; a 0/1 missing indicator for each numeric feature listed in
    ``indicators``; the ``booleans`` as 0/1; the one-hot blocks of ``categorical`` (kept
    categories, then ``"Other"`` where ``other``). ``medians`` / ``means`` / ``stds`` have one
    value per numeric feature.
    """

    numeric: list[str]
    medians: list[float]
    categorical: dict[str, list[str]]
    other: dict[str, bool]
    feature_names: list[str]
    means: list[float]
    stds: list[float]
    target: str
    classes: list[str]
    max_abs: float = MAX_ABS
    dates: dict[str, dict] = field(default_factory=dict)  # column -> {"format", "parts"}
    indicators: list[int] = field(default_factory=list)  # numeric feature positions
    booleans: list[str] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def numeric_features(self) -> list[tuple[str, str | None]]:
        """(column, date part or None) of each standardised feature, in order."""
        return [(c, None) for c in self.numeric] + [
            (c, part) for c, spec in self.dates.items() for part in spec["parts"]
        ]

    @property
    def n_numeric(self) -> int:
        return len(self.numeric) + sum(len(s["parts"]) for s in self.dates.values())

    @property
    def columns(self) -> list[str]:
        """The input columns a table must have."""
        return [*self.numeric, *self.dates, *self.booleans, *self.categorical]

    def to_dict(self) -> dict:
        """Plain str / float / list / dict values only."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Preprocessor:
        return cls(**data)

    def transform(self, df: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
        """float32 features for ``df`` (or its row positions ``rows``)."""
        return self.transform_many(df, [rows])[0]

    def transform_many(
        self, df: pd.DataFrame, row_sets: list, factorized: dict | None = None
    ) -> list[np.ndarray]:
        """:meth:`transform` for several row subsets, reading each column once.

        ``factorized``: text columns' (codes, labels) for ``df``, when at hand. Each feature is
        written into a contiguous row of a (features × rows) buffer, one column per task (on
        threads for long tables); the buffers are returned transposed (no copy).
        """
        self._check(df, row_sets)
        outs = [
            np.empty((self.n_features, len(df) if r is None else len(r)), dtype=np.float32)
            for r in row_sets
        ]
        writer = _Writer(self, df, row_sets, outs, factorized or {})
        thread_map(lambda task: task[1](), writer.tasks(), parallel=len(df) >= PARALLEL_ROWS,
                   cost=lambda task: task[0])  # fmt: skip
        return [out.T for out in outs]

    def _check(self, df: pd.DataFrame, row_sets: list) -> None:
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise ValueError(f"The table lacks the column(s) the model needs: {missing}.")
        for rows in row_sets:  # checked once, so the gathers can skip their own checks
            if rows is not None and len(rows) and not 0 <= rows.min() <= rows.max() < len(df):
                raise IndexError(f"Row positions must lie in 0…{len(df) - 1}.")


class _Writer:
    """The tasks of one :meth:`Preprocessor.transform_many`: each writes its own rows of the
    output buffers (numeric features, their indicators, booleans, one-hot blocks)."""

    def __init__(self, pre: Preprocessor, df, row_sets, outs, factorized) -> None:
        self.pre, self.df, self.row_sets, self.outs = pre, df, row_sets, outs
        self.factorized = factorized
        self.scratch = Scratch()
        n = pre.n_numeric
        self.indicator_row = {j: n + i for i, j in enumerate(pre.indicators)}
        self.bool_start = n + len(pre.indicators)

    def tasks(self) -> list[tuple[float, partial]]:
        """(cost estimate, task) pairs."""
        pre = self.pre
        tasks = [(2.0, partial(self.numeric, j, c)) for j, c in enumerate(pre.numeric)]
        j = len(pre.numeric)
        for name, spec in pre.dates.items():
            tasks.append((20.0, partial(self.date, j, name)))  # parsing text is slow
            j += len(spec["parts"])
        tasks += [(1.0, partial(self.boolean, self.bool_start + i, c))
                  for i, c in enumerate(pre.booleans)]  # fmt: skip
        j = self.bool_start + len(pre.booleans)
        for name, kept in pre.categorical.items():
            tasks.append((len(kept) + 1.0, partial(self.onehot, j, name)))
            j += len(kept) + pre.other[name]
        return tasks

    def numeric(self, j: int, name: str) -> None:
        out = self.scratch.array("values", len(self.df), np.float64)
        values, _ = numeric_values(self.df[name], self.pre.max_abs, out=out)
        self.fill(j, values)

    def date(self, j: int, name: str) -> None:
        spec = self.pre.dates[name]
        parts = dates.date_parts(self.df[name], spec["format"], spec["parts"])
        for k, part in enumerate(spec["parts"]):
            self.fill(j + k, parts[part])

    def fill(self, j: int, values: np.ndarray) -> None:
        """Feature ``j`` from float64 ``values`` (NaN: missing): gathered, its indicator
        written, imputed with the median and standardised, in float32."""
        pre, scratch = self.pre, self.scratch
        narrow = scratch.array("narrow", len(values), np.float32)
        np.copyto(narrow, values, casting="same_kind")  # the gathers below need no temp
        median, mean, std = (np.float32(v[j]) for v in (pre.medians, pre.means, pre.stds))
        indicator = self.indicator_row.get(j)
        for out, rows in zip(self.outs, self.row_sets, strict=True):
            column = out[j]
            if rows is None:
                column[:] = narrow
            else:
                np.take(narrow, rows, out=column, mode="clip")  # (checked) "raise" buffers
            gaps = np.isnan(column, out=scratch.array("gaps", len(column), np.bool_))
            if indicator is not None:
                out[indicator] = gaps
            np.copyto(column, median, where=gaps)
            column -= mean
            column /= std

    def boolean(self, j: int, name: str) -> None:
        values = bool_values(self.df[name])
        for out, rows in zip(self.outs, self.row_sets, strict=True):
            out[j] = values if rows is None else values[rows]

    def onehot(self, start: int, name: str) -> None:
        """Every category column 0, then each row's own category column 1 (rows whose
        category is not kept: the "Other" column if there is one, else none)."""
        kept, other = self.pre.categorical[name], self.pre.other[name]
        codes_all = category_codes(self.df[name], kept, factorized=self.factorized.get(name))
        width = len(kept) + other
        for out, rows in zip(self.outs, self.row_sets, strict=True):
            block = out[start : start + width]  # contiguous: whole rows of the buffer
            block[:] = 0.0
            flat, n = block.reshape(-1), block.shape[1]
            # A batch of rows at a time: the flat indices of a 1-D scatter take 8 bytes a row.
            for first in range(0, n, ONEHOT_BATCH):
                stop = min(n, first + ONEHOT_BATCH)
                codes = codes_all[first:stop] if rows is None else codes_all[rows[first:stop]]
                if other:
                    slot, cols = np.where(codes >= 0, codes, width - 1), np.arange(first, stop)
                else:
                    cols = np.flatnonzero(codes >= 0)
                    slot = codes[cols]
                    cols += first
                np.put(flat, slot.astype(np.int64) * n + cols, 1.0)


def bool_values(col: pd.Series) -> np.ndarray:
    """True / False as a bool array: a bool column as it is; text "true" / "1" (any case)
    is True, anything else (missing included) False."""
    if pd.api.types.is_bool_dtype(col) and not col.hasnans:
        return col.to_numpy(dtype=np.bool_)
    text = col.astype("string").str.strip().str.casefold()
    return text.isin(["true", "1", "1.0"]).to_numpy(dtype=np.bool_, na_value=False)


def finite_median(values: np.ndarray) -> float:
    """Median of the non-NaN values (0.0 when there are none), as ``np.median`` of them.

    Reorders ``values`` in place (NaN sorts last), so no filtered copy is made. One
    selection at the lower middle; the upper middle of an even count is the smallest value
    after it. (numpy's partition at both middles at once is ~5× slower than at one.)
    """
    n = values.size - int(np.count_nonzero(np.isnan(values)))
    if n == 0:
        return 0.0
    low = (n - 1) // 2
    values.partition(low)
    if n % 2:
        return float(values[low])
    upper = np.fmin.reduce(values[low + 1 :])  # fmin skips the NaNs sorted after the values
    return float(np.mean([values[low], upper]))


def _std(column: np.ndarray, mean: float, work: np.ndarray) -> float:
    """``float(column.std(dtype=np.float64))`` with ``work`` (float64, same length) as its temp."""
    np.subtract(column, np.float64(mean), out=work)  # a float64 scalar: a float64 loop
    np.multiply(work, work, out=work)
    return float(np.sqrt(work.sum() / work.size))


def numeric_values(
    col: pd.Series, max_abs: float = MAX_ABS, out: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """float64 copy with inf / |x| > max_abs turned into NaN, and how many were turned.

    ``out`` (float64, one per row), when given, receives the copy for plain numpy columns;
    a float64 column with nothing to turn is then returned as it is (read only, no copy).
    """
    if out is not None and isinstance(col.dtype, np.dtype) and col.dtype == np.float64:
        own = col.to_numpy(copy=False)
        if _in_range(own, max_abs):
            return own, 0
    if pd.api.types.is_bool_dtype(col):
        values = col.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    elif out is not None and isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf":
        values = out
        np.copyto(values, col.to_numpy(copy=False), casting="unsafe")
    elif pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    else:
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if _in_range(values, max_abs):
        return values, 0  # no temporaries
    with np.errstate(invalid="ignore"):
        bad = np.abs(values) > max_abs  # inf included; NaN compares False
    n_bad = int(bad.sum())
    if n_bad:
        values[bad] = np.nan
    return values, n_bad


def _in_range(values: np.ndarray, max_abs: float) -> bool:
    """Every non-NaN value finite and within ±max_abs (two reductions, no temporary)."""
    return bool(
        values.size and -max_abs <= np.fmin.reduce(values) and np.fmax.reduce(values) <= max_abs
    )


def _codes_with_missing(
    col: pd.Series, shared: tuple | None = None
) -> tuple[np.ndarray, list[str]]:
    """Codes into a list of text labels; the last label is ``"(missing)"`` (code -1 → it).

    ``shared``: the column's codes from its profile, when at hand (no second hash pass).
    """
    codes, labels = shared if shared is not None else factorize(col)
    return codes, labels + [MISSING]


def category_counts(col: pd.Series, rows: np.ndarray | None = None, factorized=None) -> pd.Series:
    """Rows per category label (missing counted as ``"(missing)"``), most frequent first."""
    codes, labels = factorized if factorized is not None else _codes_with_missing(col)
    if rows is not None:
        codes = codes[rows]
    counts = np.bincount(codes + 1, minlength=len(labels))  # slot 0: missing
    series = pd.Series(np.roll(counts, -1), index=labels)
    series = series[series > 0].groupby(level=0, sort=False).sum()
    return series.sort_values(ascending=False, kind="stable")


def category_codes(
    col: pd.Series, kept: list[str], rows: np.ndarray | None = None, factorized=None
) -> np.ndarray:
    """Position of each row's category in ``kept`` (-1 when not kept)."""
    if factorized is not None and rows is None:
        codes, labels = factorized
    else:
        codes, labels = _codes_with_missing(col if rows is None else col.iloc[rows])
    position = {c: i for i, c in enumerate(kept)}
    lookup = np.array([position.get(label, -1) for label in labels], dtype=np.int32)
    return lookup[codes]


# --- fitting on the training rows ----------------------------------------------------------


@dataclass
class NumericFit:
    """What fitting one numeric feature found on the training rows."""

    name: str
    median: float
    mean: float
    std: float
    missing: int  # in the training rows
    absurd: int = 0  # infinite or beyond ±MAX_ABS, in the whole column
    column: str = ""  # the table's column (a date part's date column)
    part: str | None = None  # the date part, for a date column

    @property
    def indicator(self) -> str:
        """The name of its missing indicator (one per column: a date's parts go missing
        together, so only its first part gets one, named after the column)."""
        return (self.column or self.name) + INDICATOR_SUFFIX


@dataclass
class OneHotPlan:
    kept: dict[str, list[str]]
    other: dict[str, bool]
    per_column: int
    grouped: dict[str, tuple[int, int]]  # column -> (rare categories, their training rows)
    counts: dict[str, pd.Series]  # training rows per category


@dataclass
class Fitted:
    """A fitted preprocessor and what the steps report about fitting it."""

    pre: Preprocessor
    numeric: list[NumericFit]
    dates: dict[str, dict]  # column -> {"format", "parts", "constant", "unreadable"}
    onehot: OneHotPlan


def column_kinds(df: pd.DataFrame, features: list[str]) -> dict[str, str]:
    """Each feature's treatment: "numeric", "date", "boolean" or "categorical"."""
    kinds = {}
    for name in features:
        col = df[name]
        if pd.api.types.is_bool_dtype(col) and not col.hasnans:
            kinds[name] = "boolean"
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            kinds[name] = "numeric"
        elif dates.date_format(col) is not None:
            kinds[name] = "date"
        else:
            kinds[name] = "categorical"
    return kinds


def fit_numeric(name: str, values: np.ndarray, train: np.ndarray | None, scratch) -> NumericFit:
    """Median, then mean and standard deviation of the imputed float32 training values (in
    row order, as the transform and the downloaded script compute them)."""
    n = len(values) if train is None else len(train)
    sample = scratch.array("train", n, np.float64)
    if train is None:
        sample[:] = values
    else:
        np.take(values, train, out=sample, mode="clip")
    gaps = np.isnan(sample)
    work = scratch.array("median", n, np.float64)
    work[:] = sample
    median = finite_median(work)  # reorders ``work``; ``sample`` stays in row order
    column = scratch.array("column", n, np.float32)
    np.copyto(column, sample, casting="same_kind")
    np.copyto(column, np.float32(median), where=gaps)
    mean = float(column.mean(dtype=np.float64)) if n else 0.0
    std = _std(column, mean, sample) if n else 0.0
    return NumericFit(name, median, mean, std if std > 1e-12 else 1.0, int(gaps.sum()))


def fit_dates(df: pd.DataFrame, names: list[str], train: np.ndarray, scratch):
    """Per date column: its format, the parts that vary in the training rows and their fits."""
    found, fits = {}, []
    for name in names:
        fmt = dates.date_format(df[name])
        parts = dates.date_parts(df[name].iloc[train], fmt)
        unreadable = int(np.isnan(parts["year"]).sum() - df[name].iloc[train].isna().sum())
        varying = [p for p, v in parts.items() if len(np.unique(v[~np.isnan(v)])) > 1]
        found[name] = {"format": fmt, "parts": varying, "unreadable": unreadable,
                       "constant": [p for p in dates.PARTS if p not in varying]}  # fmt: skip
        for k, part in enumerate(varying):
            found_fit = fit_numeric(f"{name}_{part}", parts[part], None, scratch)
            found_fit.column, found_fit.part = name, part
            # Missing dates are missing in every part: one indicator, on the first part.
            found_fit.missing *= k == 0
            fits.append(found_fit)
    return found, fits


def plan_onehot(
    categorical: list[str], n_other: int, train_counts: dict[str, pd.Series], max_categories: int
) -> OneHotPlan:
    """The categories kept per column: seen at least ``MIN_CATEGORY_ROWS`` times in training,
    at most ``per_column`` of them (the most frequent; on a tie the later name, as
    scikit-learn's ``max_categories``); the rest share ``"Other"``."""
    room = max(1, (MAX_WIDTH - n_other) // max(1, len(categorical)) - 1)
    per_column = max(1, min(max_categories, room))
    kept, other, grouped = {}, {}, {}
    for name in categorical:
        counts = train_counts[name]
        frequent = counts[counts >= MIN_CATEGORY_ROWS]
        if len(frequent) > per_column:
            ranked = sorted(frequent.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
            frequent = frequent[[label for label, _ in ranked[:per_column]]]
        kept[name] = sorted(map(str, frequent.index))
        rest = counts.drop(frequent.index)
        other[name] = len(rest) > 0
        if len(rest):
            grouped[name] = (len(rest), int(rest.sum()))
    return OneHotPlan(kept, other, per_column, grouped, train_counts)


def fit(
    df: pd.DataFrame,
    features: list[str],
    target: TargetInfo,
    rows_train: np.ndarray,
    column_codes: dict | None = None,
    max_categories: int = MAX_CATEGORIES,
) -> tuple[Fitted, dict]:
    """Fit every column's treatment on the training rows; also returns the text columns'
    codes (for the transform)."""
    kinds = column_kinds(df, features)
    of = {
        k: [f for f in features if kinds[f] == k]
        for k in ("numeric", "date", "boolean", "categorical")
    }
    parallel = len(df) >= PARALLEL_ROWS
    scratch = Scratch()

    def numeric(name: str) -> NumericFit:
        values, n_bad = numeric_values(df[name], out=scratch.array("values", len(df), np.float64))
        found = fit_numeric(name, values, rows_train, scratch)
        found.absurd = n_bad
        return found

    numeric_fits = thread_map(numeric, of["numeric"], parallel)
    date_specs, date_fits = fit_dates(df, of["date"], rows_train, scratch)
    fits = numeric_fits + date_fits

    def codes_and_counts(name: str):
        codes = _codes_with_missing(df[name], shared_codes(column_codes, name, len(df)))
        return codes, category_counts(df[name], rows_train, codes)  # training rows' counts

    coded = dict(zip(of["categorical"], thread_map(codes_and_counts, of["categorical"], parallel),
                     strict=True))  # fmt: skip
    indicators = [j for j, f in enumerate(fits) if f.missing]
    plan = plan_onehot(
        of["categorical"],
        len(fits) + len(indicators) + len(of["boolean"]),
        {name: counts for name, (_, counts) in coded.items()},
        max_categories,
    )
    names = [f.name for f in fits] + [fits[j].indicator for j in indicators]
    names += of["boolean"]
    for name in of["categorical"]:
        names += [f"{name}={c}" for c in plan.kept[name]] + [f"{name}={OTHER}"] * plan.other[name]
    pre = Preprocessor(
        of["numeric"], [f.median for f in fits], plan.kept, plan.other, names,
        [f.mean for f in fits], [f.std for f in fits], target.name, list(target.classes),
        MAX_ABS, {c: {"format": s["format"], "parts": s["parts"]} for c, s in date_specs.items()},
        indicators, of["boolean"],
    )  # fmt: skip
    return Fitted(pre, fits, date_specs, plan), {n: codes for n, (codes, _) in coded.items()}


# --- the split and the whole preparation ---------------------------------------------------


@dataclass
class Prepared:
    """Tensors-to-be for training plus the fitted preprocessor and the steps to show."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    rows_train: np.ndarray  # row positions in the original frame
    rows_test: np.ndarray
    preprocessor: Preprocessor
    steps: list[Step]
    warnings: list[str]
    test_size: float
    seed: int


def split_sizes(n: int, n_classes: int, test_size: float) -> int:
    """Test rows: ``test_size`` of n, but at least one per class and leaving one per class to train."""
    if not 0.05 <= test_size <= 0.5:
        raise ValueError(f"The test share must be between 5% and 50%, got {test_size:.0%}.")
    n_test = max(math.ceil(test_size * n), n_classes)
    if n - n_test < n_classes:
        raise ValueError(
            f"{n} rows are too few to split into training and test sets with {n_classes} "
            "classes each represented. Upload more rows."
        )
    return n_test


def stratified_split(y: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, test) positions: each class shuffled and split in proportion."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(y)
    exact = counts * n_test / len(y)
    take = np.clip(
        np.floor(exact).astype(np.int64), np.minimum(1, counts), np.maximum(counts - 1, 0)
    )
    order = np.argsort(exact - take)[::-1]  # largest remainders first
    for k in np.resize(order, 4 * len(order)):
        if take.sum() == n_test:
            break
        if take.sum() < n_test and take[k] < counts[k] - 1:
            take[k] += 1
        elif take.sum() > n_test and take[k] > 1:
            take[k] -= 1
    in_test = np.zeros(len(y), dtype=bool)
    for k in range(len(counts)):
        members = np.flatnonzero(y == k)
        in_test[members[rng.permutation(counts[k])[: take[k]]]] = True
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)  # both sorted


def _check_features(df: pd.DataFrame, target: TargetInfo, features: list[str]) -> None:
    if not features:
        raise ValueError(
            "No feature columns are selected: choose at least one column to learn from."
        )
    unknown = [f for f in features if f not in df.columns]
    if unknown:
        raise ValueError(f"Unknown feature column(s): {unknown}.")
    if target.name in features:
        raise ValueError(f"The target {target.name!r} cannot also be a feature.")


def prepare(
    df: pd.DataFrame,
    target: TargetInfo,
    features: list[str],
    test_size: float = 0.25,
    seed: int = 0,
    max_categories: int = MAX_CATEGORIES,
    column_codes: dict | None = None,
) -> Prepared:
    """Label-encode, split, then fit every column's treatment on the training rows and
    transform both sets; the steps say what was done, with code.

    ``column_codes``: :attr:`~lib.tabular.profile.Profile.factorized` of this frame, if at hand
    (the text columns' codes, so they are not hashed again).
    """
    from lib.tabular import steps as teach

    _check_features(df, target, features)
    if len(df) >= PARALLEL_ROWS:
        release_heap()  # what profiling and the target check freed: not part of this peak
    rows = _positions(df, target.labels.index)
    # One byte per row while splitting (the comparisons read 8× less); int64 for training.
    y = target.codes(np.int8 if target.n_classes < 127 else np.int64)
    n_test = split_sizes(len(y), target.n_classes, test_size)
    pos_train, pos_test = stratified_split(y, n_test, seed)
    rows_train, rows_test = rows[pos_train], rows[pos_test]
    y_train, y_test = y[pos_train].astype(np.int64), y[pos_test].astype(np.int64)
    del rows, y, pos_train, pos_test  # freed before the feature buffers are allocated
    fitted, codes = fit(df, features, target, rows_train, column_codes, max_categories)
    if fitted.pre.n_features == 0:
        raise ValueError(
            "The chosen columns give the model nothing to learn from (dates that never "
            "change in the training rows). Choose other feature columns."
        )
    X_train, X_test = fitted.pre.transform_many(df, [rows_train, rows_test], codes)
    steps = teach.all_steps(target, fitted, len(rows_train), len(rows_test), n_test, seed)
    warnings = list(target.notes) + [w for s in steps[1:] for w in s.warnings]
    return Prepared(X_train, X_test, y_train, y_test, rows_train, rows_test, fitted.pre,
                    steps, warnings, test_size, seed)  # fmt: skip


def _positions(df: pd.DataFrame, index: pd.Index) -> np.ndarray:
    """Row positions of ``index`` labels (free for the default RangeIndex)."""
    if isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1:
        return index.to_numpy(dtype=np.int64)
    return df.index.get_indexer(index)
