"""lib.tabular.threads: ordered results, errors that surface, and per-thread scratch arrays."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from lib.tabular import threads
from lib.tabular.threads import Scratch, release_heap, thread_map, worker_count


def test_thread_map_keeps_order_on_threads_and_inline(monkeypatch):
    monkeypatch.setattr(threads, "worker_count", lambda: 2)
    seen = set()

    def square(x):
        seen.add(threading.get_ident())
        return x * x

    assert thread_map(square, range(20)) == [x * x for x in range(20)]
    assert threading.get_ident() not in seen  # the pool did the work
    seen.clear()
    assert thread_map(square, range(5), parallel=False) == [0, 1, 4, 9, 16]
    assert seen == {threading.get_ident()}


def test_thread_map_starts_the_costliest_tasks_first_and_keeps_the_order(monkeypatch):
    class InOrderPool:  # hands tasks out exactly in submission order, one at a time
        def __init__(self, workers):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, fn, items):
            return [fn(x) for x in items]

    monkeypatch.setattr(threads, "worker_count", lambda: 2)
    monkeypatch.setattr(threads, "ThreadPoolExecutor", InOrderPool)
    started = []

    def record(x):
        started.append(x)
        return -x

    costs = {0: 1, 1: 5, 2: 1, 3: 9, 4: 5}
    assert thread_map(record, range(5), cost=costs.get) == [0, -1, -2, -3, -4]
    assert started == [3, 1, 4, 0, 2]  # longest first; equal costs keep their order


def test_thread_map_raises_the_first_error(monkeypatch):
    monkeypatch.setattr(threads, "worker_count", lambda: 2)

    def fail_on_three(x):
        if x == 3:
            raise ValueError("three")
        return x

    with pytest.raises(ValueError, match="three"):
        thread_map(fail_on_three, range(6))


def test_worker_count_is_bounded():
    assert 1 <= worker_count() <= threads.MAX_THREADS


def test_scratch_reuses_one_array_per_thread_and_key():
    scratch = Scratch()
    first = scratch.array("values", 100, np.float64)
    again = scratch.array("values", 50, np.float64)
    assert again.base is first.base or np.shares_memory(first, again)
    assert len(again) == 50
    bigger = scratch.array("values", 200, np.float64)
    assert len(bigger) == 200 and not np.shares_memory(bigger, first)
    other_dtype = scratch.array("values", 10, np.float32)
    assert other_dtype.dtype == np.float32
    arrays = {}

    def grab(_):
        arrays[threading.get_ident()] = scratch.array("values", 10, np.float64)

    thread_map(grab, [0], parallel=False)
    worker = threading.Thread(target=grab, args=(1,))
    worker.start()
    worker.join()
    mine, theirs = arrays.values()
    assert not np.shares_memory(mine, theirs)


def test_release_heap_is_harmless():
    release_heap()
    assert thread_map(abs, [-1, -2]) == [1, 2]


def test_use_small_pages_turns_numpys_huge_pages_off():
    from lib.runtime import use_small_pages

    switch = np._core.multiarray._set_madvise_hugepage
    before = switch(True)  # returns the previous setting
    try:
        assert use_small_pages() is True
        assert switch(True) is False  # what use_small_pages left: huge pages off
    finally:
        switch(before)
