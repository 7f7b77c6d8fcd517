"""Live training outside the web process: a small pool of worker processes.

One Streamlit process serves every learner under one GIL, so a lab that trains inside it
must ration itself (a slice of every fragment tick) and still slows every other click. Here
a learner's :class:`~lib.core.training.Trainer` is shipped, on Play, to one of a few worker
processes (one per core, started lazily as fresh interpreters, torch on one thread, a
lower CPU priority than the web process). Each worker time-slices its jobs round-robin
(``SLICE_S`` each), so trainers get fair shares. The page's fragment tick only asks for
what is new (history rows since its last question, the weights when the map is due);
Pause brings the whole trainer back, so stepping, scrubbing and the exported script work on
the real state in the web process. The worker runs exactly the same ``Trainer.step`` on the
same state with one thread, so the curves are bitwise those of in-process training.

Per-learner state never lives here: the web side of the pool knows job ids, the worker
each job sits on and the id of the session that owns it (to cancel jobs of ended
sessions); the trainer itself belongs to the session (``RemoteRun`` in its state).

A worker is ``python -m lib.lessons.trainer_pool FD NICE``: a fresh interpreter, as
multiprocessing's *spawn* start method gives, but started with ``subprocess``. Spawn re-runs
the parent's ``__main__`` in the child, and under Streamlit ``__main__`` is the page being
run: every worker ran the lab page (Streamlit's import, the page's widgets, a second pool)
before it could train. Wire format: ``pickle`` bytes over a socket pair, framed by a
``multiprocessing.connection.Connection`` (``send_bytes``), never the connection's own
pickler, which torch extends to pass tensors through shared memory.
"""

from __future__ import annotations

import copy
import itertools
import logging
import math
import os
import pickle
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from lib.core.training import EpochRecord, Trainer

_LOGGER = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[2]  # the repository: ``lib`` imports from here

SLICE_S = 0.015  # a job trains this long before its worker turns to the next one
LEASE_S = 20.0  # a job nobody asked about for this long stops training until asked again
ABANDON_S = 900.0  # a job nobody asked about for this long is dropped by its worker
IDLE_EXIT_S = 300.0  # a worker without jobs for this long is stopped (started again on demand)
STARTUP_S = 120.0  # how long a new worker may take to import torch before it is given up
HOUSEKEEPING_S = 10.0  # how often the pool looks for ended sessions and idle workers
# Workers yield the CPU to everything else (the web process's clicks and live views, and a
# browser on the same machine) and train with the rest. Measured on 2 cores, bench class lab10
# (10 trainers): nice 19 and 5 both left 62–63 % of cores × a bare loop to training; with
# Chromium on the same cores, nice 19 kept 6.5 live updates/s and quiz p95 at 407 ms where
# nice 5 gave 4.4/s and 613 ms (bench training (d)).
NICE = int(os.environ.get("CLASSLAB_TRAINER_NICE", "19"))


WORKERS_ENV = "CLASSLAB_TRAINER_WORKERS"  # set by deploy/: the cores one replica may use


