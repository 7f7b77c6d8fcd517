"""The binary cross-entropy lesson's sections: each reads its widgets, calls lib, shows the
numbers, the figure (with a one-sentence text alternative) and the code for the same numbers.

Each section is a fragment, so a widget change reruns only what depends on it: p and y rerun
sections 1 and 2 (the batch's first row is that prediction), the reduction only section 2,
the logit z only section 3, the SGD settings only section 4.
"""

from __future__ import annotations

import streamlit as st

from lib.lessons import bce as numbers
from lib.lessons.bce import SgdPicture, sgd_picture
from lib.plots import bce as fig
from lib.ui.presenter import chart, control_and_figure
from lib.ui.widgets import Question, code_panel

STEPS = 60
START = (-2.0, 3.0)
N_POINTS = 200
LEARNING_RATES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
BATCH_SIZES = (2, 4, 8, 16, 32, 64)
URL = {"bind": "query-params"}

# The numbers are deterministic in the settings: cached, a rerun costs no torch call.
_cache = st.cache_data(max_entries=512, show_spinner=False)
three_losses = _cache(numbers.three_losses)
batch_table = _cache(numbers.batch_table)
saturation = _cache(numbers.saturation)
batch_rows = numbers.batch_rows
saturation_curves = numbers.saturation_curves  # lru-cached: independent of the learner's z


@st.cache_data(show_spinner="Running the three SGD paths…", max_entries=32)
def cached_picture(lr: float, batch_size: int, seed: int) -> SgdPicture:
    """Deterministic for its settings, so it is computed once per (lr, batch size, seed)."""
    return sgd_picture(
        lr=lr, batch_size=batch_size, seed=seed, steps=STEPS, start=START, n_points=N_POINTS
    )


@st.fragment
def prediction_sections() -> None:
    """Sections 1 and 2, rerun together when p or y changes."""
    p, y = render_curves()
    render_batch(p, y)


def render_curves() -> tuple[float, int]:
    st.header("1. One prediction, one loss")
    control, figure_box = control_and_figure()
    p = control.slider(
        "predicted probability p of class 1",
        0.001,
        0.999,
        0.924,
        0.001,
        format="%.3f",
        key="bce_p",
        **URL,
    )
    y = control.radio("true label y", (1, 0), key="bce_y", horizontal=True, **URL)
    with figure_box:
        chart(fig.bce_curves_figure(p, y), key="bce_curves")
        st.caption(fig.bce_curves_summary(p, y))
    for col, (name, value) in zip(st.columns(3), three_losses(p, y).items(), strict=True):
        col.metric(name, f"{value:.4f}")
    st.caption(
        "The same number three ways. `BCEWithLogitsLoss` gets the logit z = log(p/(1−p)), "
        "which is what a ClassLab model returns."
    )
    code_panel(losses_code(p, y), "The code: by hand, nn.BCELoss, nn.BCEWithLogitsLoss")
    return p, y


@st.fragment
def render_batch(p: float, y: int) -> None:
    st.header("2. A batch: per-sample losses and the reduction")
    reduction = st.radio("reduction", ("mean", "sum"), key="bce_red", horizontal=True, **URL)
    logits, targets = batch_rows(p, y)
    table, reduced = batch_table(logits, targets, reduction)
    st.dataframe(table, hide_index=True)
    st.metric(f"batch loss (reduction='{reduction}')", f"{reduced:.4f}")
    st.caption(
        "The first row is your prediction from above; the loss of a batch is the "
        "mean of its rows by default (the sum grows with the batch size)."
    )
    code_panel(batch_code(logits, targets, reduction), "The code for this batch")


@st.fragment
def render_stability() -> None:
    st.header("3. Why ClassLab trains on logits")
    z = st.slider(
        "logit z of a sample whose true label is 0", 0.0, 50.0, 40.0, 0.5, key="bce_z", **URL
    )
    result = saturation(z)
    for col, (name, (loss, grad)) in zip(st.columns(2), result.items(), strict=True):
        col.metric(f"{name}: loss", f"{loss:.4f}")
        col.metric(f"{name}: gradient d loss / d z", f"{grad:.4f}")
    st.markdown(
        "In float32, σ(z) rounds to exactly 1 once z ≳ 17, so log(1 − p) = log 0: `BCELoss` "
        "clamps it at −100 and the gradient through the saturated sigmoid is **0**: the model "
        "is maximally wrong and learns nothing. `BCEWithLogitsLoss` computes "
        "max(z, 0) − z·y + log(1 + e^−|z|) from the logit: loss z, gradient σ(z) − y = 1."
    )
    chart(fig.saturation_figure(z, saturation_curves(0, 50.0)), key="bce_saturation")
    st.caption(fig.saturation_summary(z, result))
    code_panel(saturation_code(z), "The autograd code for these numbers")


@st.fragment
def render_sgd() -> None:
    st.header("4. SGD in one picture")
    st.markdown(
        "A 1-feature logistic model z = w·x + b on 200 points. The contour is the mean BCE over "
        "all points for every (w, b). All three paths start at the ✕ with the same learning "
        "rate; they differ only in how many points each step's gradient sees."
    )
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider("learning rate", LEARNING_RATES, 0.5, key="bce_lr", **URL)
    batch = c2.select_slider("mini-batch size", BATCH_SIZES, 16, key="bce_bs", **URL)
    seed = c3.number_input("shuffle seed", 0, 10_000, 0, key="bce_seed", **URL)
    step = st.slider("step", 0, STEPS, 15, key="bce_step", **URL)
    picture = cached_picture(float(lr), int(batch), int(seed))
    chart(fig.sgd_figure(picture, step), key="bce_sgd")
    st.caption(fig.sgd_summary(picture, step))
    st.dataframe(fig.path_table(picture, step), hide_index=True)
    code_panel(sgd_code(float(lr), int(batch), int(seed), step), "The code for the three paths")


