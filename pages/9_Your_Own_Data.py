"""Your own data: from an uploaded CSV to a trained, evaluated PyTorch model."""

import streamlit as st

from lib.tabular.pipeline import PipelineConfig
from lib.text import md_literal
from lib.ui import own_training as training
from lib.ui import upload as ui
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import Question, mistake, page_header, quiz

page_header(
    "Your own data",
    "Bring a CSV: one column is the class to predict, the others are what the model learns from. "
    "Each step below is the pandas, scikit-learn or PyTorch code that does it, linked to its lesson.",
)
st.latex(r"\hat{y} = \arg\max_k \; \mathrm{softmax}(W\,\mathrm{standardise}(x) + b)_k")
navigation_only("This page uses the file you upload. Your dataset choice for the lessons is kept.")

st.header("1. Upload")
upload = ui.current_upload()
QUESTIONS = [
    Question(
        "Why are the medians and the scaling computed on the training rows only?",
        (
            "It is faster",
            "So no information from the test rows leaks into training",
            "PyTorch requires it",
        ),
        1,
        "The test rows stand in for future data: anything fitted on them makes the score optimistic.",
    ),
    Question(
        "A column has a different value in every row (a passenger number). Why leave it out?",
        (
            "It has too many missing values",
            "It identifies rows instead of describing them",
            "It is not a number",
        ),
        1,
        "An identifier lets a model memorise rows; it carries nothing that generalises to new rows.",
    ),
    Question(
        "Your network scores 2 points below LogisticRegression on the same split. What is it telling you?",
        (
            "PyTorch is broken",
            "Nothing: test sets are always noisy",
            "Try the simpler model, or more epochs / regularisation",
        ),
        2,
        "The baseline is a sanity check: a network should at least match a linear model on the same inputs.",
    ),
]

if upload is None:
    st.info("Upload a .csv, .tsv or .txt table (up to 50 MB), or use the example.")
    quiz(QUESTIONS, key="yd_quiz")
    st.stop()
name, data, digest = upload
st.caption(f"File: {md_literal(name)} · {len(data):,} bytes")
options = ui.reading_options(None)
parsed = ui.read_upload(data, digest, options)
if parsed is None:
    st.stop()
csv, profile = parsed
ui.show_detected(csv)

st.header("2. Profile")
ui.show_profile(csv, profile)

st.header("3. Target and features")
target = ui.choose_target(profile)
features = ui.choose_features(profile, target)
settings = ui.training_settings()
try:
    config = PipelineConfig(target=target, features=tuple(features), **settings)
    target_info, features, prepared = ui.prepared_for(csv, profile, digest, config)
except ValueError as exc:
    st.error(md_literal(exc))
    st.stop()
st.success(
    f"{target_info.n_classes} classes: "
    + ", ".join(f"{md_literal(c)} ({n:,})" for c, n in list(target_info.counts.items())[:20])
)

st.header("4. Preprocessing, step by step")
ui.show_steps(prepared)

st.header("5. Train")
st.markdown(
    "The training lab's engine: a PyTorch model that returns logits, Adam, and the loss that "
    "fits the target. **Train** runs live; pause it, resume it, or finish early and evaluate "
    "the weights you have. In the training lab you can also train on this file with your own "
    "choice of model and optimizer, and watch the confusion matrix evolve."
)
st.page_link("pages/8_Training_Lab.py", label="Training lab", icon=":material/science:")
job = training.Job(digest, config, target_info, features, prepared, profile)
result = training.training_step(job)
if result is None:
    st.stop()
if result.diverged:  # the data's own warnings were shown with the steps above
    st.warning(md_literal(result.diverged))

st.header("6. Evaluate")
ui.show_results(result)

st.header("7. Take it home")
ui.downloads(result, csv, name)

mistake(
    "scaling or encoding with the whole table",
    "Fitting the scaler, the medians or the category list on all rows lets the test rows leak "
    "into training, and the test score looks better than it will be on new data. Split first, "
    "fit on the training rows, then transform both, as every step above does.",
)
quiz(QUESTIONS, key="yd_quiz")
