"""Classifiers that return logits: logistic regression and a multilayer perceptron.

Binary problems get one output logit (trained with ``BCEWithLogitsLoss``); K-class problems
get K logits (trained with ``CrossEntropyLoss``). The sigmoid / softmax never sit inside
the model: the loss applies them in a numerically stable way.
"""

from __future__ import annotations

import math

import torch
from torch import nn

ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}


def n_outputs(n_classes: int) -> int:
    """1 logit for two classes, K logits for K > 2."""
    if n_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes, got {n_classes}.")
    return 1 if n_classes == 2 else n_classes


def make_model(
    n_features: int,
    n_classes: int,
    hidden: tuple[int, ...] | list[int] = (),
    activation: str = "ReLU",
    seed: int = 0,
) -> nn.Sequential:
    """Build a logistic regression (``hidden=()``) or an MLP, initialised from ``seed``.

    Initialisation uses its own ``torch.Generator``, with the same distributions as
    ``nn.Linear``'s default, so concurrent learners get reproducible weights.

    >>> make_model(4, 3, hidden=(8,))(torch.zeros(2, 4)).shape
    torch.Size([2, 3])
    """
    if n_features < 1:
        raise ValueError(f"n_features must be at least 1, got {n_features}.")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}.")
    if any(int(h) < 1 for h in hidden):
        raise ValueError(f"every hidden layer needs at least 1 unit, got {list(hidden)}.")
    sizes = [n_features, *[int(h) for h in hidden]]
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(fan_in, fan_out), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(sizes[-1], n_outputs(n_classes)))
    model = nn.Sequential(*layers)
    reset_parameters(model, seed)
    return model


def reset_parameters(model: nn.Module, seed: int) -> None:
    """Re-draw every Linear layer's weights like PyTorch's default, from a private generator."""
    generator = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
                bound = 1 / math.sqrt(layer.in_features)
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def predict_proba(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Class probabilities of shape (N, K), also for a one-logit binary model."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
    return logits_to_proba(logits)


def logits_to_proba(logits: torch.Tensor) -> torch.Tensor:
    """(N, 1) logits → (N, 2) [1 - p, p]; (N, K) logits → softmax."""
    if logits.ndim == 2 and logits.shape[1] == 1:
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)
