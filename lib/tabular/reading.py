"""Read a learner's CSV from raw bytes, robustly, and say what was detected.

Real files arrive in many shapes: Excel's semicolons and decimal commas, UTF-16 exports,
Latin-1 accents, quoted newlines, missing header rows, duplicated column names. And some
are not CSVs at all: spreadsheets, images, archives, compression bombs. This module

1. refuses non-text files by their magic bytes and their share of control characters
   *before* parsing anything (a gzip bomb is never decompressed);
2. detects the encoding (UTF-8, UTF-8 with BOM, UTF-16 by BOM or NUL pattern, then
   cp1252 / Latin-1), the separator (``,`` ``;`` tab ``|``: the one giving the most
   consistent field counts on a sample; never a letter), decimal commas and a missing
   header row;
3. parses inside size and shape limits, so memory stays bounded: a large file on disk
   with ``pandas.read_csv(path)`` (pandas' own multi-threaded file reader), bytes with
   Arrow's multi-threaded reader where it gives pandas' table
   (:mod:`lib.tabular.arrow_parse`), anything else with pandas' C parser in one pass.

Every refusal is a :class:`CsvError` (a ``ValueError``) with a one-line message that names
the problem and what to do.

>>> r = read_csv_bytes(b"a;b;label\\n1,5;2;x\\n2,5;3;y\\n")
>>> (r.delimiter, r.decimal, r.frame["a"].tolist())
(';', ',', [1.5, 2.5])
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import mmap
import os
import re
import stat
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.tabular.arrow_parse import parse_with_arrow
from lib.tabular.encodings import LABELS as ENCODING_LABELS
from lib.tabular.encodings import guess_encoding
from lib.tabular.threads import release_heap
from lib.tabular.values import clean_values
from lib.text import clip

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
ENCODINGS = tuple(ENCODING_LABELS)  # the override offered on the page
# Recognised for certain (a BOM, valid UTF-8, the NUL pattern of UTF-16); the rest is a guess.
_EXACT = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be")

MAX_BYTES = 512 * 1024 * 1024
MAX_COLUMNS = 2_000
MAX_FIELD_CHARS = 1_000_000
SAMPLE_BYTES = 1024 * 1024
# A file at least this large whose first megabyte is UTF-8 is parsed as UTF-8 straight away;
# the parser checks the rest (a full check first would read the file one more time).
TRIAL_BYTES = 8 * 1024 * 1024

# Magic bytes of common non-CSV uploads: (prefix, what it is, what to do).
_MAGIC = (
    (
        b"PK\x03\x04",
        "a ZIP archive or an Excel .xlsx / OpenDocument spreadsheet",
        "open it in a spreadsheet program and use File › Save As › CSV",
    ),
    (b"PK\x05\x06", "an empty ZIP archive", "upload the CSV file itself"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel .xls (or other Office) file",
        "open it in a spreadsheet program and use File › Save As › CSV",
    ),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it and upload the CSV inside"),
    (b"BZh", "a bzip2-compressed file", "decompress it and upload the CSV inside"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "decompress it and upload the CSV inside"),
    (b"(\xb5/\xfd", "a Zstandard-compressed file", "decompress it and upload the CSV inside"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract it and upload the CSV inside"),
    (b"Rar!\x1a\x07", "a RAR archive", "extract it and upload the CSV inside"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "upload a table saved as CSV"),
    (b"\xff\xd8\xff", "a JPEG image", "upload a table saved as CSV"),
    (b"GIF87a", "a GIF image", "upload a table saved as CSV"),
    (b"GIF89a", "a GIF image", "upload a table saved as CSV"),
    (b"%PDF", "a PDF document", "export the table from its source as CSV"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV"),
    (b"PAR1", "a Parquet file", "convert it with pandas: pd.read_parquet(f).to_csv(...)"),
    (b"\x7fELF", "a program (ELF binary)", "upload a CSV file"),
    (b"\x00\x00\x01\x00", "an icon image", "upload a table saved as CSV"),
    (b"RIFF", "a RIFF media file (audio, video or image)", "upload a table saved as CSV"),
    (b"\x93NUMPY", "a NumPy array file", "save it with np.savetxt(..., delimiter=',')"),
    (b"\x80\x04\x95", "a Python pickle", "upload a CSV file"),
    (b"{\\rtf", "a Rich Text document", "save the table as CSV"),
)


class CsvError(ValueError):
    """A file that cannot be read as a table; the message is one line for the learner."""


@dataclass
class CsvResult:
    """The table plus everything that was detected, so the learner can override it."""

    frame: pd.DataFrame
    encoding: str
    delimiter: str
    decimal: str
    header: bool
    warnings: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    skipped_rows: int = 0
    formatted: list[str] = field(default_factory=list)  # columns of formatted numbers
    preamble: int = 0  # lines before the header row that were skipped (a title, "sep=;")
    mixed_encoding: bool = False  # UTF-8 with a few Windows-1252 bytes, repaired

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))

    def settings(self) -> dict:
        """The detected settings as plain values (for display and for the exported script)."""
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "header": self.header,
        }

    def read_csv_code(self, path: str = "data.csv") -> str:
        """The ``pd.read_csv`` call that reads the same table."""
        args = [repr(path), f"sep={self.delimiter!r}", f"encoding={self.encoding!r}"]
        if self.preamble:
            args.append(f"skiprows={self.preamble}")
        if self.mixed_encoding:  # pandas cannot read the stray bytes as ClassLab did
            args.append("encoding_errors='replace'")
        if self.decimal != ".":
            args.append(f"decimal={self.decimal!r}")
        if not self.header:
            args.append("header=None")
            args.append(f"names={list(map(str, self.frame.columns))!r}")
        return f"df = pd.read_csv({', '.join(args)})"


# --- the public entry point ---------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    max_bytes: int = MAX_BYTES
    max_columns: int = MAX_COLUMNS
    max_field_chars: int = MAX_FIELD_CHARS


@dataclass
class _Decoded:
    """The file as UTF-8 bytes, and how they were obtained."""

    utf8: bytes | mmap.mmap
    encoding: str
    notes: list[str]
    repaired: bool = False  # UTF-8 with a few Windows-1252 bytes, repaired
    on_trial: bool = False  # UTF-8 by its first megabyte; the parser checks the rest


@dataclass
class _Sniffed:
    """What the first megabyte says about the table's shape."""

    delimiter: str
    decimal: str
    header: bool
    names: list[str]
    renamed: dict[str, str]
    preamble: int
    notes: list[str]


