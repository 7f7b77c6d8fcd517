"""The numbers beside the sigmoid lesson's figures, computed with exactly the torch calls
that the lesson's code panels print, so the page and the code agree digit for digit."""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

TABLE_LOGITS = (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0)


def sigmoid_readout(x: float) -> dict[str, float]:
    """σ(x) three ways, as the code panel computes them: nn.Sigmoid, torch.sigmoid, by hand."""
    t = torch.tensor(float(x))
    return {
        "nn.Sigmoid()": nn.Sigmoid()(t).item(),
        "torch.sigmoid": torch.sigmoid(t).item(),
        "by hand": (1 / (1 + torch.exp(-t))).item(),
    }


def linear_readout(x: float, w: float, b: float) -> tuple[float, float]:
    """(z, p) for z = w·x + b through ``nn.Linear(1, 1)`` then ``torch.sigmoid``."""
    layer = nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(float(w))
        layer.bias.fill_(float(b))
        z = layer(torch.tensor([[float(x)]]))
        return z.item(), torch.sigmoid(z).item()


def slope_readout(x: float) -> float:
    """dσ/dx at x by autograd, as the code panel computes it."""
    t = torch.tensor(float(x), requires_grad=True)
    torch.sigmoid(t).backward()
    return t.grad.item()


def odds_table(x: float) -> pd.DataFrame:
    """Logit ↔ odds ↔ probability for a few logits and the learner's x (float64 torch)."""
    z = torch.tensor(sorted({*TABLE_LOGITS, round(float(x), 4)}), dtype=torch.float64)
    return pd.DataFrame(
        {
            "logit z": z.numpy(),
            "odds e^z": torch.exp(z).numpy(),
            "probability σ(z)": torch.sigmoid(z).numpy(),
        }
    ).round(4)
