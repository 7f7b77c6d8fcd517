"""The sigmoid lesson's sections: each reads its widgets, calls lib, shows the numbers, the
figure (with a one-sentence text alternative) and the code that prints the same numbers.

Notation: ``z`` is a logit, ``x`` a feature, ``z = w·x + b``. The URL keys are older than
that notation and are kept for the links already shared: ``sig_x`` holds the logit z of
section 1 (also the feature value x of section 2), ``sig_w`` and ``sig_b`` the weight and bias.

Everything below the header is one fragment: moving z reruns the four sections that depend on
it, not the page around them; section 2 is a fragment of its own, so w and b rerun only it.
The z slider has no number-box mirror: a mirror written on every run answers late keyboard
presses with its stale value and pulls the slider back.
"""

from __future__ import annotations

import streamlit as st

from lib.lessons import sigmoid as numbers
from lib.plots import sigmoid as fig
from lib.ui.presenter import chart, control_and_figure
from lib.ui.widgets import Question, code_panel

X_KEY, W_KEY, B_KEY = "sig_x", "sig_w", "sig_b"
Z_DEFAULT, Z_MIN, Z_MAX = 2.5, -10.0, 10.0
URL = {"bind": "query-params"}

# The numbers are deterministic in the settings: cached, a rerun costs no torch call.
_cache = st.cache_data(max_entries=512, show_spinner=False)
sigmoid_readout = _cache(numbers.sigmoid_readout)
linear_readout = _cache(numbers.linear_readout)
slope_readout = _cache(numbers.slope_readout)
loss_gradients = _cache(numbers.loss_gradients)
odds_table = _cache(numbers.odds_table)


@st.fragment
def lesson() -> None:
    """The four sections, rerun together when z changes."""
    z = render_curve()
    render_linear(z)
    render_odds(z)
    render_gradients(z)


def render_curve() -> float:
    st.header("1. Move z along the curve")
    control, figure_box = control_and_figure()
    z = control.slider(
        "z (the model's score, a logit)", Z_MIN, Z_MAX, Z_DEFAULT, 0.1, key=X_KEY, **URL
    )
    p = sigmoid_readout(z)["torch.sigmoid"]
    control.markdown(
        f"**σ({z:g}) = {p:.3f}**: the model gives a {100 * p:.1f} % probability that this "
        "point is class 1."
    )
    with figure_box:
        chart(fig.sigmoid_figure(z), key="sig_curve")
        st.caption(fig.sigmoid_summary(z))
    for col, (name, value) in zip(st.columns(3), sigmoid_readout(z).items(), strict=True):
        col.metric(name, f"{value:.6f}")
    st.caption("The built-ins and the by-hand formula agree (all in float32).")
    code_panel(sigmoid_code(z), "The PyTorch code for these numbers")
    return z


@st.fragment
def render_linear(x: float) -> None:
    st.header("2. Inside the logit: z = w·x + b")
    st.markdown(
        "A logistic model computes the logit from a feature x: **z = w·x + b**, then σ(z). "
        "The weight sets how steep the step from 0 to 1 is; the bias shifts where it happens "
        f"(p = 0.5 where w·x + b = 0). Here the feature takes the value you chose above, "
        f"**x = {x:g}**: with w = 1 and b = 0 the logit is z = x, the curve of section 1."
    )
    left, right = st.columns(2)
    w = left.slider("weight w", -5.0, 5.0, 1.0, 0.1, key=W_KEY, **URL)
    b = right.slider("bias b", -10.0, 10.0, 0.0, 0.5, key=B_KEY, **URL)
    z, p = linear_readout(x, w, b)
    c1, c2 = st.columns(2)
    c1.metric("logit z = w·x + b", f"{z:.4f}")
    c2.metric("probability p = σ(z)", f"{p:.4f}")
    chart(fig.linear_figure(x, w, b), key="sig_linear")
    st.caption(fig.linear_summary(x, w, b))
    code_panel(linear_code(x, w, b), "The PyTorch code: nn.Linear, then torch.sigmoid")


def render_odds(z: float) -> None:
    st.header("3. Logit ↔ odds ↔ probability")
    st.latex(
        r"\text{odds} = e^{z} = \frac{p}{1-p} \qquad p = \frac{\text{odds}}{1+\text{odds}}"
        r" \qquad z = \log(\text{odds})"
    )
    table = odds_table(z)
    st.dataframe(table, hide_index=True)
    st.caption(
        f"Your z = {z:g} is a row of the table. Each +1 on the logit multiplies the "
        "odds by e ≈ 2.718; logit 0 is odds 1 (1 to 1), probability 0.5."
    )
    code_panel(table_code(table["logit z"].tolist()), "The code for this table")


