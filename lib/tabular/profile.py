"""Profile a table and check a target column before any training.

:func:`profile_frame` describes every column (type, missing values, distinct values) and
flags the ones a classifier should not use as features by default, with the reason:
identifiers (a different value in every row), free text, constants and empty columns
(dates are used: :mod:`lib.tabular.preprocess` turns them into numbers). :func:`check_target` refuses, with a specific explanation, a target that cannot
be classified (continuous, ID-like, one class, too many classes, classes too small to
split) and cleans the labels (missing targets dropped; spaces around a label and
upper / lower case differences merged).

>>> import pandas as pd
>>> df = pd.DataFrame({"id": range(30), "x": [0.1 * i for i in range(30)], "y": ["a", "b"] * 15})
>>> [c.kind for c in profile_frame(df).columns]
['id', 'numeric', 'categorical']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.tabular.dates import date_format
from lib.tabular.threads import PARALLEL_ROWS, Scratch, thread_map

MAX_CLASSES = 20
MIN_CLASS_ROWS = 2
MIN_ROWS = 10
ID_MIN_ROWS = 20
# A text column with more distinct values than this share of its rows is an identifier or a
# code. At 0.5, a car's model name (305 names in 398 rows, 149 rows sharing theirs with
# another) was dropped, and with it the make that decides the car's origin; the categories
# of such a column that repeat in the training rows are one-hot encoded, the rest grouped.
HIGH_CARDINALITY_SHARE = 0.9
MAX_SHARED_CODES = 2**15 - 2  # distinct values of a text column whose codes a profile keeps
GRID_MAX_DECIMALS = 6  # numbers with at most this many decimals are counted on a grid …
GRID_MAX_CELLS = 2**22  # … spanning at most this many steps (a 4 MB bitmap)

KINDS = {
    "numeric": "number",
    "boolean": "true / false",
    "categorical": "category",
    "id": "identifier",
    "text": "free text",
    "date": "date / time",
    "constant": "constant",
    "empty": "all missing",
}

_ID_NAME = re.compile(
    r"(^|[^a-z])(id|uuid|guid|key|index)$|^(id|idx|index|unnamed: ?0)([^a-z]|$)|identifier", re.I
)
_TARGET_NAME = re.compile(
    r"^(target|label|labels|class|classes|y|outcome|survived|species|diagnosis|category|"
    r"result|response|churn|default|status|grade|type|quality|raintomorrow|disease|"
    r"heartdisease|income|decision)$",
    re.I,
)


@dataclass
class ColumnProfile:
    name: str
    dtype: str
    kind: str
    missing: int
    distinct: int
    use: bool
    reason: str


@dataclass
class Profile:
    n_rows: int
    n_cols: int
    columns: list[ColumnProfile]
    target_suggestions: list[str] = field(default_factory=list)
    # Text column -> (row codes, distinct values) from profiling, for columns with at most
    # MAX_SHARED_CODES values: the target check and one-hot encoding reuse them instead of
    # hashing a long column again. Only valid for the frame that was profiled.
    factorized: dict[str, tuple[np.ndarray, list[str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def column(self, name: str) -> ColumnProfile:
        for c in self.columns:
            if c.name == name:
                return c
        raise ValueError(f"Column {name!r} is not in the file.")

    def table(self, target: str | None = None) -> pd.DataFrame:
        """One row per column, for display (plain values only); ``target`` is not ticked as
        a feature and its row says it is the target."""
        return pd.DataFrame(
            {
                "column": [c.name for c in self.columns],
                "type": [KINDS[c.kind] for c in self.columns],
                "dtype": [c.dtype for c in self.columns],
                "missing": [c.missing for c in self.columns],
                "distinct": [c.distinct for c in self.columns],
                "feature by default": [c.use and c.name != target for c in self.columns],
                "why": [
                    "the target (what the model predicts)" if c.name == target else c.reason
                    for c in self.columns
                ],
            }
        )

    def default_features(self, target: str) -> list[str]:
        """Every usable column except the target."""
        return [c.name for c in self.columns if c.use and c.name != target]

    def excluded(self, target: str) -> dict[str, str]:
        """Columns left out by default and why."""
        return {c.name: c.reason for c in self.columns if not c.use and c.name != target}


# --- profiling ----------------------------------------------------------------------------


def profile_frame(df: pd.DataFrame) -> Profile:
    """Type, missing and distinct counts per column, flags, and target suggestions."""
    n = len(df)
    scratch = Scratch()
    text = [_is_text(df.iloc[:, i]) for i in range(df.shape[1])]

    def profile(i: int) -> tuple[ColumnProfile, tuple | None]:
        col = df.iloc[:, i]
        if not text[i]:
            return _profile_column(str(df.columns[i]), col, n, i == 0, scratch), None
        # Text: one hash pass gives the distinct count and codes worth keeping.
        distinct, codes = _text_codes(col, MAX_SHARED_CODES)
        column = _profile_column(str(df.columns[i]), col, n, i == 0, distinct_count=distinct)
        return column, codes

    # Hash counts release the GIL: long columns are profiled side by side.
    results = thread_map(
        profile,
        range(df.shape[1]),
        parallel=n >= PARALLEL_ROWS,
        cost=lambda i: 2.0 if text[i] else 1.0,  # a text hash costs about twice a number's
    )
    columns = [column for column, _ in results]
    factorized = {c.name: codes for c, codes in results if codes is not None}
    return Profile(n, df.shape[1], columns, _suggest_targets(columns, n), factorized)


def _is_text(col: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col))


def _is_integer_valued(col: pd.Series) -> bool:
    if pd.api.types.is_integer_dtype(col) or pd.api.types.is_bool_dtype(col):
        return True
    if not pd.api.types.is_float_dtype(col):
        return False
    values = col.to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[np.isfinite(values)]
    return values.size > 0 and bool(np.all(values == np.round(values)))


def _profile_column(
    name: str,
    col: pd.Series,
    n: int,
    first: bool = False,
    scratch: Scratch | None = None,
    distinct_count: int | None = None,
) -> ColumnProfile:
    """One column's profile; ``distinct_count`` when the caller has counted already."""
    missing = int(col.isna().sum())
    present = n - missing
    dtype = str(col.dtype)
    distinct = 0  # counted below, once a value is present; found() reads it when called

    def found(kind: str, use: bool, reason: str) -> ColumnProfile:
        return ColumnProfile(name, dtype, kind, missing, distinct, use, reason)

    if present == 0:
        return found("empty", False, "every value is missing")
    distinct = count_distinct(col, scratch) if distinct_count is None else distinct_count
    if distinct == 1:
        value = col.dropna().iloc[0]
        return found(
            "constant",
            False,
            f"the same value ({_short(value)}) in every row: nothing to learn from",
        )
    if pd.api.types.is_bool_dtype(col):
        return found("boolean", True, "used as 0 / 1")
    if pd.api.types.is_numeric_dtype(col):
        return found(*_numeric_kind(name, col, present, distinct, first))
    return found(*_text_kind(col, present, distinct))


