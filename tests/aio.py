"""Run a coroutine to completion from a test, whatever the main thread is doing.

When the whole suite runs, the browser tests' session-scoped Playwright (sync API) keeps an
event loop running in the main thread, and ``asyncio.run`` refuses to start inside a running
loop. A thread of its own has no loop, so the coroutine always gets a fresh one there."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def run_async(make: Callable[[], Awaitable[T]], timeout: float = 600) -> T:
    """``asyncio.run(make())`` in a new thread; returns its result or re-raises its error."""
    result: list[T] = []
    errors: list[BaseException] = []

    def body() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as error:  # re-raised in the test's own thread below
            errors.append(error)

    worker = threading.Thread(target=body, name="test-asyncio", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"the scenario did not finish in {timeout} s")
    if errors:
        raise errors[0]
    return result[0]
