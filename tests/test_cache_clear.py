"""Any client can send ``clear_cache`` (#17.4): ClassLab's pages stay correct, and what is
costly to recompute does not live where that message reaches.

Streamlit's AppSession answers a ``clear_cache`` BackMsg from any browser with
``st.cache_data.clear()`` and ``st.cache_resource.clear()`` for the whole process (and
clears the sender's own session state). Each page is run, both caches are cleared as that
message does, and the page is run again: what the learner sees must not change. Datasets
are memoised with ``lib.ui.loaders.durable``, which the message cannot empty.
"""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
import streamlit as st

from lib.catalog import LESSONS
from lib.core.datasets import DatasetSpec
from lib.ui import loaders
from tests.conftest import TEXT_KINDS, open_page


def shown(at) -> dict:
    """What the learner sees: text, metrics, figures and tables."""
    return {
        "text": [str(el.value) for kind in TEXT_KINDS for el in at.get(kind)],
        "metrics": [(m.label, m.value) for m in at.metric],
        "charts": [json.loads(el.proto.spec) for el in at.get("plotly_chart")],
        "tables": [el.value.to_json() for el in at.dataframe],
    }


def clear_cache_message() -> None:
    """What AppSession._handle_clear_cache_request does to the caches every learner shares."""
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page", [None, *(lesson.path for lesson in LESSONS)])
def test_a_cleared_cache_changes_nothing_the_learner_sees(page):
    at = open_page(page)
    before = shown(at)
    clear_cache_message()
    at.run()
    assert not at.exception, at.exception
    assert shown(at) == before


def test_datasets_survive_the_message(monkeypatch):
    loads = []
    real = loaders.load_dataset
    monkeypatch.setattr(loaders, "load_dataset", lambda spec: loads.append(spec) or real(spec))
    spec = DatasetSpec(name="Moons", n_samples=120, seed=11)
    loaders.cached_dataset.cache_clear()
    first = loaders.cached_dataset(spec)
    clear_cache_message()
    again = loaders.cached_dataset(spec)
    assert loads == [spec]  # not loaded again
    np.testing.assert_array_equal(first.features.to_numpy(), again.features.to_numpy())


def test_durable_returns_a_copy_per_call():
    data = loaders.cached_dataset(DatasetSpec(name="Iris"))
    data.features.iloc[0, 0] = -12345.0  # a caller that scribbles on its copy …
    fresh = loaders.cached_dataset(DatasetSpec(name="Iris"))
    assert fresh.features.iloc[0, 0] != -12345.0  # … does not change anyone else's


def test_durable_computes_once_per_key_and_stays_bounded():
    calls = []
    started = threading.Event()

    @loaders.durable(max_entries=2)
    def slow(x: int) -> list[int]:
        calls.append(x)
        started.wait(5)
        return [x]

    threads = [threading.Thread(target=slow, args=(1,)) for _ in range(4)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join(10)
    assert calls == [1]  # four sessions asked at once: one computation
    assert slow(2) == [2] and slow(3) == [3]
    assert slow.cache_len() == 2  # the least recently used key (1) was dropped
    assert slow(1) == [1] and calls == [1, 2, 3, 1]
