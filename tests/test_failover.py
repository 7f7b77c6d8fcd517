"""lib/ui/failover.py without a browser: which first requests mean "a tab from a lost
session", and what the patched AppSession.request_rerun hands on to Streamlit. The whole road
(a replica killed behind the proxy) is tests/test_deploy.py's browser test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession

from lib.ui import failover
from tests.browser import (  # noqa: F401
    browser,
    free_port,
    needs_chromium,
    open_app_page,
    start_streamlit,
    wait_healthy,
)
from tests.conftest import open_page


def client_state(fragment_id: str = "", widgets: int = 0) -> ClientState:
    state = ClientState(fragment_id=fragment_id, query_string="thr=0.3")
    for i in range(widgets):
        state.widget_states.widgets.add(id=f"w{i}", double_value=0.3)
    return state


def test_a_fresh_tab_and_a_reconnected_tab_are_told_apart():
    assert not failover.came_from_a_lost_session(None)  # st.rerun / server-side reruns
    assert not failover.came_from_a_lost_session(client_state())  # a first load
    assert failover.came_from_a_lost_session(client_state(widgets=2))
    assert failover.came_from_a_lost_session(client_state(fragment_id="abc"))


@pytest.fixture
def heard(monkeypatch):
    """AppSession.request_rerun replaced by a recorder, then patched by install()."""
    calls = []
    monkeypatch.setattr(AppSession, "request_rerun", lambda self, cs: calls.append(cs))
    failover.install()
    failover.install()  # idempotent: one wrapper, not two
    assert AppSession.request_rerun.__wrapped__.__name__ == "<lambda>"
    return calls


def session():
    return SimpleNamespace(id="s1", session_state={})


def test_a_moved_tabs_fragment_request_becomes_a_full_run_once(heard):
    s = session()
    first = client_state(fragment_id="frag", widgets=3)
    first.is_auto_rerun = True  # the lab's live view polls by itself
    AppSession.request_rerun(s, first)
    assert s.session_state == {failover.MOVED_KEY: True}
    assert heard[0].fragment_id == "" and not heard[0].is_auto_rerun
    assert len(heard[0].widget_states.widgets) == 3 and heard[0].query_string == "thr=0.3"
    assert first.fragment_id == "frag"  # the caller's message is not changed
    # Later fragment requests are the session's own: passed on as they are.
    AppSession.request_rerun(s, client_state(fragment_id="frag", widgets=3))
    assert heard[1].fragment_id == "frag"


def test_a_fresh_session_is_left_alone(heard):
    s = session()
    AppSession.request_rerun(s, client_state())
    AppSession.request_rerun(s, client_state(widgets=2))  # its own widgets, later
    assert s.session_state == {} and [h.fragment_id for h in heard] == ["", ""]


def test_the_notice_shows_until_acknowledged():
    at = open_page("pages/3_Decision_Threshold.py")
    assert not [w for w in at.warning if "reconnected" in w.value]
    at.session_state[failover.MOVED_KEY] = True
    at.run()
    (shown,) = [w for w in at.warning if "reconnected" in w.value]
    assert "trained" in shown.value and "uploaded" in shown.value
    at.button(key=failover.ACK_KEY).click().run()
    assert not at.exception
    at.run()
    assert not [w for w in at.warning if "reconnected" in w.value]
    assert not at.session_state[failover.MOVED_KEY]


# --- the whole road, in Chromium: one server restarted under an open tab ------------------------


@pytest.mark.browser
@needs_chromium
def test_a_restarted_server_runs_the_tabs_page_and_says_what_was_lost(browser):  # noqa: F811
    """The README's server (deploy/serve.py) is stopped and started again on its port while a
    tab shows the threshold lesson. The tab reconnects by itself; its first interaction is the
    slider, inside a fragment the new process does not know: the page runs and says so."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_streamlit(port)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        wait_healthy(url)
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_app_page(page, url, "Decision_Threshold", "Decision threshold")
        notice = page.get_by_text("This tab reconnected to a server that did not hold")
        assert notice.count() == 0
        server.terminate()
        server.wait(timeout=20)
        server = start_streamlit(port)
        wait_healthy(url)
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden")  # reconnected
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Threshold t")
        thumb = thumb.first.get_by_role("slider")
        thumb.focus()
        thumb.press("Home")
        notice.wait_for()
        tn = page.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text="TN")
        )
        expect(tn.first.locator('[data-testid="stMetricValue"]')).to_have_text("0")
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=20)