def read_csv_bytes(
    data: bytes | mmap.mmap,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    header: bool | None = None,
    max_bytes: int = MAX_BYTES,
    max_columns: int = MAX_COLUMNS,
    max_field_chars: int = MAX_FIELD_CHARS,
    path: str | os.PathLike | None = None,
) -> CsvResult:
    """Read raw bytes as a table; ``None`` settings are detected.

    Three steps: :func:`_decode` (refuse what is not text, find the encoding, re-encode as
    UTF-8), :func:`_sniff` (preamble, separator, decimal mark, header) and :func:`_parse`.
    Raises :class:`CsvError` with a one-line message when the bytes are not a usable table.
    ``data`` may be a read-only memory map of the file (:func:`read_csv_file`): it is read
    in place, never copied. ``path``, the file ``data`` holds, lets a large UTF-8 file be
    parsed by ``pandas.read_csv(path)``, which reads it on several threads.
    """
    limits = _Limits(max_bytes, max_columns, max_field_chars)
    data = _checked_bytes(data, limits)
    # A large file: its first megabyte decides the encoding on trial, and the parser
    # decodes the rest strictly; if that fails, the one retry below decodes every byte.
    if encoding is None and len(data) >= TRIAL_BYTES:
        decoded = _decode(data, None, trial=True)
        if decoded.on_trial:
            result = _read_decoded(decoded, delimiter, decimal, header, limits, path)
            if result is not None:
                return result
    decoded = _decode(data, encoding, trial=False)
    del data
    return _read_decoded(decoded, delimiter, decimal, header, limits, None)


