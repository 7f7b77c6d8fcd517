"""The decision threshold: a logistic model's test probabilities and three ways to pick a cut.

A binary classifier outputs ``p = P(class 1)``; the cheat sheet's rule turns it into a label::

    classification = int(probability >= threshold)

Everything here is pure (no Streamlit): :func:`fit_binary_logistic` trains one logistic
regression per (dataset, seed) and returns the test-set probabilities and labels; the
choosers return a threshold for the best F1, for a target recall, or for the lowest cost when
a false negative costs ``ratio`` times a false positive. Metrics only change where the
threshold crosses a test probability, so the candidates are those probabilities (plus 1.0).
The confusion counts and scores at a threshold come from :mod:`lib.core.metrics`
(``threshold_metrics`` for one threshold, ``threshold_sweep`` for many).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from lib.core.datasets import Dataset, DatasetSpec, numeric_features, standardise, train_test_split
from lib.core.metrics import threshold_sweep
from lib.core.models import make_model
from lib.core.training import TrainConfig, Trainer
from lib.lessons.metrics import data_code

EPOCHS = 300
LEARNING_RATE = 0.05
TEST_SIZE = 0.25


@dataclass(frozen=True)
class LogisticFit:
    """A trained logistic regression's view of the test set."""

    dataset: str
    seed: int
    proba: np.ndarray  # P(class 1) for each test row, float64 (exact copies of float32 values)
    y: np.ndarray  # true test labels, 0 / 1
    class_names: tuple[str, str]
    n_features: int
    n_train: int
    epochs: int
    train_accuracy: float
    stratified: bool = True  # the split kept the class shares (False: a class had < 2 rows)

    @property
    def n_test(self) -> int:
        return int(self.y.size)


def fit_binary_logistic(
    dataset: Dataset,
    seed: int = 0,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    test_size: float = TEST_SIZE,
) -> LogisticFit:
    """Train ``make_model(hidden=())`` full-batch with Adam; the same seed gives the same numbers.

    ``seed`` fixes the train/test split, the initial weights and the row order.
    """
    if not dataset.is_binary:
        raise ValueError(
            f"{dataset.name} has {dataset.n_classes} classes; the threshold lesson needs two."
        )
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    X, _ = numeric_features(dataset.features)
    counts = np.bincount(dataset.y)
    X_train, X_test, y_train, y_test = train_test_split(X, dataset.y, test_size, seed)
    X_train, X_test = standardise(X_train, X_test)
    model = make_model(X.shape[1], 2, hidden=(), seed=seed)
    config = TrainConfig(
        optimizer="Adam", learning_rate=learning_rate, batch_size=len(X_train), seed=seed
    )
    tensors = [
        torch.from_numpy(np.ascontiguousarray(a)) for a in (X_train, y_train, X_test, y_test)
    ]
    trainer = Trainer(model, *tensors, n_classes=2, config=config, max_snapshots=2)
    trainer.run_steps(epochs)
    if trainer.diverged:
        raise ValueError(trainer.diverged)
    proba = trainer.predict_proba(tensors[2])[:, 1].numpy().astype(np.float64)
    return LogisticFit(
        dataset=dataset.name,
        seed=int(seed),
        proba=proba,
        y=np.asarray(y_test, dtype=np.int64),
        class_names=(str(dataset.class_names[0]), str(dataset.class_names[1])),
        n_features=int(X.shape[1]),
        n_train=len(X_train),
        epochs=trainer.epoch,
        train_accuracy=trainer.history[-1].train_accuracy,
        stratified=bool(counts[counts > 0].min() >= 2),  # as train_test_split decides
    )


# --- choosing a threshold ---------------------------------------------------------------


def _check(y_true, proba) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).ravel()
    p = np.asarray(proba, dtype=np.float64).ravel()
    if y.size == 0:
        raise ValueError("Choosing a threshold needs at least one sample.")
    if y.shape != p.shape:
        raise ValueError(f"{y.size} labels but {p.size} probabilities.")
    if not set(np.unique(y).tolist()) <= {0, 1}:
        raise ValueError(f"Labels must be 0 or 1, got {np.unique(y).tolist()}.")
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise ValueError("Probabilities must be finite numbers between 0 and 1.")
    if not (y == 1).any():
        raise ValueError("There is no positive (class 1) sample, so recall is undefined.")
    return y.astype(np.int64), p


def candidates(proba) -> np.ndarray:
    """Every threshold where a metric can change: the distinct probabilities, plus 1.0."""
    return np.unique(np.r_[np.asarray(proba, dtype=np.float64).ravel(), 1.0])


