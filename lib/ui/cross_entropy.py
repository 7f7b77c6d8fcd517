"""Streamlit glue for the multiclass cross-entropy lesson: one function per section.

The logits and the true class drive every section, so their controls are in the page's
``sections`` fragment, around all of them (a change reruns every section, not the sidebar and
the quiz). Label smoothing (ε) and the batch (size, seed) change only
their own section: each is an ``st.fragment``, rerun alone when its control moves.

Class names are outside text: ``md_literal`` for Markdown, ``lib.plots.common.labels`` in figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from lib.lessons import cross_entropy as ce
from lib.lessons import softmax as sl
from lib.plots import cross_entropy as plots
from lib.text import md_literal
from lib.ui.logit_inputs import URL, logit_inputs
from lib.ui.presenter import chart, control_and_figure, presenting
from lib.ui.widgets import code_panel, mistake


def signed(names: Sequence[str], values: Sequence[float]) -> str:
    """``cat −0.60, dog +0.36`` for a caption, names made literal."""
    return ", ".join(f"{md_literal(n)} {v:+.4f}" for n, v in zip(names, values, strict=True))


def loss_section() -> tuple[list[float], list[str], int]:
    """Section 1, the key section: logits and true class beside the loss they give."""
    st.header("1. The loss of one sample")
    controls, figure = control_and_figure()
    with controls:
        z, names = logit_inputs("ce")
        true_name = st.selectbox("True class y", names, key="ce_y", **URL)
    y = names.index(true_name)
    p = sl.probs(z)
    loss = ce.three_ways(z, y)["builtin"]
    with figure:
        chart(plots.true_class_bars(names, p, y, loss))
        st.caption(
            f"Bars: softmax(z) per class. The true class {md_literal(true_name)} (outlined, "
            f"marked “true”) gets p = {p[y]:.4f}, so the loss is −log {p[y]:.4f} = {loss:.4f}."
        )
        chart(plots.neg_log_curve(p[y], loss))
        st.caption(
            f"The curve −log p; the diamond is your sample at p = {p[y]:.4f}, "
            f"loss = {loss:.4f}"
            + (" (drawn at the chart's edge: p is below 0.001)." if p[y] < plots.P_MIN else ".")
        )
    if not presenting():
        st.latex(r"\text{loss}(z, y) = -\log \mathrm{softmax}(z)_y = \log\sum_j e^{z_j} - z_y")
    st.latex(ce.loss_latex(z, y))
    st.markdown(
        "A confident right answer costs almost nothing; a confident wrong one costs a lot, "
        "without limit as p → 0."
    )
    return z, names, y


def three_ways_section(z: list[float], y: int) -> None:
    st.header("2. Three ways, one number")
    ways = ce.three_ways(z, y)
    a, b, c = st.columns(3)
    a.metric("nn.CrossEntropyLoss(logits)", f"{ways['builtin']:.4f}")
    b.metric("nn.NLLLoss(log_softmax(logits))", f"{ways['nll']:.4f}")
    c.metric("by hand: log Σ e^z − z_y", f"{ways['by_hand']:.4f}")
    st.markdown(
        "CrossEntropyLoss is NLLLoss applied to log_softmax: it wants **raw logits** and "
        "**class indices** (a long tensor of shape (N,)), not probabilities and not one-hot."
    )
    twin = ce.textbook_twin(z, y)
    if twin["naive"] is not None:
        st.caption(
            f"The textbook formula −log(e^(z_y) / Σ e^z), written literally in NumPy "
            f"(float64), gives {twin['naive']:.4f} too."
        )
    else:
        st.caption(
            f"The textbook formula −log(e^(z_y) / Σ e^z), written literally in NumPy "
            f"(float64), fails here: {twin['why']}. The log-sum-exp form, log Σ e^z − z_y "
            f"with max(z) subtracted first, gives {twin['stable']:.4f}."
        )
    code_panel(ce.three_ways_code(z, y))


def double_softmax_section(z: list[float], names: list[str], y: int) -> None:
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
    chart(plots.gradient_bars(names, right_grad, wrong_grad))
    st.caption(
        f"Solid bars, right: {signed(names, right_grad)}. Hatched grey bars, double softmax: "
        f"{signed(names, wrong_grad)}."
    )
    st.markdown(
        f"Gradient length: **{ce.norm(right_grad):.4f}** on raw logits, "
        f"**{ce.norm(wrong_grad):.4f}** with the double softmax."
    )
    mistake(
        "softmax before CrossEntropyLoss",
        "CrossEntropyLoss already applies log-softmax, so the model's output goes through "
        "softmax twice. The inputs then lie in [0, 1]: even a perfect prediction costs at least "
        f"log(1 + (K−1)/e) = **{ce.double_softmax_floor(len(z)):.4f}** for K = {len(z)}, and "
        "the gradients are squeezed (hatched bars), so training crawls. Feed the raw logits.",
    )
    code_panel(ce.double_code(z, y))


@st.fragment
def smoothing_section(z: list[float], y: int) -> None:
    st.header("4. Label smoothing (optional)")
    eps = st.slider("label_smoothing ε", 0.0, 0.5, 0.0, 0.05, key="ce_ls", **URL)
    smooth_loss, smooth_grad = ce.loss_and_grad(z, y, eps=eps)
    st.latex(
        rf"q = (1-\varepsilon)\,\mathrm{{onehot}}(y) + \varepsilon/K = "
        rf"[{sl.show(ce.smoothed_target(y, len(z), eps), 3)}]"
    )
    st.markdown(
        f"Loss against q: **{smooth_loss:.4f}** (ε = {eps:g}); gradient softmax(z) − q = "
        f"[{sl.show(smooth_grad, 4)}]. {ce.smoothing_note(eps, len(z))}"
    )
    code_panel(ce.smoothing_code(z, y, eps))


@st.fragment
def batch_section(z: list[float], names: list[str], y: int) -> None:
    st.header("5. A batch, the mean, and the gradient")
    a, b = st.columns(2)
    n = a.slider("Batch size N", 2, 8, 4, key="ce_batch", **URL)
    seed = b.number_input("Seed for the other samples", 0, 10_000, 0, key="ce_seed", **URL)
    logits, targets = ce.make_batch(z, y, n, int(seed))
    r = ce.batch_results(logits, targets)
    frame = {
        "sample": [f"{i}" + (" (yours)" if i == 0 else "") for i in range(n)],
        "logits": [", ".join(sl.num(v) for v in row) for row in logits],
        "true class": [names[t] for t in targets],
        "p(true)": [f"{v:.4f}" for v in r["p_true"]],
        "loss": [f"{v:.4f}" for v in r["per_sample"]],
    }
    st.dataframe(pd.DataFrame(frame), hide_index=True)
    st.markdown(
        f"reduction='mean': ({' + '.join(f'{v:.4f}' for v in r['per_sample'])}) / {n} = "
        f"**{r['mean']:.4f}**"
    )
    st.latex(
        r"\frac{\partial\,\text{loss}}{\partial z_i} = "
        r"\frac{\mathrm{softmax}(z_i) - \mathrm{onehot}(y_i)}{N}"
    )
    st.dataframe(pd.DataFrame(r["grad"], columns=names).round(4).rename_axis("sample"))
    st.caption(
        "Each row sums to 0: the true class's logit goes up by (1 − p)/N, every other one "
        "down by p/N. The formula (softmax − onehot)/N, computed directly in NumPy, differs "
        f"from autograd's gradient by at most {r['grad_vs_formula']:.1e}."
    )
    code_panel(ce.batch_code(logits, targets))