def _checked_bytes(data, limits: _Limits) -> bytes | mmap.mmap:
    """The upload's bytes, after the checks that need no decoding (type, size, empty)."""
    if not isinstance(data, bytes | bytearray | memoryview | mmap.mmap):
        raise CsvError(f"Expected the file's bytes, got {type(data).__name__}.")
    if not isinstance(data, bytes | mmap.mmap):
        data = bytes(data)  # a mutable buffer: a private copy
    if len(data) > limits.max_bytes:
        raise CsvError(_size_message(len(data), limits.max_bytes))
    if re.match(rb"\s*\Z", data):
        raise CsvError(
            "The file is empty: there is nothing to read. Upload a CSV with a header row and data rows."
        )
    refuse_binary(data)
    return data


def _decode(data, encoding: str | None, trial: bool) -> _Decoded:
    """The bytes as UTF-8. ``trial``: only the first megabyte decides (a large file, which
    the parser decodes strictly)."""
    detected = encoding is None
    if detected:
        encoding = detect_encoding(data[:SAMPLE_BYTES] if trial else data, partial=trial)
    elif encoding not in ENCODINGS:
        raise CsvError(f"Unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}.")
    if detected and encoding == "utf-8":  # validated already (or on trial): no copy
        return _Decoded(data, encoding, [], on_trial=trial)
    if trial:
        return _Decoded(data, encoding, [])  # not plain UTF-8: decoded in full instead
    repaired = _repair_mixed_utf8(data) if detected and encoding in ("cp1252", "latin-1") else None
    if repaired is not None:
        return _Decoded(repaired[0], "utf-8", [repaired[1]], repaired=True)
    notes = []
    if detected and encoding not in _EXACT:
        notes.append(
            f"The file is not UTF-8; it was read as {ENCODING_LABELS[encoding]}, the "
            "encoding its letters fit best. If some letters look wrong, choose the "
            "encoding under the reading options."
        )
    return _Decoded(_as_utf8(data, encoding), encoding, notes)


def _read_decoded(
    decoded: _Decoded, delimiter, decimal, header, limits: _Limits, path
) -> CsvResult | None:
    """Sniff and parse decoded bytes. ``None`` when the bytes were UTF-8 on trial and are
    not, past their first megabyte (the caller then decodes every byte)."""
    utf8 = decoded.utf8
    refuse_control_characters(utf8[:SAMPLE_BYTES])
    path_ok = decoded.on_trial and path is not None
    if b"\r" in utf8[:SAMPLE_BYTES] and b"\n" not in utf8[:SAMPLE_BYTES]:
        utf8, path_ok = bytes(utf8).replace(b"\r", b"\n"), False  # classic Mac OS line ends
    sniffed, utf8 = _sniff(utf8, delimiter, decimal, header, limits)
    path_ok = path_ok and not sniffed.preamble  # pandas' path parse would see those lines
    options = _read_options(sniffed.delimiter, sniffed.decimal, sniffed.header, sniffed.names)
    n_bytes = len(utf8)
    frame = _parse_path(path, options) if path_ok else None
    # Arrow checks the UTF-8 of every text value it parses.
    parsed = (frame, 0) if frame is not None else parse_with_arrow(utf8, options)
    if parsed is None:
        if decoded.on_trial and not (_is_ascii(utf8) or _is_utf8(utf8)):
            return None  # not UTF-8 after all, past its first megabyte
        parsed = _parse(utf8, options)
    frame, skipped = parsed
    del utf8, parsed
    return _result(frame, decoded, sniffed, skipped, n_bytes, limits)


