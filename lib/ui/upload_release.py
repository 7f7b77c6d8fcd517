"""When a learner's session ends, release what it held (issue #17.2).

Why: a closed tab does not end a Streamlit session. The session is parked in the reconnect
storage (``MemorySessionStorage``: a TTLCache, ``server.disconnectedSessionTTL``, 120 s by
default) so that a reload can resume it. When it expires there, Streamlit 1.67 never calls
``AppSession.shutdown()`` (streamlit issue #12506), and:

- its uploaded files stay in the runtime's ``MemoryUploadedFileManager`` for the life of the
  process (``shutdown()`` is the only place that removes them);
- the expired entry stays in the TTLCache's dict until the next write to it (a later
  disconnect), so the ``AppSession`` and its ``st.session_state`` (trainers, upload bytes,
  parsed tables, downloads) stay alive too, with its media files and its event loop;
- module-level state keyed by session (a worker pool's jobs, caches of private data) is
  never told.

Measured before this module: fresh server 333 MB; three learners uploading a 33 MB CSV and
training, then leaving: 1,808 MB after every session expired; a second round 2,926 MB.

What it does: a sweep, at most once every ``MIN_INTERVAL_S`` seconds, from a daemon thread
started by the first page run (so memory comes back even when nobody uses the server
afterwards) and from page runs (``release_ended_sessions()`` in the sidebar):

1. on the runtime's event loop (where Streamlit closes sessions itself): the expired
   entries of the reconnect storage are reaped and each such session is ``shutdown()`` —
   what Streamlit does for a session closed while stored: its files, media, caches and
   event loop go — and its ``st.session_state`` emptied (Streamlit's runtime loop keeps a
   reference to the last session it served until it serves another);
2. the uploaded files of every other session that is neither connected nor waiting for a
   reconnect are removed (a session evicted from the storage by its size limit);
3. every callback registered with :func:`on_session_end` is called with each ended
   session's id (sessions the sweep saw on a page run, and those found above);
4. if anything ended: ``gc.collect()`` (``runner.postScriptGC`` is off, and sessions hold
   reference cycles) and ``malloc_trim`` (``lib.tabular.threads.release_heap``), so the
   process's resident memory goes down, not only Python's.

It leans on Streamlit internals, so it is defensive: any failure is logged once and
releases nothing; a page never sees an error.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_LOGGER = logging.getLogger(__name__)

MIN_INTERVAL_S = 30.0
EVENT_LOOP_TIMEOUT_S = 10.0

# Process-wide bookkeeping (not per-user state): when the last sweep started, the sessions
# seen by page runs, the callbacks, the sweeper thread.
_now = time.monotonic
_throttle_lock = threading.Lock()
_last_run: float | None = None
_warned = False
_seen: set[str] = set()
_callbacks: list[Callable[[str], Any]] = []
_registry_lock = threading.Lock()
_sweeper: threading.Thread | None = None
_listing_trusted = False  # a page run found its own session among the live ones


def _trust_listing() -> None:
    global _listing_trusted
    _listing_trusted = True


# --- the registry -----------------------------------------------------------------------------


def on_session_end(callback: Callable[[str], Any]) -> Callable[[str], Any]:
    """Call ``callback(session_id)`` once for every session that ends from now on.

    For process-wide objects keyed by session (a pool's jobs, a cache of a learner's data):
    what lives in ``st.session_state`` goes with the session by itself. Registering the same
    callback twice registers it once; usable as a decorator. The callback runs on the
    sweeper's thread (or a page run's), must be quick, and should not raise (an exception is
    logged and the other callbacks still run).
    """
    with _registry_lock:
        if callback not in _callbacks:
            _callbacks.append(callback)
    return callback


def session_ended(session_id: str) -> None:
    """Tell every registered callback that ``session_id`` ended."""
    with _registry_lock:
        callbacks = list(_callbacks)
        _seen.discard(session_id)
    for callback in callbacks:
        try:
            callback(session_id)
        except Exception:
            _LOGGER.warning("on_session_end callback %r failed", callback, exc_info=True)


def _track(session_id: str | None) -> None:
    if session_id:
        with _registry_lock:
            _seen.add(session_id)


# --- uploaded files -----------------------------------------------------------------------------


def _session_ids_with_files(file_manager: Any) -> set[str] | None:
    """The session ids holding files, copied under the manager's lock; None if unknown."""
    storage = getattr(file_manager, "file_storage", None)
    if not isinstance(storage, Mapping):
        return None
    lock = getattr(file_manager, "_lock", None)
    if lock is not None and hasattr(lock, "__enter__"):
        with lock:
            return set(storage.keys())
    # No lock to take: copying a dict's keys is one C-level step under the GIL.
    return set(tuple(storage.keys()))


