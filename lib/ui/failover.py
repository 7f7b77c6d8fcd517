"""A tab that comes back to a server which does not know it: run its page, and say so.

When the server process that held a learner's session stops (a replica killed behind the
proxy, a restarted server), the open tab reconnects by itself, through the proxy, to a
process that has never seen it: a *new* session. Streamlit's frontend does not rerun the page
then; the learner's next interaction is the first request the new session hears. Two things
go wrong without help:

* if that interaction is inside an ``st.fragment`` (the threshold slider, the lab's live
  view, which polls on its own), Streamlit drops the request, because the new session holds no
  such fragment; the widget does nothing, again and again, until the learner navigates;
* the page does run on a full rerun, but in the state its link holds, and nothing tells the
  learner that the model they trained or the file they uploaded stayed in the dead process.

A fresh tab's first request carries no widget values (the frontend has drawn no widget yet);
a reconnected tab's first request carries the values of the widgets it shows. So a session
whose first request carries widget values or names a fragment came from a lost session:
:func:`install` turns that request into a full run of the page and marks the session, and
:func:`notice` (called by every page header) tells the learner what was lost.
"""

from __future__ import annotations

import functools
import logging

import streamlit as st
from streamlit.runtime.app_session import AppSession

MOVED_KEY = "session_moved"  # set by the server, before the session's first run
ACK_KEY = "_moved_ack"
_HEARD = "_classlab_heard_from_client"  # attribute on the AppSession: a request was heard

_LOGGER = logging.getLogger(__name__)


def came_from_a_lost_session(client_state) -> bool:
    """Whether the first request of a session is a reconnected tab's (see the module doc)."""
    if client_state is None:
        return False
    return bool(client_state.fragment_id) or len(client_state.widget_states.widgets) > 0


def install() -> None:
    """Patch :meth:`AppSession.request_rerun` once per process (idempotent).

    The deployment's server entry (``python -m deploy.serve``) installs it before the server
    accepts a connection; every page header installs it too, so a plain ``streamlit run``
    server has it from its first page run on."""
    original = AppSession.request_rerun
    if getattr(original, "_classlab_failover", False):
        return

    @functools.wraps(original)
    def request_rerun(self, client_state):
        first = not getattr(self, _HEARD, False)
        setattr(self, _HEARD, True)
        if first and came_from_a_lost_session(client_state):
            _LOGGER.info("Session %s: a tab reconnected from a lost session", self.id)
            self.session_state[MOVED_KEY] = True
            if client_state.fragment_id:
                # The fragment is unknown here: run the whole page instead of nothing.
                full = type(client_state)()
                full.CopyFrom(client_state)
                full.fragment_id = ""
                full.is_auto_rerun = False
                client_state = full
        return original(self, client_state)

    request_rerun._classlab_failover = True
    AppSession.request_rerun = request_rerun


def notice() -> None:
    """Tell a learner whose tab came back to a new server what stayed behind, until they
    acknowledge it."""
    if not st.session_state.get(MOVED_KEY):
        return
    box = st.warning(
        "**This tab reconnected to a server that did not hold your session.** The server "
        "that served you stopped or restarted (or the tab was away longer than a session is "
        "kept), and ClassLab picked up where the link points. The settings in this "
        "page's link came with you, but what lived only in that server's memory is gone: a "
        "model you trained in the Training lab or on your own data, a file you uploaded, your "
        "quiz answers. Upload the file again and press Play or Train: with the same settings "
        "and seed you get the same model.",
        icon=":material/sync_problem:",
    )
    if st.button("Got it", key=ACK_KEY):
        st.session_state[MOVED_KEY] = False
        box.empty()