def _sniff(utf8, delimiter, decimal, header, limits: _Limits) -> tuple[_Sniffed, bytes]:
    """Preamble, separator, decimal mark, header and column names, from the first megabyte.

    Returns the bytes too: without the preamble's lines when there are some."""
    notes = []
    sample = _sample_text(utf8)
    refuse_json(sample)
    preamble, declared = _preamble(sample, delimiter)
    if preamble:
        utf8 = _without_lines(utf8, len(preamble))
        sample = _sample_text(utf8)
        shown = "; ".join(repr(clip(line.strip())) for line in preamble if line.strip())
        notes.append(
            f"{len(preamble)} line(s) above the header row were skipped: {shown}. "
            "The header is the first line with as many fields as the rows below it."
        )
    delimiter = delimiter or declared or detect_delimiter(sample)
    if delimiter not in DELIMITERS:
        raise CsvError(
            f"Unsupported separator {delimiter!r}; choose comma, semicolon, tab or pipe."
        )
    rows = _sample_rows(sample, delimiter, limits.max_field_chars)
    if not rows:
        raise CsvError(
            "The file has no rows that could be read. Upload a CSV with a header row and data rows."
        )
    width = max(len(r) for r in rows)
    if width > limits.max_columns:
        raise CsvError(
            f"The file has {width:,} columns; ClassLab reads at most {limits.max_columns:,}. "
            "Keep the columns you need (and check the separator)."
        )
    if decimal is None:
        decimal = detect_decimal(rows, delimiter)
    elif decimal not in (".", ","):
        raise CsvError(f"Unsupported decimal mark {decimal!r}; choose '.' or ','.")
    if header is None:
        header = detect_header(rows, decimal)
    names, renamed = _column_names(rows[0] if header else [], len(rows[0]))
    if renamed:
        shown = "; ".join(f"{old!r} → {new!r}" for old, new in list(renamed.items())[:5])
        notes.append(f"Column names were made unique or filled in: {shown}.")
    sniffed = _Sniffed(delimiter, decimal, bool(header), names, renamed, len(preamble), notes)
    return sniffed, utf8


def _result(frame, decoded: _Decoded, sniffed: _Sniffed, skipped: int, n_bytes: int, limits):
    """The :class:`CsvResult`, after the checks that need the parsed table."""
    notes = decoded.notes + sniffed.notes
    if skipped:
        notes.append(
            f"{skipped:,} row(s) had more fields than the header ({len(sniffed.names)}) and "
            "were skipped (ragged rows: check for unquoted separators inside values)."
        )
    if len(frame) == 0:
        raise CsvError(
            "The file has a header row but no data rows. Upload the file with its data."
            if sniffed.header
            else "The file has no data rows."
        )
    _check_field_sizes(frame, limits.max_field_chars, n_bytes)
    cleaned = clean_values(frame, sniffed.decimal)
    return CsvResult(
        cleaned.frame,
        decoded.encoding,
        sniffed.delimiter,
        sniffed.decimal,
        sniffed.header,
        notes + cleaned.notes,
        sniffed.renamed,
        skipped,
        cleaned.formatted,
        sniffed.preamble,
        decoded.repaired,
    )


def read_csv_file(path, **options) -> CsvResult:
    """Read a file from disk with :func:`read_csv_bytes` (the command line uses this).

    A regular file is memory-mapped, so its bytes are parsed straight from the page cache
    (as ``pandas.read_csv(path)`` does) instead of being copied into memory first.
    """
    max_bytes = options.get("max_bytes", MAX_BYTES)
    try:
        kind = os.stat(path).st_mode
    except OSError as exc:
        raise CsvError(f"Cannot open {path}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(kind):
        # A pipe without a writer blocks open() for ever; /dev/zero never ends.
        what = "a folder" if stat.S_ISDIR(kind) else "a device or a pipe"
        raise CsvError(f"{path} is {what}, not a file: give the path of a CSV file.")
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise CsvError(_size_message(size, max_bytes))
            try:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):  # empty, a pipe, a device: read it instead
                data = f.read(max_bytes + 1)
    except OSError as exc:
        raise CsvError(f"Cannot open {path}: {exc.strerror or exc}.") from None
    if not isinstance(data, mmap.mmap):
        return read_csv_bytes(data, **options)
    try:
        return read_csv_bytes(data, **options, path=path)
    finally:
        try:
            data.close()
        except BufferError:  # a view still pinned by a traceback: unmapped when collected
            pass


# --- refusing what is not text ------------------------------------------------------------


