"""The training lab's engine: settings → data, model and Trainer; grids; the standalone script.

Pure (no Streamlit): the page reads widgets into a :class:`LabSettings`, calls
:func:`build_lab`, and draws what :func:`grid_proba`, :func:`confusion_at` and
:func:`history_frame` return. The standalone script that reproduces a lab is written by
:mod:`lib.lessons.lab_script`.
"""

from __future__ import annotations

import hashlib
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
    from lib.lessons.lab_script import csv_data_code
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
        csv_data_code(prepared, target, config, csv, filename),
    )  # fmt: skip


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

    def record_learning_rate(self, learning_rate: float, step: int) -> None:
        """A learning-rate change applied elsewhere (a worker process) before step ``step``."""
        self.lr_changes[int(step)] = learning_rate
        self.settings = replace(self.settings, learning_rate=learning_rate)
        self.trainer.set_learning_rate(learning_rate)

    def rewind_learning_rates(self) -> None:
        """Forget changes recorded after the trainer's current step (it went back there) and
        use the learning rate in effect at that step."""
        steps = self.trainer.steps
        self.lr_changes = {s: lr for s, lr in self.lr_changes.items() if s <= steps}
        current = self.lr_changes[max(self.lr_changes)] if self.lr_changes else self.start_lr
        self.trainer.set_learning_rate(current)
        self.settings = replace(self.settings, learning_rate=current)

    def step_epoch(self) -> None:
        """One epoch's worth of optimizer steps (``steps_per_epoch``), also from mid-epoch:
        from 3 steps into epoch 6 it ends 3 steps into epoch 7."""
        self.trainer.run_steps(self.trainer.steps_per_epoch)

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


_FRAME_COLUMNS = {
    "epoch": "epoch", "steps": "steps", "train_loss": "train loss", "test_loss": "test loss",
    "train_accuracy": "train accuracy", "test_accuracy": "test accuracy",
    "weight_norm": "weight norm", "grad_norm": "gradient norm",
}  # fmt: skip


def _frame(records: list) -> pd.DataFrame:
    """Records as columns (one attribute read per cell: no ``asdict``, which deep-copies)."""
    return pd.DataFrame(
        {label: [getattr(r, name) for r in records] for name, label in _FRAME_COLUMNS.items()}
    )


def history_frame(trainer: Trainer) -> pd.DataFrame:
    """One row per recorded epoch, indexed by epoch (every value finite)."""
    return _frame(trainer.history).set_index("epoch")


def chart_series(trainer: Trainer, max_points: int = CHART_POINTS) -> dict[str, np.ndarray]:
    """The rows of :func:`chart_frame` as one array per column (same labels), for charts
    that each take a few columns."""
    records = _thinned(trainer.history, max_points)
    series = {}
    for name, label in _FRAME_COLUMNS.items():
        dtype = np.int64 if name in ("epoch", "steps") else np.float64
        series[label] = np.array([getattr(r, name) for r in records], dtype=dtype)
    return series


def _thinned(history: list, max_points: int) -> list:
    stride = 1
    while len(history) > stride * max_points:
        stride *= 2
    if stride == 1:
        return history
    last = history[-1].epoch
    return [r for r in history if r.epoch % stride == 0 or r.epoch == last]


def chart_frame(trainer: Trainer, max_points: int = CHART_POINTS) -> pd.DataFrame:
    """:func:`history_frame` thinned for the live charts, with ``epoch`` as a column: at most
    about ``max_points`` rows (every k-th epoch, k a power of two, so the kept points stay the
    same between ticks, plus the latest). Full-batch training records hundreds of epochs a
    second; sending and drawing every one on every tick would grow without bound. The rows
    are picked before the frame is built: a live tick costs the same at epoch 5,000."""
    return _frame(_thinned(trainer.history, max_points))


WARN_WINDOW = 10  # epochs the loss-trend warning looks back over
RISE_FACTOR = 1.5  # "well above its start": the recent loss over 1.5× the loss at epoch 0


def loss_warning(history: list, learning_rate: float) -> str | None:
    """A warning when training is going wrong without overflowing (``Trainer.diverged``
    covers nan/inf): the training loss of the last ``WARN_WINDOW`` epochs stays well above
    where it started, is no lower than that after 20 epochs, or jumps up and down by a
    large share of its size without going down. All three are what steps that overshoot
    do: the learning rate is too large for this model and data. A loss that
    spikes now and then but keeps going down (the second half of the window lower than
    the first) is left alone.

    ``history`` is the trainer's list of :class:`~lib.core.training.EpochRecord`.
    """
    if len(history) < 6:
        return None
    start = history[0].train_loss
    recent = np.array([r.train_loss for r in history[1:][-WARN_WINDOW:]])
    level = float(np.median(recent))
    smaller = f"{learning_rate / 10:g}"
    if level > RISE_FACTOR * start:
        return (
            f"The training loss went **up**: it started at {start:.3g} and is around "
            f"{level:.3g} over the last {len(recent)} epochs. The steps overshoot the minimum; "
            f"try a smaller learning rate (for example {smaller})."
        )
    if len(history) > 20 and level >= start:
        return (
            f"The training loss is **no lower** than where it started ({start:.3g}) after "
            f"{len(history) - 1} epochs. Steps that overshoot every time can do this; try a "
            f"smaller learning rate (for example {smaller})."
        )
    jumps = np.diff(recent)
    ups = int((jumps > 0).sum())
    swing = float(np.abs(jumps).mean())
    half = len(recent) // 2
    stalled = np.median(recent[half:]) >= 0.9 * np.median(recent[:half])  # not trending down
    if stalled and ups >= 0.3 * len(jumps) and swing > max(0.5 * level, 0.05):
        return (
            f"The training loss **oscillates**: over the last {len(recent)} epochs it rose "
            f"{ups} times and moved by {swing:.2g} on average (around {level:.3g}). The steps "
            f"are too large to settle; try a smaller learning rate (for example {smaller})."
        )
    return None


def record_at(trainer: Trainer, epoch: int):
    """The history row of ``epoch`` (the last one recorded at or before it)."""
    kept = [r for r in trainer.history if r.epoch <= epoch]
    return kept[-1] if kept else trainer.history[0]


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
