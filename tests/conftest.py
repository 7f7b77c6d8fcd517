"""Shared fixtures: AppTest through app.py + switch_page, as a learner navigates."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def open_page(page: str | None = None, query: dict | None = None, timeout: float = 60):
    """Run app.py, then switch to ``page`` (a path like "pages/2_Sigmoid.py") and run it.

    ``query`` sets URL query parameters before the first run, as a shared link would.
    """
    from streamlit.testing.v1 import AppTest

    if query:
        # A shared link: the browser runs that page's script directly with the URL's query
        # (app.py only runs for the home page), so do exactly that.
        at = AppTest.from_file(str(ROOT / (page or "app.py")), default_timeout=timeout)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


@pytest.fixture
def page_app():
    return open_page


# Elements whose text Streamlit renders as Markdown (where raw HTML must never get through).
MARKDOWN_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "subheader",
                  "header")  # fmt: skip
TEXT_KINDS = MARKDOWN_KINDS + ("latex", "code", "title", "text")


def texts(at, kinds: tuple[str, ...] = TEXT_KINDS) -> str:
    """Everything written with markdown/caption/info/etc., joined, for content asserts."""
    return "\n".join(str(el.value) for kind in kinds for el in at.get(kind))


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at) -> list[dict]:
    """Every plotly chart on the page, as the figure dict the browser receives."""
    import json

    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def run(widget):
    """``widget.set_value(…)`` (or a click) then rerun the page; the rerun must not raise."""
    at = widget.run()
    assert not at.exception, at.exception
    return at


def printed_as_commented(code: str) -> list[str]:
    """Run a code panel as a script; each ``print(…)  # comment`` line's comment must be exactly
    what it prints (and it must print something). Returns the printed lines."""
    import contextlib
    import io

    expected = [ln.split("  # ", 1)[1] for ln in code.splitlines() if ln.startswith("print(")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {"__name__": "__main__"})  # noqa: S102
    printed = out.getvalue().splitlines()
    assert printed == expected and printed, code
    return printed
