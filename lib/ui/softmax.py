"""Streamlit glue for the softmax and argmax lesson: one function per section.

The logits and class names drive every section, so their controls are in the page's
``sections`` fragment, around all of them: changing them reruns every section (not the
sidebar and the quiz). Each later section's own control (temperature, shift, pushed
class, z) changes only that section, so the section is an ``st.fragment`` and a move of its
control reruns just the section (with the logits of the last run of ``sections``).

Every class name is outside text: Markdown gets it through ``md_literal``, figures through
``lib.plots.common.labels``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from lib.lessons import softmax as sl
from lib.plots import softmax as plots
from lib.text import md_literal
from lib.ui.logit_inputs import URL, logit_inputs
from lib.ui.presenter import chart, control_and_figure, presenting
from lib.ui.widgets import code_panel, mistake


def class_values(names: Sequence[str], values: Sequence[float], mark: int | None = None) -> str:
    """``cat 0.40 (argmax), dog 0.36`` for a caption, names made literal."""
    return ", ".join(
        f"{md_literal(n)} {v:.2f}" + (" (argmax)" if i == mark else "")
        for i, (n, v) in enumerate(zip(names, values, strict=True))
    )


def logits_section() -> tuple[list[float], list[str], list[float]]:
    """Section 1, the key section: the logit controls beside their probability bars."""
    st.header("1. From logits to probabilities")
    controls, figure = control_and_figure()
    with controls:
        z, names = logit_inputs("sm")
    p = sl.probs(z)
    top = sl.argmax(p)
    with figure:
        chart(plots.probability_bars(names, p, highlight=top))
        st.caption(
            f"Bars: {class_values(names, p, top)}; they sum to {sum(p):.2f}. The outlined "
            "bar, marked “argmax”, is the predicted class."
        )
    if not presenting():
        st.latex(
            r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}} \qquad "
            r"\hat{y} = \arg\max_i \mathrm{softmax}(z)_i = \arg\max_i z_i"
        )
    st.markdown(
        "The **normalisation factor** is the sum of e to the power of every logit; each "
        "class gets its share of it:"
    )
    for line in sl.normaliser_latex(z):
        st.latex(line)
    st.markdown(f"softmax(z) = **[{sl.show(p)}]**, and the bars sum to **{sum(p):.2f}**.")
    code_panel(sl.softmax_code(z))
    return z, names, p


@st.fragment
def temperature_section(z: list[float], names: list[str]) -> None:
    st.header("2. Temperature")
    temperature = st.slider("Temperature T", 0.1, 5.0, 2.0, 0.1, key="sm_temp", **URL)
    p, p_t = sl.probs(z), sl.probs(z, temperature)
    st.latex(rf"\mathrm{{softmax}}(z / T),\ T = {temperature:g}:\quad [{sl.show(p_t, 4)}]")
    chart(plots.temperature_bars(names, p, p_t, temperature))
    st.caption(
        f"Solid bars, T = {temperature:g}: {class_values(names, p_t)}. Hatched grey bars, "
        f"T = 1: {class_values(names, p)}."
    )
    st.markdown(
        f"The top class keeps its place (argmax **{md_literal(names[sl.argmax(p_t)])}**) but "
        f"its probability goes from {max(p):.4f} to **{max(p_t):.4f}**: T > 1 flattens the "
        "distribution towards 1/K, T < 1 sharpens it towards one-hot."
    )
    code_panel(sl.temperature_code(z, temperature))


@st.fragment
def shift_section(z: list[float], names: list[str]) -> None:
    st.header("3. Adding the same constant to every logit changes nothing")
    shift = st.number_input(
        "Constant c added to every logit", -1000.0, 1000.0, 5.0, 1.0, key="sm_shift", **URL
    )
    s = sl.shift_summary(z, shift)
    textbook = sl.textbook_shift(z, shift)
    st.latex(
        r"\frac{e^{z_i + c}}{\sum_j e^{z_j + c}} = \frac{e^{c}\,e^{z_i}}{e^{c}\sum_j e^{z_j}}"
        r" = \mathrm{softmax}(z)_i"
    )
    table = {
        "class": names,
        "z": [sl.num(v) for v in z],
        "x = z + c": [sl.num(v) for v in sl.shifted(z, shift)],
        "softmax(z)": [f"{v:.4f}" for v in s["before"]],
        "softmax(z + c)": [f"{v:.4f}" for v in s["after"]],
        "textbook e^x / Σ e^x": (
            ["fails"] * len(z) if textbook is None else [f"{v:.4f}" for v in textbook]
        ),
    }
    st.dataframe(pd.DataFrame(table), hide_index=True)
    st.markdown(
        f"Largest difference between the two torch columns: **{s['max_diff']:.1e}** (float32 "
        "rounding only). The last column is the textbook formula written literally in NumPy "
        "(float64)."
    )
    note = sl.overflow_note(z, shift)
    if note:
        st.info(note)
    code_panel(sl.shift_code(z, shift))


@st.fragment
def dominant_section(z: list[float], names: list[str]) -> None:
    st.header("4. One logit dominating")
    dominant = st.selectbox("Class to push", names, key="sm_dom", **URL)
    j = names.index(dominant)
    p = sl.probs(z)
    grid, sweep = sl.sweep(z, j)
    chart(plots.sweep_lines(names, grid, sweep, j, z[j], p[j]))
    st.caption(
        f"One line per class (its own colour, dash and marker): the probability of each as "
        f"the logit of {md_literal(dominant)} runs from {grid[0]:.1f} to {grid[-1]:.1f}. "
        f"The star marks now: z = {sl.num(z[j])}, p = {p[j]:.4f}."
    )
    st.markdown(
        f"Now p({md_literal(dominant)}) = **{p[j]:.4f}**. Each +1 on its logit multiplies "
        "its odds against every other class by e ≈ 2.72, so a logit a few units above the "
        "rest takes almost all the probability."
    )


def argmax_section(z: list[float], names: list[str], p: list[float]) -> None:
    st.header("5. Argmax: from probabilities to one class")
    a, b, c = st.columns(3)
    a.metric("argmax of the logits", sl.argmax(z))
    b.metric("argmax of the probabilities", sl.argmax(p))
    c.metric("predicted class", md_literal(names[sl.argmax(p)]))
    st.markdown(
        "Softmax never changes the order of the logits, so both argmaxes agree: to get the "
        "predicted class you do not need softmax at all. The cheat sheet's code:"
    )
    st.code(sl.CHEAT_SHEET_ARGMAX_CODE, language="python")
    st.error(f"It raises: {md_literal(sl.cheat_sheet_argmax_error())}")
    mistake(
        "argmax over a dimension that does not exist",
        "`softmax_output` has shape (3,): one sample, only dimension 0. Use `dim=0` for one "
        "sample, and `dim=1` for a batch of shape (N, C) to get one class per row.",
    )
    code_panel(sl.argmax_code(z), "The right forms, with your logits")


@st.fragment
def sigmoid_section(z: list[float], names: list[str]) -> None:
    st.header("6. Sigmoid is the 2-class softmax")
    sz = st.slider("z", -10.0, 10.0, 1.5, 0.1, key="sm_sz", **URL)
    sig, soft = sl.sigmoid_pair(sz)
    a, b = st.columns(2)
    a.metric("sigmoid(z)", f"{sig:.4f}")
    b.metric("softmax([z, 0])[0]", f"{soft:.4f}")
    st.latex(r"\frac{e^{z}}{e^{z} + e^{0}} = \frac{1}{1 + e^{-z}} = \sigma(z)")
    if len(z) == 2:
        p = sl.probs(z)
        st.markdown(
            f"With your two logits, p({md_literal(names[0])}) = σ(z0 − z1) = "
            f"σ({sl.num(z[0] - z[1])}) = **{p[0]:.4f}**."
        )
    chart(plots.sigmoid_vs_softmax(sz))
    st.caption(
        f"The thick grey sigmoid and the dashed softmax([z, 0])[0] are one curve; the star "
        f"marks your z = {sz:g}, where both equal {sig:.4f}."
    )
    code_panel(sl.sigmoid_code(sz))
