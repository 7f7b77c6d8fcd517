"""What ended sessions held is released (#17.2; workaround for streamlit issue #12506).

A closed tab's session expires from the reconnect storage without a shutdown: its uploaded
files, its AppSession (and st.session_state), and whatever module-level state is keyed by it
would stay for the life of the process.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.caching.ttl_cache import TTLCache
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from lib.ui import upload_release
from lib.ui.upload_release import (
    on_session_end,
    release_ended_sessions,
    release_files_of_ended_sessions,
)
from tests.aio import run_async


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch):
    monkeypatch.setattr(upload_release, "_last_run", None)
    monkeypatch.setattr(upload_release, "_warned", False)
    monkeypatch.setattr(upload_release, "_seen", set())
    monkeypatch.setattr(upload_release, "_callbacks", [])
    monkeypatch.setattr(upload_release, "_listing_trusted", False)


def rec(file_id: str, size: int) -> UploadedFileRec:
    return UploadedFileRec(
        file_id=file_id, name=f"{file_id}.csv", type="text/csv", data=b"x" * size
    )


def stored_bytes(manager: MemoryUploadedFileManager) -> int:
    """Total bytes as the manager reports them in its public stats (0 when it tracks none)."""
    stats = manager.get_stats()
    return sum(stat.byte_length for family in stats.values() for stat in family)


def manager_with(files: dict[str, dict[str, int]]) -> MemoryUploadedFileManager:
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    for session_id, sizes in files.items():
        for file_id, size in sizes.items():
            manager.add_file(session_id, rec(file_id, size))
    return manager


# --- the pure function ------------------------------------------------------------------------


def test_files_of_sessions_not_live_are_released():
    manager = manager_with(
        {"live": {"a": 100, "b": 20}, "gone-1": {"c": 1_000}, "gone-2": {"d": 7, "e": 3}}
    )
    assert stored_bytes(manager) == 1_130

    assert release_files_of_ended_sessions(manager, ["live", "not-holding-files"]) == 2

    assert manager.get_files("gone-1", ["c"]) == []
    assert manager.get_files("gone-2", ["d", "e"]) == []
    assert [f.file_id for f in manager.get_files("live", ["a", "b"])] == ["a", "b"]
    assert set(manager.file_storage) == {"live"}
    # The byte and file accounting follow: only the live session's 120 bytes remain ...
    assert stored_bytes(manager) == 120
    # ... and once those go too, the manager tracks no file at all (file count back to 0).
    assert release_files_of_ended_sessions(manager, []) == 1
    assert manager.get_stats() == {}
    assert release_files_of_ended_sessions(manager, []) == 0


def test_candidates_limit_what_is_released():
    manager = manager_with({"old": {"a": 1}, "new": {"b": 2}})
    # "new" connected and uploaded after the caller listed the stored sessions: kept.
    assert release_files_of_ended_sessions(manager, [], candidate_session_ids=["old"]) == 1
    assert set(manager.file_storage) == {"new"}
    assert stored_bytes(manager) == 2


def test_keys_are_read_under_the_managers_lock():
    manager = manager_with({"gone": {"a": 1}})
    seen = []

    class SpyLock:
        def __enter__(self):
            seen.append("enter")

        def __exit__(self, *exc):
            seen.append("exit")

    real_lock = manager._lock
    manager._lock = SpyLock()
    manager.remove_session_files = lambda session_id: seen.append(session_id)
    assert release_files_of_ended_sessions(manager, []) == 1
    # Keys copied under the lock, released after it (the lock is not reentrant).
    assert seen == ["enter", "exit", "gone"]
    manager._lock = real_lock


def test_a_manager_without_file_storage_releases_nothing():
    removed = []
    manager = SimpleNamespace(remove_session_files=removed.append)
    assert release_files_of_ended_sessions(manager, ["a"]) == 0
    assert removed == []


# --- the wrapper, against a small fake runtime ------------------------------------------------


def fake_runtime(manager, live_ids):
    infos = [SimpleNamespace(session=SimpleNamespace(id=i)) for i in live_ids]
    session_mgr = SimpleNamespace(list_sessions=lambda: list(infos))
    return SimpleNamespace(uploaded_file_mgr=manager, _session_mgr=session_mgr)


@pytest.fixture
def clock(monkeypatch):
    now = [1_000.0]
    monkeypatch.setattr(upload_release, "_now", lambda: now[0])
    return now


def use_runtime(monkeypatch, runtime, trusted: bool = True):
    monkeypatch.setattr(Runtime, "exists", lambda: True)
    monkeypatch.setattr(Runtime, "instance", lambda: runtime)
    # As after a page run that found its own session listed (see the test of that below).
    monkeypatch.setattr(upload_release, "_listing_trusted", trusted)


def test_wrapper_releases_through_the_running_runtime(monkeypatch, clock):
    manager = manager_with({"me": {"a": 5}, "gone": {"b": 9}})
    use_runtime(monkeypatch, fake_runtime(manager, ["me", "reconnecting"]))
    assert release_ended_sessions() == 1
    assert set(manager.file_storage) == {"me"}
    assert stored_bytes(manager) == 5


def test_wrapper_is_throttled_to_once_every_30_seconds(monkeypatch, clock):
    manager = manager_with({"me": {"a": 5}, "gone-1": {"b": 9}})
    use_runtime(monkeypatch, fake_runtime(manager, ["me"]))
    assert release_ended_sessions() == 1

    manager.add_file("gone-2", rec("c", 4))
    clock[0] += 29.0
    assert release_ended_sessions() == 0
    assert set(manager.file_storage) == {"me", "gone-2"}

    clock[0] += 1.5
    assert release_ended_sessions() == 1
    assert set(manager.file_storage) == {"me"}


def test_wrapper_returns_0_when_the_runtime_raises(monkeypatch, clock):
    def broken():
        raise RuntimeError("Runtime hasn't been created!")

    monkeypatch.setattr(Runtime, "exists", lambda: True)
    monkeypatch.setattr(Runtime, "instance", broken)
    assert release_ended_sessions() == 0

    # A changed internal API (list_sessions gone, odd objects) is no different.
    manager = manager_with({"gone": {"a": 1}})
    clock[0] += 60
    use_runtime(monkeypatch, SimpleNamespace(uploaded_file_mgr=manager, _session_mgr=object()))
    assert release_ended_sessions() == 0
    clock[0] += 60
    use_runtime(monkeypatch, fake_runtime(manager, [None]))
    monkeypatch.setattr(
        upload_release,
        "_live_session_ids",
        lambda session_mgr: {info.nope for info in session_mgr.list_sessions()},
    )
    assert release_ended_sessions() == 0
    assert set(manager.file_storage) == {"gone"}


def test_wrapper_without_a_runtime_returns_0(monkeypatch, clock):
    monkeypatch.setattr(Runtime, "exists", lambda: False)
    monkeypatch.setattr(Runtime, "instance", lambda: pytest.fail("instance() without a runtime"))
    assert release_ended_sessions() == 0


def test_wrapper_releases_nothing_if_the_calling_session_is_not_listed(monkeypatch, clock):
    # A listing that misses the page's own session means the internal API changed under us.
    manager = manager_with({"me": {"a": 5}, "other": {"b": 9}})
    use_runtime(monkeypatch, fake_runtime(manager, ["other"]))
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: "me")
    assert release_ended_sessions() == 0
    assert set(manager.file_storage) == {"me", "other"}


def test_wrapper_releases_nothing_when_no_session_is_listed(monkeypatch, clock):
    # Before any page run has found itself listed, an empty listing is not believed.
    manager = manager_with({"a": {"a": 5}})
    use_runtime(monkeypatch, fake_runtime(manager, []), trusted=False)
    assert release_ended_sessions() == 0
    assert set(manager.file_storage) == {"a"}


# --- the wrapper, against a real Streamlit Runtime --------------------------------------------


def test_real_runtime_session_expired_in_reconnect_storage_loses_its_files(
    tmp_path, clock, monkeypatch
):
    """The leak itself: an expired disconnected session is never shut down, its files stay."""
    monkeypatch.setattr(upload_release, "_listing_trusted", True)  # a page run has been
    script = tmp_path / "app.py"
    script.write_text("import streamlit as st\nst.write('hi')\n")
    storage_time = [0.0]
    storage = MemorySessionStorage()
    storage._cache = TTLCache(maxsize=128, ttl=120, timer=lambda: storage_time[0])
    manager = MemoryUploadedFileManager("/_stcore/upload_file")

    async def scenario():
        runtime = Runtime(
            RuntimeConfig(
                script_path=str(script),
                media_file_storage=MemoryMediaFileStorage("/media"),
                uploaded_file_manager=manager,
                session_storage=storage,
            )
        )
        try:
            await runtime.start()
            active, parked, expired = (
                runtime.connect_session(client=MagicMock(), user_info={"email": "s@x"})
                for _ in range(3)
            )
            for session_id in (active, parked, expired):
                manager.add_file(session_id, rec("f", 10))
            runtime.disconnect_session(expired)
            storage_time[0] += 100
            runtime.disconnect_session(parked)
            storage_time[0] += 30  # "expired" has been parked 130 s > 120 s: gone for good

            assert runtime.is_active_session(active)
            assert {i.session.id for i in runtime._session_mgr.list_sessions()} == {active, parked}
            assert set(manager.file_storage) == {active, parked, expired}  # the leak

            released = release_ended_sessions()

            assert released == 1
            assert set(manager.file_storage) == {active, parked}
            assert stored_bytes(manager) == 20
            # "parked" can still reconnect and finds its file.
            assert (
                runtime.connect_session(
                    client=MagicMock(), user_info={"email": "s@x"}, existing_session_id=parked
                )
                == parked
            )
            assert [f.file_id for f in manager.get_files(parked, ["f"])] == ["f"]
        finally:
            runtime.stop()
            await runtime.stopped
            Runtime._instance = None

    run_async(scenario, timeout=120)


# --- session end → release: the registry ------------------------------------------------------


def test_callbacks_hear_of_each_ended_session_once(monkeypatch, clock):
    heard, also = [], []
    on_session_end(heard.append)
    on_session_end(heard.append)  # registered once

    @on_session_end
    def broken(session_id):
        raise ValueError("a bad callback does not stop the others")

    on_session_end(also.append)
    manager = manager_with({"me": {"a": 5}, "gone": {"b": 9}})
    use_runtime(monkeypatch, fake_runtime(manager, ["me", "parked"]))
    # A session seen by a page run that ended without holding a file is told too.
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: "left-early")
    upload_release._track("left-early")
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: "me")
    assert release_ended_sessions() == 2
    assert heard == also == ["gone", "left-early"]
    # Each ended session is told once: the next sweep finds nothing new.
    clock[0] += 60
    assert release_ended_sessions() == 0
    assert heard == ["gone", "left-early"]


def test_the_page_runs_session_is_watched(monkeypatch, clock):
    manager = manager_with({})
    use_runtime(monkeypatch, fake_runtime(manager, ["me"]))
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: "me")
    heard = []
    on_session_end(heard.append)
    release_ended_sessions()
    assert upload_release._seen == {"me"}
    clock[0] += 60
    use_runtime(monkeypatch, fake_runtime(manager, ["someone else"]))
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: None)  # the sweeper
    assert release_ended_sessions() == 1
    assert heard == ["me"] and upload_release._seen == set()


def test_ended_sessions_trim_the_heap(monkeypatch, clock):
    trims = []
    monkeypatch.setattr("lib.tabular.threads.release_heap", lambda: trims.append(1))
    manager = manager_with({"me": {"a": 1}, "gone": {"b": 1}})
    use_runtime(monkeypatch, fake_runtime(manager, ["me"]))
    assert release_ended_sessions() == 1 and trims == [1]
    clock[0] += 60
    assert release_ended_sessions() == 0 and trims == [1]  # nothing ended: no trim


def test_expired_sessions_are_shut_down_and_freed(tmp_path, clock, monkeypatch):
    """The AppSession of an expired session (and so its st.session_state) is let go."""
    monkeypatch.setattr(upload_release, "_listing_trusted", True)  # a page run has been
    script = tmp_path / "app.py"
    script.write_text("import streamlit as st\nst.write('hi')\n")
    storage_time = [0.0]
    storage = MemorySessionStorage()
    storage._cache = TTLCache(maxsize=128, ttl=120, timer=lambda: storage_time[0])
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    heard: list[str] = []
    on_session_end(heard.append)
    shutdowns: list[str] = []
    real_shutdown = AppSession.shutdown

    def spy(self):
        shutdowns.append(self.id)
        real_shutdown(self)

    monkeypatch.setattr(AppSession, "shutdown", spy)

    async def scenario():
        runtime = Runtime(
            RuntimeConfig(
                script_path=str(script),
                media_file_storage=MemoryMediaFileStorage("/media"),
                uploaded_file_manager=manager,
                session_storage=storage,
            )
        )
        try:
            await runtime.start()
            kept, expired = (
                runtime.connect_session(client=MagicMock(), user_info={"email": "s@x"})
                for _ in range(2)
            )
            session = runtime._session_mgr.get_session_info(expired).session
            learner_data = LearnerData()  # what a page keeps in st.session_state
            session.session_state["lab_trainer"] = learner_data
            learner_data = weakref.ref(learner_data)
            manager.add_file(expired, rec("f", 10))
            runtime.disconnect_session(expired)
            storage_time[0] += 100
            runtime.disconnect_session(kept)  # parked, not expired
            storage_time[0] += 30  # "expired" was parked 130 s ago
            # Streamlit's runtime loop keeps the last session it served in a local variable
            # until it serves another: the learner's state must go even so.
            held_by_the_runtime_loop = session
            del session
            assert expired in storage._cache._data  # the expired entry still held (the leak)

            assert release_ended_sessions() == 1

            assert shutdowns == [expired]
            assert heard == [expired]
            assert expired not in storage._cache._data
            assert kept in storage._cache._data
            assert set(manager.file_storage) == set()
            await asyncio.sleep(0.2)  # the shutdown's own callbacks on the event loop
            gc.collect()
            assert learner_data() is None  # nothing holds the learner's state any more
            assert held_by_the_runtime_loop.id == expired
            assert (
                runtime.connect_session(
                    client=MagicMock(), user_info={"email": "s@x"}, existing_session_id=kept
                )
                == kept
            )
        finally:
            runtime.stop()
            await runtime.stopped
            Runtime._instance = None

    run_async(scenario, timeout=120)


class LearnerData:
    pass


def test_apptests_mock_runtime_is_left_alone(monkeypatch, clock, caplog):
    """Under AppTest the runtime is a Mock without sessions: nothing to do, nothing logged."""
    from unittest.mock import Mock

    use_runtime(monkeypatch, Mock(spec=["uploaded_file_mgr"]))
    assert release_ended_sessions() == 0
    assert "Could not release" not in caplog.text


def test_the_sweeper_believes_an_empty_listing_only_after_a_page_run(monkeypatch, clock):
    """Everyone has left: the listing is empty and that is true. Before any page run has seen
    its own session in the listing, an empty one may as well mean a changed internal API."""
    manager = manager_with({"gone": {"a": 5}})
    use_runtime(monkeypatch, fake_runtime(manager, []), trusted=False)
    assert release_ended_sessions() == 0  # the sweeper, untrusted: nothing released
    assert set(manager.file_storage) == {"gone"}
    clock[0] += 60
    use_runtime(monkeypatch, fake_runtime(manager, ["me"]), trusted=False)
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: "me")
    assert release_ended_sessions() == 1  # a page run: "me" is listed, so the listing is
    manager.add_file("me", rec("b", 1))
    clock[0] += 60
    monkeypatch.setattr(upload_release, "_current_session_id", lambda: None)
    monkeypatch.setattr(Runtime, "instance", lambda: fake_runtime(manager, []))
    assert release_ended_sessions() == 1  # the sweeper, after everyone left
    assert set(manager.file_storage) == set()
