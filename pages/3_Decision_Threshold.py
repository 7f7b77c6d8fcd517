import streamlit as st

from lib.lessons.threshold import metrics_at, reproduce_code
from lib.plots import threshold as plots
from lib.ui import threshold as ui
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import code_panel, mistake, page_header, quiz

page_header(
    "Decision threshold",
    "A binary classifier does not say *yes* or *no*: it says **p = P(class 1)**. "
    "You turn p into a label by choosing a threshold t. The model stays the same; only the "
    "trade-off between false alarms and misses moves.",
)
st.latex(r"\hat{y} = \begin{cases} 1 & \text{if } p \ge t \\ 0 & \text{if } p < t \end{cases}")

dataset = dataset_picker(binary_only=True)
seed = st.sidebar.number_input(
    "Model seed (split and initial weights)", 0, 10_000, 0, key=ui.SEED_KEY, bind="query-params"
)
spec = ui.spec_of(dataset)
try:
    fit = ui.cached_fit(spec, int(seed))
except ValueError as error:
    st.error(str(error))
    st.stop()
negative, positive = fit.class_names
st.caption(
    f"A logistic regression ({fit.n_features} standardised features → 1 logit) trained with "
    f"Adam for {fit.epochs} full-batch epochs on {fit.n_train} rows of **{dataset.name}**. "
    f"Everything below is measured on the {fit.n_test} test rows; class 1 = **{positive}**."
)

st.header("Move the threshold")
threshold = st.slider(
    "Threshold t",
    0.0,
    1.0,
    0.5,
    0.001,
    format="%.3f",
    key=ui.THR_KEY,
    bind="query-params",
    help="Rows with p ≥ t are predicted class 1.",
)
m = metrics_at(fit.y, fit.proba, threshold)
base = metrics_at(fit.y, fit.proba, 0.5)
for column, name in zip(st.columns(4), ("accuracy", "precision", "recall", "f1"), strict=True):
    delta = m[name] - base[name]
    column.metric(
        name.capitalize() if name != "f1" else "F1",
        f"{m[name]:.3f}",
        delta=f"{delta:+.3f} vs t = 0.5" if abs(delta) > 1e-12 else None,
    )

left, right = st.columns([3, 2])
left.plotly_chart(plots.threshold_view(fit.y, fit.proba, threshold, fit.class_names))
right.plotly_chart(plots.confusion_heatmap(m["tn"], m["fp"], m["fn"], m["tp"], fit.class_names))
for column, name in zip(right.columns(4), ("tn", "fp", "fn", "tp"), strict=True):
    column.metric(name.upper(), m[name])
right.markdown(
    f"Bars right of the red line are predicted **{positive}**. "
    f"Recall = TP / (TP + FN) = {m['tp']} / {m['tp'] + m['fn']} = {m['recall']:.3f}: the share "
    f"of real {positive} cases caught. Precision = TP / (TP + FP) = {m['tp']} / "
    f"{m['tp'] + m['fp']} = {m['precision']:.3f}: how often a *{positive}* alarm is right."
)

st.header("One point on every curve")
st.markdown(
    "The ROC and precision–recall curves sweep **every** threshold at once, so their areas "
    "(AUC, average precision) do not depend on t; your threshold is one red point on each."
)
st.plotly_chart(plots.curves_view(fit.y, fit.proba, threshold))

st.header("Let a goal choose the threshold")
st.markdown(
    "0.5 is a default, not a law. Say what matters and let the numbers pick t; each button "
    "moves the slider above (and the link)."
)
ui.choosers(fit)

st.header("The seed's rule with your numbers")
ui.rule_section(fit, threshold)

code_panel(
    reproduce_code(spec, int(seed), threshold),
    "The PyTorch + scikit-learn code that prints this confusion matrix",
)

mistake(
    "treating 0.5 as part of the model, or tuning t on the test set",
    "The threshold is a business decision taken after training: a screening test wants high "
    "recall, a spam filter high precision. Choose it on a **validation** split, then report the "
    "test score once; here the test set is reused so you can see every number move. "
    "And accuracy alone hides the trade-off: with few positives, *predict nobody sick* scores well.",
)

quiz(ui.QUESTIONS, key="thr_quiz")
