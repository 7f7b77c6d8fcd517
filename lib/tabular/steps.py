"""The preprocessing steps as the "Your own data" page teaches them: one function per step,
each returning a :class:`~lib.tabular.preprocess.Step` (what was done to this table, in words
and a table, the pandas / scikit-learn code that does the same, and the lesson behind it)."""

from __future__ import annotations

import inspect

import pandas as pd

from lib.catalog import LESSONS
from lib.tabular.preprocess import (
    INDICATOR_SUFFIX,
    MAX_ABS,
    MIN_CATEGORY_ROWS,
    MISSING,
    OTHER,
    Fitted,
    NumericFit,
    OneHotPlan,
    Preprocessor,
    Step,
    stratified_split,
)
from lib.tabular.profile import TargetInfo
from lib.tabular.words import plural


def lesson(stem: str) -> str:
    """The catalog's path of the page whose file name ends in ``_<stem>.py``."""
    (path,) = [item.path for item in LESSONS if item.path.endswith(f"_{stem}.py")]
    return path


def all_steps(
    target: TargetInfo, fitted: Fitted, n_train: int, n_test: int, n_test_asked: int, seed: int
) -> list[Step]:
    """Every step that applies to this table, in the order they run."""
    pre = fitted.pre
    found = [label_step(target), split_step(n_train, n_test, n_test_asked, seed)]
    if pre.numeric:
        found.append(absurd_step(fitted.numeric[: len(pre.numeric)], pre.numeric))
    if pre.dates:
        found.append(dates_step(fitted.dates))
    if pre.n_numeric:
        found.append(impute_step(fitted.numeric, pre))
    if pre.booleans:
        found.append(booleans_step(pre.booleans))
    if pre.categorical:
        found.append(onehot_step(fitted.onehot))
    found.append(scaling_step(pre))
    return found


def label_step(target: TargetInfo) -> Step:
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
    return Step(
        "Label-encode the target",
        f"Each class of {target.name!r} becomes an integer code 0…{target.n_classes - 1}; "
        f"training uses {loss}.",
        _label_code(target),
        lesson("Encoding"),
        mapping,
        list(target.notes),
    )


def split_step(n_train: int, n_test: int, n_test_asked: int, seed: int) -> Step:
    return Step(
        "Stratified train / test split",
        f"{plural(n_train, 'training row')} and {plural(n_test, 'test row')}, each class in "
        f"the same proportion in both (seed {seed}). Everything below is fitted on the "
        "training rows only, so the test score is honest.",
        inspect.getsource(stratified_split)
        + f"\ntrain_pos, test_pos = stratified_split(y, n_test={n_test_asked}, seed={seed})\n"
        "# scikit-learn's one-liner does the same job (with its own random draw):\n"
        f"# train_test_split(df, test_size={n_test_asked}, stratify=y, random_state={seed})",
        lesson("Training_Lab"),
    )


def absurd_step(fits: list[NumericFit], numeric: list[str]) -> Step:
    cleaning = [
        f"{f.name!r}: {plural(f.absurd, 'value')} infinite or beyond ±{MAX_ABS:g}"
        for f in fits
        if f.absurd
    ]
    warning = "Absurd numbers were treated as missing: " + "; ".join(cleaning) + "."
    return Step(
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
    )


