"""Cached loaders: deterministic data keyed by exact inputs, out of reach of ``clear_cache``.

Any browser can send Streamlit's ``clear_cache`` message: it empties every ``st.cache_data``
and ``st.cache_resource`` of the process, for every learner (issue #17.4). What is cached
with :func:`durable` lives in this process's memory instead, where no client message
reaches: a bounded LRU of pickled results, keyed by the (hashable) arguments, unpickled on
every call, so each caller gets its own copy as with ``st.cache_data``. Use it for
deterministic results that are costly to recompute (a dataset, a model trained from a seed);
cheap per-input results can stay in ``st.cache_data``.
"""

from __future__ import annotations

import functools
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from lib.core.datasets import Dataset, DatasetSpec, load_dataset

T = TypeVar("T")


def durable(
    max_entries: int, spinner: str | None = None
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Memoise a deterministic function in process memory (LRU of ``max_entries``).

    Arguments must be hashable (frozen dataclasses, numbers, strings, tuples). Each call
    returns a fresh copy (the result is stored pickled). A miss computes once per key even
    when several sessions ask at the same time; ``spinner`` is shown meanwhile. The
    decorated function has ``cache_clear()`` and ``cache_len()`` for tests.
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        entries: OrderedDict[Any, bytes] = OrderedDict()
        lock = threading.Lock()
        computing: dict[Any, threading.Lock] = {}

        def lookup(key) -> bytes | None:
            with lock:
                blob = entries.get(key)
                if blob is not None:
                    entries.move_to_end(key)
                return blob

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            blob = lookup(key)
            if blob is None:
                with lock:
                    key_lock = computing.setdefault(key, threading.Lock())
                with key_lock:  # one computation per key; the others wait for it
                    blob = lookup(key)
                    if blob is None:
                        if spinner:
                            with st.spinner(spinner):
                                value = fn(*args, **kwargs)
                        else:
                            value = fn(*args, **kwargs)
                        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                        with lock:
                            entries[key] = blob
                            while len(entries) > max_entries:
                                entries.popitem(last=False)
                with lock:
                    computing.pop(key, None)
            return pickle.loads(blob)

        def cache_clear() -> None:
            with lock:
                entries.clear()

        wrapper.cache_clear = cache_clear
        wrapper.cache_len = lambda: len(entries)
        return wrapper

    return decorate


@durable(max_entries=64)
def cached_dataset(spec: DatasetSpec) -> Dataset:
    """The dataset for a spec; generated or read once per distinct spec per process."""
    return load_dataset(spec)
