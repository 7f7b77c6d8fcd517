"""Glue for the sigmoid lesson: the x slider + number input pair, code panels and the quiz.

Two widgets show one value: the slider (key ``sig_x``) is bound to the URL; the number input
(key ``sig_x_num``) is a mirror. Its ``on_change`` copies its value into the slider's key
before the rerun, and each run copies the slider's value back into the mirror before it is
drawn, so the two never disagree and a link restores both.
"""

from __future__ import annotations

import streamlit as st

from lib.lessons import sigmoid as numbers
from lib.ui.widgets import Question

X_KEY, X_NUM_KEY, W_KEY, B_KEY = "sig_x", "sig_x_num", "sig_w", "sig_b"
X_DEFAULT, X_MIN, X_MAX = 2.5, -10.0, 10.0

# The numbers are deterministic in the settings: cached, a rerun costs no torch call.
_cache = st.cache_data(max_entries=512, show_spinner=False)
sigmoid_readout = _cache(numbers.sigmoid_readout)
linear_readout = _cache(numbers.linear_readout)
slope_readout = _cache(numbers.slope_readout)
odds_table = _cache(numbers.odds_table)


def _number_changed() -> None:
    st.session_state[X_KEY] = round(float(st.session_state[X_NUM_KEY]), 1)


def x_controls() -> float:
    """The slider and the number input for x, kept in sync. Returns x."""
    left, right = st.columns([3, 1])
    x = left.slider(
        "x (the model's score, a logit)",
        X_MIN,
        X_MAX,
        X_DEFAULT,
        0.1,
        key=X_KEY,
        bind="query-params",
    )
    st.session_state[X_NUM_KEY] = float(x)
    right.number_input(
        "…or type x",
        X_MIN,
        X_MAX,
        step=0.1,
        format="%.1f",
        key=X_NUM_KEY,
        on_change=_number_changed,
    )
    return float(x)


def sigmoid_code(x: float) -> str:
    return f"""
import torch
from torch import nn

x = torch.tensor({x!r})
print(f"nn.Sigmoid():  {{nn.Sigmoid()(x).item():.6f}}")
print(f"torch.sigmoid: {{torch.sigmoid(x).item():.6f}}")
print(f"by hand:       {{(1 / (1 + torch.exp(-x))).item():.6f}}")  # 1 / (1 + e^(-x))
"""


def linear_code(x: float, w: float, b: float) -> str:
    return f"""
import torch
from torch import nn

layer = nn.Linear(1, 1)        # z = w·x + b: the model returns this logit
with torch.no_grad():
    layer.weight.fill_({w!r})
    layer.bias.fill_({b!r})
    z = layer(torch.tensor([[{x!r}]]))
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


def slope_code(x: float) -> str:
    return f"""
import torch

x = torch.tensor({x!r}, requires_grad=True)
torch.sigmoid(x).backward()    # autograd: dσ/dx
s = torch.sigmoid(x).item()
print(f"slope by autograd: {{x.grad.item():.4f}}")
print(f"σ(x)(1 - σ(x)):    {{s * (1 - s):.4f}}")
"""


QUESTIONS = [
    Question(
        "A binary model outputs the logit 0. What probability of class 1 is that?",
        ("0", "0.5", "1", "It depends on the threshold"),
        1,
        "σ(0) = 1 / (1 + e⁰) = 1/2: a score of 0 means even odds.",
    ),
    Question(
        "Where does the sigmoid change fastest, so gradients are largest?",
        ("At x = 0", "For large positive x", "For large negative x", "Everywhere the same"),
        0,
        "σ'(x) = σ(x)(1 − σ(x)) peaks at 0.25 at x = 0 and is almost 0 in the flat tails.",
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
        "well would squash twice; with BCELoss instead it saturates (see the BCE lesson).",
    ),
]