def refuse_binary(data: bytes) -> None:
    """Raise :class:`CsvError` if the bytes are a known binary format or clearly not text."""
    head = bytes(data[:64])
    for magic, what, todo in _MAGIC:
        if head.startswith(magic):
            raise CsvError(f"This is {what}, not a CSV file: {todo}.")
    if _utf16_order(data) or head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample:
        raise CsvError(
            "This file contains binary data (NUL bytes), so it is not a CSV text file: "
            "export the table as CSV."
        )


def refuse_control_characters(sample: bytes) -> None:
    """Text tables hold almost no control characters other than tab, CR and LF."""
    if not sample:
        return
    allowed = {9, 10, 13, 12}
    counts = np.bincount(np.frombuffer(sample, dtype=np.uint8), minlength=256)
    control = int(counts[:32].sum() - sum(counts[c] for c in allowed) + counts[127])
    if control > max(8, 0.01 * len(sample)):
        raise CsvError(
            f"This file is not text: {control:,} of its first {len(sample):,} bytes are control "
            "characters. Export the table as CSV."
        )


# --- encoding -----------------------------------------------------------------------------


def _utf16_order(data: bytes) -> str | None:
    head = bytes(data[:4096])
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    ):
        return "bom"
    if len(head) < 4:
        return None
    even = head[0::2].count(0) / max(1, len(head[0::2]))
    odd = head[1::2].count(0) / max(1, len(head[1::2]))
    if odd > 0.4 and even < 0.05:
        return "le"
    if even > 0.4 and odd < 0.05:
        return "be"
    return None


def detect_encoding(data: bytes, partial: bool = False) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), else a guess among
    single-byte and East-Asian encodings (:func:`lib.tabular.encodings.guess_encoding`).

    >>> detect_encoding("café".encode("cp1252"))
    'cp1252'
    """
    head = bytes(data[:4])
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise CsvError("This file is UTF-32 encoded; save it as UTF-8 CSV and upload it again.")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    order = _utf16_order(data)
    if order == "bom":
        return "utf-16"
    if order == "le":
        return "utf-16-le"
    if order == "be":
        return "utf-16-be"
    if _is_ascii(data) or _is_utf8(data, final=not partial):
        return "utf-8"
    if _stray_bytes(str(data, "utf-8", errors="replace")) is not None:
        return "cp1252"  # mostly UTF-8: the stray bytes are repaired as Windows-1252
    return guess_encoding(data)


def _is_ascii(data: bytes) -> bool:
    """``bytes.isascii`` for any buffer (a memory map too), without a copy."""
    return len(data) == 0 or int(np.frombuffer(data, dtype=np.uint8).max()) < 128


def _is_utf8(data: bytes, chunk: int = 1 << 20, final: bool = True) -> bool:
    """Valid UTF-8 (``final=False`` allows a character cut at the end, as in a sample)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(data[start : start + chunk])
        decoder.decode(b"", final=final)
    except UnicodeDecodeError:
        return False
    return True


def _as_utf8(data: bytes, encoding: str) -> bytes:
    """The bytes re-encoded as UTF-8 without BOM (no copy for plain UTF-8)."""
    if encoding == "utf-8" and (_is_ascii(data) or _is_utf8(data)):
        return data
    try:
        text = str(data, encoding)
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"The file is not valid {encoding} (byte {exc.start:,}); choose another encoding."
        ) from None
    text = text.lstrip("\ufeff")
    return text.encode("utf-8")


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """A codec error handler: each byte that is not UTF-8 read as Windows-1252 (or Latin-1)."""
    bad = error.object[error.start : error.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), error.end


codecs.register_error("classlab-cp1252", _cp1252_fallback)


def _stray_bytes(text: str) -> int | None:
    """How many bytes of UTF-8 text (decoded with replacement) were not UTF-8, when valid
    UTF-8 letters outnumber them; ``None`` when the text is not mostly UTF-8."""
    n_stray = text.count("\ufffd")
    n_letters = len(text) - len(text.encode("ascii", errors="ignore")) - n_stray
    if n_stray == 0 or n_letters <= n_stray:
        return None
    return n_stray


