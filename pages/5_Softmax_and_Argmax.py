import pandas as pd
import streamlit as st

from lib.lessons import softmax as sl
from lib.plots import softmax as plots
from lib.text import md_literal
from lib.ui.logit_inputs import URL, logit_inputs
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import Question, code_panel, mistake, page_header, quiz

page_header(
    "Softmax and argmax",
    "A multiclass network outputs one **logit** per class: any real numbers. **Softmax** turns "
    "them into probabilities that are positive and sum to 1; **argmax** picks the class with "
    "the largest one. Start from the cheat sheet's logits [0.9, 0.8, 0.4].",
)
st.latex(
    r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}} \qquad "
    r"\hat{y} = \arg\max_i \mathrm{softmax}(z)_i = \arg\max_i z_i"
)
dataset_picker()

st.header("1. From logits to probabilities")
z, names = logit_inputs("sm")
p = sl.probs(z)
st.markdown(
    "The **normalisation factor** is the sum of e to the power of every logit; each "
    "class gets its share of it:"
)
for line in sl.normaliser_latex(z):
    st.latex(line)
st.plotly_chart(plots.probability_bars(names, p, highlight=sl.argmax(p)))
st.markdown(f"softmax(z) = **[{sl.show(p)}]**, and the bars sum to **{sum(p):.2f}**.")
code_panel(sl.softmax_code(z))

st.header("2. Temperature")
temperature = st.slider("Temperature T", 0.1, 5.0, 2.0, 0.1, key="sm_temp", **URL)
p_t = sl.probs(z, temperature)
st.latex(rf"\mathrm{{softmax}}(z / T),\ T = {temperature:g}:\quad [{sl.show(p_t, 4)}]")
st.plotly_chart(plots.temperature_bars(names, sl.probs(z), p_t, temperature))
st.markdown(
    f"The top class keeps its place (argmax **{names[sl.argmax(p_t)]}**) but its "
    f"probability goes from {max(p):.4f} to **{max(p_t):.4f}**: T > 1 flattens the "
    "distribution towards 1/K, T < 1 sharpens it towards one-hot."
)
code_panel(sl.temperature_code(z, temperature))

st.header("3. Adding the same constant to every logit changes nothing")
shift = st.number_input(
    "Constant c added to every logit", -1000.0, 1000.0, 5.0, 1.0, key="sm_shift", **URL
)
s = sl.shift_summary(z, shift)
st.latex(
    r"\frac{e^{z_i + c}}{\sum_j e^{z_j + c}} = \frac{e^{c}\,e^{z_i}}{e^{c}\sum_j e^{z_j}}"
    r" = \mathrm{softmax}(z)_i"
)
st.dataframe(
    pd.DataFrame(
        {
            "class": names,
            "z": [sl.num(v) for v in z],
            "z + c": [sl.num(v + shift) for v in z],
            "softmax(z)": [f"{v:.4f}" for v in s["before"]],
            "softmax(z + c)": [f"{v:.4f}" for v in s["after"]],
        }
    ),
    hide_index=True,
)
st.markdown(f"Largest difference: **{s['max_diff']:.1e}** (float32 rounding only).")
if sl.overflows([v + shift for v in z]):
    st.info(
        "Here the textbook formula would overflow: e^z is infinite in float32 above about "
        "88.7, and ∞/∞ is undefined. `torch.softmax` uses exactly this invariance: it "
        "subtracts max(z) first, so the largest exponent is e^0 = 1."
    )
code_panel(sl.shift_code(z, shift))

st.header("4. One logit dominating")
dominant = st.selectbox("Class to push", names, key="sm_dom", **URL)
j = names.index(dominant)
grid, sweep = sl.sweep(z, j)
st.plotly_chart(plots.sweep_lines(names, grid, sweep, j, z[j], p[j]))
st.markdown(
    f"Now p({md_literal(dominant)}) = **{p[j]:.4f}**. Each +1 on its logit multiplies "
    "its odds against every other class by e ≈ 2.72, so a logit a few units above the "
    "rest takes almost all the probability."
)

st.header("5. Argmax: from probabilities to one class")
a, b, c = st.columns(3)
a.metric("argmax of the logits", sl.argmax(z))
b.metric("argmax of the probabilities", sl.argmax(p))
c.metric("predicted class", names[sl.argmax(p)])
st.markdown(
    "Softmax never changes the order of the logits, so both argmaxes agree: to get the "
    "predicted class you do not need softmax at all. The cheat sheet's code:"
)
st.code(sl.SEED_ARGMAX_CODE, language="python")
st.error(f"It raises: {sl.seed_argmax_error()}")
mistake(
    "argmax over a dimension that does not exist",
    "`softmax_output` has shape (3,): one sample, only dimension 0. Use `dim=0` for one "
    "sample, and `dim=1` for a batch of shape (N, C) to get one class per row.",
)
code_panel(sl.argmax_code(z), "The right forms, with your logits")

st.header("6. Sigmoid is the 2-class softmax")
sz = st.slider("z", -10.0, 10.0, 1.5, 0.1, key="sm_sz", **URL)
sig, soft = sl.sigmoid_pair(sz)
a, b = st.columns(2)
a.metric("sigmoid(z)", f"{sig:.4f}")
b.metric("softmax([z, 0])[0]", f"{soft:.4f}")
st.latex(r"\frac{e^{z}}{e^{z} + e^{0}} = \frac{1}{1 + e^{-z}} = \sigma(z)")
if len(z) == 2:
    st.markdown(
        f"With your two logits, p({md_literal(names[0])}) = σ(z0 − z1) = "
        f"σ({sl.num(z[0] - z[1])}) = **{p[0]:.4f}**."
    )
st.plotly_chart(plots.sigmoid_vs_softmax(sz))
code_panel(sl.sigmoid_code(sz))

quiz([Question(*q) for q in sl.QUIZ], key="sm_quiz")
