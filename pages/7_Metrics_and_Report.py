import streamlit as st

from lib.lessons import metrics as ev_lib
from lib.plots.metrics import confusion_heatmap
from lib.ui import metrics as ui
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import code_panel, mistake, page_header, quiz

URL = {"bind": "query-params"}
page_header(
    "Metrics and the classification report",
    "A trained model is judged on test rows it never saw. Everything below is computed from "
    "one table of counts, the **confusion matrix**: rows are the true class, columns the "
    "predicted class, so the diagonal holds the correct predictions.",
)
st.latex(
    r"\text{Accuracy} = \frac{\#\,\text{correct}}{\#\,\text{predictions}} = "
    r"\frac{TP + TN}{TP + TN + FP + FN}"
)
dataset = dataset_picker()
ui.multiclass_hint(dataset.is_binary)
left, right = st.columns(2)
model_name = left.selectbox("Model", list(ev_lib.MODELS), key="met_model", **URL)
seed = int(
    right.number_input("Seed (split, initial weights, batches)", 0, 9999, 0, key="met_seed", **URL)
)
spec = dataset.spec
try:
    summary = ui.cached_summary(spec, model_name, seed)
except ValueError as err:
    st.error(str(err))
    st.stop()
names, cm = summary["names"], summary["cm"]
st.caption(summary["caption"])

st.header("1. The confusion matrix")
norm = st.radio("Show", ev_lib.NORMALISATIONS, horizontal=True, key="met_norm", **URL)
chart_slot = st.empty()  # drawn after the drill-down pickers, to outline their cell
st.caption(
    "Row-normalised: each row sums to 1 and the diagonal is each class's **recall**. "
    "Column-normalised: each column sums to 1 and the diagonal is **precision**. "
    "– marks a row or column with no samples, where the share is undefined."
)
st.latex(ev_lib.accuracy_latex(cm))

st.header("2. Precision, recall and F1 for one class")
chosen = st.selectbox("Class", names, key="met_class", **URL)
k = names.index(chosen)
formulas = ev_lib.class_formulas(cm, k, chosen)
counts = formulas["values"]
cols = st.columns(4)
for col, key in zip(cols, ("tp", "fp", "fn", "tn"), strict=True):
    col.metric(key.upper(), counts[key])
st.caption(
    f"One-vs-rest: “{chosen}” is the positive class and every other class is negative. "
    "TP is the diagonal cell, FP the rest of its column, FN the rest of its row."
)
for key in ("precision", "recall", "f1", "ovr_accuracy"):
    st.latex(formulas[key])

st.header("3. Which test rows are in a cell?")
st.markdown("Pick a cell (or click one in the matrix above) to list the test rows in it.")
left, right = st.columns(2)
true_name = left.selectbox("True class", names, key="met_true", **URL)
pred_name = right.selectbox("Predicted class", names, key="met_pred", **URL)
rows = ui.cached_cell_rows(spec, model_name, seed, names.index(true_name), names.index(pred_name))
st.markdown(f"**{len(rows)}** test rows are **{true_name}** and predicted **{pred_name}**.")
ui.cell_table(rows)
chart_slot.plotly_chart(
    confusion_heatmap(
        cm, names, norm, (names.index(true_name), names.index(pred_name)), clickable=True
    ),
    key="met_cm_chart",
    on_select=ui.select_cell,
    selection_mode="points",
)

st.header("4. The classification report")
ui.report_table(summary["frame"])
st.caption(
    "The accuracy row has no precision or recall of its own (empty, shown as None); "
    "its F1 column holds the accuracy, as in the text report below."
)
st.markdown("The same report in the text form the cheat sheet prints:")
st.code(summary["text"], language="text")
code_panel(
    summary["code"],
    "The PyTorch + scikit-learn code that reproduces this report",
)

st.header("5. Macro, weighted and micro averages")
avg = summary["averages"]
st.markdown("- **macro avg**: the plain mean over classes, every class counts the same.")
st.latex(avg["macro_latex"])
st.markdown("- **weighted avg**: each class weighted by its **support** (its number of true rows).")
st.latex(avg["weighted_latex"])
st.markdown(
    "- **micro avg**: pool every decision of every class, then compute once. With one "
    "label per row, each mistake is one FP (its column) and one FN (its row), so micro "
    "precision = micro recall = micro F1 = **accuracy**. That is why the report prints "
    "an `accuracy` row instead of a micro avg row."
)
st.latex(avg["micro_latex"])
c1, c2 = st.columns(2)
c1.metric("micro F1", f"{avg['micro']:.4f}")
c2.metric("accuracy (correct / total)", f"{avg['accuracy']:.4f}")
mistake(
    "“micro” is not support-weighted",
    "The cheat sheet says the *micro* average “gives more weight to classes with a larger "
    "number of observations (support)”. In scikit-learn that is the **weighted** average. "
    "Micro pools every prediction; for single-label classification it equals accuracy.",
)

st.header("6. Accuracy can lie")
minority = st.slider("Share of the rare class (%)", 1, 50, 5, key="met_minority", **URL)
ex = ui.cached_imbalanced(100 - minority, minority)
st.markdown(
    f"{100 - minority} rows of the majority class and {minority} of the minority; the "
    "“model” always predicts the majority."
)
c1, c2, c3 = st.columns(3)
c1.metric("accuracy of “always majority”", f"{ex['accuracy']:.0%}")
c2.metric("recall of the minority", f"{ex['report']['minority']['recall']:.0%}")
c3.metric("macro F1", f"{ex['macro_f1']:.2f}")
st.plotly_chart(
    confusion_heatmap(ex["confusion"], ex["names"], title="Always the majority"),
    key="met_imb_chart",
)
code_panel(ev_lib.imbalanced_code(100 - minority, minority), "The code for this example")
mistake(
    "trusting accuracy on imbalanced data",
    "A classifier that never finds the rare class can still score high accuracy. Read the "
    "per-class recall and the macro average, and look at the confusion matrix.",
)
quiz(ui.QUIZ, key="met_quiz")
