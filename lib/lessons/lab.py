"""The training lab's engine: settings → data, model and Trainer; grids; the standalone script.

Pure (no Streamlit): the page reads widgets into a :class:`LabSettings`, calls
:func:`build_lab`, and draws what :func:`grid_proba`, :func:`confusion_at` and
:func:`history_frame` return. :func:`standalone_script` writes a script that imports nothing
from ``lib`` and, run with ``python``, reproduces the lab's final test accuracy exactly: same
data code, same standardisation, same initialisation, same shuffling, one thread.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from lib.core import datasets
from lib.core.datasets import BUILTIN_TABLES, GENERATED, Dataset, DatasetSpec
from lib.core.models import ACTIVATIONS, make_model, n_outputs
from lib.core.training import OPTIMIZERS, TrainConfig, Trainer, single_thread

LAB_DATASETS = GENERATED + BUILTIN_TABLES
UPLOADED = "Your uploaded CSV"  # the learner's file, preprocessed on the "Your own data" page
LAB_SOURCES = (*LAB_DATASETS, UPLOADED)
FULL_BATCH = 0  # batch_size 0 means "the whole training set"
GRID = 100
MAX_EPOCHS = 5000
CHART_POINTS = 400  # at most about this many epochs drawn per live chart


@dataclass(frozen=True)
class LabSettings:
    """Everything the lab's model depends on (hashable: it keys the signature)."""

    data: str = "Moons"
    points: int = 300
    noise: float = 0.2
    classes: int = 3
    test_size: float = 0.25
    data_seed: int = 0
    standardize: bool = True
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "ReLU"
    optimizer: str = "SGD"
    learning_rate: float = 0.1
    batch_size: int = 16
    weight_decay: float = 0.0
    seed: int = 0
    upload: str = ""  # for UPLOADED: which file and preprocessing (see UploadedData.key)

    def __post_init__(self) -> None:
        if self.data not in LAB_SOURCES:
            raise ValueError(f"data must be one of {LAB_SOURCES}, got {self.data!r}.")
        if self.data == UPLOADED and not self.upload:
            raise ValueError("Upload a file on the Your own data page first.")
        if not 0 <= len(self.hidden) <= 6 or any(not 1 <= h <= 64 for h in self.hidden):
            raise ValueError(f"hidden must be 0–6 layers of 1–64 units, got {list(self.hidden)}.")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}.")
        if self.batch_size < 0:
            raise ValueError(
                f"batch_size must be ≥ 1 (or 0 for full batch), got {self.batch_size}."
            )
        if self.data != UPLOADED:
            self.spec()  # validates points / noise / classes
        self.train_config()  # validates learning rate / weight decay

    def spec(self) -> DatasetSpec:
        if self.data == UPLOADED:
            raise ValueError("The uploaded CSV is not a built-in dataset: pass UploadedData.")
        if self.data in GENERATED:
            return DatasetSpec(self.data, self.points, self.noise, self.classes, self.data_seed)
        return DatasetSpec(self.data)

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size or 10**9,
            weight_decay=self.weight_decay,
            seed=self.seed,
        )


LIVE_SETTINGS = ("learning_rate",)  # change these and training continues from the weights
LABELS = {
    "data": "data set", "points": "points", "noise": "noise", "classes": "classes",
    "test_size": "test split", "data_seed": "data seed", "standardize": "standardisation",
    "hidden": "hidden layers", "activation": "activation", "optimizer": "optimizer",
    "batch_size": "batch size", "weight_decay": "weight decay", "seed": "seed",
    "upload": "uploaded file or its preprocessing",
}  # fmt: skip


