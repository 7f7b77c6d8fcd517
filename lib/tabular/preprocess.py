"""From a clean table to tensors, one teachable step at a time.

:func:`prepare` label-encodes the target, splits rows into a stratified training and test
set with a seed, then fits a :class:`Preprocessor` on the training rows only (no peeking
at the test set): absurd numbers (inf, |x| > 1e12) become missing, missing numbers get the
training median, categories are one-hot encoded with a capped width (rare categories
grouped as ``"Other"``), and every column is standardised with the training mean and
standard deviation. Each step comes with the pandas / scikit-learn code that does the same.

The fitted :class:`Preprocessor` transforms new rows identically and serialises to plain
lists and dicts (so a model file can be loaded with ``torch.load(weights_only=True)``).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import asdict, dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from lib.tabular.profile import TargetInfo, factorize, shared_codes
from lib.tabular.threads import PARALLEL_ROWS, Scratch, release_heap, thread_map

MAX_ABS = 1e12
MAX_CATEGORIES = 20
MAX_WIDTH = 512
MIN_CATEGORY_ROWS = 2
ONEHOT_BATCH = 65_536
MISSING = "(missing)"
OTHER = "Other"

LESSON_ENCODING = "pages/1_Encoding.py"
LESSON_LAB = "pages/8_Training_Lab.py"


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
    """Everything needed to turn raw rows into the model's standardised inputs."""

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

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def columns(self) -> list[str]:
        return list(self.numeric) + list(self.categorical)

    def to_dict(self) -> dict:
        """Plain str / float / list / dict values only."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Preprocessor:
        return cls(**data)

    def transform(self, df: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
        """Standardised float32 features for ``df`` (or its row positions ``rows``)."""
        return self.transform_many(df, [rows])[0]

    def transform_many(
        self,
        df: pd.DataFrame,
        row_sets: list,
        fit_scaling: bool = False,
        factorized: dict | None = None,
        fit_medians: bool = False,
        counts: dict | None = None,
    ) -> list[np.ndarray]:
        """:meth:`transform` for several row subsets, reading each column once.

        ``fit_scaling`` first sets ``means`` / ``stds`` from the first row set (the training
        rows); ``fit_medians`` sets ``medians`` from it too. ``counts``, when given, receives
        ``{numeric column: (absurd values, missing values in the row sets)}``.
        """
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise ValueError(f"The table lacks the column(s) the model needs: {missing}.")
        for rows in row_sets:  # checked once, so the gathers below can skip their own checks
            if rows is not None and len(rows) and not 0 <= rows.min() <= rows.max() < len(df):
                raise IndexError(f"Row positions must lie in 0…{len(df) - 1}.")
        # Filled and standardised one feature at a time into contiguous rows of a
        # (features × rows) buffer; returned transposed (column-major, no copy).
        outs = [
            np.empty((self.n_features, len(df) if r is None else len(r)), dtype=np.float32)
            for r in row_sets
        ]
        fit = fit_scaling
        n_numeric = len(self.numeric)
        means = [0.0] * self.n_features if fit else list(self.means)
        stds = [1.0] * self.n_features if fit else list(self.stds)
        medians = list(self.medians)

        scratch = Scratch()

        def numeric_feature(j: int) -> None:
            name = self.numeric[j]
            values, n_bad = numeric_values(
                df[name], self.max_abs, out=scratch.array("values", len(df), np.float64)
            )
            if fit_medians:
                train = row_sets[0]
                if train is not None:
                    train = np.take(
                        values,
                        train,
                        out=scratch.array("train", len(train), np.float64),
                        mode="clip",  # (checked above) mode="raise" would buffer ``out``
                    )
                medians[j] = finite_median(values.copy() if train is None else train)
            fill = np.float32(medians[j])
            narrow = scratch.array("narrow", len(df), np.float32)
            np.copyto(narrow, values, casting="same_kind")  # the gathers below need no temp
            n_missing = 0
            for i, (out, rows) in enumerate(zip(outs, row_sets, strict=True)):
                column = out[j]
                if rows is None:
                    column[:] = narrow
                else:
                    np.take(narrow, rows, out=column, mode="clip")
                gaps = np.isnan(column, out=scratch.array("gaps", len(column), np.bool_))
                n_missing += int(np.count_nonzero(gaps))
                np.copyto(column, fill, where=gaps)
                if fit and i == 0:  # the training rows: float64 sums over the float32 column
                    means[j] = float(column.mean(dtype=np.float64))
                    std = _std(column, means[j], scratch.array("train", len(column), np.float64))
                    stds[j] = std if std > 1e-12 else 1.0
                column -= np.float32(means[j])
                column /= np.float32(stds[j])
            if counts is not None:
                counts[name] = (n_bad, n_missing)

        def categorical_feature(name: str, kept: list, j: int) -> None:
            codes_all = category_codes(df[name], kept, factorized=(factorized or {}).get(name))
            width = len(kept) + self.other[name]
            if fit:
                fitted = codes_all if row_sets[0] is None else codes_all[row_sets[0]]
                share = np.bincount(fitted + 1, minlength=len(kept) + 1) / max(1, len(fitted))
                share = np.concatenate([share[1:], share[:1]])[:width]  # kept…, then Other
                means[j : j + width] = share.tolist()
                stds[j : j + width] = [
                    float(v) if v > 1e-12 else 1.0 for v in np.sqrt(share * (1 - share))
                ]
            m = np.asarray(means[j : j + width], dtype=np.float32)
            sd = np.asarray(stds[j : j + width], dtype=np.float32)
            off, on = (np.float32(0) - m) / sd, (np.float32(1) - m) / sd
            for out, rows in zip(outs, row_sets, strict=True):
                block = out[j : j + width]  # contiguous: whole rows of the buffer
                block[:] = off[:, None]  # every category "off" …
                flat, n = block.reshape(-1), block.shape[1]
                # … then each row's own category "on", a batch of rows at a time (the flat
                # indices of a 1-D scatter are fast but take 8 bytes per row).
                for start in range(0, n, ONEHOT_BATCH):
                    stop = min(n, start + ONEHOT_BATCH)
                    codes = codes_all[start:stop] if rows is None else codes_all[rows[start:stop]]
                    hit = codes >= 0
                    if self.other[name]:  # unseen or rare → the last slot, "Other"
                        slot, cols = np.where(hit, codes, width - 1), np.arange(start, stop)
                    else:  # missing and unseen rows stay all "off"
                        cols = np.flatnonzero(hit)
                        slot = codes[cols]
                        cols += start
                    np.put(flat, slot.astype(np.int64) * n + cols, on[slot])

        tasks = [partial(numeric_feature, j) for j in range(n_numeric)]
        j = n_numeric
        for name, kept in self.categorical.items():
            tasks.append(partial(categorical_feature, name, kept, j))
            j += len(kept) + self.other[name]
        # Each task writes its own rows of the buffers (and its own slots of means / stds).
        thread_map(
            lambda task: task(),
            tasks,
            parallel=len(df) >= PARALLEL_ROWS,
            # A one-hot task writes a column per category; a numeric one does about two.
            cost=lambda task: len(task.args[1]) + 1 if task.func is categorical_feature else 2,
        )
        if fit:
            self.means, self.stds = means, stds
        if fit_medians:
            self.medians = medians
        return [out.T for out in outs]


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


def prepare(
    df: pd.DataFrame,
    target: TargetInfo,
    features: list[str],
    test_size: float = 0.25,
    seed: int = 0,
    max_categories: int = MAX_CATEGORIES,
    column_codes: dict | None = None,
) -> Prepared:
    """Label-encode, split, clean, impute, one-hot and standardise; fitted on training rows.

    ``column_codes``: :attr:`~lib.tabular.profile.Profile.factorized` of this frame, if at hand
    (the text columns' codes, so they are not hashed again).
    """
    if not features:
        raise ValueError(
            "No feature columns are selected: choose at least one column to learn from."
        )
    unknown = [f for f in features if f not in df.columns]
    if unknown:
        raise ValueError(f"Unknown feature column(s): {unknown}.")
    if target.name in features:
        raise ValueError(f"The target {target.name!r} cannot also be a feature.")
    if len(df) >= PARALLEL_ROWS:
        release_heap()  # what profiling and the target check freed: not part of this peak
    steps: list[Step] = []
    warnings: list[str] = list(target.notes)
    rows = _positions(df, target.labels.index)
    # One byte per row while splitting (the comparisons read 8× less); int64 for training.
    y = target.codes(np.int8 if target.n_classes < 127 else np.int64)

    # 1. label encoding ---------------------------------------------------------------
    mapping = pd.DataFrame(
        {
            "class": target.classes,
            "code": range(target.n_classes),
            "rows": [target.counts[c] for c in target.classes],
        }
    )
    loss = (
        "BCEWithLogitsLoss (1 logit)"
        if target.is_binary
        else f"CrossEntropyLoss ({target.n_classes} logits)"
    )
    steps.append(
        Step(
            "Label-encode the target",
            f"Each class of {target.name!r} becomes an integer code 0…{target.n_classes - 1}; "
            f"training uses {loss}.",
            _label_code(target),
            LESSON_ENCODING,
            mapping,
            list(target.notes),
        )
    )

    # 2. split ---------------------------------------------------------------------------
    n_test = split_sizes(len(y), target.n_classes, test_size)
    pos_train, pos_test = stratified_split(y, n_test, seed)
    rows_train, rows_test = rows[pos_train], rows[pos_test]
    y_train, y_test = y[pos_train].astype(np.int64), y[pos_test].astype(np.int64)
    del rows, y, pos_train, pos_test  # freed before the feature buffers are allocated
    steps.append(
        Step(
            "Stratified train / test split",
            f"{len(rows_train):,} training rows and {len(rows_test):,} test rows, each class in the "
            f"same proportion in both (seed {seed}). Everything below is fitted on the training rows "
            "only, so the test score is honest.",
            inspect.getsource(stratified_split)
            + f"\ntrain_pos, test_pos = stratified_split(y, n_test={n_test}, seed={seed})\n"
            "# scikit-learn's one-liner does the same job (with its own random draw):\n"
            f"# train_test_split(df, test_size={n_test}, stratify=y, random_state={seed})",
            LESSON_LAB,
        )
    )

    numeric = [f for f in features if _is_numeric(df[f])]
    categorical = [f for f in features if f not in numeric]

    parallel = len(df) >= PARALLEL_ROWS

    def codes_and_counts(name: str):
        codes = _codes_with_missing(df[name], shared_codes(column_codes, name, len(df)))
        return codes, category_counts(df[name], rows_train, codes)  # training rows' counts

    coded = dict(zip(categorical, thread_map(codes_and_counts, categorical, parallel), strict=True))
    factorized = {name: codes for name, (codes, _) in coded.items()}
    kept, other, onehot_step = _onehot_plan(
        categorical, numeric, {name: counts for name, (_, counts) in coded.items()}, max_categories
    )
    names = list(numeric)
    for name in categorical:
        names += [f"{name}={c}" for c in kept[name]] + ([f"{name}={OTHER}"] if other[name] else [])

    # Medians, scaling and the transform in one pass over each column.
    pre = Preprocessor(
        numeric,
        [0.0] * len(numeric),
        kept,
        other,
        names,
        [0.0] * len(names),
        [1.0] * len(names),
        target.name,
        list(target.classes),
    )
    counts: dict[str, tuple[int, int]] = {}
    X_train, X_test = pre.transform_many(
        df,
        [rows_train, rows_test],
        fit_scaling=True,
        factorized=factorized,
        fit_medians=True,
        counts=counts,
    )

    # 3. absurd numbers and 4. imputation ------------------------------------------------
    cleaning_steps = _numeric_steps(numeric, pre.medians, counts) if numeric else []
    # 5. one-hot --------------------------------------------------------------------------
    for step in [*cleaning_steps, *([onehot_step] if onehot_step else [])]:
        warnings += step.warnings  # each step's warning is also one of the page's
        steps.append(step)
    # 6. standardise ------------------------------------------------------------------------
    steps.append(
        Step(
            "Standardise",
            f"All {len(names)} input columns are shifted and scaled to mean 0 and standard deviation 1 "
            "using the training rows' statistics, so every weight starts on the same footing and "
            "gradient descent converges faster.",
            "mean, std = X.loc[train.index].mean(), X.loc[train.index].std(ddof=0).replace(0, 1)\n"
            "X = (X - mean) / std",
            LESSON_LAB,
        )
    )
    return Prepared(
        X_train,
        X_test,
        y_train,
        y_test,
        rows_train,
        rows_test,
        pre,
        steps,
        warnings,
        test_size,
        seed,
    )


def _numeric_steps(numeric: list[str], medians: list[float], counts: dict) -> list[Step]:
    """The "absurd numbers" and "impute" steps (the first warns of any absurd numbers)."""
    cleaning, imputed = [], []
    for name, median in zip(numeric, medians, strict=True):
        n_bad, n_missing = counts[name]
        if n_bad:
            cleaning.append(f"{name!r}: {n_bad:,} value(s) infinite or beyond ±{MAX_ABS:g}")
        if n_missing:
            imputed.append((name, n_missing, median))
    warning = "Absurd numbers were treated as missing: " + "; ".join(cleaning) + "."
    table = (
        pd.DataFrame(imputed, columns=["column", "missing", "filled with (training median)"])
        if imputed
        else None
    )
    return [
        Step(
            "Absurd numbers become missing",
            "Infinite values and magnitudes beyond 10¹² cannot be real measurements here and would "
            "overflow float32 training, so they are treated as missing."
            + (f" Found: {'; '.join(cleaning)}." if cleaning else " None found."),
            "import numpy as np\n"
            f"num_cols = {numeric!r}\n"
            "X = df[num_cols].apply(pd.to_numeric, errors='coerce').astype('float64')\n"
            f"X = X.mask(~np.isfinite(X) | (X.abs() > {MAX_ABS:g}))",
            None,
            None,
            [warning] if cleaning else [],
        ),
        Step(
            "Impute missing numbers",
            "Missing numbers get the column's median over the training rows (robust to outliers)."
            + ("" if imputed else " No numeric value is missing."),
            "medians = X.loc[train.index].median()\nX = X.fillna(medians)",
            None,
            table,
        ),
    ]


def _onehot_plan(
    categorical: list[str],
    numeric: list[str],
    train_counts: dict[str, pd.Series],
    max_categories: int,
) -> tuple[dict[str, list[str]], dict[str, bool], Step | None]:
    """The categories kept per column (by their training rows' ``train_counts``), whether
    "Other" is needed, and the step."""
    kept: dict[str, list[str]] = {}
    other: dict[str, bool] = {}
    if not categorical:
        return kept, other, None
    grouped_notes = []
    room = max(1, (MAX_WIDTH - len(numeric)) // len(categorical) - 1)
    per_column = max(1, min(max_categories, room))
    for name in categorical:
        counts = train_counts[name]
        top = counts[counts >= MIN_CATEGORY_ROWS].head(per_column)
        kept[name] = sorted(map(str, top.index))
        rest = counts.drop(top.index)
        other[name] = len(rest) > 0 or len(kept[name]) == 0
        if len(rest):
            grouped_notes.append(
                f"{name!r}: {len(rest):,} rare categor{'y' if len(rest) == 1 else 'ies'} "
                f"({int(rest.sum()):,} training rows) grouped as {OTHER!r}"
            )
    warning = (
        f"One-hot width capped at {per_column} categories per column: "
        + "; ".join(grouped_notes)
        + "."
        if grouped_notes
        else None
    )
    onehot_table = pd.DataFrame(
        {
            "column": categorical,
            "one-hot columns": [len(kept[c]) + other[c] for c in categorical],
            "categories": [
                ", ".join(kept[c][:8])
                + (" …" if len(kept[c]) > 8 else "")
                + (f" + {OTHER}" if other[c] else "")
                for c in categorical
            ],
        }
    )
    step = Step(
        "One-hot encode the categories",
        "Each category gets its own 0/1 column, so no order is invented. Missing values are "
        f"their own category {MISSING!r}; categories rarer than {MIN_CATEGORY_ROWS} training "
        f"rows or beyond the {per_column} most frequent are grouped as {OTHER!r}, which keeps "
        "the width bounded.",
        _onehot_code(kept, other),
        LESSON_ENCODING,
        onehot_table,
        [warning] if warning else [],
    )
    return kept, other, step


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


def _positions(df: pd.DataFrame, index: pd.Index) -> np.ndarray:
    """Row positions of ``index`` labels (free for the default RangeIndex)."""
    if isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1:
        return index.to_numpy(dtype=np.int64)
    return df.index.get_indexer(index)


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def _label_code(target: TargetInfo) -> str:
    # Shown only when check_target merged case variants, so the snippet keeps their rows.
    case_merge = (
        "spelling = {c.casefold(): c for c in classes}  # 'YES' -> 'yes'\n"
        "y_text = y_text.map(lambda s: spelling.get(s.casefold(), s))\n"
        if target.case_merged
        else ""
    )
    return (
        f"y_text = df[{target.name!r}].astype(str).str.strip()\n"
        f"classes = {list(target.classes)!r}\n"
        f"{case_merge}"
        "df = df[y_text.isin(classes)]\n"
        "y = y_text[df.index].map({c: i for i, c in enumerate(classes)}).to_numpy()"
    )


def _onehot_code(kept: dict[str, list[str]], other: dict[str, bool]) -> str:
    return (
        f"keep = {kept!r}\n"
        "parts = []\n"
        "for col, cats in keep.items():\n"
        f"    s = df[col].astype(object).where(df[col].notna(), {MISSING!r}).astype(str)\n"
        f"    s = s.where(s.isin(cats), {OTHER!r})\n"
        f"    parts.append(pd.get_dummies(s, prefix=col, prefix_sep='=', dtype='float32'))\n"
        "onehot = pd.concat(parts, axis=1)"
    )