def _sweep(y, p) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The candidate thresholds and the confusion counts at each (lib.core.metrics)."""
    t = candidates(p)
    return t, threshold_sweep(y, p, t)


def _pick(t: np.ndarray, score: np.ndarray) -> float:
    """The highest threshold among those with the best score (fewest positive predictions)."""
    best = np.flatnonzero(score == score.max())
    return float(t[best[-1]])


def best_f1_threshold(y_true, proba) -> float:
    """The threshold with the highest F1 = 2TP / (2TP + FP + FN) (highest such threshold on ties).

    >>> best_f1_threshold([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    0.4
    """
    t, c = _sweep(*_check(y_true, proba))
    return _pick(t, c["f1"])


def recall_threshold(y_true, proba, target: float) -> float:
    """The highest threshold whose recall is at least ``target``: lower the cut only as far as needed.

    >>> recall_threshold([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 0.5)
    0.9
    """
    if not isinstance(target, int | float) or not 0 < target <= 1:
        raise ValueError(f"The target recall must be in (0, 1], got {target!r}.")
    t, c = _sweep(*_check(y_true, proba))
    reached = c["recall"] >= target - 1e-12
    return float(t[np.flatnonzero(reached)[-1]])


def cost_threshold(y_true, proba, ratio: float) -> float:
    """The threshold with the lowest cost ``ratio · FN + FP`` (a missed case costs ``ratio`` false alarms).

    >>> cost_threshold([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 5.0)
    0.4
    """
    if not isinstance(ratio, int | float) or not math.isfinite(ratio) or ratio <= 0:
        raise ValueError(f"The cost ratio FN:FP must be a positive number, got {ratio!r}.")
    t, c = _sweep(*_check(y_true, proba))
    return _pick(t, -(ratio * c["fn"] + c["fp"]))


def expected_cost(fn: int, fp: int, ratio: float) -> float:
    """Cost in units of one false positive."""
    return float(ratio * fn + fp)


def boundary_case(proba, threshold: float) -> dict | None:
    """A test row whose probability equals the threshold (where ``>=`` and ``>`` disagree), or None."""
    p = np.asarray(proba, dtype=np.float64).ravel()
    hits = np.flatnonzero(p == threshold)
    if hits.size == 0:
        return None
    return {"row": int(hits[0]), "probability": float(p[hits[0]]), "count": int(hits.size)}


def example_row(proba, threshold: float) -> int:
    """The test row whose probability is closest to the threshold (the most interesting one)."""
    p = np.asarray(proba, dtype=np.float64).ravel()
    return int(np.argmin(np.abs(p - threshold)))


# --- the code a learner can run ------------------------------------------------------------
#
# A whole program in plain Python (numpy, pandas, torch, scikit-learn; no ClassLab import) for
# every dataset the lesson offers: the data part is the Metrics lesson's (the generators'
# own source text), the rest repeats fit_binary_logistic step by step.

_IMPORTS = """import math

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from torch import nn

torch.set_num_threads(1)  # the page trains on one thread: the same arithmetic, bit for bit
"""


def _split_code(seed: int, threshold: float, test_size: float, stratified: bool) -> str:
    stratify = "y" if stratified else "None  # a class too small to stratify"
    return f"""
X = features.to_numpy(dtype=np.float32)  # every feature of this dataset is a number
SEED, THRESHOLD = {int(seed)}, {float(threshold)!r}
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size={test_size!r}, random_state=SEED, stratify={stratify}
)
mean, std = X_train.mean(axis=0), X_train.std(axis=0)  # training-split statistics only
std[std == 0] = 1.0
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
"""


def _training_code(epochs: int, learning_rate: float) -> str:
    return f"""
# Logistic regression: one linear layer, one logit (the sigmoid lives in the loss).
n = X_train.shape[1]
model = nn.Sequential(nn.Linear(n, 1))
init = torch.Generator().manual_seed(SEED)
nn.init.kaiming_uniform_(model[0].weight, a=math.sqrt(5), generator=init)
nn.init.uniform_(model[0].bias, -1 / math.sqrt(n), 1 / math.sqrt(n), generator=init)

loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr={learning_rate!r})
inputs, targets = torch.from_numpy(X_train), torch.from_numpy(y_train).float().unsqueeze(1)
shuffle = torch.Generator().manual_seed(SEED)
order = torch.randperm(len(inputs), generator=shuffle)
for epoch in range({int(epochs)}):  # full batch: one step per epoch, rows shuffled
    optimizer.zero_grad()
    loss = loss_fn(model(inputs[order]), targets[order])
    loss.backward()
    optimizer.step()
    order = torch.randperm(len(inputs), generator=shuffle)
"""


_data_code = lru_cache(maxsize=32)(data_code)  # deterministic text per dataset spec

_EVALUATION_CODE = """
model.eval()
with torch.no_grad():
    proba = torch.sigmoid(model(torch.from_numpy(X_test)))[:, 0]
y_pred = [int(probability >= THRESHOLD) for probability in proba.tolist()]  # the cheat sheet's rule
cm = confusion_matrix(y_test, y_pred, labels=[0, 1])  # rows true, columns predicted
tn, fp, fn, tp = cm.ravel()
print(cm)
print(f"TN={tn} FP={fp} FN={fn} TP={tp}  recall={tp / (tp + fn):.3f}")
"""


def reproduce_code(
    spec: DatasetSpec,
    seed: int,
    threshold: float,
    stratified: bool = True,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    test_size: float = TEST_SIZE,
) -> str:
    """A plain Python program (no ClassLab import) that prints the confusion matrix on screen.

    ``stratified`` is :attr:`LogisticFit.stratified` (whether the split could keep the class
    shares).
    """
    return "".join(
        (
            _IMPORTS,
            _data_code(spec),
            _split_code(seed, threshold, test_size, stratified),
            _training_code(epochs, learning_rate),
            _EVALUATION_CODE,
        )
    )
