"""Parse a large CSV held in memory on several cores, with pandas' C parser.

``pandas.read_csv(path)`` splits large local files into newline-aligned byte ranges and
parses them on several threads (the C tokenizer and number conversion release the GIL).
An upload arrives as bytes, and from bytes pandas parses on one thread, about twice as
slowly on two cores. This module does the same split over a zero-copy view of the bytes.

It returns the table the one-thread parse gives, else ``None`` and the caller parses
serially:

* a chunk that fails to parse, for any reason, gives up (a boundary inside a quoted field
  leaves that chunk inside an open quote, which the parser reports at its end; a ragged
  row is an error here, so the serial parse can count and skip it);
* a column whose chunks disagree on the type gives up, except integers in some chunks and
  floats in others, which become floats as in one pass.

One difference remains by design: a column that mixes numbers and text within every chunk
is text throughout, where the one-thread parse (which infers 256 KiB at a time) can return
a column of mixed Python objects with a ``DtypeWarning``.

>>> data = b"a,b\\n" + b"1,x\\n2.5,y\\n" * 4
>>> parse_in_chunks(data, header=True, names=["a", "b"], min_bytes=0, chunk_bytes=8)["a"].tolist()
[1.0, 2.5, 1.0, 2.5, 1.0, 2.5, 1.0, 2.5]
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from lib.tabular.threads import thread_map, worker_count

MIN_BYTES = 8 * 1024 * 1024  # below this, one thread parses in a few tens of milliseconds
CHUNK_BYTES = 8 * 1024 * 1024  # small chunks keep each thread's parser buffers small


class _ByteView(io.RawIOBase):
    """A read-only file over a memoryview (``io.BytesIO`` would copy a view)."""

    def __init__(self, view: memoryview):
        self._view, self._pos = view, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), len(self._view) - self._pos)
        buffer[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n


def chunk_bounds(data: bytes, start: int, chunk_bytes: int) -> list[int]:
    """Offsets ``start = b0 < b1 < … = len(data)``, each boundary just after a newline."""
    bounds = [start]
    while True:
        cut = data.find(b"\n", bounds[-1] + chunk_bytes)
        if cut < 0 or cut + 1 >= len(data):
            break
        bounds.append(cut + 1)
    bounds.append(len(data))
    return bounds


def parse_in_chunks(
    data: bytes,
    header: bool,
    names: list[str],
    min_bytes: int = MIN_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
    **read_csv_options,
) -> pd.DataFrame | None:
    """The table in ``data`` (UTF-8) parsed chunk by chunk on threads, or ``None``.

    ``read_csv_options`` are passed to every chunk's ``pd.read_csv`` (sep, decimal, …);
    the header line, when there is one, is skipped here and ``names`` name the columns.
    """
    if len(data) < min_bytes or (worker_count() < 2 and min_bytes > 0):
        return None
    start = 0
    if header:
        # The header must be exactly the first line: no blank lines before it and no
        # quote that could carry it over several lines.
        start = data.find(b"\n") + 1
        first = data[:start]
        if start <= 0 or not first.strip() or b'"' in first or b"\r" in first.rstrip(b"\r\n"):
            return None
    bounds = chunk_bounds(data, start, chunk_bytes)
    if len(bounds) < 3:
        return None
    view = memoryview(data)
    options = {
        **read_csv_options,
        "names": names,
        "header": None,
        "engine": "c",
        "on_bad_lines": "error",  # a ragged row: the serial parse counts and skips it
        "low_memory": False,  # a chunk is already small; one inference per chunk
    }

    def parse(i: int) -> pd.DataFrame:
        source = io.BufferedReader(_ByteView(view[bounds[i] : bounds[i + 1]]), 1 << 20)
        return pd.read_csv(source, **options)

    try:
        parts = thread_map(parse, range(len(bounds) - 1))
    except Exception:  # noqa: BLE001  any failure: the serial parse decides (and explains)
        return None
    finally:
        view.release()
    parts = [p for p in parts if len(p)] or parts[:1]
    part_dtypes = [list(p.dtypes) for p in parts]  # (each .dtypes builds a Series)
    for name_index in range(len(names)):
        dtypes = {d[name_index] for d in part_dtypes}
        if len(dtypes) == 1:
            continue
        if not all(isinstance(d, np.dtype) and d.kind in "if" for d in dtypes):
            return None
        for p in parts:  # ints here, floats there: floats, as one pass infers
            p.isetitem(name_index, p.iloc[:, name_index].astype(np.float64))
    frame = pd.concat(parts, ignore_index=True)
    del parts
    return frame
