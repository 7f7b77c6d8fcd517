"""Free the uploaded files of Streamlit sessions that ended without a shutdown.

Why: Streamlit keeps every uploaded file in the runtime's ``MemoryUploadedFileManager``
(``file_storage``: session id -> {file id -> UploadedFileRec}) and frees a session's files
only in ``AppSession.shutdown()``. When a browser tab closes, the session is parked in the
reconnect storage (``MemorySessionStorage``, a TTLCache of 2 minutes); when it expires there,
``shutdown()`` is never called, so its uploaded files stay in memory for the life of the
process (streamlit issue #12506). With a class of students uploading CSVs of up to 50 MB,
memory would grow without bound.

``release_ended_sessions()`` (called from the upload page) drops the files of every session
that is neither connected nor still waiting for a reconnect. It leans on Streamlit internals,
so it is defensive: any failure returns 0 and never reaches the page; it runs at most once
every ``MIN_INTERVAL_S`` seconds per process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

_LOGGER = logging.getLogger(__name__)

MIN_INTERVAL_S = 30.0

# Process-wide throttle (not per-user state): when the last sweep started.
_now = time.monotonic
_throttle_lock = threading.Lock()
_last_run: float | None = None
_warned = False


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


def _live_session_ids(session_mgr: Any) -> set[str]:
    """Ids of connected sessions and of sessions still kept for a reconnect.

    ``list_sessions()`` is the active sessions followed by ``MemorySessionStorage.list()``,
    which reads the TTLCache's ``values()``: those skip expired entries without reaping them
    (streamlit/runtime/caching/ttl_cache.py), so an expired session is not counted as live
    and we need not call ``expire()`` (which would mutate the cache outside the session
    manager's lock). The active sessions are read once more afterwards: a session resumed
    between the two reads of ``list_sessions()`` (added to the active map, then deleted from
    storage) would otherwise be missed.
    """
    live = {info.session.id for info in session_mgr.list_sessions()}
    list_active = getattr(session_mgr, "list_active_sessions", None)
    if list_active is not None:
        live |= {info.session.id for info in list_active()}
    return live


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
    # Files first, sessions second (see release_files_of_ended_sessions).
    candidates = _session_ids_with_files(file_manager)
    if not candidates:
        return 0
    live = _live_session_ids(runtime._session_mgr)
    current = _current_session_id()
    if not live or (current is not None and current not in live):
        # The page calling us belongs to a live session: if the listing misses it, the
        # internal API has changed under us; release nothing rather than a learner's file.
        return 0
    return release_files_of_ended_sessions(file_manager, live, candidate_session_ids=candidates)


def release_ended_sessions() -> int:
    """Free the uploaded files of sessions that ended without a shutdown; never raises.

    Looks up the running ``streamlit.runtime.Runtime``, its ``uploaded_file_mgr`` and its
    session manager's live sessions (connected, or kept for a reconnect), then calls
    ``release_files_of_ended_sessions``. Works around streamlit issue #12506: a session
    that expires in the reconnect storage is never shut down, so its uploads stay in memory.

    These are Streamlit internals, so any error returns 0 (and is logged) instead of
    breaking the upload page. Runs at most once every ``MIN_INTERVAL_S`` seconds per process;
    throttled calls return 0. Returns how many sessions had their files released.
    """
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
            _LOGGER.warning("Could not release ended sessions' uploads", exc_info=True)
        else:
            _LOGGER.debug("Could not release ended sessions' uploads", exc_info=True)
        return 0
