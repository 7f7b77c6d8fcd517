"""Label and one-hot encoding: turning categories into numbers, and what goes wrong.

Pure logic for the encoding lesson, with the pandas / scikit-learn / PyTorch code that
reproduces each result, filled in with the learner's values (every ``*_code`` function
returns a script that runs as is from the repository root).

* label encoding: an ordered list of categories becomes codes; a mapping table a learner
  edits is validated here (empty names, duplicate names or codes, codes out of range);
* one-hot encoding with ``pd.get_dummies`` and ``OneHotEncoder``, equal column for column;
* how many columns one-hot creates, and when that explodes;
* the pitfalls: an order invented for a nominal feature, the dummy-variable trap, and a
  category unseen at training time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.activations import sigmoid
from lib.core.datasets import ACCOMMODATIONS

GRADES_CSV = "assets/students.csv"
DEFAULT_GRADE_ORDER = "A,B,C,D,F"  # highest code first: A→4 … F→0, as in the cheat sheet
ACCOMMODATION_COLUMN = "Accommodation"
MAX_ONE_HOT_COLUMNS = 50  # more than this and one-hot is called an explosion


# --- label encoding -------------------------------------------------------------------


def parse_order(text: str) -> list[str]:
    """Split "A,B,C" into category names, highest code first.

    >>> parse_order(" A, B ,C")
    ['A', 'B', 'C']
    """
    names = [part.strip() for part in str(text).split(",")]
    if not any(names):
        raise ValueError("The order is empty: type the categories separated by commas, e.g. A,B,C.")
    for i, name in enumerate(names, start=1):
        if not name:
            raise ValueError(f"Category {i} of the order is empty (two commas in a row?).")
    _check_unique(names)
    return names


def mapping_from_order(order: list[str]) -> dict[str, int]:
    """The first category gets the highest code K-1, the last gets 0 (A→4 … F→0).

    >>> mapping_from_order(["A", "B", "C"])
    {'A': 2, 'B': 1, 'C': 0}
    """
    k = len(order)
    return {name: k - 1 - i for i, name in enumerate(order)}


def mapping_table(mapping: dict[str, int]) -> pd.DataFrame:
    """The mapping as an editable two-column table."""
    return pd.DataFrame(
        {
            "category": np.array(list(mapping), dtype=object),
            "code": np.array(list(mapping.values()), dtype=np.int64),
        }
    )


def validate_mapping(table: pd.DataFrame | dict) -> dict[str, int]:
    """Check a category → code table and return it as a dict.

    Codes must be whole numbers, all different, between 0 and K-1 for K categories (so the
    same mapping can also be written as ``OrdinalEncoder(categories=[...])``). Raises
    ``ValueError`` naming the bad row.

    >>> validate_mapping({"A": 1, "B": 0})
    {'A': 1, 'B': 0}
    """
    if isinstance(table, dict):
        table = pd.DataFrame({"category": list(table), "code": list(table.values())})
    if table is None or len(table) == 0:
        raise ValueError("The mapping is empty: it needs at least one category.")
    k = len(table)
    mapping: dict[str, int] = {}
    owner: dict[int, str] = {}
    for row, (name, code) in enumerate(zip(table["category"], table["code"], strict=True), 1):
        if _missing(name) or not str(name).strip():
            raise ValueError(f"Row {row} has an empty category name.")
        name = str(name).strip()
        if name in mapping:
            raise ValueError(f"Category {name!r} appears twice; each category needs one row.")
        code = _whole_number(code, name)
        if not 0 <= code <= k - 1:
            raise ValueError(
                f"Code {code} for {name!r} is out of range: with {k} categories the codes "
                f"are 0 to {k - 1}."
            )
        if code in owner:
            raise ValueError(
                f"Duplicate code {code}: {owner[code]!r} and {name!r} would become the same "
                "number, so the model could not tell them apart."
            )
        mapping[name] = code
        owner[code] = name
    return mapping


def apply_mapping(series: pd.Series, mapping: dict[str, int]) -> pd.Series:
    """Replace every category by its code (int64); a value the mapping lacks is an error."""
    unknown = sorted(set(series.dropna().astype(str)) - set(mapping))
    if unknown:
        raise ValueError(
            f"The column {series.name!r} has values the mapping does not cover: "
            f"{', '.join(map(repr, unknown[:5]))}."
        )
    return series.astype(str).map(mapping).astype("int64").rename(series.name)


def encoded_preview(
    series: pd.Series, mapping: dict[str, int], rows: int = 8
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(first rows: value and code, one row per category: code and count, highest code first)."""
    codes = apply_mapping(series, mapping)
    shown = pd.DataFrame({series.name: series, "code": codes}).head(rows)
    counts = codes.groupby(series).agg(["first", "size"]).sort_values("first", ascending=False)
    counts = counts.reset_index()
    counts.columns = [series.name, "code", "rows"]
    return shown, counts


