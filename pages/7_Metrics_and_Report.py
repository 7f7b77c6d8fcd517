import streamlit as st

from lib.lessons import metrics as ev_lib
from lib.text import md_literal
from lib.ui import metrics as ui
from lib.ui.presenter import presenting
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import page_header, quiz, try_this

page_header(
    "Metrics and the classification report",
    "A trained model is judged on test rows it never saw. Everything below is computed from "
    "one table of counts, the **confusion matrix**: rows are the true class, columns the "
    "predicted class, so the diagonal holds the correct predictions.",
)
try_this(
    "switch the matrix to “Row-normalised (recall)”, then click an off-diagonal cell that "
    "is not 0.",
    "the diagonal now reads each class's recall, and the list below shows the very test rows "
    "the model confused, with the probabilities it gave them.",
)
dataset = dataset_picker()
# Presenting, the setup (dataset, model, seed) lives in the sidebar so that the confusion
# matrix and its control open the page on a projector; on a learner's screen it leads in.
setup = st.sidebar if presenting() else st.container()
with setup:
    ui.multiclass_hint(dataset.is_binary)
    left, right = st.columns(2)
    model_name = left.selectbox("Model", list(ev_lib.MODELS), key="met_model", **ui.URL)
    seed = int(
        right.number_input(
            "Seed (split, initial weights, batches)", 0, 9999, 0, key="met_seed", **ui.URL
        )
    )
try:
    summary = ui.cached_summary(dataset.spec, model_name, seed)
except ValueError as err:
    st.error(md_literal(str(err)))
    st.stop()
setup.caption(summary["caption"])

ui.confusion_sections(dataset.spec, model_name, seed)
ui.report_sections(summary)
ui.imbalance_section()
quiz(ui.QUIZ, key="met_quiz")
