"""Parse a CSV's UTF-8 bytes with Arrow's reader, into the table pandas' C parser gives.

``pandas.read_csv`` parses bytes in memory on one thread. Arrow's CSV reader parses them
on every core, from the bytes in place (an upload, or a memory-mapped file), at about
half the C parser's CPU time. Left to itself it does not return the same table:

* it infers types from its first block alone, and reads dates as timestamps, ``0`` / ``1``
  as booleans, and a field with surrounding spaces differently in places;
* a short row is an error, where pandas fills it with missing values.

So the C parser decides the column types on the first megabyte, Arrow parses the whole
file with exactly those types and pandas' missing-value and true/false words, and the
first megabyte of Arrow's table must equal the C parser's table of it. An integer column
with decimals further down is parsed again as floats, as one C pass makes it. Whenever
Arrow cannot follow (a later value that is no number in a number column, a short row,
bytes that are not UTF-8, a mismatch in the first megabyte), this returns ``None`` and the
caller parses with the C parser, which decides and explains. Rows with more fields than
the header are skipped and counted, as pandas' ``on_bad_lines="warn"`` does.

One difference remains by design: a column that is text in the first megabyte stays text
throughout, where the one-thread C parse (which infers 256 KiB at a time) can return a
column of mixed Python numbers and strings with a ``DtypeWarning``.

>>> data = b"a,b\\n" + b"1,x\\n2,y\\n" * 200_000
>>> frame, skipped = parse_with_arrow(data, dict(sep=",", decimal=".", header=0, names=["a", "b"]))
>>> (len(frame), str(frame["a"].dtype), frame["b"].iloc[-1], skipped)
(400000, 'int64', 'y', 0)
"""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

SAMPLE_BYTES = 1024 * 1024  # the C parser types this much; smaller files are left to it
# Integer columns that turn out to hold decimals after the sample are parsed again as floats
# (as one C pass makes them); each costs a parse, so after this many the C parser reads it.
MAX_WIDENED = 2
_NOT_AN_INTEGER = re.compile(
    r"In CSV column #(\d+): CSV conversion error to int64: invalid value '(.*)'", re.DOTALL
)
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")  # too large for int64: not a float's job

# pandas' default missing-value words (``pandas._libs.parsers.STR_NA_VALUES``; a test keeps
# them equal) and its words for True / False. Arrow's defaults differ: they read "1" and
# "0" as booleans and do not know "None" or "<NA>".
NA_VALUES = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip
TRUE_VALUES = ("True", "TRUE", "true")
FALSE_VALUES = ("False", "FALSE", "false")


def parse_with_arrow(
    utf8: bytes, options: dict, sample_bytes: int = SAMPLE_BYTES
) -> tuple[pd.DataFrame, int] | None:
    """The C parser's table of ``utf8`` and the number of long rows skipped, or ``None``.

    ``options`` are the ``pd.read_csv`` options the reader detected: ``sep``, ``decimal``,
    ``header`` (0 or ``None``) and ``names``; others must be C-parser defaults.
    """
    start = _after_blank_lines(utf8)
    cut = utf8.rfind(b"\n", start, start + sample_bytes)
    if len(utf8) - start <= sample_bytes or cut < 0:
        return None  # a small file: the C parser reads it in a few milliseconds
    sample = _c_parse(memoryview(utf8)[start : cut + 1], options)
    if sample is None:
        return None
    types = _arrow_types(sample)
    if types is None:
        return None
    quoted = utf8.find(b'"', start) >= 0
    for _attempt in range(1 + MAX_WIDENED):
        skipped: list[int] = []
        try:
            table = _arrow_read(memoryview(utf8)[start:], options, types, quoted, skipped)
            frame = table.to_pandas(split_blocks=True, self_destruct=True)
            break
        except pa.ArrowInvalid as exc:
            types = _widened(types, str(exc))
            if types is None:
                return None
        except Exception:  # noqa: BLE001  anything Arrow cannot follow: the C parser decides
            return None
    else:
        return None
    del table
    if not _same_table(frame, sample):
        return None
    return frame, len(skipped)


def _after_blank_lines(utf8: bytes) -> int:
    """Offset of the first non-empty line: Arrow counts leading empty lines as rows to
    skip before the header, where pandas ignores them."""
    start = 0
    while utf8[start : start + 1] == b"\n" or utf8[start : start + 2] == b"\r\n":
        start += 1 if utf8[start : start + 1] == b"\n" else 2
    return start