def default_size() -> int:
    """Workers per server: ``CLASSLAB_TRAINER_WORKERS`` if set, else the cores this process
    may run on. A deployment of one server per core sets it so that the replicas' pools
    share the cores instead of each starting one worker per core (cores² in all)."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    return max(1, len(os.sched_getaffinity(0)))


class WorkerGone(RuntimeError):
    """The worker that held a job stopped, or does not hold it (any more)."""


class NoAnswer(WorkerGone):
    """The worker did not answer in time (busy machine): the job may well be alive."""


@dataclass
class Progress:
    """What a poll returns: the job's counters, the history rows the asker has not seen,
    and the current weights when asked for."""

    epoch: int
    steps: int
    position: int
    diverged: str | None
    rows: list[EpochRecord]
    weights: dict | None
    done: bool


# -- the worker process ----------------------------------------------------------------------


class _Job:
    def __init__(self, trainer: Trainer, max_epochs: int) -> None:
        self.trainer = trainer
        self.max_epochs = max_epochs
        self.paused = False
        self.seen = time.monotonic()

    @property
    def done(self) -> bool:
        return self.trainer.diverged is not None or self.trainer.epoch >= self.max_epochs

    def runnable(self, now: float) -> bool:
        return not self.paused and not self.done and now - self.seen < LEASE_S

    def progress(self, since: int, weights: bool) -> Progress:
        t = self.trainer
        state = (
            {k: v.detach().clone() for k, v in t.model.state_dict().items()} if weights else None
        )
        rows = t.history[1 + since :]
        return Progress(t.epoch, t.steps, t.position, t.diverged, rows, state, self.done)


def _answer(jobs: dict[str, _Job], op: str, job_id: str, arg):
    """One request from the web process; returns the reply (None for fire-and-forget)."""
    if op == "start":
        trainer, max_epochs = pickle.loads(arg)
        jobs[job_id] = _Job(trainer, max_epochs)
        return None
    job = jobs.get(job_id)
    if op == "cancel":
        jobs.pop(job_id, None)
        return None
    if job is None:
        return KeyError(job_id)
    job.seen = time.monotonic()
    if op == "poll":
        since, weights = arg
        return job.progress(since, weights)
    if op == "lr":
        job.trainer.set_learning_rate(arg)
        return job.trainer.steps
    if op == "pause":
        job.paused = True
        return pickle.dumps(job.trainer, protocol=pickle.HIGHEST_PROTOCOL)
    return ValueError(f"unknown request {op!r}")


def _drain(conn, jobs: dict[str, _Job]) -> None:
    """Answer every request waiting on the pipe."""
    while conn.poll():
        request_id, op, job_id, arg = pickle.loads(conn.recv_bytes())
        if op == "exit":
            raise SystemExit(0)
        try:
            reply = _answer(jobs, op, job_id, arg)
        except Exception as error:  # noqa: BLE001 - the asker gets the error, the worker lives
            reply = error
        if request_id is not None:
            conn.send_bytes(pickle.dumps((request_id, reply), protocol=pickle.HIGHEST_PROTOCOL))


def _train_slice(conn, waiting, jobs: dict[str, _Job], job: _Job) -> None:
    """Steps of one job for about ``SLICE_S``; requests are answered between two steps
    (``waiting()`` is one ``poll(2)`` call: ``conn.poll()`` costs six times as much)."""
    deadline = time.perf_counter() + SLICE_S
    step = job.trainer.step
    while True:
        step()
        if job.done:
            return
        if waiting():
            _drain(conn, jobs)
            if not job.runnable(time.monotonic()):
                return
        if time.perf_counter() >= deadline:
            return


def worker_main(conn, nice: int = NICE) -> None:
    """A worker's loop: answer requests; train the runnable jobs round-robin, one slice
    each; sleep on the pipe when there is nothing to train. Exits when the web process
    closes its end of the pipe or asks it to."""
    import torch

    torch.set_num_threads(1)
    if nice:
        try:
            os.nice(nice)
        except OSError:  # not allowed here: run at the same priority
            pass
    jobs: dict[str, _Job] = {}
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)

    def waiting() -> bool:
        return bool(poller.poll(0))

    try:
        conn.send_bytes(pickle.dumps((None, "ready")))
        while True:
            now = time.monotonic()
            for job_id in [i for i, j in jobs.items() if now - j.seen > ABANDON_S]:
                del jobs[job_id]
            runnable = [j for j in jobs.values() if j.runnable(now)]
            if not runnable:
                if conn.poll(1.0):
                    _drain(conn, jobs)
                continue
            for job in runnable:
                if job.runnable(time.monotonic()) and job in jobs.values():
                    _train_slice(conn, waiting, jobs, job)
            _drain(conn, jobs)
    except (EOFError, OSError, SystemExit):
        return


# -- the web process's side ------------------------------------------------------------------


class _Worker:
    """One worker process, its pipe, and the replies awaited from it."""

    def __init__(self, nice: int) -> None:
        parent, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lib.lessons.trainer_pool", str(child.fileno()), str(nice)],
            pass_fds=(child.fileno(),),
            cwd=_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        child.close()
        self.conn = Connection(parent.detach())
        self.send_lock = threading.Lock()
        self.pending: dict[int, Future] = {}
        self.ready = threading.Event()  # set when the worker has imported torch and listens
        self.alive = True
        self.jobs: set[str] = set()
        self.idle_since = time.monotonic()
        threading.Thread(target=self._receive, daemon=True, name="classlab-trainer-rx").start()

    def _receive(self) -> None:
        try:
            while True:
                request_id, reply = pickle.loads(self.conn.recv_bytes())
                if request_id is None:  # "ready"
                    self.ready.set()
                    continue
                future = self.pending.pop(request_id, None)
                if future is None:
                    continue
                if isinstance(reply, Exception):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        self.alive = False
        self.ready.set()  # nobody waits for a worker that is gone
        try:
            self.process.wait(timeout=5)  # reap it
        except subprocess.TimeoutExpired:
            pass
        for future in list(self.pending.values()):
            future.set_exception(WorkerGone("the training worker stopped"))
        self.pending.clear()

    def send(self, request_id: int | None, op: str, job_id: str, arg) -> None:
        if not self.alive:
            raise WorkerGone("the training worker stopped")
        data = pickle.dumps((request_id, op, job_id, arg), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with self.send_lock:
                self.conn.send_bytes(data)
        except (OSError, ValueError) as error:
            self.alive = False
            raise WorkerGone(f"the training worker stopped: {error}") from None

    def stop(self) -> None:
        try:
            self.send(None, "exit", "", None)
        except WorkerGone:
            pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=2)
        self.conn.close()
        self.alive = False


class TrainerPool:
    """Worker processes (one per core unless ``workers`` says otherwise), started on the
    first job. Jobs go to the worker with the fewest; each worker trains its jobs in turn.

    ``owners_alive`` (optional) returns the ids of live sessions, or None when unknown;
    the pool's housekeeping thread cancels the jobs of every other owner every
    ``HOUSEKEEPING_S`` seconds and stops workers idle for ``IDLE_EXIT_S``.
    """

    def __init__(
        self,
        workers: int | None = None,
        nice: int = NICE,
        owners_alive: Callable[[], set[str] | None] | None = None,
        idle_exit_s: float = IDLE_EXIT_S,
    ) -> None:
        self.size = workers or default_size()
        self.nice = nice
        self.owners_alive = owners_alive
        self.idle_exit_s = idle_exit_s
        self._lock = threading.Lock()
        self._workers: list[_Worker | None] = [None] * self.size
        self._jobs: dict[str, tuple[int, str]] = {}  # job id -> (worker index, owner id)
        self._asked: dict[str, float] = {}  # job id -> when it was last started or asked about
        self._ids = itertools.count()
        self._closed = False
        self._housekeeper: threading.Thread | None = None

    # -- jobs --------------------------------------------------------------------------------

    def start(self, trainer: Trainer, max_epochs: int, owner: str = "") -> str:
        """Ship ``trainer`` (as :func:`shipping_copy` trims it) to a worker; returns the job
        id at once (the first poll waits while a new worker starts)."""
        payload = pickle.dumps((shipping_copy(trainer), int(max_epochs)), pickle.HIGHEST_PROTOCOL)
        job_id = uuid.uuid4().hex
        with self._lock:
            if self._closed:
                raise WorkerGone("the training pool is closed")
            index = self._least_loaded()
            worker = self._worker(index)
            self._jobs[job_id] = (index, owner)
            self._asked[job_id] = time.monotonic()
            worker.jobs.add(job_id)
            self._start_housekeeping()
        worker.send(None, "start", job_id, payload)
        return job_id

    def poll(self, job_id: str, since: int, weights: bool = False, timeout: float = 30.0):
        """:class:`Progress` of a job; ``since`` = history rows already received."""
        return self._ask(job_id, "poll", (int(since), bool(weights)), timeout)

    def poll_async(self, job_id: str, since: int, weights: bool = False) -> Future:
        """:meth:`poll` without waiting: a ``Future`` of the :class:`Progress` (or of
        :class:`WorkerGone`), answered by the worker between two steps. A page's tick sends
        one and shows the answer at the next tick, so it never waits for a busy worker."""
        worker = self._worker_of(job_id)
        future: Future = Future()
        request_id = next(self._ids)
        worker.pending[request_id] = future
        try:
            worker.send(request_id, "poll", job_id, (int(since), bool(weights)))
        except WorkerGone as error:
            worker.pending.pop(request_id, None)
            future.set_exception(error)
        return future

    def set_learning_rate(self, job_id: str, learning_rate: float, timeout: float = 30.0) -> int:
        """Change the job's learning rate before its next step; returns that step's index."""
        return self._ask(job_id, "lr", float(learning_rate), timeout)

    def pause(self, job_id: str, timeout: float = 30.0) -> Trainer:
        """Stop training the job and return its trainer (the job stays until cancelled)."""
        return pickle.loads(self._ask(job_id, "pause", None, timeout))

    def warm(self) -> None:
        """Start every worker now (they import torch for a few seconds), so the first Play
        does not wait; idle workers stop again after ``idle_exit_s``."""
        with self._lock:
            if self._closed:
                return
            for index in range(self.size):
                self._worker(index)
            self._start_housekeeping()

    def cancel(self, job_id: str) -> None:
        """Forget the job (never raises)."""
        with self._lock:
            index, _owner = self._jobs.pop(job_id, (None, None))
            self._asked.pop(job_id, None)
            worker = self._workers[index] if index is not None else None
            if worker is not None:
                worker.jobs.discard(job_id)
                if not worker.jobs:
                    worker.idle_since = time.monotonic()
        if worker is not None:
            try:
                worker.send(None, "cancel", job_id, None)
            except WorkerGone:
                pass

    def cancel_ended(self, live_owners: set[str], quiet_s: float = LEASE_S) -> int:
        """Cancel every job whose owner is not in ``live_owners`` and that nobody asked
        about for ``quiet_s`` seconds (a job still polled is alive, whatever a listing of
        sessions says); returns how many."""
        now = time.monotonic()
        with self._lock:
            ended = [
                j for j, (_, owner) in self._jobs.items()
                if owner not in live_owners and now - self._asked.get(j, 0.0) >= quiet_s
            ]  # fmt: skip
        for job_id in ended:
            self.cancel(job_id)
        return len(ended)

    def ready(self, job_id: str) -> bool:
        """Whether the job's worker has started (a poll then answers within a step)."""
        with self._lock:
            index, _owner = self._jobs.get(job_id, (None, None))
            worker = self._workers[index] if index is not None else None
        return worker is not None and worker.ready.is_set()

    def jobs(self) -> int:
        """How many jobs the pool holds (training or not yet collected)."""
        with self._lock:
            return len(self._jobs)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w is not None and w.alive]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, [None] * self.size
            self._jobs.clear()
        for worker in workers:
            if worker is not None:
                worker.stop()

    # -- internals ---------------------------------------------------------------------------

    def _worker_of(self, job_id: str) -> _Worker:
        with self._lock:
            index, _owner = self._jobs.get(job_id, (None, None))
            worker = self._workers[index] if index is not None else None
            if worker is not None:
                self._asked[job_id] = time.monotonic()
        if worker is None:
            raise WorkerGone(f"no such training job: {job_id}")
        return worker

    def _ask(self, job_id: str, op: str, arg, timeout: float):
        worker = self._worker_of(job_id)
        if not worker.ready.wait(STARTUP_S):
            raise NoAnswer(f"the training worker did not start within {STARTUP_S:g} s")
        future: Future = Future()
        request_id = next(self._ids)
        worker.pending[request_id] = future
        try:
            worker.send(request_id, op, job_id, arg)
            return future.result(timeout)
        except FutureTimeout:
            raise NoAnswer(f"the training worker did not answer within {timeout:g} s") from None
        except KeyError:
            raise WorkerGone(f"the training worker does not hold job {job_id}") from None
        finally:
            worker.pending.pop(request_id, None)

    def _least_loaded(self) -> int:
        def load(i: int) -> int:
            w = self._workers[i]
            return len(w.jobs) if w is not None and w.alive else 0

        return min(range(self.size), key=lambda i: (load(i), self._workers[i] is None, i))

    def _worker(self, index: int) -> _Worker:
        worker = self._workers[index]
        if worker is None or not worker.alive:
            if worker is not None:  # died: its jobs are lost, their polls say so
                for job_id in worker.jobs:
                    self._jobs.pop(job_id, None)
            worker = self._workers[index] = _Worker(self.nice)
        return worker

    def _start_housekeeping(self) -> None:
        if self._housekeeper is None or not self._housekeeper.is_alive():
            self._housekeeper = threading.Thread(
                target=self._housekeeping, daemon=True, name="classlab-trainer-housekeeping"
            )
            self._housekeeper.start()

    def _housekeeping(self) -> None:
        while not self._closed:
            time.sleep(HOUSEKEEPING_S)
            self.housekeeping()

    def housekeeping(self, quiet_s: float = LEASE_S) -> None:
        """Cancel the jobs of ended sessions (see :meth:`cancel_ended`); stop workers idle
        for ``idle_exit_s``."""
        if self.owners_alive is not None:
            try:
                live = self.owners_alive()
            except Exception:  # noqa: BLE001 - housekeeping must never die
                _LOGGER.debug("owners_alive failed", exc_info=True)
                live = None
            if live is not None:
                self.cancel_ended(live, quiet_s)
        now = time.monotonic()
        retired = []
        with self._lock:
            for i, worker in enumerate(self._workers):
                if worker is None:
                    continue
                if not worker.alive or (
                    not worker.jobs and now - worker.idle_since > self.idle_exit_s
                ):
                    retired.append(worker)
                    self._workers[i] = None
        for worker in retired:
            worker.stop()


