import streamlit as st

from lib.text import md_literal
from lib.ui import threshold as ui
from lib.ui.presenter import presenting
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import mistake, page_header, quiz, try_this

page_header(
    "Decision threshold",
    "A binary classifier does not say *yes* or *no*: it says **p = P(class 1)**. "
    "You turn p into a label by choosing a threshold t. The model stays the same; only the "
    "trade-off between false alarms and misses moves.",
)
try_this(
    "Drag the threshold t from 0.5 down to 0.2.",
    "Recall rises (fewer misses: FN falls) while precision drops (more false alarms: FP "
    "grows); the ROC curve stays put, only the diamond on it moves.",
)
if not presenting():
    st.latex(r"\hat{y} = \begin{cases} 1 & \text{if } p \ge t \\ 0 & \text{if } p < t \end{cases}")

dataset = dataset_picker(binary_only=True)
seed = st.sidebar.number_input(
    "Model seed (split and initial weights)", 0, 10_000, 0, key=ui.SEED_KEY, bind="query-params"
)
spec = ui.spec_of(dataset)
try:
    fit = ui.cached_fit(spec, int(seed))
except ValueError as error:
    st.error(md_literal(str(error)))
    st.stop()
if not presenting():
    ui.model_caption(fit, dataset.name)

ui.lesson(fit, spec, int(seed))
ui.goal_section(spec, int(seed))

mistake(
    "treating 0.5 as part of the model, or tuning t on the test set",
    "The threshold is a business decision taken after training: a screening test wants high "
    "recall, a spam filter high precision. Choose it on a **validation** split, then report the "
    "test score once; here the test set is reused so you can see every number move. "
    "And accuracy alone hides the trade-off: with few positives, *predict nobody sick* scores well.",
)

quiz(ui.QUESTIONS, key="thr_quiz")
