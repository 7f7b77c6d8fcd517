"""A Streamlit browser tab at the protocol level: one websocket, BackMsgs out, ForwardMsgs in.

Used by ``python -m bench class`` (many of these in one event loop) and by its test. It does
what the browser's frontend (streamlit/static, App.tsx / WidgetStateManager / ForwardMsgCache)
does on the wire, and nothing a learner's screen would not cause:

* connect to ``ws://host/_stcore/stream`` with the subprotocol list ``["streamlit"]`` (the
  browser adds the XSRF token and a session id to reconnect; neither is needed for a new
  session, and the token only unlocks auth cookies), with the browser's permessage-deflate;
* first run: ``rerun_script`` with ``page_name`` = the URL path ("Decision_Threshold") and the
  query string; afterwards ``page_script_hash`` from ``navigation``, the query string as the
  server last set it (``page_info_changed``: widgets bound to the URL rewrite it), and the
  hashes of the cacheable messages it keeps (``ref_hash`` messages are resolved from them);
* a widget change is ``rerun_script`` with the widget's state, and ``fragment_id`` when the
  widget sits in a fragment; a button is a ``trigger_value`` sent once;
* ``auto_rerun`` (a fragment with ``run_every``) starts a fixed-rate timer that sends
  ``rerun_script`` with that ``fragment_id`` and ``is_auto_rerun`` whether or not the previous
  tick has finished (the browser's ``setInterval``); a full run's ``new_session`` clears the
  timers and the run re-announces the ones it still wants; ``stop_auto_rerun`` clears them.

One difference, on purpose: the browser sends the state of *every* widget it has mounted on
each rerun; this client sends the widgets it has changed itself. The server keeps the others
from their last run (SessionState._old_state), so the script sees the same values; only the
BackMsg is shorter.

Nothing here imports ClassLab's ``lib``: pages are found by URL name, widgets by their user key
(Streamlit's element ids end in ``-<key>``) or label.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# Element types that carry text a learner reads: used to tell two renderings apart.
TEXT_FIELDS = {
    "markdown": "body",
    "heading": "body",
    "code": "code_text",
    "alert": "body",
    "text": "body",
}
WIDGET_KINDS = ("slider", "number_input", "selectbox", "radio", "checkbox", "button")
SUCCESS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
MAIN, SIDEBAR = 0, 1  # the first index of a delta path: which root container


@dataclass
class Widget:
    id: str
    kind: str  # the element's type in the proto: "slider", "number_input", …
    proto: object  # that element's message (min, max, step, options, value …)
    fragment_id: str  # "" outside fragments
    path: tuple[int, ...]

    @property
    def key(self) -> str | None:
        """The user key: Streamlit ids are ``$$ID-<hash>-<user_key>`` (``-None`` without)."""
        parts = self.id.split("-", 2)
        return parts[2] if len(parts) == 3 and parts[2] != "None" else None

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")

    @property
    def in_main(self) -> bool:
        return bool(self.path) and self.path[0] == MAIN


@dataclass
class Run:
    """One script or fragment run as the client saw it, new_session to script_finished."""

    run_id: str
    fragment_ids: tuple[str, ...]
    started: float  # when its new_session arrived (time.perf_counter())
    finished: float = 0.0
    status: int = -1
    deltas: int = 0
    texts: dict[tuple[int, ...], str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)  # label → shown value

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS

    def content(self) -> str:
        """What a learner reads on the page after this run (text and metric values)."""
        lines = [self.texts[p] for p in sorted(self.texts)]
        lines += [f"{label}: {value}" for label, value in self.metrics.items()]
        return "\n".join(lines)


@dataclass
class Pending:
    """A widget change waiting for its answer: the first successful run that began after
    it was sent (a run that began earlier cannot contain it; an interrupted one,
    FINISHED_EARLY_FOR_RERUN, does not answer it)."""

    sent: float
    done: asyncio.Future
    latency: float | None = None
    run: Run | None = None  # the run that answered


class Session:
    """One browser tab on one page. ``await open()``, then change widgets, then ``close()``."""

    def __init__(self, url: str, page: str, query: str = "", follow_timers: bool = False):
        self.ws_url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.origin = url.rstrip("/")
        self.page = page  # URL path of the page, e.g. "Decision_Threshold"; "" = home
        self.query = query
        self.follow_timers = follow_timers  # act on auto_rerun like the browser
        self.page_script_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, WidgetState] = {}  # what this tab has set, resent each rerun
        self.runs: list[Run] = []  # finished runs, in order
        self.current: Run | None = None
        self.exceptions: list[str] = []  # exceptions the page showed
        self.dropped: str | None = None  # why the websocket closed under us, if it did
        self.on_finished: list[Callable[[Run], None]] = []
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._pending: list[Pending] = []
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._cache: dict[str, tuple[bytes, int]] = {}  # hash → (message, last run used)
        self._full_runs = 0
        self._max_cache_age = 2
        self._closing = False

    # -- connection ------------------------------------------------------------------------

    async def connect(self, timeout: float = 60) -> None:
        self._ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            origin=self.origin,
            max_size=None,
            open_timeout=timeout,
            ping_interval=None,  # browsers send no pings: no client-side timeout drops
            proxy=None,  # loopback only, whatever the environment says
        )
        self._reader = asyncio.create_task(self._read())

    async def open(self, timeout: float = 120) -> Run:
        """Connect and load the page as a browser does; returns the first finished run."""
        await self.connect(timeout)
        waiter = self._expect_run()
        self._send_rerun(page_name=self.page)
        return await self._wait(waiter, timeout)

    async def close(self) -> None:
        self._closing = True
        self.stop_timers()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 10)
            except (TimeoutError, asyncio.CancelledError):
                self._reader.cancel()

    # -- what the learner does -------------------------------------------------------------

    def widget(self, key: str | None = None, label: str | None = None) -> Widget | None:
        for w in self.widgets.values():
            if (key is not None and w.key == key) or (label is not None and w.label == label):
                return w
        return None

    def change(self, widget: Widget, value) -> Pending:
        """Set a widget as the learner would and send the rerun; returns the pending answer
        (``await pending.done`` → latency in seconds, or an exception)."""
        state = widget_state(widget, value)
        trigger = widget.kind == "button"
        if not trigger:
            self.values[widget.id] = state
        pending = Pending(time.perf_counter(), asyncio.get_running_loop().create_future())
        if self.dropped:  # nothing can answer it any more
            pending.done.set_exception(ConnectionError(self.dropped))
            return pending
        self._pending.append(pending)
        self._send_rerun(fragment_id=widget.fragment_id, extra=[state] if trigger else [])
        return pending

    async def change_and_wait(self, widget: Widget, value, timeout: float = 60) -> Run:
        pending = self.change(widget, value)
        await asyncio.wait_for(pending.done, timeout)
        return pending.run

    def click(self, button: Widget) -> Pending:
        return self.change(button, True)

    # -- the wire ----------------------------------------------------------------------------

    def _send_rerun(
        self, page_name: str = "", fragment_id: str = "", auto: bool = False, extra=()
    ) -> None:
        if self._ws is None or self.dropped or self._closing:
            return
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        if self.page_script_hash:
            rerun.page_script_hash = self.page_script_hash
        else:
            rerun.page_name = page_name or self.page
        if fragment_id:
            rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = auto
        rerun.widget_states.widgets.extend([*self.values.values(), *extra])
        rerun.cached_message_hashes.extend(self._cache)
        asyncio.get_running_loop().create_task(self._send(msg.SerializeToString()))

    async def _send(self, data: bytes) -> None:
        try:
            await self._ws.send(data)
        except websockets.ConnectionClosed as error:
            if not self._closing:  # a tick queued just before our own close() is no drop
                self._drop(f"send: {error}")

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self._handle(raw, time.perf_counter())
        except websockets.ConnectionClosed as error:
            if not self._closing:
                self._drop(f"closed: {error}")
        else:
            if not self._closing:
                self._drop("closed by the server")

    def _drop(self, why: str) -> None:
        if self.dropped is None:
            self.dropped = why
        self.stop_timers()
        for p in self._pending:
            if not p.done.done():
                p.done.set_exception(ConnectionError(why))
        self._pending.clear()

    def _handle(self, raw: bytes, now: float) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # a message this tab already has: the browser replays it
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.exceptions.append(f"cached ForwardMsg miss {msg.ref_hash}")
                return
            self._cache[msg.ref_hash] = (cached[0], self._full_runs)
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(cached[0])
            msg.metadata.CopyFrom(metadata)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (raw, self._full_runs)
        if kind == "new_session":
            self._new_session(msg, now)
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            self._finished(msg.script_finished, now)
        elif kind == "navigation":  # names the page that ran (new_session names app.py)
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun" and self.follow_timers:
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)
        elif kind == "session_event":
            event = msg.session_event
            if event.WhichOneof("type") == "script_compilation_exception":
                self.exceptions.append(f"compile: {event.script_compilation_exception.message}")
        elif kind == "page_not_found":
            self.exceptions.append(f"page not found: {msg.page_not_found.page_name}")

    def _new_session(self, msg: ForwardMsg, now: float) -> None:
        info = msg.new_session
        if info.config.max_cached_message_age:
            self._max_cache_age = info.config.max_cached_message_age
        fragments = tuple(msg.metadata.run.fragment_ids)
        if not fragments:  # a full run: the browser drops its timers; the run re-adds them
            self.stop_timers()
        self.current = Run(msg.metadata.run.script_run_id, fragments, now)

    def _delta(self, msg: ForwardMsg) -> None:
        run = self.current
        if run is not None:
            run.deltas += 1
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        path = tuple(msg.metadata.delta_path)
        if kind == "exception":
            self.exceptions.append(f"{proto.type}: {proto.message}")
        elif kind in WIDGET_KINDS and proto.id:
            self.widgets[proto.id] = Widget(proto.id, kind, proto, delta.fragment_id, path)
        elif run is not None and kind == "metric":
            run.metrics[proto.label] = proto.body
        elif run is not None and kind in TEXT_FIELDS:
            run.texts[path] = getattr(proto, TEXT_FIELDS[kind])

    def _finished(self, status: int, now: float) -> None:
        run = self.current or Run("", (), now)
        self.current = None
        run.finished, run.status = now, status
        self.runs.append(run)
        if not run.fragment_ids:
            self._full_runs += 1
            self._prune_cache()
        if run.ok:
            still = []
            for p in self._pending:
                if p.sent < run.started:
                    p.latency, p.run = now - p.sent, run
                    if not p.done.done():
                        p.done.set_result(p.latency)
                else:
                    still.append(p)
            self._pending = still
        for callback in self.on_finished:
            callback(run)

    def _prune_cache(self) -> None:
        # The browser forgets cached messages not used in the last few full runs.
        oldest = self._full_runs - self._max_cache_age
        for h in [h for h, (_, used) in self._cache.items() if used < oldest]:
            del self._cache[h]

    def _expect_run(self) -> Pending:
        # Any run that starts from now on answers the first load.
        pending = Pending(time.perf_counter(), asyncio.get_running_loop().create_future())
        self._pending.append(pending)
        return pending

    async def _wait(self, pending: Pending, timeout: float) -> Run:
        await asyncio.wait_for(pending.done, timeout)
        return pending.run

    # -- fragment timers, as the browser's setInterval ---------------------------------------

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        known = self._timers.get(fragment_id)
        if known is not None and known[0] == interval:
            return  # same interval: the browser keeps the running timer
        self._stop_timer(fragment_id)
        task = asyncio.get_running_loop().create_task(self._tick(fragment_id, interval))
        self._timers[fragment_id] = (interval, task)

    async def _tick(self, fragment_id: str, interval: float) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + interval
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            self._send_rerun(fragment_id=fragment_id, auto=True)
            # setInterval does not catch up on ticks it missed while the page was busy
            due = max(due + interval, loop.time())

    def _stop_timer(self, fragment_id: str) -> None:
        known = self._timers.pop(fragment_id, None)
        if known is not None:
            known[1].cancel()

    def stop_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)

    @property
    def timers(self) -> dict[str, float]:
        return {fid: interval for fid, (interval, _) in self._timers.items()}


# -- widget values -------------------------------------------------------------------------


def widget_state(widget: Widget, value) -> WidgetState:
    """The WidgetState the frontend sends for ``value`` (see each widget's serde in
    streamlit/elements/widgets: the value_type it registers)."""
    state = WidgetState(id=widget.id)
    p = widget.proto
    if widget.kind == "button":
        state.trigger_value = True
    elif widget.kind == "slider" and list(p.options):  # select_slider: formatted options
        state.string_array_value.data.extend([str(value)])
    elif widget.kind == "slider":
        state.double_array_value.data.extend([float(value)])
    elif widget.kind == "number_input":
        if p.data_type == type(p).INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif widget.kind in ("selectbox", "radio"):
        state.string_value = str(value)
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    else:
        raise ValueError(f"no encoding for a {widget.kind}")
    return state


def current_value(widget: Widget):
    """The value the page shows for a slider or number input (URL-set or default)."""
    p = widget.proto
    if widget.kind == "slider" and list(p.options):
        if p.raw_value:
            return p.raw_value[0] if not isinstance(p.raw_value, str) else p.raw_value
        return p.options[int(p.default[0])]
    if widget.kind == "slider":
        return (list(p.value) if p.set_value else list(p.default))[0]
    if widget.kind == "number_input":
        return p.value if p.set_value else p.default
    if widget.kind in ("selectbox", "radio"):  # the option's text, as the frontend sends it
        if getattr(p, "raw_value", ""):
            return p.raw_value
        return p.options[p.default] if list(p.options) else None
    if widget.kind == "checkbox":  # st.checkbox and st.toggle
        return p.value if p.set_value else p.default
    raise ValueError(f"no value for a {widget.kind}")


def random_value(widget: Widget, rng: random.Random, current=None):
    """A different value a learner could pick: a slider or number input value, another
    option of a select box or radio, the other state of a checkbox or toggle."""
    p = widget.proto
    if widget.kind in ("selectbox", "radio"):
        choices = [o for o in p.options if o != current] or list(p.options)
        return rng.choice(choices)
    if widget.kind == "checkbox":
        return not current
    if widget.kind == "slider" and list(p.options):
        choices = [o for o in p.options if o != current] or list(p.options)
        return rng.choice(choices)
    if widget.kind == "slider":
        lo, hi, step = p.min, p.max, p.step or 1
    elif widget.kind == "number_input":
        step = p.step or 1
        lo = p.min if p.has_min else (current or 0) - 20 * step
        hi = p.max if p.has_max else (current or 0) + 20 * step
        # A learner types a nearby value, not one at the end of a ±1000 range.
        if current is not None:
            lo, hi = max(lo, current - 20 * step), min(hi, current + 20 * step)
    else:
        raise ValueError(f"no random value for a {widget.kind}")
    n = int(round((hi - lo) / step))
    for _ in range(10):
        value = round(lo + rng.randint(0, n) * step, 10)
        if value != current:
            break
    is_int = p.data_type == type(p).INT
    return int(value) if is_int else value
