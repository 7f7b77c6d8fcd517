"""lib.tabular.arrow_parse: Arrow's multi-threaded reader gives pandas' one-pass table, or
gives up and the C parser reads the file.

The oracle is ``pd.read_csv`` of the same bytes with the C engine on one thread. A tiny
sample size puts small tables on Arrow's path, so every awkward shape (quotes, line
breaks in values, CRLF, blank lines, gaps, dates, late type changes, short and long
rows) is checked against it.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from pandas._libs.parsers import STR_NA_VALUES

import lib.tabular.reading as csv_reading
from lib.tabular.arrow_parse import NA_VALUES, parse_with_arrow
from lib.tabular.reading import TRIAL_BYTES, read_csv_bytes, read_csv_file


def _options(names: list[str], header: bool = True, **extra) -> dict:
    return dict(sep=",", decimal=".", header=0 if header else None, names=names, **extra)


def _serial(data: bytes, options: dict) -> tuple[pd.DataFrame, int]:
    """pandas' C parser, one pass, long rows skipped and counted (what the reader did)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(io.BytesIO(data), engine="c", on_bad_lines="warn", **options)
    return frame, sum(str(w.message).count("Skipping line") for w in caught)


def _arrow(data: bytes, options: dict, sample_bytes: int = 64):
    return parse_with_arrow(data, options, sample_bytes=sample_bytes)


def _assert_same(data: bytes, options: dict, sample_bytes: int = 64) -> pd.DataFrame:
    got = _arrow(data, options, sample_bytes)
    assert got is not None, "Arrow gave up"
    expected, skipped = _serial(data, options)
    pd.testing.assert_frame_equal(got[0], expected)
    assert got[1] == skipped
    return got[0]


def test_missing_value_words_are_pandas_own():
    assert set(NA_VALUES) == set(STR_NA_VALUES)


def _table(n: int, seed: int) -> pd.DataFrame:
    """Numbers with gaps, integers, quoted text (commas, quotes) with gaps, True/False."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n).round(4),
            "count": rng.integers(0, 1000, n),
            "word": rng.choice(["red", "green", "blue, dark", 'say "hi"'], n),
            "flag": rng.choice(["True", "False"], n),
        }
    )
    frame.loc[rng.random(n) < 0.05, "x"] = np.nan
    frame.loc[rng.random(n) < 0.05, "word"] = None
    return frame


def test_mixed_table_equals_one_pass():
    frame = _table(2_000, seed=0)
    _assert_same(frame.to_csv(index=False).encode(), _options(list(frame.columns)))


def test_full_precision_floats_equal_one_pass():
    """Arrow rounds each decimal correctly; pandas' parser may be an ulp away, no more."""
    values = (
        np.random.default_rng(1).normal(size=5_000) * 10.0 ** np.arange(-6, 6).repeat(500)[:5_000]
    )
    data = ("v\n" + "\n".join(repr(float(v)) for v in values) + "\n").encode()
    got = _arrow(data, _options(["v"]))
    assert got is not None
    np.testing.assert_allclose(got[0]["v"].to_numpy(), values, rtol=0, atol=0)
    np.testing.assert_allclose(_serial(data, _options(["v"]))[0]["v"], values, rtol=4e-16)


def test_dates_stay_the_text_of_the_file():
    """Arrow alone reads ISO dates as timestamps; ClassLab's steps expect the text."""
    rows = "".join(
        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},{i},2024-01-01 10:{i % 60:02d}:00\n"
        for i in range(300)
    )
    data = ("day,n,when\n" + rows).encode()
    got = _assert_same(data, _options(["day", "n", "when"]))
    assert got["day"].iloc[0] == "2024-01-01" and isinstance(got["day"].dtype, pd.StringDtype)


def test_zeros_and_ones_stay_integers_and_words_stay_booleans():
    data = b"bit,flag\n" + b"0,True\n1,false\n" * 200
    got = _assert_same(data, _options(["bit", "flag"]))
    assert got["bit"].dtype == np.int64 and got["flag"].dtype == np.bool_


def test_integers_with_gaps_after_the_sample_become_floats_as_in_one_pass():
    data = b"a,b\n" + b"1,x\n" * 100 + b",y\n" + b"2,z\n" * 100
    assert _assert_same(data, _options(["a", "b"]))["a"].dtype == np.float64