def _repair_mixed_utf8(data: bytes) -> tuple[bytes, str] | None:
    """A UTF-8 file with a few bytes from another encoding (rows pasted from elsewhere).

    Read as Windows-1252 throughout, its UTF-8 letters would all turn into "Ã¼"; so when
    valid UTF-8 letters outnumber the stray bytes, the stray bytes alone are read as
    Windows-1252. ``None`` when the file is not mostly UTF-8.
    """
    text = str(data, "utf-8", errors="replace")
    n_stray = _stray_bytes(text)
    if n_stray is None:
        return None
    first = text.index("\ufffd")
    line = text.count("\n", 0, first) + 1
    fixed = str(data, "utf-8", errors="classlab-cp1252")
    shown = fixed.split("\n", line)[line - 1].strip()
    note = (
        f"The file is UTF-8 except {n_stray:,} byte(s) in another encoding (the first on line "
        f"{line:,}), read as Windows-1252: {clip(shown)!r}. "
        "Save the file as UTF-8 to be sure of every letter."
    )
    return fixed.lstrip("\ufeff").encode("utf-8"), note


# --- separator, decimal mark, header ------------------------------------------------------


def _sample_text(utf8: bytes) -> str:
    sample = utf8[:SAMPLE_BYTES]
    if len(utf8) > SAMPLE_BYTES:
        cut = sample.rfind(b"\n")
        if cut > 0:
            sample = sample[:cut]
    return sample.decode("utf-8", errors="replace")


def _sample_rows(
    sample: str, delimiter: str, max_field_chars: int, limit: int = 200
) -> list[list[str]]:
    # Python's csv module refuses fields over 131,072 characters by default; ClassLab's own
    # limit (checked below, with a message that names it) is the one that applies.
    csv.field_size_limit(max(csv.field_size_limit(), max_field_chars + 1))
    rows = []
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    try:
        for row in reader:
            if any(len(f) > max_field_chars for f in row):
                raise CsvError(_field_message(max(len(f) for f in row), max_field_chars))
            if not row or all(not f.strip() for f in row):
                continue
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise CsvError(_field_message(None, max_field_chars)) from None
        # An unterminated quote at the end of the sample: keep the rows read so far.
    return rows


def refuse_json(sample: str) -> None:
    """JSON (an array, an object, one object per line) is named as such, not parsed."""
    first = sample.lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip()
    if not first.startswith(("{", "[")):
        return
    looks_json = first in ("{", "[", "[{")
    if not looks_json:
        try:
            looks_json = isinstance(json.loads(first.rstrip(",")), dict | list)
        except ValueError:
            return
    if looks_json:
        raise CsvError(
            "This is a JSON file, not a CSV. Convert it with pandas: "
            "pd.read_json(file) (lines=True for one object per line), then "
            "df.to_csv('data.csv', index=False)."
        )


_DECLARED_SEPARATOR = re.compile(r"^\ufeff?sep=(.)\s*$")


