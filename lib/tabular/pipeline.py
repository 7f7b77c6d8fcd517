"""The whole road from an uploaded CSV to an evaluated PyTorch classifier.

read (:mod:`lib.tabular.reading`) → profile and check the target (:mod:`lib.tabular.profile`) →
preprocess (:mod:`lib.tabular.preprocess`) → train with :class:`lib.core.training.Trainer`
(binary: 1 logit + ``BCEWithLogitsLoss``; multiclass: K logits + ``CrossEntropyLoss``) →
evaluate with :mod:`lib.core.metrics`, beside a scikit-learn ``LogisticRegression`` baseline on the
same split. The page and the command line (:mod:`lib.tabular.cli`) both call :func:`run`.

Default settings: a logistic-regression network (no hidden layer) trained with Adam on full
batches (mini-batches of 512 for big tables) with the L2 penalty scikit-learn's default
``C=1`` implies, long enough to converge: on real tabular data it lands within a test row or
two of the baseline. A hidden layer is one setting away.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from lib.core import metrics
from lib.core.models import make_model, predict_proba
from lib.core.training import TrainConfig, Trainer, single_thread
from lib.tabular.preprocess import Prepared, prepare
from lib.tabular.profile import Profile, TargetInfo, check_target, profile_frame
from lib.tabular.reading import CsvResult, read_csv_bytes

FULL_BATCH_ROWS = 8_192
MINI_BATCH = 512
TARGET_STEPS = 300


@dataclass(frozen=True)
class PipelineConfig:
    """Everything the learner can choose; hashable so it can key a cache."""

    target: str
    features: tuple[str, ...] | None = None  # None: the profile's default selection
    test_size: float = 0.25
    seed: int = 0
    hidden: tuple[int, ...] = ()
    epochs: int | None = None  # None: enough to converge (see auto_epochs)
    learning_rate: float = 0.05
    max_seconds: float = 10.0
    max_categories: int = 20

    def __post_init__(self) -> None:
        if self.epochs is not None and not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs must be between 1 and 10000, got {self.epochs}.")
        if not 0 < self.learning_rate <= 10:
            raise ValueError(f"learning_rate must be in (0, 10], got {self.learning_rate}.")


@dataclass
class PipelineResult:
    config: PipelineConfig
    target: TargetInfo
    features: list[str]
    excluded: dict[str, str]
    prepared: Prepared
    model: torch.nn.Module
    history: list[dict]
    epochs: int
    train_seconds: float
    proba_test: np.ndarray  # (N, K)
    pred_test: np.ndarray
    accuracy: float
    report: dict
    confusion: np.ndarray
    baseline_accuracy: float
    baseline_report: dict
    baseline_pred: np.ndarray
    seconds: float
    warnings: list[str] = field(default_factory=list)
    diverged: str | None = None

    @property
    def classes(self) -> list[str]:
        return list(self.target.classes)

    @property
    def n_classes(self) -> int:
        return self.target.n_classes

    @property
    def majority(self) -> tuple[str, float]:
        """The training rows' most frequent class, and the test accuracy of always answering it
        (the score any model must beat: on imbalanced data it is high)."""
        counts = np.bincount(self.prepared.y_train, minlength=self.n_classes)
        top = int(counts.argmax())
        return self.classes[top], float(np.mean(self.prepared.y_test == top))

    def summary(self) -> dict:
        """The numbers the command line's ``--json`` prints."""
        return {
            "target": self.target.name,
            "n_rows": int(len(self.prepared.rows_train) + len(self.prepared.rows_test)),
            "n_train": int(len(self.prepared.rows_train)),
            "n_test": int(len(self.prepared.rows_test)),
            "n_features": int(self.prepared.preprocessor.n_features),
            "features": list(self.features),
            "n_classes": self.n_classes,
            "classes": self.classes,
            "epochs": int(self.epochs),
            "test_accuracy": float(self.accuracy),
            "baseline_accuracy": float(self.baseline_accuracy),
            "difference": float(self.accuracy - self.baseline_accuracy),
            "majority_accuracy": self.majority[1],
            "macro_f1": float(self.report["macro avg"]["f1-score"]),
            "seconds": float(self.seconds),
            "warnings": list(self.warnings),
        }


def read_and_profile(data: bytes, **csv_options) -> tuple[CsvResult, Profile]:
    """Read raw bytes (``CsvError`` on bad files) and profile the table."""
    csv = read_csv_bytes(data, **csv_options)
    return csv, profile_frame(csv.frame)


def auto_epochs(n_train: int) -> tuple[int, int]:
    """(epochs, batch size): full batches for small tables, ~TARGET_STEPS steps either way."""
    if n_train <= FULL_BATCH_ROWS:
        return TARGET_STEPS, n_train
    steps_per_epoch = math.ceil(n_train / MINI_BATCH)
    return max(3, min(200, math.ceil(4 * TARGET_STEPS / steps_per_epoch))), MINI_BATCH