def dates_step(found: dict[str, dict]) -> Step:
    """Date columns → the parts that vary in the training rows."""
    rows, warnings = [], []
    for name, spec in found.items():
        rows.append(
            {
                "column": name,
                "read as": spec["format"],
                "becomes": ", ".join(f"{name}_{p}" for p in spec["parts"]) or "(nothing varies)",
                "left out (the same in every training row)": ", ".join(spec["constant"]),
            }
        )
        if spec["unreadable"]:
            warnings.append(
                f"{plural(spec['unreadable'], 'training value')} of {name!r} could not be read "
                f"as a date in the format {spec['format']}: treated as missing."
            )
    code = "\n".join(
        f"stamps = pd.to_datetime(df[{name!r}], format={spec['format']!r}, errors='coerce', utc=True)\n"
        + "".join(f"X[{name + '_' + p!r}] = stamps.dt.{_PANDAS_PART[p]}\n" for p in spec["parts"])
        for name, spec in found.items()
    )
    return Step(
        "Dates become numbers",
        "A model cannot read “2021-03-04”, but it can read its year, month, day of the week "
        "(Monday = 0) and hour. Each part that varies in the training rows becomes a number "
        "column, treated like the other numbers below; parts that never change carry no "
        "information and are left out.",
        code,
        None,
        pd.DataFrame(rows),
        warnings,
    )


_PANDAS_PART = {"year": "year", "month": "month", "weekday": "dayofweek", "hour": "hour"}


def impute_step(fits: list[NumericFit], pre: Preprocessor) -> Step:
    imputed = [(f.column or f.name, f.missing, f.median, f.indicator) for f in fits if f.missing]
    table = (
        pd.DataFrame(
            imputed,
            columns=[
                "column",
                "missing (training rows)",
                "filled with (training median)",
                "indicator column (0/1)",
            ],
        )  # fmt: skip
        if imputed
        else None
    )
    names = [f.name for f in fits]
    return Step(
        "Impute missing numbers, and keep a note that they were missing",
        "A missing number gets its column's median over the training rows (robust to "
        "outliers). That a value is missing can itself tell something (a blank income, an "
        "untaken test), so each column with missing values in the training rows also gets a 0/1 "
        "column that is 1 where the value was missing."
        + ("" if imputed else " No numeric value is missing in the training rows."),
        f"num_cols = {names!r}\n"
        f"was_missing = X[num_cols].isna().loc[:, X.loc[train.index, num_cols].isna().any()]\n"
        f"was_missing = was_missing.add_suffix({INDICATOR_SUFFIX!r}).astype('float32')\n"
        "medians = X.loc[train.index, num_cols].median()\n"
        "X[num_cols] = X[num_cols].fillna(medians)\n"
        "# scikit-learn: SimpleImputer(strategy='median', add_indicator=True)",
        None,
        table,
    )


def booleans_step(booleans: list[str]) -> Step:
    return Step(
        "True / false become 0 / 1",
        f"{plural(len(booleans), 'true / false column')} ({', '.join(map(repr, booleans[:6]))}"
        f"{' …' if len(booleans) > 6 else ''}) become one 0/1 column each.",
        f"bools = df[{booleans!r}].astype('float32')  # True → 1.0, False → 0.0",
        lesson("Encoding"),
    )


def onehot_step(plan: OneHotPlan) -> Step:
    cols = list(plan.kept)
    notes = [
        f"{name!r}: {plural(n, 'rare category', 'rare categories')} "
        f"({plural(rows, 'training row')}) grouped as {OTHER!r}"
        for name, (n, rows) in plan.grouped.items()
    ]
    table = pd.DataFrame(
        {
            "column": cols,
            "0/1 columns": [len(plan.kept[c]) + plan.other[c] for c in cols],
            "categories": [
                ", ".join(plan.kept[c][:8])
                + (" …" if len(plan.kept[c]) > 8 else "")
                + (f" + {OTHER}" if plan.other[c] else "")
                for c in cols
            ],
        }
    )
    return Step(
        "One-hot encode the categories",
        "Each category gets its own 0/1 column, so no order is invented. Missing values are "
        f"their own category {MISSING!r}. Categories seen fewer than {MIN_CATEGORY_ROWS} times "
        f"in the training rows, or beyond the {plan.per_column} most frequent, share one "
        f"{OTHER!r} column, as does a category the model meets only later (never seen in "
        "training): too few rows to learn a weight of their own.",
        _onehot_code(plan.kept, plan.other),
        lesson("Encoding"),
        table,
        [f"Rare categories grouped: {'; '.join(notes)}."] if notes else [],
    )


