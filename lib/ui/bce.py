"""Glue for the binary cross-entropy lesson: the cached SGD picture, code panels and the quiz."""

from __future__ import annotations

import streamlit as st

from lib.lessons import bce as numbers
from lib.lessons.bce import SgdPicture, sgd_picture
from lib.ui.widgets import Question

STEPS = 60
START = (-2.0, 3.0)
N_POINTS = 200
LEARNING_RATES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
BATCH_SIZES = (2, 4, 8, 16, 32, 64)

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
