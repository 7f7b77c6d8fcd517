"""The training lab's link to the worker pool (:mod:`lib.lessons.trainer_pool`).

In a real ``streamlit run`` server, Play ships the learner's trainer to the process pool
and the page's fragment ticks only ask for what is new; Pause (and every button that
changes the weights) brings it back. Under AppTest (whose runtime is a mock, and whose
``run_every`` timers never fire) and with ``CLASSLAB_TRAINER_POOL=0`` the lab trains in
this process instead, in bounded chunks: the fallback, bitwise the same curves.

The pool is the one process-wide object (module global): it knows job ids, the worker of
each and the owning session's id, nothing else. Jobs of sessions that ended (a closed tab
expires from Streamlit's reconnect storage without a shutdown, see
:mod:`lib.ui.upload_release`) are cancelled by the pool's housekeeping, which asks the
runtime for the live sessions the way the upload release does.
"""

from __future__ import annotations

import logging
import os
import threading

from lib.lessons.lab import MAX_EPOCHS, Lab
from lib.lessons.trainer_pool import RemoteRun, TrainerPool

_LOGGER = logging.getLogger(__name__)

ENV = "CLASSLAB_TRAINER_POOL"  # "0": always train in the web process; "1": the pool even in tests

_pool: TrainerPool | None = None
_pool_lock = threading.Lock()


def enabled() -> bool:
    """Whether Play trains in the pool: in a real server unless ``CLASSLAB_TRAINER_POOL=0``."""
    setting = os.environ.get(ENV, "")
    if setting in ("0", "1"):
        return setting == "1"
    try:
        from streamlit.runtime import Runtime

        return Runtime.exists() and type(Runtime.instance()) is Runtime  # AppTest: a mock
    except Exception:  # noqa: BLE001 - internal API moved: the in-process fallback is safe
        return False


def pool() -> TrainerPool:
    """The process's pool, created on first use (its workers start with the first job)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = TrainerPool(owners_alive=live_sessions)
        return _pool


def active_jobs() -> int:
    """Jobs in the pool now (0 before the first Play)."""
    return _pool.jobs() if _pool is not None else 0


def live_sessions() -> set[str] | None:
    """Ids of the connected sessions and of those kept for a reconnect; None if unknown."""
    try:
        from streamlit.runtime import Runtime

        from lib.ui.upload_release import _live_session_ids

        if not Runtime.exists():
            return None
        return _live_session_ids(Runtime.instance()._session_mgr)
    except Exception:  # noqa: BLE001 - internal API moved: cancel nothing
        _LOGGER.debug("could not list live sessions", exc_info=True)
        return None


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return "" if ctx is None else ctx.session_id


def begin(lab: Lab) -> RemoteRun | None:
    """Ship the lab's trainer to the pool; None (train in process) when that fails."""
    try:
        trainer = lab.trainer
        job = pool().start(trainer, MAX_EPOCHS, _session_id())
        return RemoteRun.began(job, trainer)
    except Exception:  # noqa: BLE001 - no worker: the fallback trains in process
        _LOGGER.warning("could not start a training worker", exc_info=True)
        return None


def warm() -> None:
    """Start the pool's workers when the lab page opens, so Play does not wait for them."""
    try:
        pool().warm()
    except Exception:  # noqa: BLE001 - Play will try again, or train in process
        _LOGGER.warning("could not start the training workers", exc_info=True)


def pump(run: RemoteRun, lab: Lab, weights_every: float) -> bool:
    """Show the job's latest progress on ``lab.trainer`` and ask for the next, without
    waiting; True when the job has finished (the epoch limit or divergence). Raises
    :class:`~lib.lessons.trainer_pool.WorkerGone` when its worker is lost."""
    return run.pump(pool(), lab.trainer, weights_every)


def finish(run: RemoteRun, lab: Lab) -> None:
    """Bring the trainer back into the session (Pause, Step, the end of training)."""
    lab.trainer = run.merged(pool().pause(run.job_id))
    pool().cancel(run.job_id)


def cancel(run: RemoteRun) -> None:
    """Drop the job: its trainer was replaced (Reset, new settings). Never raises."""
    if _pool is not None:
        _pool.cancel(run.job_id)


def set_learning_rate(run: RemoteRun, lab: Lab, learning_rate: float) -> None:
    """Change the running job's learning rate; the lab records the step it applied at."""
    step = pool().set_learning_rate(run.job_id, learning_rate)
    lab.record_learning_rate(learning_rate, step)