def scaling_step(pre: Preprocessor) -> Step:
    n_num = pre.n_numeric
    n_01 = pre.n_features - n_num
    return Step(
        "Standardise the numbers; leave the 0/1 columns as they are",
        f"The {plural(n_num, 'number column')} are shifted and scaled to mean 0 and standard "
        "deviation 1 with the training rows' statistics, so each weight starts on the same "
        "footing and gradient descent converges faster. "
        f"The {plural(n_01, '0/1 column')} (categories, missing indicators, true / false) stay "
        "0 and 1: they are on a common scale already, and a 1 keeps meaning “this row has "
        "it”. Rescaling them would blow a category seen once in 69 rows up to about 8, and "
        "the L2 penalty, which charges every weight alike, would then let that single rare row "
        f"dominate the model. The model's input: {plural(pre.n_features, 'column')}.",
        "num_cols = " + repr([n for n in pre.feature_names[:n_num]]) + "\n"
        "mean = X.loc[train.index, num_cols].mean()\n"
        "std = X.loc[train.index, num_cols].std(ddof=0).replace(0, 1)\n"
        "X[num_cols] = (X[num_cols] - mean) / std\n\n" + sklearn_code(pre),
        lesson("Training_Lab"),
    )


def sklearn_code(pre: Preprocessor) -> str:
    """scikit-learn's ColumnTransformer that computes the same matrix (columns in its order)."""
    numbers = list(pre.feature_names[: pre.n_numeric])
    flagged = list(pre.numeric) + [f"{c}_{s['parts'][0]}" for c, s in pre.dates.items()
                                   if s["parts"]]  # fmt: skip
    widths = [len(k) + o for k, o in zip(pre.categorical.values(), pre.other.values(), strict=True)]
    return (
        "# All of it in scikit-learn (X: the numbers and date parts above, the booleans as 0/1,\n"
        f"# the categories as text with missing values written {MISSING!r}):\n"
        "from sklearn.compose import ColumnTransformer\n"
        "from sklearn.impute import MissingIndicator, SimpleImputer\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n\n"
        f"numbers = {numbers!r}\n"
        "# A missing indicator where training rows had gaps (a date's parts go missing\n"
        "# together: one indicator, on its first part).\n"
        f"flagged = {flagged!r}\n"
        "preprocess = ColumnTransformer([\n"
        '    ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),\n'
        '    ("missing", MissingIndicator(features="missing-only", error_on_new=False), flagged),\n'
        f'    ("booleans", "passthrough", {pre.booleans!r}),\n'
        '    ("categories", OneHotEncoder(handle_unknown="infrequent_if_exist", sparse_output=False,\n'
        f"                                 min_frequency={MIN_CATEGORY_ROWS}, "
        f"max_categories={max(widths or [1]) + 1}),\n"
        f"     {list(pre.categorical)!r}),\n"
        "], sparse_threshold=0)  # 0/1 columns pass through unscaled\n"
        "X_train = preprocess.fit_transform(X.loc[train.index])\n"
        "X_test = preprocess.transform(X.loc[test.index])"
    )


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
        f"has_other = {other!r}\n"
        "parts = []\n"
        "for col, cats in keep.items():\n"
        f"    s = df[col].astype(object).where(df[col].notna(), {MISSING!r}).astype(str)\n"
        f"    s = s.where(s.isin(cats), {OTHER!r})  # rare or never seen in training\n"
        f"    columns = cats + [{OTHER!r}] * has_other[col]  # no 'Other' column: all 0\n"
        "    dummies = pd.get_dummies(pd.Categorical(s, categories=columns), prefix=col,\n"
        "                             prefix_sep='=', dtype='float32')\n"
        "    parts.append(dummies)  # 0/1, not rescaled\n"
        "onehot = pd.concat(parts, axis=1)"
    )