def signature(settings: LabSettings) -> tuple:
    """The settings that the current weights depend on; a change means start again.

    The learning rate is left out: it can change between two steps.

    >>> signature(LabSettings()) == signature(LabSettings(learning_rate=0.01))
    True
    """
    values = asdict(settings)
    if settings.data not in GENERATED:  # generator knobs do not matter for a table
        for name in ("points", "noise", "classes"):
            values[name] = None
    if settings.data not in ("Blobs", "Spiral"):
        values["classes"] = None
    if settings.data == UPLOADED:  # split and scaling come from the Your-own-data page
        for name in ("test_size", "data_seed", "standardize"):
            values[name] = None
    return tuple((k, v) for k, v in values.items() if k not in LIVE_SETTINGS)


def changed(old: tuple, new: tuple) -> list[str]:
    """Readable names of the settings that differ between two signatures."""
    a, b = dict(old), dict(new)
    return [LABELS.get(k, k) for k in b if a.get(k) != b[k]]


# -- data ---------------------------------------------------------------------------------


@dataclass
class LabData:
    """The split the model trains on: raw features for plots, standardised tensors for torch."""

    X_train_raw: np.ndarray
    X_test_raw: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    feature_names: list[str]
    class_names: list[str]
    is_2d: bool

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((np.asarray(X, dtype=np.float32) - self.mean) / self.std).astype(np.float32)

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        return (
            torch.from_numpy(self.transform(self.X_train_raw)),
            torch.from_numpy(self.y_train.astype(np.int64)),
            torch.from_numpy(self.transform(self.X_test_raw)),
            torch.from_numpy(self.y_test.astype(np.int64)),
        )


@dataclass
class UploadedData:
    """The learner's CSV as the "Your own data" page preprocessed it: split, imputed,
    one-hot encoded and standardised with the training rows' statistics (so the lab must
    not standardise again). ``data_code`` is the exported script's reading and
    preprocessing part (:mod:`lib.tabular.export`), which rebuilds these matrices from the file."""

    key: str  # which file and which preprocessing: a change starts the lab again
    filename: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    class_names: list[str]
    test_size: float
    seed: int
    data_code: str


def uploaded_data(prepared, target, config, csv, filename: str, digest: str) -> UploadedData:
    """:class:`UploadedData` from what :func:`lib.tabular.pipeline.preprocess` returned for a file.

    ``prepared`` is a :class:`lib.tabular.preprocess.Prepared`, ``target`` its
    :class:`lib.tabular.profile.TargetInfo`, ``config`` the :class:`lib.tabular.pipeline.PipelineConfig`,
    ``csv`` the :class:`lib.tabular.reading.CsvResult` and ``digest`` the file's SHA-256.
    """
    from lib.tabular.export import safe_filename

    filename = safe_filename(filename)
    key = hashlib.sha256(f"{digest}|{config!r}".encode()).hexdigest()[:16]
    return UploadedData(
        key, filename,
        np.ascontiguousarray(prepared.X_train, dtype=np.float32),
        np.ascontiguousarray(prepared.X_test, dtype=np.float32),
        np.asarray(prepared.y_train, dtype=np.int64), np.asarray(prepared.y_test, dtype=np.int64),
        list(prepared.preprocessor.feature_names), [str(c) for c in target.classes],
        float(prepared.test_size), int(prepared.seed),
        _csv_data_code(prepared, target, config, csv, filename),
    )  # fmt: skip


_DATA_START, _DATA_END = "SETTINGS = json.loads(", "# 6. The model returns logits"
_PIPELINE_ONLY = ("hidden", "epochs", "batch_size", "learning_rate", "schedule")


