"""Cells that pandas reads as text but a person reads as numbers, or as nothing.

Real exports write a missing number as "?", "-" or "n/a"; write numbers with thousands
separators, currency and percent signs ("$1,200.50", "1.234,5 €", "45 %", "(300)" for −300);
and files joined together repeat their header row. pandas then reads the whole column as
text, and a learner's most useful column silently drops out as "an identifier". Each case
is repaired column by column, with a note that says what was read how.

>>> frame = pd.DataFrame({"income": ["$1,200.50", "?", "$900"], "y": ["a", "b", "a"]})
>>> cleaned = clean_values(frame, decimal=".")
>>> cleaned.frame["income"].tolist(), cleaned.formatted
([1200.5, nan, 900.0], ['income'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_STRAY_SHARE = 0.05  # a numeric column may hold this share of other text ("n/k", "tbd")
HEAD_ROWS = 2_000  # a column is judged on its first values before all are converted
# Written for "no value" in exported tables (compared lower-case, stripped).
MISSING_TOKENS = frozenset(
    {"?", "-", "--", "---", ".", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "missing",
     "#n/a", "#na", "#value!", "#div/0!", "(missing)", "(blank)"}
)  # fmt: skip


@dataclass
class Cleaned:
    frame: pd.DataFrame  # a new one if rows were dropped; columns are replaced in place
    notes: list[str]  # one per repair
    formatted: list[str]  # columns read through parse_formatted (a script must do the same)


def clean_values(frame: pd.DataFrame, decimal: str = ".") -> Cleaned:
    """Drop repeated header rows, then read text columns of numbers as numbers."""
    frame, notes = drop_repeated_headers(frame)
    formatted = []
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            continue
        converted = _numeric_column(col, decimal)
        if converted is not None:
            frame[name], note, was_formatted = converted
            notes += [f"Column {str(name)!r}: {text}" for text in note]
            formatted += [str(name)] if was_formatted else []
    return Cleaned(frame, notes, formatted)


def drop_repeated_headers(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows whose every cell is its column's name (files joined together) are dropped."""
    if frame.shape[1] < 2 or frame.empty:
        return frame, []
    repeated = pd.Series(True, index=frame.index)
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            return frame, []  # a column of numbers cannot hold its name
        repeated &= col.astype("str").str.strip() == str(name)
        if not repeated.any():
            return frame, []
    n = int(repeated.sum())
    note = (
        f"{n:,} row(s) repeat the header row (files joined together?) and were dropped; "
        "the columns below them are read as usual."
    )
    return frame[~repeated].reset_index(drop=True), [note]


def _numeric_column(col: pd.Series, decimal: str) -> tuple[pd.Series, list[str], bool] | None:
    """The column as float64, what was done and whether numbers were formatted; ``None``
    when it is text after all."""
    head = col.head(HEAD_ROWS).dropna()
    head = head[~_placeholders(head)]
    if head.empty:  # only placeholders at the top: look further down
        present = col.dropna()
        head = present[~_placeholders(present.head(20 * HEAD_ROWS))].head(HEAD_ROWS)
        if head.empty:
            return None
    if not _mostly_number_characters(head.head(200)):
        return None
    present = col.dropna()
    placeholder = _placeholders(present)
    values = present[~placeholder]
    read = _numbers(values, decimal)
    if read is None:
        return None
    numbers, formats = read
    notes = []
    if formats:
        example = next((str(v) for v in values if not _plain_number(str(v))), str(values.iloc[0]))
        notes.append(
            f"formatted numbers such as {example!r} were read as numbers ({', '.join(formats)})."
        )
    if placeholder.any():
        tokens = ", ".join(repr(str(v)) for v in pd.unique(present[placeholder].astype(str))[:3])
        notes.append(
            f"{int(placeholder.sum()):,} value(s) {tokens} mean “no value”: read as missing."
        )
    stray = values[numbers.isna()]
    if len(stray):
        examples = ", ".join(repr(str(v)) for v in pd.unique(stray.astype(str))[:3])
        notes.append(
            f"numeric except {len(stray):,} value(s) such as {examples}; those were treated "
            "as missing."
        )
    out = pd.Series(np.nan, index=col.index, dtype=np.float64)
    out[numbers.index] = numbers.to_numpy(np.float64)
    return out, notes, bool(formats)


