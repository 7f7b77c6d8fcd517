"""The training lab's standalone script: a file that imports nothing from ``lib`` and, run
with ``python``, reproduces the lab's final test accuracy exactly: same data code, same
standardisation, same initialisation, same shuffling, one thread."""

from __future__ import annotations

import inspect
from dataclasses import replace

from lib.core import datasets
from lib.core.datasets import GENERATED
from lib.core.models import n_outputs
from lib.lessons.lab import UPLOADED, Lab, LabSettings


def csv_data_code(prepared, target, config, csv, filename: str) -> str:
    """The data parts of :func:`lib.tabular.export.standalone_script` (read, label-encode,
    split, preprocess as the Your-own-data page did; :mod:`lib.tabular.script_parts`), without
    that page's own training settings: they end with float32 ``X_train``, ``X_test`` and int64
    ``y_train``, ``y_test``."""
    from lib.tabular.script_parts import data_code

    return data_code(prepared.preprocessor, target, csv, len(prepared.y_test), config.seed,
                     filename)  # fmt: skip


# -- the standalone script ----------------------------------------------------------------

_TABLE_LOADERS = {
    "Breast cancer": "load_breast_cancer",
    "Iris": "load_iris",
    "Wine": "load_wine",
    "Digits": "load_digits",
}
_GENERATORS = {
    "Moons": datasets._moons,
    "Circles": datasets._circles,
    "Blobs": datasets._blobs,
    "XOR": datasets._xor,
    "Spiral": datasets._spiral,
}


def _data_code(s: LabSettings) -> str:
    if s.data in GENERATED:
        k = s.classes if s.data in ("Blobs", "Spiral") else 2
        fn = _GENERATORS[s.data]
        source = inspect.getsource(datasets._split_counts) + "\n\n" + inspect.getsource(fn)
        return (
            f"# The lab's {s.data} generator, copied from ClassLab's lib/core/datasets.py.\n"
            f"{source}\n\n"
            f"rng = np.random.default_rng({s.data_seed})\n"
            f"X, y = {fn.__name__}(rng, {s.points}, {s.noise!r}, {k})\n"
            "X = X.astype(np.float32)\n"
            "y = y.astype(np.int64)\n"
        )
    flip = "\ny = 1 - y  # ClassLab codes malignant as 1 (the positive class)" if (
        s.data == "Breast cancer") else ""  # fmt: skip
    return (
        f"from sklearn.datasets import {_TABLE_LOADERS[s.data]}\n\n"
        f"bunch = {_TABLE_LOADERS[s.data]}()\n"
        "X = bunch.data.astype(np.float32)\n"
        f"y = bunch.target.astype(np.int64){flip}\n"
    )


def _model_code(n_features: int, n_classes: int, s: LabSettings) -> str:
    sizes = [n_features, *s.hidden]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [f"nn.Linear({a}, {b})", f"nn.{s.activation}()"]
    layers.append(f"nn.Linear({sizes[-1]}, {n_outputs(n_classes)})")
    return "model = nn.Sequential(\n" + "".join(f"    {layer},\n" for layer in layers) + ")\n"


def _optimizer_code(s: LabSettings) -> str:
    if s.optimizer == "Adam":
        return (
            f"optimizer = torch.optim.Adam(model.parameters(), lr={s.learning_rate!r}, "
            f"weight_decay={s.weight_decay!r})"
        )
    momentum = s.train_config().momentum if s.optimizer == "SGD + momentum" else 0.0
    return (
        f"optimizer = torch.optim.SGD(model.parameters(), lr={s.learning_rate!r}, "
        f"momentum={momentum!r}, weight_decay={s.weight_decay!r})"
    )


def standalone_script(lab: Lab, epochs: int | None = None) -> str:
    """A runnable script for exactly this lab (imports torch, numpy, scikit-learn only).

    It trains ``epochs`` epochs (default: the lab's last completed epoch), replays the
    learning-rate changes made while training and prints the final test accuracy, which
    equals ``lab.trainer.history[-1].test_accuracy`` formatted with 4 decimals.
    """
    s = replace(lab.settings, learning_rate=lab.start_lr)
    epochs = lab.trainer.history[-1].epoch if epochs is None else int(epochs)
    uploaded = lab.uploaded if s.data == UPLOADED else None
    n_features, k = len(lab.data.feature_names), lab.data.n_classes
    return "".join(
        [
            _head(lab, s, epochs),
            uploaded.data_code if uploaded is not None else _data_code(s),
            "\n",
            _split_code(s, uploaded is not None),
            _MODEL.format(model=_model_code(n_features, k, s), loss=_loss(k),
                          targets=_targets("y_train", k), optimizer=_optimizer_code(s)),
            _TRAINING,
            _EVALUATION.format(predict="(logits[:, 0] >= 0).long()" if k == 2
                               else "logits.argmax(dim=1)", test_targets=_targets("y_test", k)),
        ]
    )  # fmt: skip


def _loss(k: int) -> str:
    return "nn.BCEWithLogitsLoss()" if k == 2 else "nn.CrossEntropyLoss()"


def _targets(name: str, k: int) -> str:
    return f"{name}.float().unsqueeze(1)" if k == 2 else name