def test_semicolons_decimal_commas_and_no_header():
    body = "".join(f"{i},5;{i % 3};label{i % 2}\n" for i in range(200)).encode()
    options = dict(sep=";", decimal=",", header=None, names=["a", "b", "c"], thousands=None)
    got = _assert_same(body, options)
    assert got["a"].iloc[1] == 1.5


def test_leading_blank_lines_crlf_and_blank_lines_inside():
    data = b"\r\n\na,b\r\n" + b"1,x\r\n\r\n2,\r\n" * 100
    _assert_same(data, _options(["a", "b"]))


def test_long_rows_are_skipped_and_counted_in_and_after_the_sample():
    data = b"a,b\n" + b"1,2\n" * 5 + b"3,4,5\n" + b"6,7\n" * 100 + b"8,9,10,11\n" + b"1,2\n" * 10
    assert _arrow(data, _options(["a", "b"]))[1] == 2
    _assert_same(data, _options(["a", "b"]))


def test_quoted_line_breaks_separators_and_quotes():
    data = b"a,b\n" + b'1,"two\nlines"\n2,"a, b"\n3,"say ""hi"""\n' * 100
    got = _assert_same(data, _options(["a", "b"]))
    assert got["b"].iloc[0] == "two\nlines" and got["b"].iloc[2] == 'say "hi"'


@pytest.mark.parametrize(
    "late",
    [
        b"oops,x\n",  # text in a number column: the C parser decides what the column is
        b"1\n",  # a short row: pandas fills it with a missing value, Arrow cannot
        b"1,\xe9t\xe9\n",  # not UTF-8: the reader detects the encoding again
    ],
    ids=["late text", "short row", "not utf-8"],
)
def test_what_arrow_cannot_follow_is_left_to_the_c_parser(late):
    data = b"a,b\n" + b"1,x\n" * 100 + late + b"2,y\n" * 100
    assert _arrow(data, _options(["a", "b"])) is None


def test_integer_columns_with_decimals_after_the_sample_are_parsed_again_as_floats():
    data = b"a,b,c\n" + b"1,2,x\n" * 100 + b"2.5,3,y\n" + b"4,5.25,z\n" + b"1,2,x\n" * 100
    got = _assert_same(data, _options(["a", "b", "c"]))
    assert got["a"].dtype == got["b"].dtype == np.float64 and got["a"].iloc[100] == 2.5


def test_more_widened_columns_than_allowed_are_left_to_the_c_parser():
    from lib.tabular.arrow_parse import MAX_WIDENED

    width = MAX_WIDENED + 1
    header = ",".join(f"c{i}" for i in range(width)).encode() + b"\n"
    ints = b",".join([b"1"] * width) + b"\n"
    floats = b",".join([b"1.5"] * width) + b"\n"
    data = header + ints * 100 + floats
    assert _arrow(data, _options([f"c{i}" for i in range(width)])) is None


def test_a_boolean_column_with_gaps_after_the_sample_is_left_to_the_c_parser():
    """pandas gives such a column as objects (True, False, nan); Arrow as booleans with None."""
    data = b"a,b\n" + b"True,x\n" * 100 + b",y\n"
    assert _arrow(data, _options(["a", "b"])) is None


def test_small_files_are_the_c_parsers():
    frame = _table(50, seed=2)
    data = frame.to_csv(index=False).encode()
    assert parse_with_arrow(data, _options(list(frame.columns))) is None


