"""Text cells that mean numbers or "no value": placeholders, formatted numbers, repeated
header rows; read through the public reader where the whole file matters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.tabular.reading import read_csv_bytes
from lib.tabular.values import MISSING_TOKENS, clean_values


def _one_column(values, decimal=".") -> tuple[pd.Series, list[str]]:
    frame = pd.DataFrame({"v": pd.Series(values, dtype="str"), "y": ["a"] * len(values)})
    cleaned = clean_values(frame, decimal)
    return cleaned.frame["v"], cleaned.notes


@pytest.mark.parametrize(
    "values, decimal, expected",
    [
        (["$1,200.50", "$900", "$12,345,678.9"], ".", [1200.5, 900.0, 12345678.9]),
        (["1,234", "56", "7,890.5"], ".", [1234.0, 56.0, 7890.5]),
        (["(300)", "1,000", "-2"], ".", [-300.0, 1000.0, -2.0]),
        (["45%", "12.5 %", "100%"], ".", [0.45, 0.125, 1.0]),
        (["41 215,13", "\u2212 1\u00a0234,5", "7\u202f000"], ",", [41215.13, -1234.5, 7000.0]),
        (["1.234,5", "12,25", "1.000.000"], ",", [1234.5, 12.25, 1_000_000.0]),
        (["€15,79", "3,5 €", "€ 1.200"], ",", [15.79, 3.5, 1200.0]),
        (["£3", "¥2,000", "₹1,500"], ".", [3.0, 2000.0, 1500.0]),
    ],
)
def test_formatted_numbers_are_read_as_numbers(values, decimal, expected):
    col, notes = _one_column(values * 10, decimal)
    assert pd.api.types.is_float_dtype(col)
    np.testing.assert_allclose(col.to_numpy()[: len(values)], expected, rtol=1e-12)
    assert any("formatted numbers" in n for n in notes)


@pytest.mark.parametrize(
    "values",
    [
        ["555 1234", "555 9876", "555 0000"],  # phone numbers: no 3-digit groups
        ["red", "green", "blue"],
        ["city_1", "city_2", "city_3"],
        ["10-20", "20-30", "30-40"],
        ["1st", "2nd", "3rd"],
        ["1,2", "3,4", "5,6"],  # no thousands grouping with a decimal point
        ["2024-01-02", "2024-02-03", "2024-03-04"],
    ],
)
def test_text_stays_text(values):
    col, notes = _one_column(values * 10)
    assert not pd.api.types.is_numeric_dtype(col)
    assert notes == []


@pytest.mark.parametrize("token", ["-", "?", "n/a", "NULL", " -- ", "#N/A", "."])
def test_placeholders_are_missing_whatever_their_share(token):
    values = [token if i % 4 == 0 else str(i * 1.5) for i in range(200)]  # 25% placeholders
    col, notes = _one_column(values)
    assert pd.api.types.is_float_dtype(col)
    assert col.isna().sum() == 50 and col[1] == 1.5
    assert any("no value" in n and "50 value(s)" in n for n in notes)
    assert token.strip().lower() in MISSING_TOKENS


def test_stray_text_beyond_placeholders_is_counted():
    values = [str(i) for i in range(97)] + ["tbd", "unknown yet", "x"]
    col, notes = _one_column(values)
    assert col.isna().sum() == 3
    assert any("numeric except 3 value(s)" in n for n in notes)
    too_many = [str(i) for i in range(90)] + ["tbd"] * 10  # 10% other text: a text column
    col, notes = _one_column(too_many)
    assert not pd.api.types.is_numeric_dtype(col) and notes == []


def test_placeholders_only_at_the_top_still_convert():
    values = ["?"] * 3000 + [str(i) for i in range(100)]
    col, _ = _one_column(values)
    assert pd.api.types.is_float_dtype(col) and col.notna().sum() == 100


def _income_file(cell, decimal=".", sep=",") -> bytes:
    rng = np.random.default_rng(0)
    incomes = rng.normal(50_000, 15_000, 300)
    labels = np.where(incomes > 50_000, "yes", "no")
    lines = [f"income{sep}score{sep}label"]
    for i, (inc, lab) in enumerate(zip(incomes, labels, strict=True)):
        score = f"{i / 100:.2f}".replace(".", decimal)
        lines.append(f"{cell(inc)}{sep}{score}{sep}{lab}")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    "cell, decimal, sep",
    [
        (lambda v: f'"{v:,.2f}"', ".", ","),
        (lambda v: f"${v:,.0f}", ".", ";"),
        (lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ","), ",", ";"),
        (lambda v: f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."), ",", ";"),
    ],
)
def test_a_file_of_formatted_numbers_reads_them_as_numbers(cell, decimal, sep):
    result = read_csv_bytes(_income_file(cell, decimal, sep))
    assert result.decimal == decimal
    income = result.frame["income"]
    assert pd.api.types.is_float_dtype(income) and income.notna().all()
    assert 10_000 < income.median() < 90_000
    assert any("formatted numbers" in w for w in result.warnings)


def test_repeated_header_rows_are_dropped():
    body = _income_file(lambda v: f"{v:.2f}").decode().splitlines(keepends=True)
    joined = "".join(body[:100] + [body[0]] + body[100:200] + [body[0]] + body[200:])
    result = read_csv_bytes(joined.encode())
    assert len(result.frame) == 300
    assert sorted(result.frame["label"].unique()) == ["no", "yes"]
    assert pd.api.types.is_float_dtype(result.frame["income"])
    assert any("2 row(s) repeat the header" in w for w in result.warnings)


def test_large_numeric_frames_skip_the_checks_quickly():
    """Numeric columns are never converted; a text first column ends the header search
    at once when no row repeats it (the bench's 1,000,000-row file goes through here)."""
    frame = pd.DataFrame({"a": np.arange(5.0), "b": pd.Series(list("vwxyz"), dtype="str")})
    cleaned = clean_values(frame)
    assert cleaned.frame is frame and cleaned.notes == [] and cleaned.formatted == []


def test_stray_text_bunched_at_the_top_still_converts():
    """Judged on the whole column: 15 "tbd" among the first 200 of 1,000 values is 1.5 %."""
    values = ["tbd"] * 15 + [str(i) for i in range(985)]
    col, notes = _one_column(values)
    assert pd.api.types.is_float_dtype(col) and col.isna().sum() == 15