def _head(lab: Lab, s: LabSettings, epochs: int) -> str:
    """The docstring (what the script reproduces, how to run it), imports and constants."""
    n_train = len(lab.data.y_train)
    batch = min(s.batch_size or n_train, n_train)
    changes = {step: lr for step, lr in sorted(lab.lr_changes.items())}
    name = script_name(lab)
    if s.data == UPLOADED:
        filename = lab.uploaded.filename
        title = f"your CSV file {filename}"
        about = _ABOUT_UPLOAD.format(name=name, filename=filename, epochs=epochs)
    else:
        title = s.data
        about = _ABOUT_DATASET.format(name=name, epochs=epochs)
    return f'''\
"""ClassLab training lab, exported: {title}, {_describe_model(s)}, {s.optimizer}.
{about}
torch.set_num_threads(1)  # one thread, as in the lab: the same arithmetic in the same order

SEED = {s.seed}
EPOCHS = {epochs}
BATCH_SIZE = {batch}  # of {n_train} training rows
LR_CHANGES = {changes!r}  # optimizer step -> new learning rate, as changed in the lab

# --- data ---------------------------------------------------------------------------
'''


_ABOUT_UPLOAD = '''
It expects that CSV file next to it: run `python {name}` in the folder that
holds {filename}, or `python {name} path/to/your.csv`. It reads and
preprocesses the file as the "Your own data" page did (the same columns, split,
imputation, one-hot encoding and standardisation with the training rows' statistics), then
trains as the lab did for {epochs} epochs (same initialisation, shuffling, one thread) and
prints the final test accuracy. Needs pandas, torch and numpy.
"""

import json
import math
import sys

import numpy as np
import pandas as pd
import torch
from torch import nn
'''

_ABOUT_DATASET = '''
Run it with `python {name}`; it prints the same final test accuracy as the lab
after {epochs} epochs (same data, standardisation, initialisation, shuffling, one thread).
Needs torch, numpy and scikit-learn.
"""

import math

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
'''


def _split_code(s: LabSettings, uploaded: bool) -> str:
    """The lab's seeded split and standardisation (an uploaded CSV comes split and scaled)."""
    if uploaded:
        return "# (Split and standardised above, as on the Your own data page: not scaled twice.)\n"
    standardise = (
        "# Standardise with the TRAINING split's mean and std (never the test split's).\n"
        "mean = X_train.mean(axis=0)\n"
        "std = X_train.std(axis=0)\n"
        "mean, std = mean.astype(np.float32), np.where(std > 0, std, 1).astype(np.float32)\n"
        "X_train = ((X_train - mean) / std).astype(np.float32)\n"
        "X_test = ((X_test - mean) / std).astype(np.float32)\n"
        if s.standardize
        else "# Features are used unscaled (standardisation is off in the lab).\n"
    )
    return f"""counts = np.bincount(y)
stratify = y if counts[counts > 0].min() >= 2 else None
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size={s.test_size!r}, random_state={s.data_seed}, stratify=stratify
)
{standardise}"""


_MODEL = """X_train, X_test = torch.from_numpy(X_train), torch.from_numpy(X_test)
y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)

# --- model: it returns logits; the loss applies the sigmoid / softmax -----------------
{model}
# Initialise like nn.Linear's default, but from our own seeded generator.
init = torch.Generator().manual_seed(SEED)
with torch.no_grad():
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=init)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=init)

loss_fn = {loss}
targets = {targets}
{optimizer}
"""

_TRAINING = """
# --- training: mini-batches in a fresh random order every epoch ----------------------
shuffle = torch.Generator().manual_seed(SEED)
order = torch.randperm(len(X_train), generator=shuffle)
step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    for start in range(0, len(X_train), BATCH_SIZE):
        if step in LR_CHANGES:
            for group in optimizer.param_groups:
                group["lr"] = LR_CHANGES[step]
        index = order[start : start + BATCH_SIZE]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X_train[index]), targets[index])
        if not math.isfinite(loss.item()):
            raise SystemExit(f"The loss became {loss.item()} at step {step}: lower the learning rate.")
        loss.backward()
        optimizer.step()
        step += 1
    order = torch.randperm(len(X_train), generator=shuffle)
"""

_EVALUATION = """
# --- evaluation on the test split ------------------------------------------------------
model.eval()
with torch.no_grad():
    logits = model(X_test)
    predicted = {predict}
    accuracy = (predicted == y_test).float().mean().item()
    test_loss = loss_fn(logits, {test_targets}).item()
print(f"final test loss: {{test_loss!r}}")
print(f"final test accuracy after {{EPOCHS}} epochs: {{accuracy:.4f}}")
"""


def _describe_model(s: LabSettings) -> str:
    if not s.hidden:
        return "logistic regression"
    return f"MLP {'-'.join(map(str, s.hidden))} {s.activation}"


def script_name(lab: Lab) -> str:
    if lab.settings.data == UPLOADED:
        return "classlab_lab_your_csv.py"
    return f"classlab_{lab.settings.data.lower().replace(' ', '_')}.py"


def accuracy_line(accuracy: float, epochs: int) -> str:
    """The line the script prints, for comparing with the lab."""
    return f"final test accuracy after {epochs} epochs: {accuracy:.4f}"