def _c_parse(sample: memoryview, options: dict) -> pd.DataFrame | None:
    """pandas' C parser on the sample, long rows skipped (Arrow skips and counts them); ``None``
    on any error or warning (mixed types): those files are the C parser's to read in full."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return pd.read_csv(
                io.BytesIO(sample), **{**options, "engine": "c", "on_bad_lines": "skip"}
            )
    except Exception:  # noqa: BLE001
        return None


def _arrow_types(sample: pd.DataFrame) -> dict[str, pa.DataType] | None:
    """Arrow's type for each column, as the C parser typed the sample; ``None`` if a column
    has a type Arrow would not give the same way (unsigned or mixed)."""
    types = {}
    for name, dtype in sample.dtypes.items():
        if dtype == np.int64:
            types[name] = pa.int64()
        elif dtype == np.float64:
            types[name] = pa.float64()
        elif dtype == np.bool_:
            types[name] = pa.bool_()
        elif isinstance(dtype, pd.StringDtype):
            types[name] = pa.string()
        else:
            return None
    return types


def _widened(types: dict, error: str) -> dict | None:
    """``types`` with the integer column Arrow could not convert made a float column, or
    ``None`` when the error is anything else. A whole number beyond int64 is pandas'
    unsigned or text column, never a float one; a later value that is no number at all
    makes the next attempt fail the same way, as a float."""
    found = _NOT_AN_INTEGER.search(error)
    if found is None or _WHOLE_NUMBER.fullmatch(found.group(2)):
        return None
    names = list(types)
    index = int(found.group(1))
    if index >= len(names) or types[names[index]] != pa.int64():
        return None
    return {**types, names[index]: pa.float64()}


def _arrow_read(
    view: memoryview, options: dict, types: dict, quoted: bool, skipped: list
) -> pa.Table:
    def on_invalid_row(row) -> str:
        if row.actual_columns > row.expected_columns:
            skipped.append(row.number)
            return "skip"
        return "error"  # a short row: pandas fills it with missing values, Arrow cannot

    names = list(options["names"])
    data = pa.py_buffer(view)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1 if options.get("header") == 0 else 0,
        use_threads=True,  # 1 MiB blocks: larger ones were no faster and raised the peak
    )
    parse = pacsv.ParseOptions(
        delimiter=options.get("sep", ","),
        quote_char='"',
        double_quote=True,
        escape_char=False,
        # A quoted field may hold a line break. Allowing that costs Arrow some speed, so
        # only files with quotes pay it.
        newlines_in_values=quoted,
        ignore_empty_lines=True,
        invalid_row_handler=on_invalid_row,
    )
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=list(NA_VALUES),
        true_values=list(TRUE_VALUES),
        false_values=list(FALSE_VALUES),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        decimal_point=options.get("decimal", "."),
        check_utf8=True,
    )
    return pacsv.read_csv(data, read_options=read, parse_options=parse, convert_options=convert)


def _same_table(frame: pd.DataFrame, sample: pd.DataFrame) -> bool:
    """Arrow's table has the C parser's columns and types, and starts with its sample."""
    if list(frame.columns) != list(sample.columns) or len(frame) < len(sample):
        return False
    head = frame.iloc[: len(sample)]
    for name in sample.columns:
        ours, theirs = frame[name], sample[name]
        if ours.dtype != theirs.dtype:
            # Missing values after the sample turn integers into floats, as in one C pass;
            # a boolean column with missing values is one the C parser gives as objects.
            if not (theirs.dtype == np.int64 and ours.dtype == np.float64):
                return False
        if not _same_values(head[name], theirs):
            return False
    return True


def _same_values(ours: pd.Series, theirs: pd.Series) -> bool:
    a, b = ours.to_numpy(), theirs.to_numpy()
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        a, b = a.astype(np.float64), b.astype(np.float64)
        # Arrow rounds every decimal correctly; pandas' default float parser can be one
        # unit in the last place away.
        return bool(np.allclose(a, b, rtol=4e-16, atol=0, equal_nan=True))
    if a.dtype.kind in "ib":
        return bool(np.array_equal(a, b))
    na = pd.isna(ours).to_numpy()
    return bool(np.array_equal(na, pd.isna(theirs).to_numpy())) and bool(
        np.array_equal(a[~na], b[~na])
    )
