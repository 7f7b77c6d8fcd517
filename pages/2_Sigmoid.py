import streamlit as st

from lib.plots import sigmoid as fig
from lib.ui import sigmoid as lesson
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import code_panel, mistake, page_header, quiz

page_header(
    "The sigmoid",
    "A binary classifier ends with one number, a **logit** (any real value). The sigmoid "
    "squashes it into a probability between 0 and 1: the probability of class 1.",
)
st.latex(r"\sigma(x) = \frac{1}{1 + e^{-x}}")
dataset_picker()


def render_curve() -> float:
    st.header("Move x along the curve")
    x = lesson.x_controls()
    values = lesson.sigmoid_readout(x)
    st.markdown(
        f"**sigmoid({x:g}) = {values['torch.sigmoid']:.3f}**: the model gives a "
        f"{100 * values['torch.sigmoid']:.1f} % probability that this point is class 1."
    )
    st.plotly_chart(fig.sigmoid_figure(x), key="sig_curve")
    cols = st.columns(3)
    for col, (name, value) in zip(cols, values.items(), strict=True):
        col.metric(name, f"{value:.6f}")
    st.caption("The built-ins and the by-hand formula agree (all in float32).")
    code_panel(lesson.sigmoid_code(x), "The PyTorch code for these numbers")
    return x


def render_linear(x: float) -> None:
    st.header("Inside the score: z = w·x + b")
    st.markdown(
        "A logistic model computes a logit **z = w·x + b** and then σ(z). The weight sets "
        "how steep the step from 0 to 1 is; the bias shifts where it happens "
        "(p = 0.5 where w·x + b = 0)."
    )
    left, right = st.columns(2)
    w = left.slider("weight w", -5.0, 5.0, 1.0, 0.1, key=lesson.W_KEY, bind="query-params")
    b = right.slider("bias b", -10.0, 10.0, 0.0, 0.5, key=lesson.B_KEY, bind="query-params")
    z, p = lesson.linear_readout(x, w, b)
    c1, c2 = st.columns(2)
    c1.metric("logit z = w·x + b", f"{z:.4f}")
    c2.metric("probability p = σ(z)", f"{p:.4f}")
    st.plotly_chart(fig.linear_figure(x, w, b), key="sig_linear")
    code_panel(lesson.linear_code(x, w, b), "The PyTorch code: nn.Linear, then torch.sigmoid")


def render_odds(x: float) -> None:
    st.header("Logit ↔ odds ↔ probability")
    st.latex(
        r"\text{odds} = e^{z} = \frac{p}{1-p} \qquad p = \frac{\text{odds}}{1+\text{odds}}"
        r" \qquad z = \log(\text{odds})"
    )
    table = lesson.odds_table(x)
    st.dataframe(table, hide_index=True)
    st.caption(
        f"Your x = {x:g} is a row of the table. Each +1 on the logit multiplies the "
        "odds by e ≈ 2.718; logit 0 is odds 1 (1 to 1), probability 0.5."
    )
    code_panel(lesson.table_code(table["logit z"].tolist()), "The code for this table")


def render_slope(x: float) -> None:
    st.header("The slope: where learning slows")
    slope = lesson.slope_readout(x)
    st.markdown(
        f"Gradients flow through σ'(x) = σ(x)(1 − σ(x)). At x = {x:g} the slope is "
        f"**{slope:.4f}**, {100 * slope / 0.25:.1f} % of its maximum 0.25 at x = 0. In the flat "
        "tails a wrong, confident model barely gets a push."
    )
    st.plotly_chart(fig.derivative_figure(x), key="sig_slope")
    code_panel(lesson.slope_code(x), "The autograd code for this slope")


x = render_curve()
render_linear(x)
render_odds(x)
render_slope(x)
mistake(
    "putting nn.Sigmoid() inside the model",
    "The cheat sheet ends its model with `nn.Sigmoid()` and trains with `BCELoss`. ClassLab's "
    "models return **logits** and train with `nn.BCEWithLogitsLoss`, which applies the sigmoid "
    "inside in a numerically stable way. Call `torch.sigmoid(logits)` only when you need the "
    "probability, e.g. to apply a threshold. (Why: see the binary cross-entropy lesson.)",
)
quiz(lesson.QUESTIONS, key="sig_quiz")