def categories_by_code(mapping: dict[str, int]) -> list[str]:
    """Categories sorted by code: the ``categories=[...]`` list ``OrdinalEncoder`` needs."""
    return sorted(mapping, key=mapping.get)


def label_encode_code(mapping: dict[str, int], column: str = "Letter_Grade") -> str:
    """pandas and scikit-learn code producing exactly ``apply_mapping`` on the student table."""
    return f"""import pandas as pd
from sklearn.preprocessing import OrdinalEncoder

df = pd.read_csv({GRADES_CSV!r})

# pandas: replace each grade by its code (astype: replace leaves an object column)
df[{column + "_code"!r}] = df[{column!r}].replace({mapping!r}).astype("int64")

# scikit-learn: the codes are the positions in `categories`
encoder = OrdinalEncoder(categories=[{categories_by_code(mapping)!r}], dtype="int64")
df[{column + "_sklearn"!r}] = encoder.fit_transform(df[[{column!r}]])[:, 0]

print(df[[{column!r}, {column + "_code"!r}, {column + "_sklearn"!r}]].head(8))
"""


# --- one-hot encoding -----------------------------------------------------------------


def one_hot_pandas(
    df: pd.DataFrame, column: str, categories: list[str] | None = None, drop_first: bool = False
) -> pd.DataFrame:
    """``pd.get_dummies`` with 0/1 integer columns named after the categories, in the given
    order (alphabetical when ``categories`` is None), the other columns kept in front."""
    out = df.copy()
    if categories is not None:
        out[column] = pd.Categorical(out[column], categories=categories)
    return pd.get_dummies(
        out, columns=[column], prefix="", prefix_sep="", drop_first=drop_first, dtype=int
    )


def one_hot_sklearn(
    df: pd.DataFrame, column: str, categories: list[str] | None = None, drop_first: bool = False
) -> pd.DataFrame:
    """The same table with scikit-learn's ``OneHotEncoder``."""
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder(
        categories=[categories] if categories is not None else "auto",
        drop="first" if drop_first else None,
        sparse_output=False,
        dtype=int,
    )
    codes = encoder.fit_transform(df[[column]])
    names = [c.removeprefix(f"{column}_") for c in encoder.get_feature_names_out([column])]
    encoded = pd.DataFrame(codes, columns=names, index=df.index)
    return pd.concat([df.drop(columns=[column]), encoded], axis=1)


def one_hot_code(categories: list[str], drop_first: bool = False) -> tuple[str, str]:
    """(pandas code, scikit-learn code) for the cheat sheet's accommodation table."""
    setup = f"""import pandas as pd

df = pd.DataFrame({{"ID": [1, 2, 3, 4], "Accommodation": {ACCOMMODATIONS!r}}})
"""
    pandas_code = (
        setup
        + f"""# a Categorical keeps the columns in this order (get_dummies sorts them otherwise)
df["Accommodation"] = pd.Categorical(df["Accommodation"], categories={categories!r})
encoded = pd.get_dummies(df, columns=["Accommodation"], prefix="", prefix_sep="",
                         drop_first={drop_first!r}, dtype=int)
print(encoded)
"""
    )
    drop = '"first"' if drop_first else "None"
    sklearn_code = (
        setup
        + f"""from sklearn.preprocessing import OneHotEncoder

encoder = OneHotEncoder(categories=[{categories!r}], drop={drop},
                        sparse_output=False, dtype=int)
codes = encoder.fit_transform(df[["Accommodation"]])
names = [n.removeprefix("Accommodation_") for n in encoder.get_feature_names_out()]
encoded = pd.concat([df[["ID"]], pd.DataFrame(codes, columns=names)], axis=1)
print(encoded)
"""
    )
    return pandas_code, sklearn_code


# --- the chosen dataset: which columns are categorical, how wide one-hot gets ---------


def categorical_columns(df: pd.DataFrame) -> list[str]:
    """Columns holding text (or booleans/categories), i.e. not numbers."""
    return [
        c
        for c in df.columns
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])
    ]


