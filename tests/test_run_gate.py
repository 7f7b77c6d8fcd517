"""lib/ui/run_gate.py: one script run at a time, first come first served, unless every
running run is long (by CPU or by wall time); and installed, it gates Streamlit's runs."""

from __future__ import annotations

import threading
import time

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from lib.ui.run_gate import RunGate, install, thread_cpu_seconds


class FakeTime:
    """A wall clock and per-thread CPU clocks the test moves by hand."""

    def __init__(self):
        self.now, self.cpu = 0.0, {}

    def clock(self) -> float:
        return self.now

    def cpu_of(self, thread_id: int) -> float:
        return self.cpu.get(thread_id, 0.0)


def start_run(gate: RunGate, order: list, name: str) -> tuple[threading.Thread, dict]:
    """A run in its own thread: waits for its turn, records it, then holds until released."""
    state = {"release": threading.Event(), "ticket": None, "ident": None}

    def body():
        state["ident"] = threading.get_ident()
        state["ticket"] = gate.enter()
        order.append(name)
        state["release"].wait(10)
        gate.leave(state["ticket"])

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, state


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_one_run_at_a_time_in_arrival_order():
    fake = FakeTime()
    gate = RunGate(clock=fake.clock, cpu=fake.cpu_of)
    order: list[str] = []
    runs = []
    for count, name in enumerate("abcd", 1):
        runs.append(start_run(gate, order, name))
        wait_until(lambda n=count: gate.running + gate.waiting == n)
    assert order == ["a"] and gate.running == 1 and gate.waiting == 3
    for i, (thread, state) in enumerate(runs):
        state["release"].set()
        thread.join(5)
        if i < 3:
            wait_until(lambda i=i: len(order) == i + 2)
            assert gate.running == 1
    assert order == list("abcd") and gate.running == gate.waiting == 0


def test_a_run_long_in_cpu_lets_the_next_one_in_but_not_more_than_max():
    fake = FakeTime()
    gate = RunGate(long_cpu=0.1, long_wall=60, max_runs=2, clock=fake.clock, cpu=fake.cpu_of)
    order: list[str] = []
    ta, a = start_run(gate, order, "a")
    wait_until(lambda: order == ["a"])
    tb, b = start_run(gate, order, "b")
    wait_until(lambda: gate.waiting == 1)
    time.sleep(0.1)
    assert order == ["a"]  # a is short so far: b waits
    fake.cpu[a["ident"]] = 0.15  # a has now used 150 ms of CPU: a long run
    wait_until(lambda: order == ["a", "b"])
    tc, c = start_run(gate, order, "c")
    fake.cpu[b["ident"]] = 0.5  # both long, but two is the most
    time.sleep(0.1)
    assert order == ["a", "b"] and gate.waiting == 1
    a["release"].set()
    wait_until(lambda: order == ["a", "b", "c"])
    for s in (b, c):
        s["release"].set()
    for t in (ta, tb, tc):
        t.join(5)


def test_a_run_waiting_long_in_wall_time_lets_the_next_one_in():
    fake = FakeTime()
    gate = RunGate(long_cpu=10, long_wall=2.0, clock=fake.clock, cpu=fake.cpu_of)
    order: list[str] = []
    ta, a = start_run(gate, order, "a")
    wait_until(lambda: order == ["a"])
    tb, b = start_run(gate, order, "b")
    time.sleep(0.1)
    assert order == ["a"]
    fake.now = 2.5  # a has waited 2.5 s (for a worker, say) without using the CPU
    wait_until(lambda: order == ["a", "b"])
    for s in (a, b):
        s["release"].set()
    for t in (ta, tb):
        t.join(5)


def test_thread_cpu_seconds_counts_only_that_threads_work():
    me = threading.get_ident()
    before = thread_cpu_seconds(me)
    end = time.thread_time() + 0.05
    while time.thread_time() < end:
        pass
    assert thread_cpu_seconds(me) - before >= 0.04


def test_install_gates_streamlits_runs_once(monkeypatch):
    calls = []
    monkeypatch.setattr(ScriptRunner, "_run_script", lambda self, data: calls.append(data))
    gate = install()
    assert install() is gate  # idempotent
    ScriptRunner._run_script(object(), "rerun data")
    assert calls == ["rerun data"] and gate.running == 0
