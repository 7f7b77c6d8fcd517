"""Your own data: from an uploaded CSV to a trained, evaluated PyTorch model."""

import streamlit as st

from lib.tabular.pipeline import PipelineConfig
from lib.text import md_literal
from lib.ui import own_results as results
from lib.ui import own_training as training
from lib.ui import upload as ui
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import Question, mistake, page_header, quiz

page_header(
    "Your own data",
    "Bring a CSV: one column is the class to predict, the others are what the model learns from. "
    "Each step below is the pandas, scikit-learn or PyTorch code that does it, linked to its lesson.",
)
st.latex(r"\hat{y} = \arg\max_k \; \mathrm{softmax}(W\,\mathrm{preprocess}(x) + b)_k")
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
        "On a 50-row test set your network scores 2 points below LogisticRegression (one row). "
        "What does that tell you?",
        (
            "PyTorch is broken",
            "Little: one row is within the noise of 50 test rows; look at the paired test "
            "or repeat over several splits before concluding",
            "The network is worse: switch to the simpler model",
        ),
        1,
        "2 points of 50 rows is a single row. The 95 % interval of an accuracy on 50 rows is "
        "about ±12 points, and the paired McNemar test on one disagreeing row cannot tell the "
        "two apart. Only a gap that survives the paired test, or repeated splits, means "
        "something.",
    ),
]

if upload is None:
    ui.session_lost_notice()
    st.info("Upload a .csv, .tsv or .txt table (up to 50 MB), or use the example.")
    quiz(QUESTIONS, key="yd_quiz")
    st.stop()
name, data, digest = upload
st.caption(f"File: {md_literal(name)} · {len(data):,} bytes")
options = ui.reading_options()
parsed = ui.read_upload(data, digest, options)
if parsed is None:
    st.stop()
csv, profile = parsed.csv, parsed.profile
ui.show_detected(csv)

st.header("2. Profile")
profile_slot = ui.show_profile(csv, profile)

st.header("3. Target and features")
target = ui.choose_target(profile)
ui.fill_profile(profile_slot, profile, target)
features = ui.choose_features(profile, target)
settings = ui.training_settings()
try:
    config = PipelineConfig(target=target, features=tuple(features), **settings)
    found = ui.prepared_for(csv, profile, digest, config)
except ValueError as exc:
    st.error(md_literal(exc))
    st.stop()
st.success(
    f"{found.target.n_classes} classes: "
    + ", ".join(f"{md_literal(c)} ({n:,})" for c, n in list(found.target.counts.items())[:20])
)

st.header("4. Preprocessing, step by step")
ui.show_steps(found.prepared)

st.header("5. Train")
st.markdown(
    "The training lab's engine: a PyTorch model that returns logits and the loss that fits the "
    "target. Without hidden layers it is a logistic regression trained by full-batch L-BFGS "
    "on the baseline's own objective; with hidden layers, Adam with early stopping. **Train** "
    "runs live; pause it, resume it, or finish early and evaluate the weights you have. In the "
    "training lab you can also train on this file with your own choice of model and "
    "optimizer, and watch the confusion matrix evolve."
)
ui.training_lab_link()
job = training.Job(digest, config, found.target, found.features, found.prepared, profile)
result = training.training_step(job)
if result is None:
    st.stop()
if result.diverged:  # the data's own warnings were shown with the steps above
    st.warning(md_literal(result.diverged))

st.header("6. Evaluate")
results.show_results(result)
results.repeats_view(csv, profile, config, job.key)

st.header("7. Take it home")
results.downloads(result, csv, name)

mistake(
    "scaling or encoding with the whole table",
    "Fitting the scaler, the medians or the category list on all rows lets the test rows leak "
    "into training, and the test score looks better than it will be on new data. Split first, "
    "fit on the training rows, then transform both, as every step above does.",
)
quiz(QUESTIONS, key="yd_quiz")
