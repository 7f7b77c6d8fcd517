"""Presenter mode: a lesson on a classroom projector.

On (``?present=1`` in the URL, or the sidebar toggle): wide layout, large type, the prose,
code panels and quiz folded away, and each lesson's key control beside its figure so both
fit one 1280×720 screen at 150 % zoom. Pages ask :func:`presenting` and lay out their key
section with :func:`control_and_figure`.
"""

from __future__ import annotations

import streamlit as st

PRESENT_KEY = "present"  # the URL parameter and the toggle's key


def presenting() -> bool:
    """True when this page is shown in presenter mode."""
    value = st.session_state.get(PRESENT_KEY)
    if value is None:
        value = st.query_params.get(PRESENT_KEY, "0") in ("1", "true", "True")
    return bool(value)


def control_and_figure(ratio: tuple[int, int] = (1, 2)):
    """Two containers: the control(s), then the figure they drive.

    Side by side in presenter mode (so both fit one projector screen), stacked otherwise.
    """
    if presenting():
        return st.columns(list(ratio), vertical_alignment="top")
    return st.container(), st.container()
