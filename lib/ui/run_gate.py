"""One script run at a time in a server process, in arrival order, unless a run is long.

Streamlit runs every session's script in a thread of its own, and one process has one GIL.
When a class asks for more CPU than a core gives, every run shares the GIL with every other,
and so does the event loop that sends the pages out: it gives the GIL up on every socket
write and then waits a whole switch interval (5 ms) behind the scripts to get it back. A
20 ms run took seconds, the learner's next change interrupted it and its work was thrown
away, and the messages of the runs that did finish queued behind each other. Measured with
``python -m bench class --scenario room`` (100 lesson sessions and 10 Training-lab sessions)
on one process of a 2-core machine: lesson p95 30 s, no Play answered.

Here a run starts when no other run is going, first come first served; while a session
waits, its newer changes replace the waiting one (Streamlit keeps one pending rerun per
session), so an overloaded server answers every learner's latest change a little later
instead of none. Runs that take long (a model fitted for a new seed, a large upload parsed,
a wait for a training worker) must not hold up the class: a run that has used ``LONG_CPU``
seconds of CPU, or has gone on for ``LONG_WALL`` seconds, no longer keeps the next one
waiting, up to ``MAX_RUNS`` at a time. CPU time, not wall time, is what marks a run as long:
under load every run's wall time grows, and a wall-time rule then let more runs in exactly
when the core was already full. The switch interval drops to 1 ms so that the event loop
gets the GIL back quickly between its writes.
"""

from __future__ import annotations

import collections
import functools
import sys
import threading
import time
from dataclasses import dataclass

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

LONG_CPU = 0.1  # s of CPU: a run that used this much no longer keeps the next one waiting
LONG_WALL = 2.0  # s: nor does one that has gone on this long (e.g. waiting for a worker)
MAX_RUNS = 4  # runs at a time, long ones included
SWITCH_INTERVAL = 0.001  # s, sys.setswitchinterval (Python's default is 0.005)


def thread_cpu_seconds(thread_id: int) -> float:
    """CPU time a thread of this process has used (Linux, macOS; 0.0 where unavailable)."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread_id))
    except (AttributeError, OSError):
        return 0.0


@dataclass
class _Run:
    thread_id: int
    started: float  # wall clock
    cpu_at_start: float


class RunGate:
    """Admission of script runs: FIFO, one at a time unless every running one is long."""

    def __init__(self, long_cpu: float = LONG_CPU, long_wall: float = LONG_WALL,
                 max_runs: int = MAX_RUNS, clock=time.monotonic, cpu=thread_cpu_seconds):  # fmt: skip
        self.long_cpu, self.long_wall, self.max_runs = long_cpu, long_wall, max_runs
        self._clock, self._cpu = clock, cpu
        self._lock = threading.Lock()
        self._waiting: collections.deque[threading.Event] = collections.deque()
        self._running: dict[threading.Event, _Run] = {}

    def _is_long(self, run: _Run, now: float) -> bool:
        return (now - run.started >= self.long_wall
                or self._cpu(run.thread_id) - run.cpu_at_start >= self.long_cpu)  # fmt: skip

    def _wait_before_start(self) -> float | None:
        """0 if a run may start now, else how long to wait before asking again (None:
        until a run ends)."""
        if len(self._running) >= self.max_runs:
            return None
        now = self._clock()
        if all(self._is_long(run, now) for run in self._running.values()):
            return 0.0
        return 0.02  # look again soon: a run may cross the CPU mark any moment

    def enter(self) -> threading.Event:
        """Wait for this run's turn; returns the ticket to give back to :meth:`leave`."""
        ticket = threading.Event()
        with self._lock:
            self._waiting.append(ticket)
        while True:
            with self._lock:
                wait = None
                if self._waiting[0] is ticket:
                    wait = self._wait_before_start()
                    if wait == 0.0:
                        self._waiting.popleft()
                        me = threading.get_ident()
                        self._running[ticket] = _Run(me, self._clock(), self._cpu(me))
                        if self._waiting:  # the next in line: check when its turn comes
                            self._waiting[0].set()
                        return ticket
            ticket.wait(wait)
            ticket.clear()

    def leave(self, ticket: threading.Event) -> None:
        with self._lock:
            self._running.pop(ticket, None)
            if self._waiting:
                self._waiting[0].set()

    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def waiting(self) -> int:
        return len(self._waiting)


def install() -> RunGate:
    """Gate :meth:`ScriptRunner._run_script` (each run, fragments included) once per process,
    and shorten the switch interval. Idempotent: returns the gate already installed."""
    original = ScriptRunner._run_script
    gate = getattr(original, "_classlab_gate", None)
    if gate is not None:
        return gate
    gate = RunGate()

    @functools.wraps(original)
    def gated_run_script(self, rerun_data):
        ticket = gate.enter()
        try:
            return original(self, rerun_data)
        finally:
            gate.leave(ticket)

    gated_run_script._classlab_gate = gate
    ScriptRunner._run_script = gated_run_script
    sys.setswitchinterval(SWITCH_INTERVAL)
    return gate
