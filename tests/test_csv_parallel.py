"""lib.tabular.parallel_parse: chunked, threaded parsing gives pandas' one-pass table or gives up.

The oracle is ``pd.read_csv`` of the same bytes on one thread. Tiny chunks force many
chunk boundaries, so every awkward place for a boundary (inside quotes, between an int
chunk and a float chunk, on a blank line) is hit.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from lib.tabular.parallel_parse import MIN_BYTES, chunk_bounds, parse_in_chunks
from lib.tabular.reading import read_csv_bytes


def _serial(data: bytes, names: list[str], header: bool = True, **options) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(data), names=names, header=0 if header else None, engine="c", **options
    )


def _chunked(data: bytes, names: list[str], header: bool = True, chunk_bytes: int = 64, **options):
    return parse_in_chunks(data, header, names, min_bytes=0, chunk_bytes=chunk_bytes, **options)


def test_chunk_bounds_end_after_newlines_and_cover_everything():
    data = b"h\n" + b"".join(f"{i},{i * 2}\n".encode() for i in range(100))
    bounds = chunk_bounds(data, 2, 40)
    assert bounds[0] == 2 and bounds[-1] == len(data)
    assert all(data[b - 1 : b] == b"\n" for b in bounds[1:-1])
    assert bounds == sorted(set(bounds)) and len(bounds) > 5


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
    frame = _table(400, seed=0)
    data = frame.to_csv(index=False).encode()
    names = list(frame.columns)
    got = _chunked(data, names, sep=",")
    assert got is not None
    pd.testing.assert_frame_equal(got, _serial(data, names, sep=","))


def test_ints_in_one_chunk_and_floats_in_another_become_floats_as_in_one_pass():
    data = b"a,b\n" + b"1,x\n" * 50 + b"2.5,y\n" * 50
    got = _chunked(data, ["a", "b"], chunk_bytes=40)
    expected = _serial(data, ["a", "b"])
    assert expected["a"].dtype == np.float64
    pd.testing.assert_frame_equal(got, expected)


def test_semicolons_decimal_commas_and_no_header():
    body = "".join(f"{i},5;{i % 3};label{i % 2}\n" for i in range(200)).encode()
    names = ["a", "b", "c"]
    options = dict(sep=";", decimal=",", thousands=None)
    got = _chunked(body, names, header=False, **options)
    pd.testing.assert_frame_equal(got, _serial(body, names, header=False, **options))
    assert got["a"].iloc[1] == 1.5


@pytest.mark.parametrize(
    "data",
    [
        # a quoted newline: some boundary lands inside the quotes, that chunk fails
        b"a,b\n" + b'1,"two\nlines"\n' * 60,
        # a text column that is empty in whole chunks (float NaN there, text elsewhere)
        b"a,b\n" + b"1,\n" * 60 + b"2,text\n" * 60,
        # ragged rows: pandas' one-pass reader counts and skips them; chunks give up
        b"a,b\n" + b"1,2\n" * 60 + b"3,4,5\n" + b"6,7\n" * 60,
        # a header with a quote could span lines: not split
        b'"a",b\n' + b"1,2\n" * 100,
    ],
    ids=["quoted newline", "empty text chunks", "ragged", "quoted header"],
)
def test_awkward_files_are_left_to_the_one_pass_parser(data):
    assert len(_serial(data, ["a", "b"], on_bad_lines="skip")) > 0  # one pass reads them
    assert _chunked(data, ["a", "b"], chunk_bytes=32) is None


def _random_csv(seed: int) -> tuple[bytes, list[str], int]:
    """Random widths, types, missing cells, quotes, CRLF line ends and blank lines."""
    rng = np.random.default_rng(seed)
    n, width = int(rng.integers(50, 400)), int(rng.integers(1, 6))
    columns = {}
    for j in range(width):
        kind = rng.choice(["float", "int", "text", "bool", "quoted"])
        if kind == "float":
            values = rng.normal(size=n).round(2).astype(object)
        elif kind == "int":
            values = rng.integers(-5, 5, n).astype(object)
        elif kind == "bool":
            values = rng.choice(["True", "False"], n).astype(object)
        elif kind == "quoted":
            values = rng.choice(['"a, b"', '"x\ny"', "plain"], n).astype(object)
        else:
            values = rng.choice(["alpha", "beta", "gamma", "NA"], n).astype(object)
        values[rng.random(n) < 0.05] = ""
        columns[f"c{j}"] = values
    newline = "\r\n" if seed % 2 else "\n"
    lines = [",".join(columns)]
    for i in range(n):
        lines.append(",".join(str(columns[c][i]) for c in columns))
        if rng.random() < 0.02:
            lines.append("")
    return (newline.join(lines) + newline).encode(), list(columns), int(rng.integers(16, 200))


def test_random_tables_equal_one_pass():
    """Every table the chunks give equals one pass (and some random tables do get chunked;
    quoted newlines, gaps in True/False columns and the like send the others to one pass)."""
    chunked = 0
    for seed in range(24):
        data, names, chunk_bytes = _random_csv(seed)
        got = _chunked(data, names, chunk_bytes=chunk_bytes, skip_blank_lines=True)
        if got is not None:
            chunked += 1
            pd.testing.assert_frame_equal(got, _serial(data, names, skip_blank_lines=True))
    assert chunked >= 3, chunked


def test_large_upload_reads_on_threads_and_equals_pandas(monkeypatch):
    """Above the size threshold read_csv_bytes takes the chunked path; the table is pandas'."""
    import lib.tabular.reading as csv_reading

    frame = _table(400_000, seed=3)
    data = frame.to_csv(index=False).encode()
    assert len(data) > MIN_BYTES
    chunked = []

    def spy(*args, **kwargs):
        chunked.append(parse_in_chunks(*args, **kwargs))
        return chunked[-1]

    monkeypatch.setattr(csv_reading, "parse_in_chunks", spy)
    result = read_csv_bytes(data)
    assert len(chunked) == 1 and chunked[0] is not None  # the threaded path gave the table
    pd.testing.assert_frame_equal(result.frame, pd.read_csv(io.BytesIO(data)))