# -- shipping a trainer and bringing it back -------------------------------------------------


def shipping_copy(trainer: Trainer) -> Trainer:
    """What a worker needs to continue ``trainer`` exactly: its live state, the first
    history row (the divergence check compares with it) and the epochs of its snapshots,
    with the weights of the latest only (the rollback target; the others stay here)."""
    shipped = copy.copy(trainer)
    shipped.history = trainer.history[:1]
    latest = max(trainer.snapshots, default=None)
    shipped.snapshots = {e: (w if e == latest else None) for e, w in trainer.snapshots.items()}
    return shipped


@dataclass
class RemoteRun:
    """One session's job while it trains in the pool, with what is needed to merge the
    trainer that comes back (or to restore the one that left, if its worker is lost)."""

    job_id: str
    base_history: list[EpochRecord]
    base_snapshots: dict[int, dict]
    base_counters: tuple[int, int, str | None]  # epoch, steps, diverged at Play
    base_weights: dict
    rows: list[EpochRecord] = field(default_factory=list)
    position: int = 0
    pending: Future | None = None  # the poll in flight (at most one)
    weights_at: float = -math.inf  # when weights last came with a poll (monotonic seconds)

    @classmethod
    def began(cls, job_id: str, trainer: Trainer) -> RemoteRun:
        return cls(
            job_id, list(trainer.history), dict(trainer.snapshots),
            (trainer.epoch, trainer.steps, trainer.diverged),
            {k: v.detach().clone() for k, v in trainer.model.state_dict().items()},
            position=trainer.position,
        )  # fmt: skip

    def pump(self, pool: TrainerPool, trainer: Trainer, weights_every: float) -> bool:
        """One tick's exchange without waiting: show the answer to the previous poll, if it
        came, on ``trainer``; send the next poll (with the weights every ``weights_every``
        seconds). True when the job has finished. Raises :class:`WorkerGone`."""
        done = False
        if self.pending is not None and self.pending.done():
            future, self.pending = self.pending, None
            progress = future.result()
            if progress.weights is not None:
                self.weights_at = time.monotonic()
            self.mirror(trainer, progress)
            done = progress.done
        if self.pending is None and not done:
            weights = time.monotonic() - self.weights_at >= weights_every
            self.pending = pool.poll_async(self.job_id, len(self.rows), weights)
        return done

    def mirror(self, trainer: Trainer, progress: Progress) -> None:
        """Show a poll's progress on the web process's (stale) ``trainer``: counters,
        history and, when sent, the weights. Only for display until :meth:`merged`."""
        self.rows.extend(progress.rows)
        self.position = progress.position
        trainer.history = self.base_history + self.rows
        trainer.epoch, trainer.steps, trainer.diverged = (
            progress.epoch, progress.steps, progress.diverged,
        )  # fmt: skip
        if progress.weights is not None:
            trainer.model.load_state_dict(progress.weights)

    def merged(self, remote: Trainer) -> Trainer:
        """The trainer that came back, with the whole history and every snapshot (the
        worker holds the epochs of all and the weights of the new ones)."""
        remote.history = self.base_history + remote.history[1:]
        remote.snapshots = {
            e: (w if w is not None else self.base_snapshots[e]) for e, w in remote.snapshots.items()
        }
        return remote

    def restore(self, trainer: Trainer) -> None:
        """Undo :meth:`mirror` on ``trainer`` (its worker was lost): back to Play's state."""
        trainer.history = list(self.base_history)
        trainer.epoch, trainer.steps, trainer.diverged = self.base_counters
        trainer.model.load_state_dict(self.base_weights)


if __name__ == "__main__":  # a worker: python -m lib.lessons.trainer_pool FD NICE
    # Through the module's own name, so what it pickles (Progress) unpickles in the web process.
    from lib.lessons.trainer_pool import worker_main as _serve

    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