@dataclass(frozen=True)
class OneHotEstimate:
    """How big one-hot encoding one column gets."""

    column: str
    n_rows: int
    n_categories: int
    n_columns: int  # K, or K-1 with drop_first
    n_singletons: int  # categories seen in exactly one row
    dense_bytes: int  # as a float32 matrix (what a PyTorch model is fed)
    explodes: bool

    @property
    def message(self) -> str | None:
        """A warning with the numbers, or None when one-hot is reasonable."""
        if not self.explodes:
            return None
        return (
            f"One-hot would turn {self.column!r} into {self.n_columns:,} columns for "
            f"{self.n_rows:,} rows ({format_bytes(self.dense_bytes)} as float32), and "
            f"{self.n_singletons:,} of its {self.n_categories:,} categories appear in a single "
            "row, so a model cannot learn anything general from them. Group rare categories, "
            "bin the numbers, or use another encoding."
        )


def one_hot_estimate(
    series: pd.Series, drop_first: bool = False, max_columns: int = MAX_ONE_HOT_COLUMNS
) -> OneHotEstimate:
    """Count the columns one-hot creates for ``series`` without building them.

    >>> one_hot_estimate(pd.Series(list("aab"), name="x")).n_columns
    2
    """
    counts = series.value_counts(dropna=True)
    k = int(len(counts))
    n_columns = max(k - 1, 0) if drop_first else k
    n = int(len(series))
    return OneHotEstimate(
        column=str(series.name),
        n_rows=n,
        n_categories=k,
        n_columns=n_columns,
        n_singletons=int((counts == 1).sum()),
        dense_bytes=4 * n * n_columns,
        explodes=n_columns > max_columns or (n > 0 and k > n / 2),
    )


def format_bytes(n: int) -> str:
    """Bytes in decimal units, as disks and RAM sticks are sold.

    >>> format_bytes(1_600_000_000)
    '1.6 GB'
    """
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def column_preview(
    frame: pd.DataFrame, column: str, drop_first: bool, rows: int = 6, max_shown: int = 12
) -> tuple[OneHotEstimate, pd.DataFrame, int]:
    """(estimate, first rows with label code and one-hot columns, one-hot columns not shown).

    Label codes follow the sorted categories, as ``OrdinalEncoder`` does by default.
    """
    if column not in frame.columns:
        raise ValueError(f"No column {column!r} in this table.")
    estimate = one_hot_estimate(frame[column], drop_first)
    categories = sorted(frame[column].dropna().unique())
    preview = frame[[column]].head(rows).reset_index(drop=True)
    preview["label code"] = preview[column].map({v: i for i, v in enumerate(categories)})
    dummies = pd.get_dummies(
        pd.Categorical(preview[column], categories=categories), drop_first=drop_first, dtype=int
    )
    shown = dummies.iloc[:, :max_shown]
    shown.columns = [str(c) for c in shown.columns]
    return estimate, pd.concat([preview, shown], axis=1), dummies.shape[1] - shown.shape[1]


def dataset_code(spec_repr: str, column: str, drop_first: bool) -> str:
    """Code that rebuilds the chosen dataset's table and encodes ``column`` both ways."""
    return f"""import pandas as pd
from lib.core.datasets import DatasetSpec, load_dataset  # run from the ClassLab folder

df = load_dataset({spec_repr}).frame()
categories = sorted(df[{column!r}].dropna().unique())  # what OrdinalEncoder does by default
codes = df[{column!r}].map({{c: i for i, c in enumerate(categories)}})
one_hot = pd.get_dummies(df[{column!r}], drop_first={drop_first!r}, dtype=int)
print(len(categories), "categories ->", one_hot.shape[1], "one-hot columns")
"""


# --- pitfall 1: an invented order ------------------------------------------------------


@dataclass(frozen=True)
class OrderComparison:
    """A one-feature logistic model fitted on label codes and on one-hot columns."""

    table: pd.DataFrame  # per category: code, rows, actual rate, p(label codes), p(one-hot)
    accuracy_label: float
    accuracy_one_hot: float
    loss_label: float
    loss_one_hot: float


def commute_target(df: pd.DataFrame, km: float) -> np.ndarray:
    """1 when the student travels more than ``km`` kilometres (the pitfall's target)."""
    return (df["Distance_km"] > km).to_numpy(dtype=np.float32)