def preprocess(
    df, profile: Profile, config: PipelineConfig
) -> tuple[TargetInfo, list[str], Prepared]:
    """Check the target, choose the features and preprocess (no training yet)."""
    target = check_target(df, config.target, column_codes=profile.factorized)
    if config.features is None:
        features = profile.default_features(config.target)
        if not features:
            raise ValueError(
                "No column is usable as a feature by default ("
                + "; ".join(
                    f"{k}: {v}" for k, v in list(profile.excluded(config.target).items())[:4]
                )
                + "). Choose feature columns yourself."
            )
    else:
        features = [f for f in config.features if f != config.target]
    prepared = prepare(
        df,
        target,
        features,
        config.test_size,
        config.seed,
        config.max_categories,
        column_codes=profile.factorized,
    )
    return target, features, prepared


def run(
    df,
    profile: Profile,
    config: PipelineConfig,
) -> PipelineResult:
    """Check the target, preprocess, train, evaluate and fit the baseline."""
    start = time.perf_counter()
    target, features, prepared = preprocess(df, profile, config)
    return fit(target, features, prepared, profile, config, start)


def fit(
    target: TargetInfo,
    features: list[str],
    prepared: Prepared,
    profile: Profile,
    config: PipelineConfig,
    start: float | None = None,
) -> PipelineResult:
    """Train on a prepared split, evaluate on its test rows and fit the baseline beside it."""
    start = time.perf_counter() if start is None else start
    run_ = start_training(prepared, target.n_classes, config)
    with single_thread():
        while not run_.finished:
            run_.advance(config.max_seconds)  # stops at the budget or the planned epochs
    return evaluate(run_, target, features, prepared, profile, start)


@dataclass
class TrainingRun:
    """A pipeline training that can be advanced in bounded chunks (the page's live view) or
    to the end in one go (:func:`fit`, the command line): both give the same weights."""

    config: PipelineConfig
    trainer: Trainer
    epochs: int  # the planned number of epochs
    schedule: dict[int, float]  # epoch → learning-rate factor
    seconds: float = 0.0  # training time spent so far (the budget is config.max_seconds)
    stopped_early: bool = False  # the learner asked for the result before the end

    @property
    def finished(self) -> bool:
        return (
            self.stopped_early
            or self.trainer.epoch >= self.epochs
            or bool(self.trainer.diverged)
            or self.seconds >= self.config.max_seconds
        )

    def advance(self, seconds: float) -> None:
        """Train for about ``seconds`` (at least one step), applying the learning-rate
        schedule at its epochs; stops at the planned epochs or the time budget."""
        begin = time.perf_counter()
        deadline = begin + min(seconds, max(0.0, self.config.max_seconds - self.seconds))
        trainer = self.trainer
        while not self.finished:
            upcoming = [at for at in self.schedule if at > trainer.epoch] + [self.epochs]
            trainer.train_for(
                max(0.0, deadline - time.perf_counter()),
                max_epochs=upcoming[0] - trainer.epoch,  # stop at the next schedule point
            )
            if trainer.epoch in self.schedule:
                trainer.set_learning_rate(self.config.learning_rate * self.schedule[trainer.epoch])
            self.seconds += time.perf_counter() - begin
            begin = time.perf_counter()
            if begin >= deadline:
                break


def start_training(prepared: Prepared, n_classes: int, config: PipelineConfig) -> TrainingRun:
    """A fresh model and the training lab's engine, ready to :meth:`TrainingRun.advance`.

    Full-batch Adam with the L2 penalty of scikit-learn's ``C=1``
    (``weight_decay = 1 / n_train``), the learning rate lowered for the last 40% of epochs.
    ``prepared``'s feature arrays are replaced by the Trainer's row-major ones (same values).
    """
    n_train = len(prepared.y_train)
    epochs, batch = auto_epochs(n_train)
    if config.epochs is not None:
        epochs = config.epochs
    model = make_model(prepared.X_train.shape[1], n_classes, hidden=config.hidden, seed=config.seed)
    trainer = Trainer(
        model,
        torch.from_numpy(prepared.X_train),
        torch.from_numpy(prepared.y_train),
        torch.from_numpy(prepared.X_test),
        torch.from_numpy(prepared.y_test),
        n_classes,
        TrainConfig(
            optimizer="Adam",
            learning_rate=config.learning_rate,
            batch_size=batch,
            weight_decay=1.0 / n_train,
            seed=config.seed,
        ),
    )
    # The Trainer keeps row-major copies of the column-major features prepare writes; the
    # prepared split shares them from now on (same values), so they are held only once.
    prepared.X_train, prepared.X_test = trainer.X_train.numpy(), trainer.X_test.numpy()
    return TrainingRun(config, trainer, epochs, lr_schedule(epochs))