def _numeric_kind(name: str, col: pd.Series, present: int, distinct: int, first: bool):
    """(kind, use, reason) of a numeric column: an identifier or numbers."""
    if (
        present >= ID_MIN_ROWS
        and distinct == present
        and _is_integer_valued(col)
        and (
            _ID_NAME.search(name)
            or col.dropna().is_monotonic_increasing
            or col.dropna().is_monotonic_decreasing
        )
    ):
        return "id", False, "a different whole number in every row (an identifier)"
    if (
        distinct >= 0.9 * present  # cheap tests first: the last one reads the column
        and present >= ID_MIN_ROWS
        and (_ID_NAME.search(name) or (first and present >= 50 and _is_integer_valued(col)))
    ):
        return "id", False, "named like an identifier, with nearly a different value per row"
    return "numeric", True, "numbers: standardised"


def _text_kind(col: pd.Series, present: int, distinct: int):
    """(kind, use, reason) of a text column: dates, free text, an identifier or categories."""
    if date_format(col) is not None:
        return "date", True, "dates: the year, month, weekday and hour that vary"
    sample = col.head(5_000).dropna().astype(str).head(500)
    lengths = sample.str.len()
    words = sample.str.count(r"\s+") + 1
    if lengths.mean() > 40 or (words.mean() >= 4 and distinct > 0.5 * present):
        return "text", False, "free text: a classifier on one-hot columns cannot read sentences"
    if present >= ID_MIN_ROWS and distinct == present:
        return "id", False, "a different value in every row (an identifier)"
    if present >= ID_MIN_ROWS and distinct > HIGH_CARDINALITY_SHARE * present:
        return (
            "id",
            False,
            f"{distinct:,} distinct values in {present:,} rows: nearly one per row "
            "(an identifier or code)",
        )
    return "categorical", True, "categories: one-hot encoded"