def fit_commute_logistic(
    X: np.ndarray, y: np.ndarray, steps: int = 200, lr: float = 0.1
) -> tuple[np.ndarray, float]:
    """Pitfall 1's model: P(long commute) from encoded accommodation columns ``X``.

    The PyTorch loop the page shows (:func:`invented_order_code`): ``nn.Linear`` from zero
    weights, ``BCEWithLogitsLoss``, full-batch ``torch.optim.Adam`` (default betas and eps),
    no random numbers. Computed here in numpy with torch's exact update rule: on a 240 × 4
    table torch spends its time in per-call overhead (≈ 40 ms for 200 steps), numpy in ≈ 3 ms,
    and the slider re-fits on every new distance. tests/test_encoding.py checks it against
    the torch loop. Returns (probabilities, final loss)."""
    A = np.column_stack([np.asarray(X, dtype=np.float64), np.ones(len(X))])  # bias column
    target = np.asarray(y, dtype=np.float64)
    # Rows with the same encoding share their logit: the full-batch gradient is a sum over
    # the distinct rows (one per category), weighted by their counts and positives.
    rows, which, counts = np.unique(A, axis=0, return_inverse=True, return_counts=True)
    positives = np.bincount(which.ravel(), weights=target, minlength=len(rows))
    theta = np.zeros(A.shape[1])
    first, second = np.zeros_like(theta), np.zeros_like(theta)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        grad = rows.T @ (counts * sigmoid(rows @ theta) - positives) / len(A)
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad * grad
        # torch.optim.Adam: denom = sqrt(v) / sqrt(1 - β2^t) + eps; step = lr / (1 - β1^t)
        denom = np.sqrt(second) / np.sqrt(1 - beta2**t) + eps
        theta -= lr / (1 - beta1**t) * first / denom
    z = A @ theta
    loss = float(np.mean(np.logaddexp(0.0, z) - target * z))  # BCE with logits, stable
    return sigmoid(z), loss


def invented_order_comparison(
    students: pd.DataFrame, order: list[str], km: float = 10.0, steps: int = 200
) -> OrderComparison:
    """Predict "commute > km" from Accommodation alone, label-encoded in ``order`` vs one-hot."""
    if sorted(order) != sorted(ACCOMMODATIONS):
        raise ValueError(f"The order must list each of {', '.join(ACCOMMODATIONS)} exactly once.")
    column = students[ACCOMMODATION_COLUMN]
    y = commute_target(students, km)
    codes = {name: i for i, name in enumerate(order)}
    X_label = column.map(codes).to_numpy(dtype=np.float32)[:, None]
    X_one_hot = pd.get_dummies(
        pd.Categorical(column, categories=order), dtype=np.float32
    ).to_numpy()
    p_label, loss_label = fit_commute_logistic(X_label, y, steps)
    p_one_hot, loss_one_hot = fit_commute_logistic(X_one_hot, y, steps)
    # Per category: rows, the actual share of long commutes and each model's mean probability
    # (bincounts over the codes: a pandas groupby cost more than both fits together).
    code = X_label[:, 0].astype(np.intp)
    rows = np.bincount(code, minlength=len(order))
    sums = {name: np.bincount(code, weights=values, minlength=len(order))
            for name, values in (("actual", y), ("p_label", p_label), ("p_one_hot", p_one_hot))}  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):  # a category without rows: NaN
        means = {name: total / rows for name, total in sums.items()}
    table = pd.DataFrame({"category": order, "code": range(len(order)), "rows": rows, **means})
    return OrderComparison(
        table=table,
        accuracy_label=float(((p_label >= 0.5) == (y == 1)).mean()),
        accuracy_one_hot=float(((p_one_hot >= 0.5) == (y == 1)).mean()),
        loss_label=float(loss_label),
        loss_one_hot=float(loss_one_hot),
    )


def invented_order_code(order: list[str], km: float, steps: int = 200) -> str:
    """PyTorch code reproducing :func:`invented_order_comparison`."""
    return f"""import pandas as pd
import torch
from torch import nn

df = pd.read_csv({GRADES_CSV!r})
y = torch.tensor((df["Distance_km"] > {km!r}).to_numpy(), dtype=torch.float32).unsqueeze(1)
order = {order!r}
X_label = torch.tensor(df["Accommodation"].map({{c: i for i, c in enumerate(order)}})
                       .to_numpy(), dtype=torch.float32).unsqueeze(1)
X_one_hot = torch.tensor(pd.get_dummies(pd.Categorical(df["Accommodation"], categories=order),
                                        dtype=float).to_numpy(), dtype=torch.float32)

def fit(X):
    model = nn.Linear(X.shape[1], 1)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range({steps}):
        optimizer.zero_grad()
        loss_fn(model(X), y).backward()
        optimizer.step()
    with torch.no_grad():
        return torch.sigmoid(model(X))

for name, X in [("label codes", X_label), ("one-hot", X_one_hot)]:
    p = fit(X)
    accuracy = ((p >= 0.5).float() == y).float().mean().item()
    by_category = pd.Series(p.squeeze(1).numpy()).groupby(df["Accommodation"]).mean()
    print(name, f"accuracy={{accuracy:.3f}}", by_category.reindex(order).round(3).to_dict())
"""