def losses_code(p: float, y: int) -> str:
    return f"""
import numpy as np
import torch
from torch import nn

def BCELoss(p, y):  # the cheat sheet's by-hand definition, for one probability
    if y == 1:  # if the true classification is 1
        return -np.log(p)
    else:  # if the true classification is 0
        return -np.log(1 - p)

p, y = {p!r}, {y!r}
target = torch.tensor([float(y)])
z = torch.logit(torch.tensor([p]))  # the logit a model would output for this p
print(f"by hand BCELoss(p, y):  {{BCELoss(p, y):.4f}}")
print(f"nn.BCELoss():           {{nn.BCELoss()(torch.tensor([p]), target).item():.4f}}")
print(f"nn.BCEWithLogitsLoss(): {{nn.BCEWithLogitsLoss()(z, target).item():.4f}}")
"""


def batch_code(logits: list[float], targets: list[float], reduction: str) -> str:
    return f"""
import torch
from torch import nn

logits = torch.tensor({logits!r})  # what the model returns
y = torch.tensor({targets!r})
per_sample = nn.BCEWithLogitsLoss(reduction="none")(logits, y)
print("p:", torch.sigmoid(logits))
print("per-sample loss:", per_sample)
print(f"{reduction}: {{nn.BCEWithLogitsLoss(reduction={reduction!r})(logits, y).item():.4f}}")
"""


def saturation_code(z: float) -> str:
    return f"""
import torch
from torch import nn

y = torch.tensor([0.0])  # the true label is 0, the model is sure it is 1
z = torch.tensor([{z!r}], requires_grad=True)
loss = nn.BCELoss()(torch.sigmoid(z), y)  # sigmoid, then BCELoss
loss.backward()
print(f"sigmoid + nn.BCELoss: loss {{loss.item():.4f}}, gradient {{z.grad.item():.4f}}")

z.grad = None
loss = nn.BCEWithLogitsLoss()(z, y)  # the logit straight in
loss.backward()
print(f"nn.BCEWithLogitsLoss: loss {{loss.item():.4f}}, gradient {{z.grad.item():.4f}}")
"""


def sgd_code(lr: float, batch_size: int, seed: int, step: int) -> str:
    return f"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

g = torch.Generator().manual_seed(0)  # the data: one feature, labels from w = 2, b = -1
x = torch.randn({N_POINTS}, generator=g)
y = (2.0 * x - 1.0 + torch.randn({N_POINTS}, generator=g) > 0).float()
loss_fn = nn.BCEWithLogitsLoss()

def sgd_path(batch_size, steps={step}, lr={lr!r}, seed={seed!r}):
    w = torch.tensor({START[0]!r}, requires_grad=True)
    b = torch.tensor({START[1]!r}, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size,
                        shuffle=batch_size < len(x),  # reshuffled every epoch
                        generator=torch.Generator().manual_seed(seed))
    done = 0
    while done < steps:
        for xb, yb in loader:
            if done == steps:
                break
            optimizer.zero_grad()
            loss_fn(w * xb + b, yb).backward()  # the gradient of this batch only
            optimizer.step()
            done += 1
    with torch.no_grad():
        return w.item(), b.item(), loss_fn(w * x + b, y).item()

for name, size in [("Full-batch GD", len(x)), ("Mini-batch SGD", {batch_size}), ("Single-sample SGD", 1)]:
    w, b, loss = sgd_path(size)
    print(f"{{name}}: w = {{w:.4f}}, b = {{b:.4f}}, loss on all points = {{loss:.4f}}")
"""


QUESTIONS = [
    Question(
        "The true label is 1 and the model says p = 0.01. What is the BCE loss?",
        ("0.01", "1 − 0.01 = 0.99", "−log(0.01) ≈ 4.6", "−log(0.99) ≈ 0.01"),
        2,
        "For y = 1 the loss is −log(p): a confident wrong answer is punished hard.",
    ),
    Question(
        "Your model returns logits. Which loss should you train with?",
        (
            "nn.BCELoss on the logits",
            "nn.BCEWithLogitsLoss on the logits",
            "nn.BCELoss on torch.sigmoid(logits)",
            "nn.MSELoss",
        ),
        1,
        "BCEWithLogitsLoss applies the sigmoid inside with the log-sum-exp trick; sigmoid + "
        "BCELoss saturates (loss clamped at 100, gradient 0) for large logits.",
    ),
    Question(
        "What does the default reduction='mean' of nn.BCEWithLogitsLoss return for a batch?",
        (
            "The largest per-sample loss",
            "The average of the per-sample losses",
            "The sum of the per-sample losses",
            "The loss of the first sample",
        ),
        1,
        "The batch loss is the mean of the per-sample losses, so its size does not grow with "
        "the batch size.",
    ),
    Question(
        "torch.optim.SGD with a DataLoader of batch_size=32 does what per step?",
        (
            "Uses one random point",
            "Uses the whole data set",
            "Uses the gradient of 32 points",
            "Uses 32 steps",
        ),
        2,
        "optim.SGD is just the update rule w ← w − lr·grad; the DataLoader decides how many "
        "points each gradient sees. One point is the special case batch_size=1.",
    ),
]