def count_distinct(col: pd.Series, scratch: Scratch | None = None) -> int:
    """Distinct non-missing values (0.0 and -0.0 are one value, as in ``nunique``).

    Long numeric columns: on a decimal grid when their values sit on one (a bitmap, ~2×
    faster still), else by pyarrow's hash count (~4× faster than ``nunique``); whole numbers
    are hashed as they are, so 19-digit identifiers never round together. Text is counted by
    :func:`_text_codes`, which keeps the codes too.
    """
    if len(col) <= 10_000 or not isinstance(col.dtype, np.dtype):  # nullable types too
        return int(col.nunique(dropna=True))
    scratch = scratch or Scratch()
    if col.dtype.kind in "iu":
        ints = col.to_numpy(copy=False)
        on_grid = _grid_distinct(ints, scratch)
        return on_grid if on_grid is not None else int(pc.count_distinct(pa.array(ints)).as_py())
    if col.dtype.kind != "f":
        return int(col.nunique(dropna=True))
    raw = col.to_numpy(np.float64, copy=False)
    on_grid = _grid_distinct(raw, scratch)
    if on_grid is not None:
        return on_grid
    values = np.add(raw, 0.0, out=scratch.array("values", len(col), np.float64))  # -0.0 → 0.0
    missing = np.isnan(values, out=scratch.array("nan", len(col), np.bool_))
    has_missing = bool(missing.any())
    if has_missing:
        values[missing] = np.nan  # one bit pattern for every NaN
    # Equal floats have equal bits now: hash the bits (no validity bitmap to build).
    return int(pc.count_distinct(pa.array(values.view(np.int64))).as_py()) - has_missing


