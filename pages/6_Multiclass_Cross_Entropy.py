import pandas as pd
import streamlit as st

from lib.lessons import cross_entropy as ce
from lib.lessons import softmax as sl
from lib.plots import cross_entropy as plots
from lib.ui.logit_inputs import URL, logit_inputs
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import Question, code_panel, mistake, page_header, quiz

page_header(
    "Multiclass cross-entropy",
    "The loss for one sample is minus the log of the probability the model gives to the "
    "**true** class. `nn.CrossEntropyLoss` computes it from raw logits and a class index, "
    "applying log-softmax itself.",
)
st.latex(r"\text{loss}(z, y) = -\log \mathrm{softmax}(z)_y = \log\sum_j e^{z_j} - z_y")
dataset_picker()

st.header("1. The loss of one sample")
z, names = logit_inputs("ce")
true_name = st.selectbox("True class y", names, key="ce_y", **URL)
y = names.index(true_name)
p = sl.probs(z)
ways = ce.three_ways(z, y)
st.latex(ce.loss_latex(z, y))
left, right = st.columns(2)
left.plotly_chart(plots.true_class_bars(names, p, y, ways["builtin"]))
right.plotly_chart(plots.neg_log_curve(p[y], ways["builtin"]))
st.markdown(
    "A confident right answer costs almost nothing; a confident wrong one costs a lot, "
    "without limit as p → 0."
)

st.header("2. Three ways, one number")
a, b, c = st.columns(3)
a.metric("nn.CrossEntropyLoss(logits)", f"{ways['builtin']:.4f}")
b.metric("nn.NLLLoss(log_softmax(logits))", f"{ways['nll']:.4f}")
c.metric("by hand: log Σ e^z − z_y", f"{ways['by_hand']:.4f}")
st.markdown(
    "CrossEntropyLoss is NLLLoss applied to log_softmax: it wants **raw logits** and "
    "**class indices** (a long tensor of shape (N,)), not probabilities and not one-hot."
)
code_panel(ce.three_ways_code(z, y))

st.header("3. The double-softmax mistake")
right_loss, right_grad = ce.loss_and_grad(z, y)
wrong_loss, wrong_grad = ce.loss_and_grad(z, y, double=True)
a, b = st.columns(2)
a.metric("loss on raw logits (right)", f"{right_loss:.4f}")
b.metric(
    "loss on softmax(logits) (mistake)",
    f"{wrong_loss:.4f}",
    delta=f"{wrong_loss - right_loss:+.4f}",
    delta_color="off",
)
st.plotly_chart(plots.gradient_bars(names, right_grad, wrong_grad))
st.markdown(
    f"Gradient length: **{ce.norm(right_grad):.4f}** on raw logits, "
    f"**{ce.norm(wrong_grad):.4f}** with the double softmax."
)
mistake(
    "softmax before CrossEntropyLoss",
    "CrossEntropyLoss already applies log-softmax, so the model's output goes through softmax "
    f"twice. The inputs then lie in [0, 1]: even a perfect prediction costs at least "
    f"log(1 + (K−1)/e) = **{ce.double_softmax_floor(len(z)):.4f}** for K = {len(z)}, and the "
    "gradients are squeezed (grey bars), so training crawls. Feed the raw logits.",
)
code_panel(ce.double_code(z, y))

st.header("4. Label smoothing (optional)")
eps = st.slider("label_smoothing ε", 0.0, 0.5, 0.0, 0.05, key="ce_ls", **URL)
smooth_loss, smooth_grad = ce.loss_and_grad(z, y, eps=eps)
st.latex(
    rf"q = (1-\varepsilon)\,\mathrm{{onehot}}(y) + \varepsilon/K = "
    rf"[{sl.show(ce.smoothed_target(y, len(z), eps), 3)}]"
)
st.markdown(
    f"Loss against q: **{smooth_loss:.4f}** (ε = {eps:g}); gradient softmax(z) − q = "
    f"[{sl.show(smooth_grad, 4)}]. The target is never exactly one-hot, so the model "
    "is not pushed towards infinite logits."
)
code_panel(ce.smoothing_code(z, y, eps))

st.header("5. A batch, the mean, and the gradient")
a, b = st.columns(2)
n = a.slider("Batch size N", 2, 8, 4, key="ce_batch", **URL)
seed = b.number_input("Seed for the other samples", 0, 10_000, 0, key="ce_seed", **URL)
logits, targets = ce.make_batch(z, y, n, int(seed))
r = ce.batch_results(logits, targets)
st.dataframe(
    pd.DataFrame(
        {
            "sample": [f"{i}" + (" (yours)" if i == 0 else "") for i in range(n)],
            "logits": [", ".join(sl.num(v) for v in row) for row in logits],
            "true class": [names[t] for t in targets],
            "p(true)": [f"{v:.4f}" for v in r["p_true"]],
            "loss": [f"{v:.4f}" for v in r["per_sample"]],
        }
    ),
    hide_index=True,
)
st.markdown(
    f"reduction='mean': ({' + '.join(f'{v:.4f}' for v in r['per_sample'])}) / {n} = "
    f"**{r['mean']:.4f}**"
)
st.latex(
    r"\frac{\partial\,\text{loss}}{\partial z_i} = "
    r"\frac{\mathrm{softmax}(z_i) - \mathrm{onehot}(y_i)}{N}"
)
grad = pd.DataFrame(r["grad"], columns=names).round(4).rename_axis("sample")
st.dataframe(grad)
st.caption(
    "Each row sums to 0: the true class's logit goes up by (1 − p)/N, every other one down by p/N."
)
code_panel(ce.batch_code(logits, targets))

quiz([Question(*q) for q in ce.QUIZ], key="ce_quiz")
