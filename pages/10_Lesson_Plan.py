import streamlit as st

from lib.ui import lesson_plan
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import page_header

page_header(
    "Lesson plan",
    "For instructors: each scenario below opens a lesson in a state that makes its point, "
    "in presenter mode (large type, prose folded away). Put the question to the room first, "
    "let everyone commit to an answer, reveal it, then open the link and show it live.",
)
navigation_only("The scenarios choose their own settings. Your dataset choice is kept.")
st.caption(
    "Copy a link into your slides: it opens the exact state for everyone. Presenter mode is "
    "the `present=1` at its end (remove it, or use the toggle in the sidebar, to leave it)."
)

st.header("Scenarios for the room")
base = lesson_plan.base_url()
for scenario in lesson_plan.SCENARIOS:
    lesson_plan.render(scenario, base)
