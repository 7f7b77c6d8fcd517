"""The whole road from an uploaded CSV to an evaluated PyTorch classifier.

read (:mod:`lib.tabular.reading`) → profile and check the target (:mod:`lib.tabular.profile`) →
preprocess (:mod:`lib.tabular.preprocess`) → train (:mod:`lib.tabular.fitting`; binary: 1 logit +
``BCEWithLogitsLoss``; multiclass: K logits + ``CrossEntropyLoss``) → evaluate with
:mod:`lib.core.metrics`, beside a scikit-learn ``LogisticRegression`` baseline on the same
split, with intervals and a paired test (:mod:`lib.tabular.uncertainty`). The page and the
command line (:mod:`lib.tabular.cli`) both call :func:`run`.

Default settings: a logistic-regression network (no hidden layer) with the L2 penalty of
scikit-learn's ``C=1`` on its weights, trained by full-batch L-BFGS until the objective stops
falling: the baseline's model, reached the PyTorch way, so on the same split it scores what
the baseline scores. With hidden layers: Adam (full batches, or mini-batches of 512 for big
tables) with a falling learning rate, and, with automatic epochs, early stopping on a
validation split carved from the training rows (the best epoch's weights restored).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from lib.core import metrics
from lib.core.models import make_model, predict_proba
from lib.core.training import single_thread
from lib.tabular import uncertainty
from lib.tabular.fitting import PipelineTrainer
from lib.tabular.preprocess import Prepared, prepare, split_sizes, stratified_split
from lib.tabular.profile import Profile, TargetInfo, check_target, profile_frame
from lib.tabular.reading import CsvResult, read_csv_bytes

FULL_BATCH_ROWS = 8_192
MINI_BATCH = 512
TARGET_STEPS = 300
MAX_LBFGS_STEPS = 500
VALIDATION_SHARE = 0.15
MAX_SEED = 2**32 - 1
REPEAT_MAX_ROWS = 2_000  # the page offers repeated splits below this many rows


@dataclass(frozen=True)
class PipelineConfig:
    """Everything the learner can choose; hashable so it can key a cache."""

    target: str
    features: tuple[str, ...] | None = None  # None: the profile's default selection
    test_size: float = 0.25
    seed: int = 0
    hidden: tuple[int, ...] = ()
    epochs: int | None = None  # None: until converged / early stopping (see plan)
    learning_rate: float = 0.05  # Adam's (networks with hidden layers)
    max_seconds: float = 10.0
    max_categories: int = 20

    def __post_init__(self) -> None:
        if self.epochs is not None and not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs must be between 1 and 10000, got {self.epochs}.")
        if not 0 < self.learning_rate <= 10:
            raise ValueError(f"learning_rate must be in (0, 10], got {self.learning_rate}.")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, got {self.seed}.")
        if not (math.isfinite(self.max_seconds) and self.max_seconds > 0):
            raise ValueError(f"max_seconds must be a positive number, got {self.max_seconds}.")


@dataclass(frozen=True)
class Plan:
    """How a run trains: ``method`` ("lbfgs" / "adam"), at most ``epochs`` epochs of
    ``batch`` rows, and early stopping after ``patience`` epochs without a better validation
    loss (None: no validation split)."""

    method: str
    epochs: int
    batch: int
    patience: int | None


def auto_epochs(n_train: int) -> tuple[int, int]:
    """(epochs, batch size) for Adam: full batches for small tables, ~TARGET_STEPS steps either way."""
    if n_train <= FULL_BATCH_ROWS:
        return TARGET_STEPS, n_train
    steps_per_epoch = math.ceil(n_train / MINI_BATCH)
    return max(3, min(200, math.ceil(4 * TARGET_STEPS / steps_per_epoch))), MINI_BATCH


def plan(n_train: int, n_classes: int, config: PipelineConfig) -> Plan:
    """The default model (no hidden layer) trains by L-BFGS on full batches; networks with
    hidden layers by Adam, with early stopping when the epochs are automatic and the
    training rows leave a validation split with every class in it."""
    if not config.hidden:
        return Plan("lbfgs", config.epochs or MAX_LBFGS_STEPS, n_train, None)
    n_fit = n_train - validation_size(n_train, n_classes) if config.epochs is None else n_train
    epochs, batch = auto_epochs(n_fit)
    if config.epochs is not None or n_fit == n_train:
        return Plan("adam", config.epochs or epochs, batch, None)
    return Plan("adam", epochs, batch, max(10, epochs // 10))


def validation_size(n_train: int, n_classes: int) -> int:
    """Rows carved from the training rows for early stopping (0 when too few)."""
    try:
        return split_sizes(n_train, n_classes, VALIDATION_SHARE)
    except ValueError:
        return 0


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
    method: str = "lbfgs"
    stopped: str | None = None  # "converged", "stopped early" (validation), or None
    best_epoch: int | None = None  # early stopping: the epoch whose weights were restored
    n_validation: int = 0
    restarts: list[int] = field(default_factory=list)  # L-BFGS: epochs its memory was reset

    @property
    def classes(self) -> list[str]:
        return list(self.target.classes)

    @property
    def n_classes(self) -> int:
        return self.target.n_classes

    @property
    def n_test(self) -> int:
        return len(self.prepared.y_test)

    @property
    def majority(self) -> tuple[str, float]:
        """The training rows' most frequent class, and the test accuracy of always answering it
        (the score any model must beat: on imbalanced data it is high)."""
        top = self.majority_code
        return self.classes[top], float(np.mean(self.prepared.y_test == top))

    @property
    def majority_code(self) -> int:
        return int(np.bincount(self.prepared.y_train, minlength=self.n_classes).argmax())

    @property
    def accuracy_ci(self) -> tuple[float, float]:
        """95 % Wilson interval of the test accuracy."""
        return uncertainty.accuracy_interval(self.pred_test == self.prepared.y_test)

    @property
    def baseline_ci(self) -> tuple[float, float]:
        return uncertainty.accuracy_interval(self.baseline_pred == self.prepared.y_test)

    @property
    def majority_ci(self) -> tuple[float, float]:
        return uncertainty.accuracy_interval(self.prepared.y_test == self.majority_code)

    @property
    def versus_baseline(self) -> tuple[int, int, float]:
        """(test rows only the network got right, only the baseline did, McNemar p)."""
        y = self.prepared.y_test
        return uncertainty.paired(self.pred_test == y, self.baseline_pred == y)

    def diagnosis(self) -> list[uncertainty.Diagnosis]:
        return uncertainty.diagnose(
            self.prepared.y_test, self.pred_test, self.baseline_pred, self.majority_code,
            self.majority[0], self.n_classes, self.classes[1] if self.n_classes == 2 else None,
        )  # fmt: skip

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
            "test_accuracy_ci": list(self.accuracy_ci),
            "baseline_accuracy": float(self.baseline_accuracy),
            "baseline_accuracy_ci": list(self.baseline_ci),
            "difference": float(self.accuracy - self.baseline_accuracy),
            "p_value_vs_baseline": float(self.versus_baseline[2]),
            "majority_accuracy": self.majority[1],
            "majority_accuracy_ci": list(self.majority_ci),
            "macro_f1": float(self.report["macro avg"]["f1-score"]),
            "training": self.method,
            "stopped": self.stopped,
            "best_epoch": self.best_epoch,
            "seconds": float(self.seconds),
            "warnings": list(self.warnings),
            "diagnosis": [d.kind for d in self.diagnosis()],
        }


def read_and_profile(data: bytes, **csv_options) -> tuple[CsvResult, Profile]:
    """Read raw bytes (``CsvError`` on bad files) and profile the table."""
    csv = read_csv_bytes(data, **csv_options)
    return csv, profile_frame(csv.frame)


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
    prepared = prepare(df, target, features, config.test_size, config.seed,
                       config.max_categories, column_codes=profile.factorized)  # fmt: skip
    return target, features, prepared


def run(df, profile: Profile, config: PipelineConfig) -> PipelineResult:
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
            run_.advance(config.max_seconds)  # stops at the budget, the end or convergence
    return evaluate(run_, target, features, prepared, profile, start)


def repeat_splits(
    df, profile: Profile, config: PipelineConfig, k: int = 5, on_split: Callable | None = None
):
    """:func:`run` on ``k`` splits (seeds ``seed``, ``seed + 1``, …): accuracy and macro-F1 of
    the network and the baseline on each (:class:`~lib.tabular.uncertainty.RepeatSummary`).

    ``on_split(i, seed, result)`` is called after each split (the page shows its progress)."""
    if not 2 <= k <= 50:
        raise ValueError(f"repeats must be between 2 and 50, got {k}.")
    seeds = [(config.seed + i) % (MAX_SEED + 1) for i in range(k)]
    found = {"accuracy": [], "macro_f1": [], "baseline_accuracy": [], "baseline_macro_f1": []}
    for seed in seeds:
        result = run(df, profile, replace(config, seed=seed))
        found["accuracy"].append(result.accuracy)
        found["macro_f1"].append(result.report["macro avg"]["f1-score"])
        found["baseline_accuracy"].append(result.baseline_accuracy)
        found["baseline_macro_f1"].append(result.baseline_report["macro avg"]["f1-score"])
        if on_split is not None:
            on_split(len(found["accuracy"]), seed, result)
    return uncertainty.RepeatSummary(seeds, **found)


@dataclass
class TrainingRun:
    """A pipeline training that can be advanced in bounded chunks (the page's live view) or
    to the end in one go (:func:`fit`, the command line): both give the same weights."""

    config: PipelineConfig
    trainer: PipelineTrainer
    epochs: int  # the most epochs it will train
    schedule: dict[int, float]  # epoch → learning-rate factor (Adam)
    plan: Plan
    validation: tuple[np.ndarray, np.ndarray] | None = None  # (fit, validation) positions
    seconds: float = 0.0  # training time spent so far (the budget is config.max_seconds)
    stopped_early: bool = False  # the learner asked for the result before the end

    @property
    def finished(self) -> bool:
        return (
            self.stopped_early
            or self.trainer.epoch >= self.epochs
            or bool(self.trainer.diverged)
            or bool(self.trainer.done)
            or self.seconds >= self.config.max_seconds
        )

    def advance(self, seconds: float) -> None:
        """Train for about ``seconds`` (at least one step), applying the learning-rate
        schedule at its epochs; stops at the planned epochs, convergence or the budget."""
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
    """A fresh model and its trainer (see :func:`plan`), ready to :meth:`TrainingRun.advance`.

    The penalty is scikit-learn's ``C=1`` on the weights: ``l2 = 1 / n`` training rows.
    ``prepared``'s feature arrays are replaced by row-major copies (same values), which the
    trainer shares when it trains on all training rows.
    """
    prepared.X_train = np.ascontiguousarray(prepared.X_train)
    prepared.X_test = np.ascontiguousarray(prepared.X_test)
    how = plan(len(prepared.y_train), n_classes, config)
    X, y = torch.from_numpy(prepared.X_train), torch.from_numpy(prepared.y_train)
    X_eval, y_eval = torch.from_numpy(prepared.X_test), torch.from_numpy(prepared.y_test)
    validation = None
    if how.patience is not None:
        n_val = validation_size(len(y), n_classes)
        fit_pos, val_pos = stratified_split(prepared.y_train, n_val, config.seed)
        validation = (fit_pos, val_pos)
        X, y, X_eval, y_eval = X[fit_pos], y[fit_pos], X[val_pos], y[val_pos]
    model = make_model(X.shape[1], n_classes, hidden=config.hidden, seed=config.seed)
    trainer = PipelineTrainer(
        model, X, y, X_eval, y_eval, n_classes, method=how.method,
        learning_rate=config.learning_rate, batch_size=how.batch, l2=1.0 / len(y),
        seed=config.seed, patience=how.patience, stop_when_converged=config.epochs is None,
    )  # fmt: skip
    if validation is None:  # the same values, held once
        prepared.X_train, prepared.X_test = trainer.X_train.numpy(), trainer.X_test.numpy()
    schedule = lr_schedule(how.epochs) if how.method == "adam" else {}
    return TrainingRun(config, trainer, how.epochs, schedule, how, validation)


def evaluate(
    run_: TrainingRun,
    target: TargetInfo,
    features: list[str],
    prepared: Prepared,
    profile: Profile,
    start: float | None = None,
) -> PipelineResult:
    """Test-set predictions, report and confusion matrix of the run's weights (the best
    epoch's, with early stopping), and the scikit-learn baseline on the same split."""
    start = time.perf_counter() if start is None else start
    trainer, config = run_.trainer, run_.config
    if run_.validation is not None:
        trainer.restore_best()
    proba = predict_proba(trainer.model, torch.from_numpy(prepared.X_test)).numpy()
    pred = proba.argmax(axis=1)
    y_test = prepared.y_test
    labels = list(range(target.n_classes))

    def report_of(predicted: np.ndarray) -> dict:
        return metrics.classification_report(y_test, predicted, labels=labels,
                                             target_names=target.classes, output_dict=True,
                                             zero_division=0.0)  # fmt: skip

    base_pred = baseline(prepared, config.seed)
    warnings = list(prepared.warnings) + ([trainer.diverged] if trainer.diverged else [])
    return PipelineResult(
        config, target, features, profile.excluded(config.target), prepared, trainer.model,
        [r.as_dict() for r in trainer.history], trainer.epoch, run_.seconds, proba, pred,
        float(metrics.accuracy_score(y_test, pred)), report_of(pred),
        metrics.confusion_matrix(y_test, pred, labels=labels),
        float(metrics.accuracy_score(y_test, base_pred)), report_of(base_pred), base_pred,
        time.perf_counter() - start, warnings, trainer.diverged, run_.plan.method,
        trainer.done, trainer.best_epoch if run_.validation is not None else None,
        0 if run_.validation is None else len(run_.validation[1]), list(trainer.restarts),
    )  # fmt: skip


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


def training_code(run: TrainingRun) -> str:
    """The PyTorch loop this run performs, written out for the learner: it runs as shown
    with ``X_train`` (float32) and ``y_train`` (class codes) from the steps above. (ClassLab
    draws the initial weights from its own seeded generator, so the numbers differ slightly;
    the downloadable script reproduces them exactly.)"""
    from lib.tabular import script_parts

    return script_parts.panel_training_code(run)