def test_large_ragged_upload_still_reports_the_skipped_rows():
    body = b"".join(f"{i},{i % 7},v{i % 3}\n".encode() for i in range(800_000))
    middle = body.index(b"\n", len(body) // 2) + 1
    data = b"a,b,c\n" + body[:middle] + b"1,2,3,4\n" + body[middle:]
    assert len(data) > MIN_BYTES
    result = read_csv_bytes(data)
    assert result.skipped_rows == 1
    assert len(result.frame) == 800_000


def test_large_file_is_read_by_pandas_from_its_path_and_equals_the_upload(tmp_path, monkeypatch):
    """read_csv_file hands a large UTF-8 file to pandas.read_csv(path) (its own threads);
    the table is the one the same bytes give as an upload."""
    import lib.tabular.reading as csv_reading
    from lib.tabular.reading import read_csv_file

    data = _table(400_000, seed=5).to_csv(index=False).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    paths = []
    real_read_csv = pd.read_csv

    def spy(source, *args, **kwargs):
        paths.append(source)
        return real_read_csv(source, *args, **kwargs)

    monkeypatch.setattr(csv_reading.pd, "read_csv", spy)
    from_file = read_csv_file(path)
    assert paths == [path]  # one parse, from the path: no fallback to the bytes
    monkeypatch.undo()
    from_upload = read_csv_bytes(data)
    pd.testing.assert_frame_equal(from_file.frame, from_upload.frame)
    assert (from_file.delimiter, from_file.header, from_file.warnings) == (
        from_upload.delimiter,
        from_upload.header,
        from_upload.warnings,
    )


@pytest.mark.parametrize("late", [b"1,2,3,4\n", b"x,oops,zz\n"])
def test_large_file_with_a_ragged_row_or_a_late_type_change_reads_as_the_upload(tmp_path, late):
    """A ragged row (counted and skipped) or a column that turns to text late: the file
    path gives up on pandas' path reader and reads exactly what the upload gives."""
    from lib.tabular.reading import read_csv_file

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
    """The file path trusts the first megabyte's encoding only on trial: a Windows-1252
    accent far into the file sends it back to full detection, as for an upload."""
    from lib.tabular.reading import read_csv_file

    body = b"".join(f"{i},{i % 7},town{i % 3}\n".encode() for i in range(800_000))
    middle = body.index(b"\n", len(body) // 2) + 1
    data = b"a,b,c\n" + body[:middle] + "5,6,Mâcon\n".encode("cp1252") + body[middle:]
    path = tmp_path / "late_accent.csv"
    path.write_bytes(data)
    from_file, from_upload = read_csv_file(path), read_csv_bytes(data)
    assert from_file.encoding == from_upload.encoding == "cp1252"
    pd.testing.assert_frame_equal(from_file.frame, from_upload.frame)
    assert "Mâcon" in set(from_file.frame["c"])