def _preamble(sample: str, delimiter: str | None) -> tuple[list[str], str | None]:
    """Lines above the header row to skip, and a separator the file declares.

    Excel writes ``sep=;`` as a first line; reports put a title, a date or ``#`` comments
    above the table. Such a line is skipped when it comes first and holds at most half as
    many fields as the rows below it (the mode of the first lines' field counts).
    """
    lines = sample.split("\n", 41)[:40]
    skipped: list[str] = []
    declared = None
    if lines and (match := _DECLARED_SEPARATOR.match(lines[0])):
        declared = match.group(1) if match.group(1) in DELIMITERS else None
        skipped.append(lines[0])
    delim = delimiter or declared or detect_delimiter("\n".join(lines[len(skipped) :]))
    counts = [_field_count(line, delim) for line in lines]
    body = [c for c in counts[len(skipped) + 1 :] if c]
    if not body:
        return skipped, declared
    values, freq = np.unique(body, return_counts=True)
    mode = int(values[freq.argmax()])
    if mode < 2:  # one column: nothing tells a title from a value
        return skipped, declared
    for line, count in list(zip(lines, counts, strict=True))[len(skipped) : 10]:
        if not (line.lstrip().startswith("#") or count <= max(1, mode // 2)):
            break
        skipped.append(line)
    if not any(line.strip() for line in skipped):
        return [], declared  # blank lines only: the parser skips those itself
    return skipped, declared


def _without_lines(data: bytes, n: int) -> bytes:
    """``data`` after its first ``n`` lines (a memory map has ``find``, not ``index``)."""
    cut = 0
    for _ in range(n):
        cut = data.find(b"\n", cut) + 1
        if cut == 0:  # fewer lines than that
            return b""
    return bytes(data[cut:])


def _field_count(line: str, delimiter: str) -> int:
    """Fields on one physical line (0 when blank); a stray CR or open quote is tolerated."""
    if not line.strip():
        return 0
    try:
        return len(next(csv.reader([line.rstrip("\r")], delimiter=delimiter), []))
    except csv.Error:
        return line.count(delimiter) + 1


def _size_message(size: int, limit: int) -> str:
    return (
        f"The file is {size / 1e6:,.0f} MB; the limit is {limit / 1e6:,.0f} MB. "
        "Upload a sample of the rows."
    )


def _field_message(size: int | None, limit: int) -> str:
    size_text = f"{size:,} characters" if size else "very long"
    return (
        f"A single field is {size_text} (the limit is {limit:,}): this is not a table of "
        "values, or a quote is never closed. Check the file."
    )


def detect_delimiter(sample: str) -> str:
    """The separator that splits the sample's rows into the most consistent number of fields.

    Only ``,`` ``;`` tab and ``|`` are candidates, so a one-column file is never split on a
    letter. Quotes are respected (a quoted ``,`` is not a separator).

    >>> detect_delimiter("a;b\\n1,5;2\\n")
    ';'
    """
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        counts = []
        reader = csv.reader(io.StringIO(sample), delimiter=delim)
        try:
            for row in reader:
                if row and any(f.strip() for f in row):
                    counts.append(len(row))
                if len(counts) >= 101:
                    break
        except csv.Error:
            pass
        if len(counts) > 5:
            counts = counts[:-1]  # the last row of a cut sample may be incomplete
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        mode = int(values[freq.argmax()])
        if mode < 2:
            continue
        score = (float(freq.max()) / len(counts), mode)
        if score[0] > best_score[0] + 1e-9 or (
            abs(score[0] - best_score[0]) <= 1e-9 and score[1] > best_score[1]
        ):
            best, best_score = delim, score
    if best_score[1] == 0:
        # One column: parse with a separator that never occurs, so no value is split.
        absent = [d for d in DELIMITERS if d not in sample]
        return absent[0] if absent else ","
    return best


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+([eE][-+]?\d+)?\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def detect_decimal(rows: list[list[str]], delimiter: str) -> str:
    """',' when numbers like ``1,5`` outnumber ``1.5`` (impossible unquoted with a comma separator)."""
    comma = point = 0
    for row in rows[1:]:
        for f in row:
            if _DECIMAL_COMMA.match(f):
                comma += 1
            elif _DECIMAL_POINT.match(f):
                point += 1
    if delimiter == ",":
        return "," if comma > 0 and point == 0 and comma >= len(rows) // 2 else "."
    return "," if comma > point else "."


def _is_number(text: str, decimal: str) -> bool:
    t = text.strip()
    if decimal == ",":
        t = t.replace(",", ".")
    if not t:
        return False
    try:
        float(t)
    except ValueError:
        return False
    return t.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")


def detect_header(rows: list[list[str]], decimal: str = ".") -> bool:
    """True unless the first row looks like data.

    The first row is data when, in the columns whose values are numbers, it holds numbers
    too; or, for all-text tables, when its values reappear further down their columns.

    >>> detect_header([["5.1", "3.5", "setosa"], ["4.9", "3.0", "setosa"]])
    False
    """
    if len(rows) < 2:
        return True
    first, body = rows[0], rows[1:]
    if any(not f.strip() for f in first) and sum(not f.strip() for f in first) < len(first):
        # Empty names happen (an index column) but empty data fields too: decide on the rest.
        pass
    numeric_cols, first_numeric = 0, 0
    for j, name in enumerate(first):
        values = [r[j] for r in body if j < len(r) and r[j].strip()]
        if not values:
            continue
        share = sum(_is_number(v, decimal) for v in values) / len(values)
        if share >= 0.9:
            numeric_cols += 1
            first_numeric += _is_number(name, decimal)
    if numeric_cols:
        return first_numeric < max(1, numeric_cols / 2)
    repeats = 0
    for j, name in enumerate(first):
        column = {r[j].strip() for r in body if j < len(r)}
        repeats += name.strip() in column and bool(name.strip())
    return repeats < max(1, len(first) / 2)


def _column_names(first: list[str], width: int) -> tuple[list[str], dict[str, str]]:
    """Unique, non-empty, stripped names; ``renamed`` maps each original to its new name."""
    if not first:
        return [f"column_{i + 1}" for i in range(width)], {}
    names, renamed, seen = [], {}, set()
    for i, raw in enumerate(first):
        name = raw.strip() or f"column_{i + 1}"
        base, k = name, 2
        while name in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name)
        names.append(name)
        if name != raw:
            if not raw.strip():
                raw = f"(no name, column {i + 1})"
            renamed[raw if raw not in renamed else f"{raw} (column {i + 1})"] = name
    return names, renamed


# --- parsing -----------------------------------------------------------------------------


def _read_options(delimiter: str, decimal: str, header: bool, names: list[str]) -> dict:
    """The ``pd.read_csv`` options for what was detected (or chosen)."""
    options = dict(
        sep=delimiter,
        decimal=decimal,
        header=0 if header else None,
        names=names,
        encoding="utf-8",
        engine="c",
        skip_blank_lines=True,
    )
    if decimal == "," and delimiter != ".":
        options["thousands"] = None
    return options


def _parse_path(path, options: dict) -> pd.DataFrame | None:
    """``pandas.read_csv(path)``: pandas reads a large file on several threads itself (on two
    cores as fast as Arrow from the bytes: 0.34 s against 0.36 s for 135 MB).

    ``None`` on anything unusual (a ragged row, a warning such as mixed types in a column,
    bytes that are not UTF-8): the bytes are then parsed by Arrow or the C parser, which
    decide.
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = pd.read_csv(path, on_bad_lines="error", **options)
    except Exception:  # noqa: BLE001  the bytes path parses (or explains) it
        return None
    return None if caught else frame


def _parse(utf8: bytes, kwargs: dict):
    """The table in ``utf8`` by pandas' C parser, in one pass, and the number of ragged rows
    skipped; a file it cannot read is a :class:`CsvError` that says why."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(io.BytesIO(utf8), on_bad_lines="warn", **kwargs)
        except pd.errors.EmptyDataError:
            raise CsvError("The file has no data rows.") from None
        except (pd.errors.ParserError, ValueError, OverflowError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CsvError(f"The file could not be parsed as a table: {first}.") from None
        except MemoryError:
            raise CsvError("The file is too large to read in memory; upload a sample.") from None
    skipped = sum(str(w.message).count("Skipping line") for w in caught)
    release_heap()
    return frame, skipped


def _check_field_sizes(frame: pd.DataFrame, limit: int, n_bytes: int) -> None:
    if n_bytes <= limit:
        return  # no field can be longer than the whole file
    for name in frame.columns:
        col = frame[name]
        if not pd.api.types.is_string_dtype(col) and col.dtype != object:
            continue
        longest = _longest_bytes(col)
        if longest is not None and longest > limit:
            longest = col.astype(str).str.len().max()  # characters, exactly
            if longest > limit:
                raise CsvError(_field_message(int(longest), limit))


def _longest_bytes(col: pd.Series) -> int | None:
    """Longest value in UTF-8 bytes (≥ characters); cheap for pyarrow strings (offsets only)."""
    try:
        import pyarrow.compute as pc

        value = pc.max(pc.binary_length(col.array._pa_array)).as_py()
        return 0 if value is None else int(value)
    except (ImportError, AttributeError, TypeError, ValueError):
        longest = col.astype(str).str.len().max()
        return None if pd.isna(longest) else int(longest)
