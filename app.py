"""ClassLab home: the learning path. Run with ``streamlit run app.py``."""

import streamlit as st

from lib.catalog import LESSONS
from lib.runtime import configure_process
from lib.ui.presenter import link_query, start_page
from lib.ui.sidebar import dataset_picker

st.set_page_config(page_title="ClassLab", page_icon="assets/favicon.png", layout="wide")
start_page(wide=True)  # presenter mode, the stylesheet and its toggle (as on every page)
configure_process()  # one torch thread per session, numpy on ordinary pages

st.title("ClassLab: classification with PyTorch")
st.markdown(
    "Play with every idea of a classification course — encodings, the sigmoid, thresholds, "
    "losses, training, metrics — on real data, and see the PyTorch code behind each picture."
)

st.header("Binary or multiclass?")
left, right = st.columns(2)
left.markdown(
    "**Binary classification** chooses between two classes. *Does this patient have the "
    "disease or not?* The model outputs one number (a logit); the **sigmoid** turns it into "
    "the probability of class 1 and a **threshold** turns that into a label."
)
right.markdown(
    "**Multiclass classification** chooses between more than two. *Does the patient have the "
    "disease, is at high risk, or at low risk?* The model outputs one logit per class; "
    "**softmax** turns them into probabilities that sum to 1 and **argmax** picks the class."
)

st.header("The learning path")
for part in dict.fromkeys(lesson.part for lesson in LESSONS):
    st.subheader(part)
    lessons = [lesson for lesson in LESSONS if lesson.part == part]
    columns = st.columns(len(lessons))
    for column, lesson in zip(columns, lessons, strict=True):
        with column.container(border=True):
            st.page_link(
                lesson.path, label=lesson.title, icon=lesson.icon, query_params=link_query()
            )
            st.caption(lesson.teaches)

dataset = dataset_picker()
st.info(
    f"Dataset in use: **{dataset.name}** — {dataset.description} "
    "Change it in the sidebar; every lesson keeps your choice."
)