def _grid_distinct(values: np.ndarray, scratch: Scratch) -> int | None:
    """Distinct non-NaN values of numbers that are all whole multiples of 10**-k (k ≤
    GRID_MAX_DECIMALS) within GRID_MAX_CELLS steps: each marks its step in a bitmap.
    ``None`` for anything else (infinities, more decimals, a wide span): the hash decides.

    Exact: a value passes only if ``rint(v·10^k) / 10^k == v``, so two different values
    can never share a step.
    """
    low, high = np.fmin.reduce(values), np.fmax.reduce(values)  # NaN skipped
    if not (np.isfinite(low) and np.isfinite(high)) or max(-float(low), float(high)) > 2**52:
        return None  # every value missing, infinities, or beyond whole-number precision
    if values.dtype.kind in "iu":
        if high - low >= GRID_MAX_CELLS:
            return None
        steps = np.subtract(values, low, out=scratch.array("steps", values.size, np.int64))
        return _marked(steps, int(high - low) + 1)
    sample = values[:: max(1, values.size // 1024)]
    sample = sample[~np.isnan(sample)]
    scale = next(
        (
            10.0**k
            for k in range(GRID_MAX_DECIMALS + 1)
            if np.array_equal(np.rint(sample * 10.0**k) / 10.0**k, sample)
        ),
        None,
    )
    if scale is None:
        return None
    first, last = np.rint(low * scale), np.rint(high * scale)
    if last - first >= GRID_MAX_CELLS:
        return None
    scaled = np.multiply(values, scale, out=scratch.array("values", values.size, np.float64))
    np.rint(scaled, out=scaled)
    back = np.divide(scaled, scale, out=scratch.array("back", values.size, np.float64))
    off_grid = np.not_equal(back, values, out=scratch.array("nan", values.size, np.bool_))
    n_missing = int(np.count_nonzero(np.isnan(values[off_grid])))
    if n_missing != int(np.count_nonzero(off_grid)):
        return None  # a value between the steps
    np.fmax(scaled, first, out=scaled)  # missing (NaN) → the first step, present anyway
    steps = back.view(np.int64)  # ``back`` is read: its memory takes the step numbers
    np.subtract(scaled, first, out=steps, casting="unsafe")  # whole numbers 0…last - first
    return _marked(steps, int(last - first) + 1)


def _marked(steps: np.ndarray, n_cells: int) -> int:
    """How many of ``n_cells`` cells the step numbers mark."""
    seen = np.zeros(n_cells, dtype=np.bool_)
    seen[steps] = True
    return int(np.count_nonzero(seen))


def _short(value, width: int = 30) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _suggest_targets(columns: list[ColumnProfile], n: int) -> list[str]:
    candidates = [
        c
        for c in columns
        if 2 <= c.distinct <= MAX_CLASSES
        and c.kind in ("categorical", "boolean", "numeric")
        and c.distinct < max(n, 1)
    ]
    named = [c.name for c in candidates if _TARGET_NAME.match(c.name.strip())]
    last = [columns[-1].name] if columns and columns[-1] in candidates else []
    rest = [c.name for c in sorted(candidates, key=lambda c: c.distinct)]
    order: list[str] = []
    for name in named + last + rest:
        if name not in order:
            order.append(name)
    return order


# --- the target ---------------------------------------------------------------------------


@dataclass
class TargetInfo:
    """Clean labels for the rows that have one."""

    name: str
    labels: pd.Series  # class names (a Categorical for text targets), index = the kept rows
    classes: list[str]
    counts: dict[str, int]
    dropped_missing: int = 0
    notes: list[str] = field(default_factory=list)
    # spelling in the file -> the class it was merged into ("YES" -> "yes"); code that
    # re-reads the raw column must apply the same merge to get the same classes.
    case_merged: dict[str, str] = field(default_factory=dict)
    # (row codes, distinct labels) of ``labels``, when check_target has them already.
    factorized: tuple[np.ndarray, list[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def is_binary(self) -> bool:
        return len(self.classes) == 2

    def codes(self, dtype=np.int64) -> np.ndarray:
        """Integer codes 0..K-1 (label encoding) aligned with ``labels``, as ``dtype``."""
        # factorize + a small lookup: pd.Categorical would look up every row's string.
        row_codes, uniques = self.factorized or factorize(self.labels)
        position = {label: i for i, label in enumerate(self.classes)}
        lookup = np.array([position.get(str(u), -1) for u in uniques] + [-1], dtype=dtype)
        return lookup[row_codes]


def factorize(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Row codes (-1: missing) in the smallest integer type, and the distinct values as text
    (in order of first appearance, as ``pd.factorize``)."""
    return _text_codes(col)[1]


def _text_codes(col: pd.Series, max_values: int | None = None) -> tuple[int, tuple | None]:
    """(distinct values, :func:`factorize` result or ``None`` beyond ``max_values``)."""
    arrow = getattr(col.array, "_pa_array", None)  # Arrow-backed text: encoded in Arrow
    if (
        arrow is not None
        and arrow.num_chunks
        and (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type))
    ):
        # One dictionary for all chunks; each chunk's indices land in a small-integer
        # array, so no 8-byte code per row is ever allocated (pd.factorize's int64 codes).
        chunks = pc.dictionary_encode(arrow).chunks
        dictionary = chunks[0].dictionary
        if max_values is not None and len(dictionary) > max_values:
            return len(dictionary), None
        codes = np.empty(len(col), _code_type(len(dictionary)))
        start = 0
        for chunk in chunks:
            indices = pc.fill_null(chunk.indices, -1).to_numpy()
            codes[start : start + len(indices)] = indices
            start += len(indices)
        return len(dictionary), (codes, dictionary.to_pylist())
    row_codes, uniques = pd.factorize(col, use_na_sentinel=True)
    if max_values is not None and len(uniques) > max_values:
        return len(uniques), None
    return len(uniques), (row_codes.astype(_code_type(len(uniques))), [str(u) for u in uniques])


def _code_type(n_values: int) -> type:
    """The smallest signed integer type holding codes 0…n_values - 1 and -1 (missing)."""
    return next(t for t in (np.int8, np.int16, np.int32, np.int64) if n_values < np.iinfo(t).max)


def shared_codes(
    column_codes: dict | None, name: str, n_rows: int
) -> tuple[np.ndarray, list[str]] | None:
    """The profile's codes of column ``name``, if it kept them (and they fit the frame)."""
    codes = (column_codes or {}).get(name)
    return codes if codes is not None and len(codes[0]) == n_rows else None


def _label_counts(factorized: tuple[np.ndarray, list[str]]) -> pd.Series:
    """Rows per label, most frequent first (``value_counts`` from one factorization)."""
    row_codes, uniques = factorized
    return _counts_series(np.bincount(row_codes[row_codes >= 0], minlength=len(uniques)), uniques)


def _counts_series(counts: np.ndarray, labels: list[str]) -> pd.Series:
    series = pd.Series(counts, index=pd.Index(labels, dtype=object), name="count")
    return series.sort_values(ascending=False, kind="stable")


def _clean_text_labels(col: pd.Series, factorized: tuple | None = None):
    """Text labels stripped of surrounding spaces, empty ones dropped, case variants merged.

    Works on the distinct values (the column's ``factorized`` codes, computed if not given),
    not on every row. Returns (labels, their factorization, counts per label, notes,
    case-merge map).
    """
    raw_codes, uniques = factorized if factorized is not None else factorize(col)
    raw_counts = np.bincount(raw_codes[raw_codes >= 0], minlength=len(uniques))
    stripped = [u.strip() for u in uniques]
    notes: list[str] = []
    changed = [i for i, (u, s) in enumerate(zip(uniques, stripped, strict=True)) if u != s]
    if changed:
        variants = sorted(uniques[i] for i in changed)[:3]
        notes.append(
            f"{int(raw_counts[changed].sum()):,} label(s) had spaces around them and were merged "
            f"with the clean label (e.g. {', '.join(repr(v) for v in variants)})."
        )
    # Before any class count: a lone "YES" among "yes" rows is a typo, not a tiny class
    # that would trip the too-small-class error.
    spelling_counts: dict[str, int] = {}
    for s, k in zip(stripped, raw_counts.tolist(), strict=True):
        if s:
            spelling_counts[s] = spelling_counts.get(s, 0) + k
    case_merged = _case_variants(spelling_counts)
    if case_merged:
        relabelled = sum(spelling_counts[s] for s in case_merged)
        notes.append(_case_note(case_merged, relabelled))
    # Each distinct raw value → its class, numbered in order of first appearance.
    class_index: dict[str, int] = {}
    lookup = [
        class_index.setdefault(case_merged.get(s, s), len(class_index)) if s else -1
        for s in stripped
    ]
    names = list(class_index)
    small = np.int8 if len(names) < 127 else np.int64
    row_codes = np.array(lookup + [-1], dtype=small)[raw_codes]  # code -1 (missing) → -1
    valid = np.array(lookup, dtype=np.int64) >= 0
    per_class = np.bincount(
        np.array(lookup, dtype=np.int64)[valid], weights=raw_counts[valid], minlength=len(names)
    ).astype(np.int64)
    if per_class.sum() < len(col):  # rows without a label: dropped
        rows = np.flatnonzero(row_codes >= 0)
        row_codes, index = row_codes[rows], col.index[rows]
    else:
        index = col.index
    # A Categorical: the class names once, and one small code per row.
    labels = pd.Series(pd.Categorical.from_codes(row_codes, names), index=index, name=col.name)
    return labels, (row_codes, names), _counts_series(per_class, names), notes, case_merged


def _format_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def _sort_key(label: str):
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label.lower())


def check_target(
    df: pd.DataFrame,
    target: str,
    max_classes: int = MAX_CLASSES,
    column_codes: dict[str, tuple[np.ndarray, list[str]]] | None = None,
) -> TargetInfo:
    """Validate ``target`` as a classification target and return its clean labels.

    ``column_codes``: :attr:`Profile.factorized` of this frame, if at hand (saves a hash pass).
    Raises ``ValueError`` with a specific explanation (regression-like, ID-like, one class,
    too many classes, classes too small to split, too few rows).
    """
    if target not in df.columns:
        raise ValueError(_unknown_column_message(target, [str(c) for c in df.columns]))
    if df.shape[1] < 2:
        raise ValueError(
            f"The file has only one column ({target!r}): a classifier needs feature columns "
            "besides the target. If the values hold separators, choose the right separator."
        )
    col = df[target]
    notes: list[str] = []
    case_merged: dict[str, str] = {}
    counts = factorized = None  # per label, once known
    if pd.api.types.is_bool_dtype(col):
        labels = col.dropna().map(lambda v: "True" if bool(v) else "False")
    elif pd.api.types.is_numeric_dtype(col):
        labels = _numeric_labels(col, target, max_classes, notes)
    else:
        shared = shared_codes(column_codes, target, len(col))
        labels, factorized, counts, text_notes, case_merged = _clean_text_labels(col, shared)
        notes += text_notes
    dropped = len(df) - len(labels)
    if dropped:
        notes.insert(0, f"{dropped:,} row(s) without a {target!r} value were dropped.")
    if len(labels) == 0:
        raise ValueError(f"The column {target!r} is empty: every value is missing.")
    if counts is None:
        factorized = factorize(labels)
        counts = _label_counts(factorized)
    _check_counts(target, counts, len(labels), max_classes)
    classes = sorted(counts.index.tolist(), key=_sort_key)
    return TargetInfo(target, labels, classes, {c: int(counts[c]) for c in classes}, dropped,
                      notes, case_merged, factorized)  # fmt: skip


def _numeric_labels(col: pd.Series, target: str, max_classes: int, notes: list[str]) -> pd.Series:
    """Numbers as class names ("3", "2.5"); infinities dropped (noted), decimals refused."""
    values = col.astype("float64")
    finite = values[np.isfinite(values)]
    if len(finite) < len(values.dropna()):
        notes.append(
            f"{len(values.dropna()) - len(finite):,} infinite target value(s) treated as missing."
        )
    distinct = finite.nunique()
    if distinct > max_classes and not _is_integer_valued(finite):
        raise ValueError(
            f"{target!r} holds {distinct:,} different numbers with decimals: this looks like "
            "regression (predicting a quantity), not classification. Choose a column of "
            f"categories (2–{max_classes} classes), or bin the numbers into ranges first."
        )
    return finite.map(_format_number)


def _check_counts(target: str, counts: pd.Series, n: int, max_classes: int) -> None:
    """Refuse too few rows, an identifier, one class, too many classes or a tiny class."""
    k = len(counts)
    if n < MIN_ROWS:
        raise ValueError(
            f"Only {n} row(s) have a {target!r} value: too few to train and test a model "
            f"(at least {MIN_ROWS}). Upload more rows."
        )
    if k == n and n >= ID_MIN_ROWS:
        raise ValueError(
            f"Every row has its own value of {target!r}: it is an identifier, not a class. "
            f"Choose a column with 2–{max_classes} classes."
        )
    if k == 1:
        raise ValueError(
            f"{target!r} has a single class ({_short(counts.index[0])!r}) in every row: there "
            "is nothing to tell apart. Choose a column with at least 2 classes."
        )
    if k > max_classes:
        raise ValueError(
            f"{target!r} has {k:,} different values; this page supports at most {max_classes} "
            "classes. Choose another column or group the values into fewer classes."
        )
    small = counts[counts < MIN_CLASS_ROWS]
    if len(small):
        names = ", ".join(repr(_short(s)) for s in small.index[:5])
        raise ValueError(
            f"{len(small)} class(es) of {target!r} have fewer than {MIN_CLASS_ROWS} rows ({names}): "
            "each class needs rows in both the training and the test set. Remove those rows or "
            "merge them into another class."
        )


def _unknown_column_message(target: str, columns: list[str], shown: int = 12) -> str:
    """Names the columns there are, and the one meant when only case or spaces differ."""
    meant = [c for c in columns if c.strip().casefold() == str(target).strip().casefold()]
    hint = f" Did you mean {meant[0]!r}?" if meant else ""
    listed = ", ".join(repr(c) for c in columns[:shown])
    more = f" and {len(columns) - shown:,} more" if len(columns) > shown else ""
    return f"There is no column named {target!r} in the file.{hint} Its columns: {listed}{more}."


def merge_case_variants(
    labels: pd.Series, counts: pd.Series | None = None
) -> tuple[pd.Series, dict[str, str]]:
    """Relabel spellings that differ only in case to one spelling per case-insensitive group.

    The kept spelling is the group's most frequent one (ties: the smallest string), so the
    class keeps the name most rows already use. Returns the relabelled series and the
    ``{merged spelling: kept spelling}`` map (empty when nothing was merged).

    >>> s = pd.Series(["yes", "Yes", "yes", "YES", "no"])
    >>> merged, spelling = merge_case_variants(s)
    >>> merged.tolist(), spelling
    (['yes', 'yes', 'yes', 'yes', 'no'], {'YES': 'yes', 'Yes': 'yes'})
    """
    if counts is None:
        counts = labels.value_counts()
    kept_for = _case_variants(dict(counts.items()))
    if not kept_for:
        return labels, {}
    variant = labels.isin(kept_for.keys())
    merged = labels.copy()
    merged[variant] = labels[variant].map(kept_for)
    return merged, kept_for


def _case_variants(counts: dict[str, int]) -> dict[str, str]:
    """``{merged spelling: kept spelling}`` for spellings that differ only in case: the kept
    one is its group's most frequent (ties: the smallest string)."""
    groups: dict[str, list[str]] = {}
    for spelling in counts:
        groups.setdefault(spelling.casefold(), []).append(spelling)
    kept_for: dict[str, str] = {}
    for spellings in groups.values():
        if len(spellings) > 1:
            kept = min(spellings, key=lambda s: (-counts[s], s))
            kept_for.update({s: kept for s in sorted(spellings) if s != kept})
    return kept_for


def _case_note(case_merged: dict[str, str], relabelled: int, shown: int = 3) -> str:
    """One sentence naming the merged spellings and the kept one, at most ``shown`` groups."""
    by_kept: dict[str, list[str]] = {}
    for spelling, kept in case_merged.items():
        by_kept.setdefault(kept, []).append(spelling)
    groups = [
        f"{', '.join(repr(_short(s)) for s in spellings)} → {_short(kept)!r}"
        for kept, spellings in sorted(by_kept.items(), key=lambda item: _sort_key(item[0]))
    ]
    more = f" and {len(groups) - shown} more" if len(groups) > shown else ""
    return (
        "Labels that differ only in upper / lower case were merged: "
        f"{'; '.join(groups[:shown])}{more} ({relabelled:,} row(s) relabelled)."
    )