@pytest.fixture
def arrow_results(monkeypatch) -> list:
    """What each call of the reader's Arrow parse returned (``None``: it gave up)."""
    results = []

    def spy(*args, **kwargs):
        results.append(parse_with_arrow(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(csv_reading, "parse_with_arrow", spy)
    return results


def test_a_large_upload_is_read_by_arrow_and_equals_pandas(arrow_results):
    frame = _table(400_000, seed=3)
    data = frame.to_csv(index=False).encode()
    assert len(data) > TRIAL_BYTES
    result = read_csv_bytes(data)
    assert len(arrow_results) == 1 and arrow_results[0] is not None  # Arrow gave the table
    pd.testing.assert_frame_equal(result.frame, pd.read_csv(io.BytesIO(data)))


def test_a_large_file_on_disk_is_read_by_pandas_from_its_path_and_equals_the_upload(
    tmp_path, monkeypatch, arrow_results
):
    """read_csv_file hands a large UTF-8 file to pandas.read_csv(path) (its own threads);
    the table is the one Arrow gives for the same bytes as an upload."""
    data = _table(400_000, seed=5).to_csv(index=False).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    sources = []
    real_read_csv = pd.read_csv

    def spy(source, *args, **kwargs):
        sources.append(source)
        return real_read_csv(source, *args, **kwargs)

    monkeypatch.setattr(csv_reading.pd, "read_csv", spy)
    from_file = read_csv_file(path)
    assert sources == [path] and arrow_results == []  # one parse, from the path
    monkeypatch.setattr(csv_reading.pd, "read_csv", real_read_csv)
    from_upload = read_csv_bytes(data)
    assert len(arrow_results) == 1 and arrow_results[0] is not None
    pd.testing.assert_frame_equal(from_file.frame, from_upload.frame)
    assert (from_file.delimiter, from_file.header, from_file.warnings) == (
        from_upload.delimiter,
        from_upload.header,
        from_upload.warnings,
    )


def test_large_ragged_upload_still_reports_the_skipped_rows():
    body = b"".join(f"{i},{i % 7},v{i % 3}\n".encode() for i in range(800_000))
    middle = body.index(b"\n", len(body) // 2) + 1
    data = b"a,b,c\n" + body[:middle] + b"1,2,3,4\n" + body[middle:]
    assert len(data) > TRIAL_BYTES
    result = read_csv_bytes(data)
    assert result.skipped_rows == 1
    assert len(result.frame) == 800_000


@pytest.mark.parametrize("late", [b"1,2,3,4\n", b"x,oops,zz\n"])
def test_large_file_with_a_ragged_row_or_a_late_type_change_reads_as_the_upload(tmp_path, late):
    """A ragged row (counted and skipped) or a column that turns to text late: pandas' path
    reader gives up on the file, and the file and the upload give the same table (Arrow's
    for the ragged row, the C parser's for the text)."""
    body = b"".join(f"{i},{i % 7},v{i % 3}\n".encode() for i in range(800_000))
    middle = body.index(b"\n", len(body) // 2) + 1
    data = b"a,b,c\n" + body[:middle] + late + body[middle:]
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    from_file, from_upload = read_csv_file(path), read_csv_bytes(data)
    pd.testing.assert_frame_equal(from_file.frame, from_upload.frame)
    assert from_file.skipped_rows == from_upload.skipped_rows == (1 if late.count(b",") == 3 else 0)
    assert from_file.warnings == from_upload.warnings


def test_large_file_that_is_not_utf8_past_its_first_megabyte_is_detected_again(tmp_path):
    """A large file's first megabyte decides its encoding only on trial: a Windows-1252
    accent far into the file sends it back to full detection."""
    body = b"".join(f"{i},{i % 7},town{i % 3}\n".encode() for i in range(800_000))
    middle = body.index(b"\n", len(body) // 2) + 1
    data = b"a,b,c\n" + body[:middle] + "5,6,Mâcon\n".encode("cp1252") + body[middle:]
    path = tmp_path / "late_accent.csv"
    path.write_bytes(data)
    from_file, from_upload = read_csv_file(path), read_csv_bytes(data)
    assert from_file.encoding == from_upload.encoding == "cp1252"
    pd.testing.assert_frame_equal(from_file.frame, from_upload.frame)
    assert "Mâcon" in set(from_file.frame["c"])


@pytest.mark.parametrize("name", ["students.csv", "accommodation.csv", "student_outcomes.csv"])
def test_the_shipped_tables_read_the_same_through_arrow(name):
    """Real tables (dates, text, gaps, numbers): with a small sample they go through Arrow,
    and give the C parser's table."""
    from pathlib import Path

    data = (Path(__file__).resolve().parent.parent / "assets" / name).read_bytes()
    names = list(pd.read_csv(io.BytesIO(data), nrows=0).columns)
    _assert_same(data, _options(names), sample_bytes=len(data) // 2)


# --- many shapes at once ------------------------------------------------------------------

_TOKENS = {
    "int": lambda r: str(r.integers(-1000, 1000)),
    "bigint": lambda r: str(int(r.integers(0, 2**62)) * 3),  # some beyond int64
    "huge": lambda r: "18446744073709551615",  # uint64's largest
    "float": lambda r: repr(float(r.normal() * 10.0 ** int(r.integers(-5, 6)))),
    "padded": lambda r: f" {r.integers(0, 9)} ",
    "quoted number": lambda r: f'"{r.integers(0, 99)}"',
    "text": lambda r: str(r.choice(["alpha", "beta", "Zürich", "東京", "a b", "tab\there"])),
    "quoted text": lambda r: str(r.choice(['"a, b"', '"say ""hi"""', '"line\nbreak"'])),
    "missing": lambda r: str(r.choice(["", "NA", "null", "None", "<NA>", "n/a", "#N/A", "?"])),
    "bool": lambda r: str(r.choice(["True", "False", "true", "FALSE"])),
    "bit": lambda r: str(r.choice(["0", "1"])),
    "date": lambda r: f"2021-{r.integers(1, 13):02d}-{r.integers(1, 29):02d}",
    "datetime": lambda r: f"2021-03-04 1{r.integers(0, 9)}:00:00",
    "time": lambda r: f"1{r.integers(0, 9)}:3{r.integers(0, 9)}",
    "percent": lambda r: f"{r.integers(0, 100)}%",
    "inf": lambda r: str(r.choice(["inf", "-inf", "Infinity"])),
    "odd number": lambda r: str(r.choice(["0x1A", "1e5", "1E-3", ".5", "5.", "+3"])),
}


def _fuzzed_csv(seed: int) -> tuple[bytes, dict, int]:
    """A random table: 1–5 columns of one kind each, some with a few values of another
    kind; any separator, CRLF, no header, long and short rows, blank lines, decimal commas."""
    r = np.random.default_rng(seed)
    width, n = int(r.integers(1, 6)), int(r.integers(30, 300))
    sep = str(r.choice([",", ";", "\t", "|"]))
    kinds = list(_TOKENS)
    columns = [(r.choice(kinds), r.random() < 0.3, r.choice(kinds)) for _ in range(width)]
    lines = [sep.join(f"c{j}" for j in range(width))]
    for _ in range(n):
        row = []
        for main, mixed, other in columns:
            value = _TOKENS[other if mixed and r.random() < 0.05 else main](r)
            if sep in value and not value.startswith('"'):
                value = f'"{value}"'
            row.append(value)
        lines.append(sep.join(row))
    header = seed % 4 != 1
    lines = lines if header else lines[1:]
    for every, make in ((5, lambda ln: ln + sep + "extra"), (7, lambda ln: ""),
                        (11, lambda ln: ln.split(sep)[0])):  # fmt: skip
        if seed % every == 0:
            at = int(r.integers(1, len(lines)))
            lines.insert(at, make(lines[at]))
    decimal = "," if sep != "," and seed % 2 == 0 else "."
    if decimal == ",":
        lines = [line.replace(".", ",") for line in lines]
    newline = "\r\n" if seed % 3 == 0 else "\n"
    data = ("\n" * (seed % 13 == 0) + newline.join(lines) + newline).encode()
    names = [f"c{j}" for j in range(width)]
    options = dict(sep=sep, decimal=decimal, header=0 if header else None, names=names)
    if decimal == ",":
        options["thousands"] = None
    return data, options, int(r.integers(40, 400))


def test_fuzzed_tables_equal_one_pass():
    """1,000 random shapes: whatever Arrow returns is the one-pass C parser's table (floats
    to the last bit but one), with the same count of skipped rows; about half go through
    Arrow, the rest are left to the C parser."""
    through_arrow = 0
    for seed in range(1_000):
        data, options, sample_bytes = _fuzzed_csv(seed)
        got = _arrow(data, options, sample_bytes)
        if got is None:
            continue
        through_arrow += 1
        expected, skipped = _serial(data, options)
        pd.testing.assert_frame_equal(got[0], expected, check_exact=False, rtol=1e-15)
        assert got[1] == skipped, seed
    assert through_arrow >= 400, through_arrow


@pytest.mark.parametrize("late", [b"9223372036854775808", b"18446744073709551616"])
def test_a_whole_number_beyond_int64_is_never_turned_into_a_float(late):
    """pandas reads it as an unsigned integer or as text; a float would lose its digits."""
    data = b"a,b\n" + b"1,x\n" * 100 + late + b",y\n"
    assert _arrow(data, _options(["a", "b"])) is None