def release_files_of_ended_sessions(
    file_manager: Any,
    live_session_ids: Iterable[str],
    *,
    candidate_session_ids: Iterable[str] | None = None,
) -> int:
    """Remove the uploaded files of every session not in ``live_session_ids``.

    Works on the manager's ``file_storage`` (a ``MemoryUploadedFileManager``), whose keys are
    copied under its lock; files go through its public ``remove_session_files`` so its byte
    and file counts stay right. Streamlit only frees them in ``AppSession.shutdown()``, which
    never runs for a session that expires in the reconnect storage (streamlit issue #12506).

    ``candidate_session_ids``, when given, limits the release to those ids: a caller that
    listed the stored sessions *before* the live ones passes that list, so a session that
    connected and uploaded in between is never taken for an ended one.

    Returns how many sessions had their files released; 0 for a manager without
    ``file_storage`` (another UploadedFileManager implementation).
    """
    held = _session_ids_with_files(file_manager)
    if held is None:
        return 0
    ended = held - set(live_session_ids)
    if candidate_session_ids is not None:
        ended &= set(candidate_session_ids)
    for session_id in sorted(ended):
        file_manager.remove_session_files(session_id)
    return len(ended)


# --- sessions -----------------------------------------------------------------------------------


def _live_session_ids(session_mgr: Any) -> set[str]:
    """Ids of connected sessions and of sessions still kept for a reconnect.

    ``list_sessions()`` is the active sessions followed by ``MemorySessionStorage.list()``,
    which reads the TTLCache's ``values()``: those skip expired entries without reaping them
    (streamlit/runtime/caching/ttl_cache.py), so an expired session is not counted as live.
    The active sessions are read once more afterwards: a session resumed between the two
    reads of ``list_sessions()`` (added to the active map, then deleted from storage) would
    otherwise be missed.
    """
    live = {info.session.id for info in session_mgr.list_sessions()}
    list_active = getattr(session_mgr, "list_active_sessions", None)
    if list_active is not None:
        live |= {info.session.id for info in list_active()}
    return live


