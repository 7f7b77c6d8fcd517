import streamlit as st

from lib.lessons import softmax as sl
from lib.ui import softmax as lesson
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import Question, page_header, quiz, try_this

page_header(
    "Softmax and argmax",
    "A multiclass network outputs one **logit** per class: any real numbers. **Softmax** turns "
    "them into probabilities that are positive and sum to 1; **argmax** picks the class with "
    "the largest one. Start from the cheat sheet's logits [0.9, 0.8, 0.4].",
)
try_this(
    "type `1000, 0, -1000` into the exact-logits box, then clear it and drag one logit "
    "slider far above the others.",
    "the bars still sum to 1 with no overflow (softmax subtracts max(z) first), and the "
    "class you push takes almost all the probability while the argmax follows it.",
)
navigation_only(
    "This lesson uses the logits you set on the page, not a dataset. Your dataset choice is "
    "kept for the other lessons."
)


@st.fragment
def sections() -> None:
    """Every section depends on the logits: a change of theirs reruns this, not the
    sidebar, the introduction and the quiz. The sections' own controls (temperature, shift,
    the pushed class, z) rerun only their section, a fragment inside this one."""
    z, names, p = lesson.logits_section()
    lesson.temperature_section(z, names)
    lesson.shift_section(z, names)
    lesson.dominant_section(z, names)
    lesson.argmax_section(z, names, p)
    lesson.sigmoid_section(z, names)


sections()
quiz([Question(*q) for q in sl.QUIZ], key="sm_quiz")