def _csv_data_code(prepared, target, config, csv, filename: str) -> str:
    """Steps 1–5 (read, label-encode, split, impute / one-hot, standardise) of
    :func:`lib.tabular.export.standalone_script`, without the Your-own-data page's own training
    settings: it ends with float32 ``X_train``, ``X_test`` and int64 ``y_train``, ``y_test``."""
    from types import SimpleNamespace

    from lib.tabular.export import standalone_script as csv_script

    result = SimpleNamespace(
        prepared=prepared, config=config, target=target, classes=list(target.classes),
        accuracy=float("nan"),
    )  # fmt: skip
    script = csv_script(result, csv, filename)
    start, end = script.find(_DATA_START), script.find(_DATA_END)
    if start < 0 or end < start:
        raise ValueError("lib.tabular.export's script changed shape: cannot reuse its data part.")
    code = script[start:end].rstrip() + "\n"
    first, rest = code.split("\n", 1)
    settings = json.loads(ast.literal_eval(first[len("SETTINGS = json.loads(") : -1]))
    for name in _PIPELINE_ONLY:
        settings.pop(name, None)
    first = f"SETTINGS = json.loads({json.dumps(settings, ensure_ascii=True)!r})"
    return f"{first}\n{rest}"


def standardizer(X_train: np.ndarray, enabled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the training split (0 and 1 when disabled).

    >>> standardizer(np.array([[1.0, 5.0], [3.0, 5.0]], dtype=np.float32))[1].tolist()
    [1.0, 1.0]
    """
    n = X_train.shape[1]
    if not enabled:
        return np.zeros(n, dtype=np.float32), np.ones(n, dtype=np.float32)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    return mean.astype(np.float32), np.where(std > 0, std, 1).astype(np.float32)


def prepare_data(
    settings: LabSettings, dataset: Dataset | None = None, uploaded: UploadedData | None = None
) -> LabData:
    """Load (or take) the dataset, split it with the data seed and fit the standardiser.

    For the uploaded CSV the page's split and preprocessing are taken as they are: already
    standardised, so the lab's standardiser is the identity (mean 0, std 1).
    """
    if settings.data == UPLOADED:
        if uploaded is None or uploaded.key != settings.upload:
            raise ValueError("Upload and preprocess a file on the Your own data page first.")
        n = uploaded.X_train.shape[1]
        return LabData(
            uploaded.X_train, uploaded.X_test, uploaded.y_train, uploaded.y_test,
            np.zeros(n, dtype=np.float32), np.ones(n, dtype=np.float32),
            list(uploaded.feature_names), list(uploaded.class_names), False,
        )  # fmt: skip
    dataset = dataset if dataset is not None else datasets.load_dataset(settings.spec())
    X, names = datasets.numeric_features(dataset.features)
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, dataset.y, settings.test_size, settings.data_seed
    )
    mean, std = standardizer(X_train, settings.standardize)
    return LabData(
        X_train, X_test, y_train, y_test, mean, std, names, list(dataset.class_names),
        dataset.is_2d,
    )  # fmt: skip


# -- the lab ------------------------------------------------------------------------------


@dataclass
class Lab:
    """One learner's lab: settings, data, trainer and the learning-rate changes made live."""

    settings: LabSettings
    data: LabData
    trainer: Trainer
    lr_changes: dict[int, float] = field(default_factory=dict)
    start_lr: float = 0.0
    uploaded: UploadedData | None = None  # the learner's CSV, when it is the data

    def __post_init__(self) -> None:
        if not self.start_lr:
            self.start_lr = self.settings.learning_rate

    @property
    def signature(self) -> tuple:
        return signature(self.settings)

    def set_learning_rate(self, learning_rate: float) -> None:
        """Continue from the current weights with a new learning rate (recorded for the script)."""
        if learning_rate == self.trainer.config.learning_rate:
            return
        self.trainer.set_learning_rate(learning_rate)
        self.lr_changes[self.trainer.steps] = learning_rate
        self.settings = replace(self.settings, learning_rate=learning_rate)

    @property
    def finished(self) -> bool:
        return self.trainer.epoch >= MAX_EPOCHS or self.trainer.diverged is not None


def build_lab(
    settings: LabSettings, dataset: Dataset | None = None, uploaded: UploadedData | None = None
) -> Lab:
    """A fresh lab at epoch 0 for these settings (``dataset`` lets a caller pass a cached copy;
    ``uploaded`` is the learner's preprocessed CSV when ``settings.data == UPLOADED``)."""
    data = prepare_data(settings, dataset, uploaded)
    X_train, y_train, X_test, y_test = data.tensors()
    with single_thread():
        model = make_model(
            X_train.shape[1], data.n_classes, settings.hidden, settings.activation, settings.seed
        )
        trainer = Trainer(
            model, X_train, y_train, X_test, y_test, data.n_classes, settings.train_config()
        )
    return Lab(settings, data, trainer, uploaded=uploaded if settings.data == UPLOADED else None)


def history_frame(trainer: Trainer) -> pd.DataFrame:
    """One row per recorded epoch, indexed by epoch (every value finite)."""
    rows = [r.as_dict() for r in trainer.history]
    frame = pd.DataFrame(rows).set_index("epoch")
    return frame.rename(
        columns={
            "train_loss": "train loss", "test_loss": "test loss",
            "train_accuracy": "train accuracy", "test_accuracy": "test accuracy",
            "weight_norm": "weight norm", "grad_norm": "gradient norm",
        }
    )  # fmt: skip


def chart_frame(trainer: Trainer, max_points: int = CHART_POINTS) -> pd.DataFrame:
    """:func:`history_frame` thinned for the live charts, with ``epoch`` as a column: at most
    about ``max_points`` rows (every k-th epoch, k a power of two, so the kept points stay the
    same between ticks, plus the latest). Full-batch training records hundreds of epochs a
    second; sending and drawing every one on every tick would grow without bound."""
    frame = history_frame(trainer)
    stride = 1
    while len(frame) > stride * max_points:
        stride *= 2
    if stride > 1:
        epochs = frame.index.to_numpy()
        keep = (epochs % stride == 0) | (epochs == epochs[-1])
        frame = frame[keep]
    return frame.reset_index()


def model_at(lab: Lab, epoch: int | None = None) -> torch.nn.Module:
    """The live model, or a copy with the weights recorded at (or just before) ``epoch``."""
    if epoch is None or epoch >= lab.trainer.epoch:
        return lab.trainer.model
    return lab.trainer.weights_at(epoch)


def recorded_epoch(lab: Lab, epoch: int) -> int:
    """Which snapshot :func:`model_at` uses for ``epoch``."""
    kept = [e for e in lab.trainer.snapshots if e <= epoch]
    return max(kept) if kept else min(lab.trainer.snapshots)


def grid_proba(
    lab: Lab, model: torch.nn.Module | None = None, n: int = GRID
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class probabilities on an n×n grid over the raw 2-D feature space.

    Returns ``xs`` (n,), ``ys`` (n,) and ``proba`` (n, n, K) float32 with ``proba[i, j]`` at
    ``(xs[j], ys[i])`` — the layout a heatmap expects.
    """
    if not lab.data.is_2d:
        raise ValueError("Decision regions need 2-D data.")
    points = np.vstack([lab.data.X_train_raw, lab.data.X_test_raw])
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.1 * (hi - lo) + 1e-3
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n, dtype=np.float32)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    grid = lab.data.transform(np.column_stack([gx.ravel(), gy.ravel()]))
    model = model if model is not None else lab.trainer.model
    from lib.core.models import predict_proba

    with single_thread():
        proba = predict_proba(model, torch.from_numpy(grid)).numpy()
    return xs, ys, proba.reshape(n, n, -1).astype(np.float32)


def confusion_at(lab: Lab, model: torch.nn.Module | None = None) -> np.ndarray:
    """Test-set confusion matrix (rows = true class, columns = predicted)."""
    from lib.core.training import predict_labels

    model = model if model is not None else lab.trainer.model
    model.eval()
    with single_thread(), torch.no_grad():
        predicted = predict_labels(model(lab.trainer.X_test)).numpy()
    k = lab.data.n_classes
    return np.bincount(k * lab.data.y_test + predicted, minlength=k * k).reshape(k, k)


def layer_norms(model: torch.nn.Module) -> list[tuple[str, float]]:
    """‖W‖ of each Linear layer's weight matrix, first to last."""
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    last = len(linear) - 1
    return [
        ("output layer" if i == last else f"hidden layer {i + 1}", float(m.weight.detach().norm()))
        for i, m in enumerate(linear)
    ]


def output_and_loss(n_classes: int) -> tuple[str, str]:
    """The output layer and loss the lab uses, and why, in one sentence each."""
    if n_classes == 2:
        return (
            f"1 output logit and `nn.BCEWithLogitsLoss()` ({n_outputs(n_classes)} logit)",
            "Two classes need one number: the logit z of class 1, and sigmoid(z) is its "
            "probability. BCEWithLogitsLoss applies the sigmoid inside the loss, which stays "
            "exact even for huge logits.",
        )
    return (
        f"{n_classes} output logits and `nn.CrossEntropyLoss()`",
        f"{n_classes} classes need one logit each; CrossEntropyLoss applies log-softmax "
        "inside the loss (stable), so the model never applies softmax itself.",
    )


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
    s = lab.settings
    s = replace(s, learning_rate=lab.start_lr)
    epochs = lab.trainer.history[-1].epoch if epochs is None else int(epochs)
    n_features, k = len(lab.data.feature_names), lab.data.n_classes
    binary = k == 2
    n_train = len(lab.data.y_train)
    batch = min(s.batch_size or n_train, n_train)
    changes = {step: lr for step, lr in sorted(lab.lr_changes.items())}
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
    targets = "y_train.float().unsqueeze(1)" if binary else "y_train"
    test_targets = "y_test.float().unsqueeze(1)" if binary else "y_test"
    loss = "nn.BCEWithLogitsLoss()" if binary else "nn.CrossEntropyLoss()"
    predict = "(logits[:, 0] >= 0).long()" if binary else "logits.argmax(dim=1)"
    uploaded = lab.uploaded if s.data == UPLOADED else None
    if uploaded is not None:
        title = f"your CSV file {uploaded.filename}"
        about = f'''
It expects that CSV file next to it: run `python {script_name(lab)}` in the folder that
holds {uploaded.filename}, or `python {script_name(lab)} path/to/your.csv`. It reads and
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
    else:
        title = s.data
        about = f'''
Run it with `python {script_name(lab)}`; it prints the same final test accuracy as the lab
after {epochs} epochs (same data, standardisation, initialisation, shuffling, one thread).
Needs torch, numpy and scikit-learn.
"""

import math

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
'''
    head = f'''\
"""ClassLab training lab, exported: {title}, {_describe_model(s)}, {s.optimizer}.
{about}
torch.set_num_threads(1)  # one thread, as in the lab: the same arithmetic in the same order

SEED = {s.seed}
EPOCHS = {epochs}
BATCH_SIZE = {batch}  # of {n_train} training rows
LR_CHANGES = {changes!r}  # optimizer step -> new learning rate, as changed in the lab

# --- data ---------------------------------------------------------------------------
'''
    split = (
        "# (Split and standardised above, as on the Your own data page: not scaled twice.)\n"
        if uploaded is not None
        else f"""counts = np.bincount(y)
stratify = y if counts[counts > 0].min() >= 2 else None
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size={s.test_size!r}, random_state={s.data_seed}, stratify=stratify
)
{standardise}"""
    )
    body = f"""
{split}X_train, X_test = torch.from_numpy(X_train), torch.from_numpy(X_test)
y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)

# --- model: it returns logits; the loss applies the sigmoid / softmax -----------------
{_model_code(n_features, k, s)}
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
{_optimizer_code(s)}

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
            raise SystemExit(f"The loss became {{loss.item()}} at step {{step}}: lower the learning rate.")
        loss.backward()
        optimizer.step()
        step += 1
    order = torch.randperm(len(X_train), generator=shuffle)

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
    data = uploaded.data_code if uploaded is not None else _data_code(s)
    return head + data + body


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