def evaluate(
    run_: TrainingRun,
    target: TargetInfo,
    features: list[str],
    prepared: Prepared,
    profile: Profile,
    start: float | None = None,
) -> PipelineResult:
    """Test-set predictions, report and confusion matrix of the run's current weights, and
    the scikit-learn baseline on the same split."""
    start = time.perf_counter() if start is None else start
    trainer, config = run_.trainer, run_.config
    model = trainer.model
    X_test = torch.from_numpy(prepared.X_test)
    proba = predict_proba(model, X_test).numpy()
    pred = proba.argmax(axis=1)
    y_test = prepared.y_test
    labels = list(range(target.n_classes))

    def report_of(predicted: np.ndarray) -> dict:
        return metrics.classification_report(
            y_test,
            predicted,
            labels=labels,
            target_names=target.classes,
            output_dict=True,
            zero_division=0.0,
        )

    report = report_of(pred)
    confusion = metrics.confusion_matrix(y_test, pred, labels=labels)
    base_pred = baseline(prepared, config.seed)
    base_report = report_of(base_pred)
    history = [r.as_dict() for r in trainer.history]
    warnings = list(prepared.warnings)
    if trainer.diverged:
        warnings.append(trainer.diverged)
    return PipelineResult(
        config,
        target,
        features,
        profile.excluded(config.target),
        prepared,
        model,
        history,
        trainer.epoch,
        run_.seconds,
        proba,
        pred,
        float(metrics.accuracy_score(y_test, pred)),
        report,
        confusion,
        float(metrics.accuracy_score(y_test, base_pred)),
        base_report,
        base_pred,
        time.perf_counter() - start,
        warnings,
        trainer.diverged,
    )


def training_code(run: TrainingRun) -> str:
    """The PyTorch loop this run performs, written out for the learner: it runs as shown
    with ``X_train`` (float32, standardised) and ``y_train`` (class codes) from the steps above.
    (ClassLab draws the initial weights and the shuffling from its own seeded generators, so
    the numbers differ slightly; the downloadable script reproduces them exactly.)"""
    trainer, cfg = run.trainer, run.config
    n_features, k = trainer.X_train.shape[1], trainer.n_classes
    out = 1 if k == 2 else k
    sizes = [n_features, *cfg.hidden]
    layers = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        layers += [f"nn.Linear({a}, {b})", "nn.ReLU()"]
    layers.append(f"nn.Linear({sizes[-1]}, {out})")
    if k == 2:
        loss = "nn.BCEWithLogitsLoss()  # 1 logit; P(class 1) = sigmoid(logit), inside the loss"
        target, shape = "y_train[idx].float().unsqueeze(1)", "targets shaped (B, 1) like the logits"
    else:
        loss = f"nn.CrossEntropyLoss()  # {k} logits; softmax + log inside the loss"
        target, shape = "y_train[idx]", "targets: class codes, shape (B,)"
    schedule = {at: round(cfg.learning_rate * f, 6) for at, f in run.schedule.items()}
    return f"""import torch
from torch import nn

torch.manual_seed({cfg.seed})
X_train, y_train = torch.as_tensor(X_train), torch.as_tensor(y_train)
model = nn.Sequential({", ".join(layers)})  # returns logits
loss_fn = {loss}
# weight_decay = 1 / n_train: the L2 penalty of scikit-learn's LogisticRegression(C=1)
optimizer = torch.optim.Adam(model.parameters(), lr={cfg.learning_rate:g}, weight_decay={trainer.config.weight_decay:.6g})
lower_lr_at = {schedule!r}  # epoch -> learning rate
for epoch in range({run.epochs}):
    if epoch in lower_lr_at:
        for group in optimizer.param_groups:
            group["lr"] = lower_lr_at[epoch]
    order = torch.randperm(len(X_train))
    for start in range(0, len(X_train), {trainer.batch_size}):
        idx = order[start : start + {trainer.batch_size}]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]), {target})  # {shape}
        loss.backward()
        optimizer.step()
"""


def lr_schedule(epochs: int) -> dict[int, float]:
    """Epoch → learning-rate factor: ×0.2 after 60% of the epochs, ×0.04 after 85%."""
    if epochs < 3:
        return {}
    return {int(epochs * 0.6): 0.2, int(epochs * 0.85): 0.04}


def baseline(prepared: Prepared, seed: int = 0) -> np.ndarray:
    """scikit-learn's ``LogisticRegression`` (default C=1) on the same split; test predictions."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=1000, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(prepared.X_train, prepared.y_train)
    return clf.predict(prepared.X_test).astype(np.int64)


def baseline_code(seed: int) -> str:
    return (
        "from sklearn.linear_model import LogisticRegression\n"
        f"clf = LogisticRegression(max_iter=1000, random_state={seed}).fit(X_train, y_train)\n"
        "baseline_accuracy = clf.score(X_test, y_test)"
    )