def shutdown_expired_sessions(session_mgr: Any) -> list[str]:
    """Reap the expired entries of the reconnect storage and shut each session down.

    Must run on the runtime's event loop (as Streamlit's own ``close_session``). Returns the
    ids of the sessions shut down; [] when the storage is not the TTLCache-backed
    ``MemorySessionStorage`` this knows.
    """
    storage = getattr(session_mgr, "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    entries = getattr(cache, "_data", None)
    if not isinstance(entries, Mapping) or not hasattr(storage, "list"):
        return []
    lock = getattr(session_mgr, "_storage_lock", None) or contextlib.nullcontext()
    with lock:
        waiting = {info.session.id for info in storage.list()}  # unexpired only
        expired = [info for sid, info in list(entries.items()) if sid not in waiting]
        if not expired:
            return []
        reap = getattr(cache, "expire", None)
        if callable(reap):
            reap()
        else:
            len(cache)  # a length query reaps expired entries too
    ended = []
    for info in expired:
        session = info.session
        try:
            session.shutdown()
            _empty(session)
        except Exception:
            _LOGGER.debug("shutdown of expired session %s failed", session.id, exc_info=True)
        ended.append(session.id)
    return ended


def _empty(session: Any) -> None:
    """Drop what an ended session holds, even if something still holds the session.

    Streamlit's runtime loop keeps the last session it flushed messages for in a local
    variable until the next flush (``Runtime._loop_coroutine``): on a server that went idle
    after its learners left, that session (its upload, parsed table, trainer, result) would
    stay. ``shutdown()`` leaves st.session_state as it is; this empties it, and the queue of
    messages never sent.
    """
    state = getattr(session, "_session_state", None)
    if callable(getattr(state, "clear", None)):
        state.clear()
    queue = getattr(session, "_browser_queue", None)
    if callable(getattr(queue, "flush", None)):
        queue.flush()


def _on_event_loop(runtime: Any, fn: Callable[[], Any], timeout: float = EVENT_LOOP_TIMEOUT_S):
    """``fn()`` run on the runtime's event loop, waited for; None if there is no such loop."""
    try:
        loop = runtime._get_async_objs().eventloop
    except Exception:
        return None
    if loop.is_closed():
        return None
    try:
        import asyncio

        if asyncio.get_running_loop() is loop:
            return fn()
    except RuntimeError:
        pass
    done: concurrent.futures.Future = concurrent.futures.Future()

    def call() -> None:
        try:
            done.set_result(fn())
        except BaseException as error:  # handed to the waiting thread
            done.set_exception(error)

    loop.call_soon_threadsafe(call)
    return done.result(timeout=timeout)


def _current_session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def _release_now() -> int:
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return 0
    runtime = Runtime.instance()
    file_manager = runtime.uploaded_file_mgr
    session_mgr = getattr(runtime, "_session_mgr", None)
    if session_mgr is None:  # AppTest's runtime is a mock: no sessions to sweep
        return 0
    # Files and seen sessions first, live sessions second (see release_files_of_ended_sessions).
    candidates = _session_ids_with_files(file_manager) or set()
    with _registry_lock:
        seen = set(_seen)
    live = _live_session_ids(session_mgr)
    current = _current_session_id()
    if current is not None:
        if current not in live:
            # The page calling us belongs to a live session: if the listing misses it, the
            # internal API has changed under us; release nothing rather than a learner's data.
            return 0
        _trust_listing()
    elif not _listing_trusted:
        # The sweeper (no page run): the listing may be empty because everyone left, but
        # only once a page run has seen its own session in it is an empty listing believed.
        return 0
    expired = _on_event_loop(runtime, lambda: shutdown_expired_sessions(session_mgr)) or []
    ended = set(expired) | ((candidates | seen) - live)
    if candidates - live:
        release_files_of_ended_sessions(file_manager, live, candidate_session_ids=candidates)
    for session_id in sorted(ended):
        session_ended(session_id)
    if ended:
        gc.collect()
        from lib.tabular.threads import release_heap

        release_heap()
    return len(ended)


def _sweep_if_due() -> int:
    global _last_run, _warned
    try:
        with _throttle_lock:
            now = _now()
            if _last_run is not None and now - _last_run < MIN_INTERVAL_S:
                return 0
            _last_run = now
        return _release_now()
    except Exception:
        if not _warned:
            _warned = True
            _LOGGER.warning("Could not release ended sessions", exc_info=True)
        else:
            _LOGGER.debug("Could not release ended sessions", exc_info=True)
        return 0


def _sweep_forever() -> None:
    from streamlit.runtime import Runtime, RuntimeState

    while True:
        time.sleep(MIN_INTERVAL_S)
        try:
            if not Runtime.exists() or Runtime.instance().state in (
                RuntimeState.STOPPING,
                RuntimeState.STOPPED,
            ):
                return
        except Exception:
            return
        _sweep_if_due()


def _ensure_sweeper() -> None:
    """Start the daemon sweeper once per process, in a real server (not AppTest's mock)."""
    global _sweeper
    from streamlit.runtime import Runtime

    if _sweeper is not None and _sweeper.is_alive():
        return
    if not Runtime.exists() or type(Runtime.instance()) is not Runtime:
        return
    with _registry_lock:
        if _sweeper is None or not _sweeper.is_alive():
            _sweeper = threading.Thread(
                target=_sweep_forever, name="classlab-session-sweeper", daemon=True
            )
            _sweeper.start()


def release_ended_sessions() -> int:
    """Release what ended sessions held; never raises. Called by every page run.

    Notes this run's session as one to watch, makes sure the sweeper thread runs, and sweeps
    if the last sweep is ``MIN_INTERVAL_S`` old: expired sessions in the reconnect storage
    are shut down, the uploaded files of sessions that are neither connected nor waiting
    for a reconnect are removed, :func:`on_session_end` callbacks are told, and the heap is
    trimmed. Works around streamlit issue #12506. Throttled calls return 0; otherwise
    returns how many sessions were found ended.
    """
    try:
        _track(_current_session_id())
        _ensure_sweeper()
    except Exception:
        _LOGGER.debug("Could not track the session", exc_info=True)
    return _sweep_if_due()
