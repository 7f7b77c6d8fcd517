"""Column-by-column work on the machine's cores.

numpy, pandas' parser and pyarrow release the GIL in their inner loops, so independent
columns of a large table are processed side by side on threads. Small inputs stay on the
calling thread: a pool costs more than it saves there.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

MAX_THREADS = 4
PARALLEL_ROWS = 100_000  # tables at least this long are processed on threads, column by column

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """CPUs this process may use (affinity / cgroup aware), at most :data:`MAX_THREADS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_THREADS))


def thread_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    parallel: bool = True,
    cost: Callable[[T], float] | None = None,
) -> list[R]:
    """``[fn(x) for x in items]`` in order, on threads when ``parallel`` and worth it.

    ``cost`` (an estimate per item) starts the longest tasks first, so no thread is left
    with a long one at the end while the others wait. The first exception raised by ``fn``
    propagates, as in the plain loop.
    """
    items = list(items)
    workers = min(worker_count(), len(items)) if parallel else 1
    if workers < 2:
        return [fn(x) for x in items]
    order = list(range(len(items)))
    if cost is not None:
        order.sort(key=lambda i: -cost(items[i]))  # stable: ties keep their order
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda i: fn(items[i]), order))
    release_heap()
    results: list = [None] * len(items)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return results


def release_heap() -> None:
    """Hand freed memory back to the OS.

    glibc gives each thread its own malloc arena and keeps what is freed there; without a
    trim, the temporaries of a threaded pass stay resident and add to every later peak.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    if "pyarrow" in sys.modules:  # Arrow's own allocator keeps freed pages too
        sys.modules["pyarrow"].default_memory_pool().release_unused()


class Scratch:
    """Work arrays reused by the columns one thread processes during one pass.

    A fresh large array costs the kernel a page fault and a zeroed page per 4 KiB (or per
    2 MiB huge page); on a 1,000,000-row table that was a quarter of the CPU time. Each
    thread keeps its arrays until the pass's ``Scratch`` is dropped.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def array(self, key: str, n: int, dtype) -> np.ndarray:
        """A 1-D array of ``n`` elements (contents undefined), the same one on each call."""
        arrays = self._local.__dict__
        dtype = np.dtype(dtype)
        found = arrays.get(key)
        if found is None or found.shape[0] < n or found.dtype != dtype:
            found = arrays[key] = np.empty(n, dtype=dtype)
        return found[:n]