def render_gradients(z: float) -> None:
    st.header("4. The sigmoid's slope, and the push the loss gives")
    slope, grads = slope_readout(z), loss_gradients(z)
    st.markdown(
        f"The sigmoid's slope is σ′(z) = σ(z)(1 − σ(z)): at z = {z:g} it is **{slope:.4f}**, "
        f"{100 * slope / 0.25:.1f} % of its maximum 0.25 at z = 0, and almost 0 in the flat "
        "tails. That is **not** how hard a wrong, confident model is pushed. Trained with "
        "`BCEWithLogitsLoss`, the gradient of the loss with respect to the logit is "
        f"**dL/dz = σ(z) − y**: here {grads[1]:+.4f} for label 1 and {grads[0]:+.4f} for "
        "label 0. For a confident mistake it is close to ±1, the **largest** push there is: "
        "the log in the loss cancels the flat slope."
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("σ′(z)", f"{slope:.4f}")
    c2.metric("dL/dz if y = 1", f"{grads[1]:+.4f}")
    c3.metric("dL/dz if y = 0", f"{grads[0]:+.4f}")
    chart(fig.gradient_figure(z), key="sig_slope")
    st.caption(fig.gradient_summary(z))
    st.markdown(
        "Where the flat tails **do** slow learning: with **MSE on σ(z)** the gradient is "
        "2(σ(z) − y)·σ′(z), so a confident mistake gets almost nothing; and behind a "
        "**saturated sigmoid hidden unit** every weight's gradient is multiplied by σ′ ≈ 0."
    )
    code_panel(gradient_code(z), "The autograd code for these numbers")


def sigmoid_code(z: float) -> str:
    return f"""
import torch
from torch import nn

z = torch.tensor({z!r})  # a logit: the model's score
print(f"nn.Sigmoid():  {{nn.Sigmoid()(z).item():.6f}}")
print(f"torch.sigmoid: {{torch.sigmoid(z).item():.6f}}")
print(f"by hand:       {{(1 / (1 + torch.exp(-z))).item():.6f}}")  # 1 / (1 + e^(-z))
"""


def linear_code(x: float, w: float, b: float) -> str:
    return f"""
import torch
from torch import nn

layer = nn.Linear(1, 1)        # z = w·x + b: the model returns this logit
with torch.no_grad():
    layer.weight.fill_({w!r})
    layer.bias.fill_({b!r})
    x = torch.tensor([[{x!r}]])    # one sample with one feature
    z = layer(x)
    p = torch.sigmoid(z)           # the probability, only when you need to read it
print(f"z = {{z.item():.4f}}, p = {{p.item():.4f}}")
"""


def table_code(logits: list[float]) -> str:
    return f"""
import pandas as pd
import torch

z = torch.tensor({logits!r}, dtype=torch.float64)
table = pd.DataFrame({{"logit z": z, "odds e^z": torch.exp(z), "probability σ(z)": torch.sigmoid(z)}}).round(4)
print(table)
print(torch.logit(torch.sigmoid(z)))  # and back: the logit undoes the sigmoid
"""


def gradient_code(z: float) -> str:
    return f"""
import torch
from torch import nn

z = torch.tensor({z!r}, requires_grad=True)
torch.sigmoid(z).backward()    # autograd: dσ/dz
s = torch.sigmoid(z).item()
print(f"slope by autograd: {{z.grad.item():.4f}}")
print(f"σ(z)(1 - σ(z)):    {{s * (1 - s):.4f}}")

for y in (1.0, 0.0):           # the gradient BCEWithLogitsLoss sends back to the logit
    logit = torch.tensor([{z!r}], requires_grad=True)
    nn.BCEWithLogitsLoss()(logit, torch.tensor([y])).backward()
    print(f"y = {{y:g}}: dL/dz = {{logit.grad.item():+.4f}} = σ(z) - y = {{s - y:+.4f}}")
"""


QUESTIONS = [
    Question(
        "A binary model outputs the logit 0. What probability of class 1 is that?",
        ("0", "0.5", "1", "It depends on the threshold"),
        1,
        "σ(0) = 1 / (1 + e⁰) = 1/2: a score of 0 means even odds.",
    ),
    Question(
        "Trained with BCEWithLogitsLoss, a model outputs z = 8 for a sample whose label is 0 "
        "(a confident mistake). How large is the gradient dL/dz?",
        (
            "About 0: the sigmoid is flat there, so the model barely learns",
            "About 1: dL/dz = σ(z) − y, the largest push",
            "About 0.25, the sigmoid's largest slope",
        ),
        1,
        "dL/dz = σ(8) − 0 ≈ 0.9997. The sigmoid's slope σ′(8) ≈ 0.0003 is tiny, but the log "
        "in the loss cancels it. Flat tails slow learning for MSE on σ(z) and for saturated "
        "sigmoid hidden units, not for BCE on the output logit.",
    ),
    Question(
        "The logit goes up by 1. What happens to the odds p / (1 − p)?",
        ("They go up by 1", "They are multiplied by e ≈ 2.72", "They double", "Nothing"),
        1,
        "The logit is log-odds: odds = e^z, so adding 1 to z multiplies the odds by e.",
    ),
    Question(
        "Your PyTorch model ends in nn.Linear and you train with BCEWithLogitsLoss. "
        "Where does the sigmoid go?",
        (
            "Add nn.Sigmoid() as the last layer",
            "Nowhere: the loss applies it; call torch.sigmoid(logits) only to read probabilities",
            "Apply it twice to be safe",
        ),
        1,
        "BCEWithLogitsLoss applies the sigmoid inside, stably. A sigmoid in the model as "
        "well would squash twice. The cheat sheet's other valid pair is nn.Sigmoid() in the "
        "model with nn.BCELoss (less exact for very confident outputs; see the BCE lesson).",
    ),
]
