"""The link's values, checked against the schema before any widget reads them (issue #17.3).

A widget bound to the link (``bind="query-params"``) takes its first value from the URL.
Streamlit 1.67 checks some of those values itself, silently, and not all: an integer
``number_input`` does ``int(float("inf"))`` first, so ``/?dataset=Moons&data_seed=inf``
raised ``OverflowError`` in the script (an exception box, and the sidebar gone), as did
``1e400`` and ``-inf`` for every seed. :func:`sanitize_query` runs first on every page
(``lib.ui.widgets.page_header``, and ``dataset_picker`` for ``app.py``): each of the link's
keys that ``lib.ui.state`` declares is checked against its type, range and choices; a value
that does not fit is clamped (a number out of range) or dropped (the widget then shows its
default), the address bar is corrected, and one short note says what was changed. Never an
exception: a link is outside input.

:func:`check` is the rule, pure and testable; :func:`sanitize_query` applies it to the
running session's query parameters.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata

import streamlit as st

from lib.text import md_literal
from lib.ui.state import SCHEMA, Key

_LOGGER = logging.getLogger(__name__)
# Plain ASCII numbers only: Python's float() also takes "１２", "٣" and "1_000", which no
# widget writes into a link.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z", re.ASCII)
_SHOWN = 40  # characters of a bad value quoted in a note
_warned = False


def _spelt(value: float, kind: type) -> str:
    """A number as a link spells it: "5", "0.25" (Streamlit writes 5.0 as "5")."""
    if kind is int or (math.isfinite(value) and value == int(value)):
        return str(int(value))
    return repr(float(value))


def _quoted(raw: str) -> str:
    return f"({md_literal(raw, _SHOWN)})" if raw else "(empty)"


def _default(key: Key) -> str:
    """The widget's default, in words (ClassLab's own text: no escaping needed)."""
    if key.default is None:
        return "the default"
    if isinstance(key.default, bool):
        return "on" if key.default else "off"
    if isinstance(key.default, float):
        return _spelt(key.default, float)
    return str(key.default) if key.default != "" else "an empty box"


def _strip_controls(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def check(key: Key, values: list[str]) -> tuple[str | None, list[str]]:
    """The value to keep in the link for ``key`` (None: drop it) and what was changed.

    ``values`` are the link's values for the key (several when it is repeated). No notes
    means the link is fine as it is.

    >>> check(SCHEMA["data_seed"], ["inf"])
    (None, ["The link's value for `data_seed` (inf) is not a finite number; using 0."])
    >>> check(SCHEMA["points"], ["10000000"])
    ('2000', ["The link's value for `points` (10000000) is above the largest, 2000; using 2000."])
    >>> check(SCHEMA["thr"], ["0.3"])
    ('0.3', [])
    """
    notes = []
    name = f"`{key.name}`"
    if not values:
        values = [""]
    if len(values) > 1:
        notes.append(f"The link gives {name} {len(values)} times; using the last one.")
    raw = values[-1]
    kept: str | None = raw

    def drop(why: str) -> tuple[None, list[str]]:
        notes.append(f"The link's value for {name} {_quoted(raw)} {why}; using {_default(key)}.")
        return None, notes

    choices = key.allowed()
    if choices is not None:
        if raw not in choices:
            return drop("is not one of the choices")
    elif key.type is bool:
        if raw.lower() not in ("true", "false"):
            return drop("is not true or false")
    elif key.type in (int, float):
        try:
            number = float(raw)
        except ValueError:
            number = None
        if number is not None and not math.isfinite(number):  # inf, -inf, nan, 1e400
            return drop("is not a finite number")
        if number is None or not _NUMBER.match(raw):
            return drop("is not a number")
        if key.type is int and number != int(number):
            return drop("is not a whole number")
        bound = None
        if key.min is not None and number < key.min:
            bound, side = key.min, "below the smallest"
        elif key.max is not None and number > key.max:
            bound, side = key.max, "above the largest"
        if bound is not None:
            kept = _spelt(bound, key.type)
            notes.append(
                f"The link's value for {name} {_quoted(raw)} is {side}, {kept}; using {kept}."
            )
    else:  # free text: a text box, or a choice the page computes (class and column names)
        cleaned = _strip_controls(raw)
        if cleaned != raw:
            notes.append(f"The link's text for {name} had control characters; they were removed.")
        limit = int(key.max) if key.max else None
        if limit is not None and len(cleaned) > limit:
            cleaned = cleaned[:limit]
            notes.append(f"The link's text for {name} was cut to {limit} characters.")
        kept = cleaned
    return kept, notes


def _apply(qp) -> list[str]:
    """Check the query parameters of one session (Streamlit's ``QueryParams``) in place.

    Widgets seed from ``_initial_query_params`` (the URL this run started with) and the
    address bar follows ``_query_params``; both are corrected, then the browser is told.
    """
    initial: dict[str, list[str]] = qp._initial_query_params
    current: dict[str, str | list[str]] = qp._query_params
    notes: list[str] = []
    for name in sorted(set(initial) | set(current)):
        key = SCHEMA.get(name)
        if key is None or key.kind != "url":
            continue
        raw = initial.get(name)
        if raw is None:
            raw = current[name]
        raw = [raw] if isinstance(raw, str) else list(raw)
        kept, found = check(key, raw)
        if not found:
            continue
        notes += found
        if kept is None:
            initial.pop(name, None)
            current.pop(name, None)
        else:
            initial[name] = [kept]
            current[name] = kept
    if notes:
        qp._send_query_param_msg()
    return notes


def sanitize_query() -> list[str]:
    """Check this run's link against ``lib.ui.state`` before any widget reads it.

    Values that do not fit are clamped or dropped, the address bar is corrected, and one
    toast lists what changed. Returns the notes (empty when the link was fine). Never
    raises: if Streamlit's internals moved, it logs once and leaves the link alone.
    """
    global _warned
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        if ctx is None:
            return []
        with ctx.session_state.query_params() as qp:
            notes = _apply(qp)
    except Exception:
        if not _warned:
            _warned = True
            _LOGGER.warning("Could not check the link's query parameters", exc_info=True)
        return []
    if notes:
        shown = notes[:6]
        if len(notes) > len(shown):
            shown.append(f"… and {len(notes) - len(shown)} more of the link's values.")
        st.toast("\n\n".join(shown), icon="🔗")
    return notes
