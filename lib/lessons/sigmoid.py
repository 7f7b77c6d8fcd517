"""The numbers beside the sigmoid lesson's figures, computed with exactly the torch calls
that the lesson's code panels print, so the page and the code agree digit for digit.

Notation: ``z`` is a logit (the model's score, any real number), ``x`` a feature, and the
model computes ``z = w·x + b``; ``σ(z)`` is the probability of class 1.
"""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

TABLE_LOGITS = (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0)


def sigmoid_readout(z: float) -> dict[str, float]:
    """σ(z) three ways, as the code panel computes them: nn.Sigmoid, torch.sigmoid, by hand."""
    t = torch.tensor(float(z))
    return {
        "nn.Sigmoid()": nn.Sigmoid()(t).item(),
        "torch.sigmoid": torch.sigmoid(t).item(),
        "by hand": (1 / (1 + torch.exp(-t))).item(),
    }


def linear_readout(x: float, w: float, b: float) -> tuple[float, float]:
    """(z, p) for the feature ``x``: z = w·x + b through ``nn.Linear(1, 1)``, then σ(z)."""
    layer = nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(float(w))
        layer.bias.fill_(float(b))
        z = layer(torch.tensor([[float(x)]]))
        return z.item(), torch.sigmoid(z).item()


def slope_readout(z: float) -> float:
    """dσ/dz at z by autograd, as the code panel computes it."""
    t = torch.tensor(float(z), requires_grad=True)
    torch.sigmoid(t).backward()
    return t.grad.item()


def loss_gradients(z: float) -> dict[int, float]:
    """dL/dz of ``nn.BCEWithLogitsLoss`` at the logit z, for the true label y = 1 and y = 0.

    Equal to σ(z) − y: about −1 or +1 for a confident mistake, where σ′(z) is nearly 0.

    >>> {y: round(g, 4) for y, g in loss_gradients(8.0).items()}
    {1: -0.0003, 0: 0.9997}
    """
    out = {}
    for y in (1, 0):
        t = torch.tensor([float(z)], requires_grad=True)
        nn.BCEWithLogitsLoss()(t, torch.tensor([float(y)])).backward()
        out[y] = t.grad.item()
    return out


def odds_table(z: float) -> pd.DataFrame:
    """Logit ↔ odds ↔ probability for a few logits and the learner's z (float64 torch)."""
    logits = torch.tensor(sorted({*TABLE_LOGITS, round(float(z), 4)}), dtype=torch.float64)
    return pd.DataFrame(
        {
            "logit z": logits.numpy(),
            "odds e^z": torch.exp(logits).numpy(),
            "probability σ(z)": torch.sigmoid(logits).numpy(),
        }
    ).round(4)