# --- pitfall 2: the dummy-variable trap -------------------------------------------------


@dataclass(frozen=True)
class DummyTrap:
    n_columns: int  # intercept + one-hot columns
    rank: int
    rows_sum_to_one: bool  # every row of the one-hot block sums to 1

    @property
    def redundant(self) -> int:
        return self.n_columns - self.rank


def dummy_trap(series: pd.Series, drop_first: bool) -> DummyTrap:
    """Rank of ``[1 | one-hot]``: without ``drop_first`` one column is redundant."""
    dummies = pd.get_dummies(series, drop_first=drop_first, dtype=float).to_numpy()
    design = np.column_stack([np.ones(len(series)), dummies])
    return DummyTrap(
        n_columns=design.shape[1],
        rank=int(np.linalg.matrix_rank(design)),
        rows_sum_to_one=bool(np.allclose(dummies.sum(axis=1), 1.0)),
    )


# --- pitfall 3: a category unseen at training time ---------------------------------------


@dataclass(frozen=True)
class UnknownResult:
    encoded: pd.DataFrame | None  # the new row, encoded by the fitted OneHotEncoder
    error: str | None  # what scikit-learn said instead
    dummies_columns: list[str]  # what pd.get_dummies makes of the new row on its own


def encode_unseen(new_value: str, handle_unknown: str = "error") -> UnknownResult:
    """Fit ``OneHotEncoder`` on the cheat sheet's four accommodations and encode ``new_value``."""
    from sklearn.preprocessing import OneHotEncoder

    new_value = str(new_value).strip()
    if not new_value:
        raise ValueError("Type a category for the new student, e.g. Hostel.")
    if handle_unknown not in ("error", "ignore"):
        raise ValueError(f"handle_unknown must be 'error' or 'ignore', got {handle_unknown!r}.")
    train = pd.DataFrame({ACCOMMODATION_COLUMN: ACCOMMODATIONS})
    new = pd.DataFrame({ACCOMMODATION_COLUMN: [new_value]})
    encoder = OneHotEncoder(
        categories=[ACCOMMODATIONS], handle_unknown=handle_unknown, sparse_output=False, dtype=int
    ).fit(train)
    dummies = list(pd.get_dummies(new[ACCOMMODATION_COLUMN], dtype=int).columns)
    try:
        codes = encoder.transform(new)
    except ValueError as err:
        return UnknownResult(None, str(err), dummies)
    return UnknownResult(pd.DataFrame(codes, columns=ACCOMMODATIONS), None, dummies)


def unseen_code(new_value: str, handle_unknown: str) -> str:
    return f"""import pandas as pd
from sklearn.preprocessing import OneHotEncoder

train = pd.DataFrame({{"Accommodation": {ACCOMMODATIONS!r}}})
new = pd.DataFrame({{"Accommodation": [{new_value.strip()!r}]}})
encoder = OneHotEncoder(categories=[{ACCOMMODATIONS!r}], handle_unknown={handle_unknown!r},
                        sparse_output=False, dtype=int).fit(train)
print(encoder.transform(new))  # with handle_unknown="error" an unseen value raises ValueError
print(pd.get_dummies(new["Accommodation"], dtype=int).columns.tolist())  # get_dummies: new columns
"""


# --- helpers ---------------------------------------------------------------------------


def _check_unique(names: list[str]) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(f"Category {name!r} appears twice; list each category once.")
        seen.add(name)


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _whole_number(code, name: str) -> int:
    if _missing(code):
        raise ValueError(f"Category {name!r} has no code.")
    try:
        number = float(code)
    except (TypeError, ValueError):
        raise ValueError(f"The code for {name!r} must be a whole number, got {code!r}.") from None
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"The code for {name!r} must be a whole number, got {code!r}.")
    return int(number)
