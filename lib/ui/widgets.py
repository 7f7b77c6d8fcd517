"""Small widgets every lesson uses: the page header, the code panel and the quiz."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lib.runtime import configure_process
from lib.ui.query import sanitize_query


def page_header(title: str, intro: str) -> None:
    """Title and a short introduction in the lesson's voice.

    Every page starts here, including a page opened straight from a link (``app.py`` does
    not run then), so this is where the server's process-wide settings are applied.
    """
    sanitize_query()  # the link's values checked before any widget reads them (#17.3)
    configure_process()
    st.title(title)
    st.markdown(intro)


def code_panel(code: str, caption: str = "The PyTorch code for what you see") -> None:
    """The exact code behind the section, with the learner's current values filled in."""
    with st.expander(caption, expanded=False):
        st.code(code.strip() + "\n", language="python")


def try_this(prompt: str, look_for: str) -> None:
    """The lesson's opening challenge: what to do first, and what to look for."""
    st.info(f"**Try this:** {prompt}\n\n**Look for:** {look_for}")


def mistake(title: str, body: str) -> None:
    """The common mistake, corrected: shown as a warning box so it stands out."""
    st.warning(f"**Common mistake: {title}**\n\n{body}")


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
    next redraw shows the right feedback."""
    st.fragment(run_every=refresh_every)(_quiz)(questions, key)


def _quiz(questions: list[Question], key: str) -> None:
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
