"""Dates as numbers: find how a text column writes its dates, and split them into parts.

A classifier cannot read ``"2021-03-04"``; it can read the year (2021), the month (3), the day
of the week (3: a Thursday, Monday = 0) and, for date-times, the hour. :func:`date_format`
picks the one format that reads (nearly) all of a column's values, so the same format
parses new rows, and the downloaded script repeats it with ``pd.to_datetime(format=…)``.
Which parts are worth keeping (those that vary in the training rows) is decided by
:mod:`lib.tabular.preprocess`.

>>> import pandas as pd
>>> col = pd.Series(["2021-03-04", "2021-12-25", None, "2022-01-01"])
>>> date_format(col)
'ISO8601'
>>> date_parts(col, "ISO8601")["weekday"].tolist()
[3.0, 5.0, nan, 5.0]
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

PARTS = ("year", "month", "weekday", "hour")
PART_LABELS = {"year": "year", "month": "month (1–12)", "weekday": "day of the week (Monday = 0)",
               "hour": "hour (0–23)"}  # fmt: skip
MIN_SHARE = 0.9  # of the sampled values a format must read
SAMPLE = 500

# A cheap first look: text that starts like a date or a time (the formats below decide).
_DATE = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{1,2}:\d{2}(:\d{2})?"
    r"|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}|[A-Za-z]{3,9} \d{1,2},? \d{4})\s*$"
)
# Tried in this order; on a tie the earlier wins (day before month: 04/03/2021 is 4 March).
FORMATS = (
    "ISO8601",
    "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d",
    "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y", "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d-%m-%Y", "%m-%d-%Y",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y",
    "%H:%M", "%H:%M:%S",
    "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
)  # fmt: skip


def looks_like_dates(col: pd.Series) -> bool:
    """At least 90 % of the first non-missing values are written like dates or times."""
    sample = _sample(col)
    return len(sample) > 0 and float(sample.str.match(_DATE).mean()) >= MIN_SHARE


def date_format(col: pd.Series) -> str | None:
    """The format (for ``pd.to_datetime(format=…)``) that reads the most of the column's first
    values, if it reads at least 90 % of them; ``None`` for a column that is not dates."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return None
    sample = _sample(col)
    if len(sample) == 0 or float(sample.str.match(_DATE).mean()) < MIN_SHARE:
        return None
    best, best_share = None, 0.0
    for fmt in FORMATS:
        share = float(_parse(sample, fmt).notna().mean())
        if share > best_share:
            best, best_share = fmt, share
        if share == 1.0:
            break
    return best if best_share >= MIN_SHARE else None


def parse(col: pd.Series, fmt: str) -> pd.Series:
    """Timestamps in UTC (``NaT`` where a value is missing or not written in ``fmt``)."""
    return _parse(col.astype("string").str.strip(), fmt)


def date_parts(col: pd.Series, fmt: str, parts=PARTS) -> dict[str, np.ndarray]:
    """``{part: float64 values}`` (NaN where the date is missing or unreadable)."""
    stamps = parse(col, fmt).dt
    values = {
        "year": stamps.year,
        "month": stamps.month,
        "weekday": stamps.dayofweek,
        "hour": stamps.hour,
    }
    return {p: values[p].to_numpy(dtype=np.float64, na_value=np.nan) for p in parts}


def _sample(col: pd.Series) -> pd.Series:
    return col.head(5_000).dropna().astype(str).str.strip().head(SAMPLE)


def _parse(text: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
