"""``python -m bench class`` measures something real: its protocol-level client gets a
``script_finished`` for each widget change, the page it gets back differs with the value
sent, the learners' loop records answered latencies, and a trainer's fragment ticks (sent
on the server's run_every timers) deliver the step count. One server (started the way the
bench starts it), two sessions at a time, no browser."""

from __future__ import annotations

import asyncio
import importlib
import random
import time
import urllib.parse

import pytest

from bench._streamlit_client import Session
from tests.aio import run_async

bench_class = importlib.import_module("bench.class")  # "class" is a keyword: no plain import


@pytest.fixture(scope="module")
def server_url():
    server = bench_class.Server(replicas=1)
    try:
        yield server.start()[0]
    finally:
        server.stop()
        server.cleanup()


def _lesson_widget(session: Session, name: str):
    page, keys = bench_class.LESSON_PAGES[name]
    widgets = bench_class._lesson_widgets(session, keys)
    assert widgets, f"no widget to change on {page}"
    return widgets[0]


def test_widget_change_answers_with_new_content(server_url):
    async def scenario():
        sessions = {
            name: Session(server_url, bench_class.LESSON_PAGES[name][0])
            for name in ("sigmoid", "softmax")  # cheap pages: no model fit on opening
        }
        first = await asyncio.gather(*(s.open(120) for s in sessions.values()))
        assert all(run.ok for run in first)
        contents = {}
        for name, s in sessions.items():
            widget = _lesson_widget(s, name)
            lo, hi = widget.proto.min, widget.proto.max
            low = round(lo + 0.1 * (hi - lo), 3)
            high = round(lo + 0.9 * (hi - lo), 3)
            sent = time.perf_counter()
            run_low = await s.change_and_wait(widget, low, timeout=60)
            run_high = await s.change_and_wait(widget, high, timeout=60)
            # each change was answered by a finished run that started after it was sent
            assert run_low.ok and run_high.ok
            assert sent < run_low.started < run_low.finished < run_high.started
            assert run_low.deltas > 0 and run_high.deltas > 0
            contents[name] = (run_low.content(), run_high.content())
        # the learners' loop of the bench itself: changes every ~2 s, all answered
        s = sessions["sigmoid"]
        loop = asyncio.get_running_loop()
        keys = bench_class.LESSON_PAGES["sigmoid"][1]
        start = loop.time()
        result = await bench_class.student(s, keys, random.Random(0), start, start + 2.5)
        for s in sessions.values():
            assert not s.exceptions and s.dropped is None
            await s.close()
        return contents, result

    contents, result = run_async(scenario)
    for name, (low, high) in contents.items():
        assert low and high, f"{name}: no text delivered"
        assert low != high, f"{name}: the page did not change with the widget's value"
    assert result["latencies"] and result["unanswered"] == 0
    assert all(0 < v < 30 for v in result["latencies"])


def test_trainer_ticks_deliver_the_step_count(server_url):
    async def scenario():
        query = urllib.parse.urlencode({**bench_class.LAB_QUERY, "lab_bs": "8"})
        s = Session(server_url, bench_class.LAB_PAGE, query, follow_timers=True)
        await s.open(120)
        play = s.widget(key=bench_class.PLAY[0]) or s.widget(label=bench_class.PLAY[1])
        assert play is not None
        await asyncio.wait_for(s.click(play).done, 60)
        await asyncio.sleep(2.0)
        timers = s.timers
        s.stop_timers()
        await s.close()
        return s, timers

    s, timers = run_async(scenario)
    assert timers, "Play started no fragment timer (no auto_rerun seen)"
    ticks = [run for run in s.runs if run.fragment_ids]
    steps = [
        int(run.metrics[bench_class.STEPS_LABEL].replace(",", ""))
        for run in ticks
        if bench_class.STEPS_LABEL in run.metrics
    ]
    # Whether steps grow within two seconds depends on the lab (it may first start training
    # processes: the bench's warm-up waits for that); the count shown must never go back.
    assert len(steps) >= 3, f"only {len(steps)} fragment ticks showed the step count"
    assert steps == sorted(steps)
    assert not s.exceptions and s.dropped is None