# Only what a number written for people is made of (one vectorised match, no Python
# per value): words like "city_3" or "red" are ruled out before any conversion is tried.
_PUNCTUATION = "-+−()$€£¥₹%.,'’eE\u00a0\u202f\u2009"  # real characters: Arrow's RE2 runs it
_NUMBER_CHARACTERS = rf"^[{_PUNCTUATION}\s]*\d[{_PUNCTUATION}\d\s]*$"


def _mostly_number_characters(values: pd.Series) -> bool:
    """At least half look like numbers: worth converting (the 95 % rule is applied after)."""
    matches = values.astype("str").str.match(_NUMBER_CHARACTERS)
    return bool(matches.sum() >= 0.5 * len(values))


def _placeholders(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().str.lower().isin(MISSING_TOKENS)


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numbers(values: pd.Series, decimal: str) -> tuple[pd.Series, list[str]] | None:
    """(float values, NaN where unreadable; the formats removed) when all but
    MAX_STRAY_SHARE of ``values`` read as numbers, plainly or formatted; else ``None``."""
    if values.empty:
        return None
    needed = (1 - MAX_STRAY_SHARE) * len(values)
    text = values.astype("str").str.strip()
    if decimal == ".":  # (with a decimal comma, "1.234" is a thousand: never read plainly)
        plain = pd.to_numeric(text, errors="coerce")
        if plain.notna().sum() >= needed:
            return plain, []
    if text.str.contains(r"\d", regex=True).sum() < needed:
        return None  # most values have no digit at all: words, not numbers
    formatted, formats = parse_formatted(text, decimal)
    if formatted.notna().sum() >= needed and (formats or decimal == ","):
        return formatted, formats
    return None


def parse_formatted(text: pd.Series, decimal: str) -> tuple[pd.Series, list[str]]:
    """Numbers written for people: signs, currency, %, thousands separators, decimal commas.

    (float values, NaN where unreadable; what was removed). Self-contained: the script a
    learner downloads carries this function, so it reads the file the same way.
    """
    currency, spaces = "$€£¥₹", "\u00a0\u202f\u2009 '’"  # no-break, narrow, thin, apostrophes
    thousands = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"  # 1,234,567.5
    if decimal == ",":
        thousands = r"^[-+]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$"  # 1.234.567,5
    formats = []
    s = text.str.replace("\u2212", "-", regex=False)  # the typographic minus sign
    negative = s.str.match(r"^\(.*\)$")
    if negative.any():
        s = s.where(~negative, "-" + s.str.slice(1, -1))
        formats.append("(…) as a minus sign")
    if s.str.contains(f"[{currency}]", regex=True).any():
        s = s.str.replace(f"[{currency}]", "", regex=True)
        formats.append("currency signs removed")
    percent = s.str.strip().str.endswith("%")
    if percent.any():
        s = s.str.replace("%", "", regex=False)
        formats.append("percentages divided by 100")
    s = s.str.strip().str.replace(r"^([-+])\s+", r"\1", regex=True)
    group = rf"(?<=\d)[{spaces}](?=\d{{3}}(?!\d))"  # "41 215,5", never "555 1234"
    if s.str.contains(group, regex=True).any():
        s = s.str.replace(group, "", regex=True)
        formats.append("spaces between digit groups removed")
    grouped = s.str.match(thousands)
    if grouped.any():
        s = s.where(~grouped, s.str.replace("," if decimal == "." else ".", "", regex=False))
        formats.append("thousands separators removed")
    if decimal == ",":
        s = s.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(s, errors="coerce")
    return numbers.where(~percent, numbers / 100), formats
