"""Small widgets every lesson uses: the page header, the code panel, the opening challenge,
the common mistake, predict-then-reveal and the quiz.

In presenter mode (``lib.ui.presenter``) the page header folds its introduction into the
title's tooltip, the code panel is left out, and the mistake and the quiz fold into collapsed
expanders, so the room sees the control and its figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from lib.runtime import configure_process
from lib.text import md_literal
from lib.ui import failover, run_gate
from lib.ui.presenter import presenting, start_page
from lib.ui.query import sanitize_query


def page_header(title: str, intro: str, short: str | None = None) -> None:
    """Title and a short introduction in the lesson's voice.

    Every page starts here, including a page opened straight from a link (``app.py`` does
    not run then), so this is where the page config (presenter mode, see
    ``lib.ui.presenter.start_page``) and the server's process-wide settings are applied.
    Presenting, the introduction folds into the title's tooltip (the room reads the figure,
    the presenter hovers the "?"); ``short``, if given, is shown instead.
    """
    sanitize_query()  # the link's values checked before any widget reads them (#17.3)
    on = start_page(title)
    configure_process()
    failover.install()  # idempotent; deploy/serve.py installs both before the first connection
    run_gate.install()
    if on:
        st.title(title, help=intro, anchor=False)
        if short:
            st.markdown(short)
        failover.notice()
        return
    st.title(title)
    st.markdown(intro)
    failover.notice()


def code_panel(code: str, caption: str = "The PyTorch code for what you see") -> None:
    """The exact code behind the section, with the learner's current values filled in.

    Left out in presenter mode (too small for a room; the learners have it on their screens).
    """
    if presenting():
        return
    with st.expander(caption, expanded=False):
        st.code(code.strip() + "\n", language="python")


def try_this(prompt: str, look_for: str) -> None:
    """The lesson's opening challenge: what to do first, and what to look for."""
    st.info(f"**Try this:** {prompt}\n\n**Look for:** {look_for}")


def mistake(title: str, body: str) -> None:
    """The common mistake, corrected: shown as a warning box so it stands out.

    In presenter mode a collapsed expander: the instructor opens it when the room gets there.
    """
    if presenting():
        with st.expander(f"Common mistake: {title}", expanded=False, icon=":material/warning:"):
            st.markdown(body)
        return
    st.warning(f"**Common mistake: {title}**\n\n{body}")


def predict_then_reveal(question: str, options: Sequence[str], key: str) -> bool:
    """Ask the room to predict before showing the answer; True once Reveal was pressed.

    Draws ``question`` with ``options`` (no answer chosen) and a Reveal button that is
    enabled once a prediction is picked. After Reveal the prediction is locked (shown, and
    kept in :func:`prediction`) and "Ask again" starts over. A page hides its answer (the
    figure, the number) until this returns True::

        if predict_then_reveal("What happens to recall when t drops to 0.2?",
                               ("It rises", "It falls", "It stays"), key="thr_predict"):
            chart(answer_figure)

    ``key`` prefixes the widget keys (``<key>_guess``, ``<key>_reveal``, ``<key>_again``).
    """
    revealed = bool(st.session_state.get(f"{key}_revealed"))
    if revealed:
        # The locked prediction, also after a page switch cleared the radio's own state.
        st.session_state[f"{key}_guess"] = prediction(key)
    choice = st.radio(question, list(options), index=None, key=f"{key}_guess", disabled=revealed)
    if not revealed:
        st.button(
            "Reveal",
            key=f"{key}_reveal",
            disabled=choice is None,
            on_click=_reveal,
            args=(key,),
            help="Predict first: pick an answer, then reveal.",
        )
        return False
    st.caption(f"Your prediction: **{md_literal(prediction(key))}**")
    st.button("Ask again", key=f"{key}_again", on_click=_ask_again, args=(key,))
    return True


def prediction(key: str) -> str | None:
    """The prediction locked in by the Reveal of ``predict_then_reveal(..., key)``, or None."""
    return st.session_state.get(f"{key}_prediction")


def _reveal(key: str) -> None:
    st.session_state[f"{key}_prediction"] = st.session_state.get(f"{key}_guess")
    st.session_state[f"{key}_revealed"] = True


def _ask_again(key: str) -> None:
    st.session_state[f"{key}_revealed"] = False
    st.session_state.pop(f"{key}_prediction", None)
    st.session_state[f"{key}_guess"] = None


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; ``why`` explains the right answer."""

    prompt: str
    options: tuple[str, ...]
    answer: int
    why: str


def quiz(questions: list[Question], key: str, refresh_every: float | None = None) -> None:
    """Check-your-understanding: instant feedback with the reason.

    A fragment: an answer changes nothing else on the page, so it reruns only the quiz. That
    keeps the feedback instant on heavy pages, and in the training lab it does not stop the
    live training view for a full-page rerun. ``refresh_every`` (seconds) redraws it on a
    timer: while live fragments tick, the browser very rarely (about one answer in a hundred)
    drops the quiz's own redraw although the server ran it with the new answer, and the
    next redraw shows the right feedback.

    In presenter mode it sits in a collapsed expander."""
    if presenting():
        with st.expander("Check your understanding", expanded=False, icon=":material/quiz:"):
            st.fragment(run_every=refresh_every)(_quiz)(questions, key, heading=False)
        return
    st.fragment(run_every=refresh_every)(_quiz)(questions, key)


def _quiz(questions: list[Question], key: str, heading: bool = True) -> None:
    if heading:
        st.subheader("Check your understanding")
    score = 0
    for i, q in enumerate(questions):
        choice = st.radio(q.prompt, q.options, index=None, key=f"{key}_q{i}")
        if choice is None:
            continue
        if q.options.index(choice) == q.answer:
            score += 1
            st.success(f"Correct. {q.why}")
        else:
            st.error(f"Not quite: the answer is “{q.options[q.answer]}”. {q.why}")
    st.caption(f"Score: {score} / {len(questions)}")
