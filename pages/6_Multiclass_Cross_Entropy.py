import streamlit as st

from lib.lessons import cross_entropy as ce
from lib.ui import cross_entropy as lesson
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import Question, page_header, quiz, try_this

page_header(
    "Multiclass cross-entropy",
    "The loss for one sample is minus the log of the probability the model gives to the "
    "**true** class. `nn.CrossEntropyLoss` computes it from raw logits and a class index, "
    "applying log-softmax itself.",
)
try_this(
    "pick a true class that has a small logit, then drag that class's logit slider up "
    "until it is the largest.",
    "the loss falls along the −log p curve towards 0 as p(true) rises, while a confident "
    "wrong answer (p near 0) costs several units.",
)
navigation_only(
    "This lesson uses the logits you set on the page, not a dataset. Your dataset choice is "
    "kept for the other lessons."
)


@st.fragment
def sections() -> None:
    """Every section depends on the logits and the true class: a change of theirs reruns
    this, not the sidebar, the introduction and the quiz. Smoothing and the batch are
    fragments of their own inside it."""
    z, names, y = lesson.loss_section()
    lesson.three_ways_section(z, y)
    lesson.double_softmax_section(z, names, y)
    lesson.smoothing_section(z, y)
    lesson.batch_section(z, names, y)


sections()
quiz([Question(*q) for q in ce.QUIZ], key="ce_quiz")
