"""Train a model on a dataset and take it apart with metrics. Pure: no Streamlit, no plotting.

Everything here is deterministic given ``(spec, model_name, seed)``: the split, the weight
initialisation and the mini-batch order all come from ``seed`` through private generators.
The lesson's code panel prints the same pipeline as plain PyTorch (:func:`report_code`), and
a test runs that code and checks it reproduces :func:`train_and_evaluate`'s predictions.

Conventions follow scikit-learn: confusion-matrix rows are the **true** class, columns the
**predicted** class; a ratio whose denominator is 0 is reported as 0 (``zero_division=0``).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lib.core import datasets, metrics
from lib.core.datasets import (
    GENERATED,
    SEED_TABLES,
    DatasetSpec,
    load_dataset,
    numeric_features,
    standardise,
    train_test_split,
)
from lib.core.models import make_model, reset_parameters
from lib.core.training import TrainConfig, Trainer, predict_labels

MODELS = {"Logistic regression": (), "Small MLP (32 ReLU)": (32,)}
NORMALISATIONS = ("Counts", "Row-normalised (recall)", "Column-normalised (precision)")
TEST_SIZE = 0.25
BATCH_SIZE = 32
LEARNING_RATE = 0.02
STEP_BUDGET = 600  # optimizer steps; the number of epochs follows from the training-set size
REPORT_COLUMNS = ("precision", "recall", "f1-score", "support")


@dataclass
class Evaluation:
    """A trained model's verdict on its test rows."""

    dataset: str
    model_name: str
    seed: int
    epochs: int
    class_names: list[str]
    test_rows: pd.DataFrame  # the original (unstandardised) features of the test rows
    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray  # (N, K), rows sum to 1

    @property
    def labels(self) -> list[int]:
        return list(range(len(self.class_names)))

    @property
    def names(self) -> list[str]:
        """Class names made unique, so each can key a report row."""
        return unique_names(self.class_names)

    def confusion(self) -> np.ndarray:
        return metrics.confusion_matrix(self.y_true, self.y_pred, labels=self.labels)

    def report(self, output_dict: bool = True) -> dict | str:
        """The classification report of the test rows (a dict, or the printed text)."""
        return metrics.classification_report(
            self.y_true,
            self.y_pred,
            labels=self.labels,
            target_names=self.names,
            output_dict=output_dict,
            zero_division=0.0,
        )

    def report_text(self) -> str:
        return self.report(output_dict=False)


def unique_names(names: list[str]) -> list[str]:
    """Blank names become ``class k`` and repeats get `` (2)``, `` (3)``… appended."""
    out: list[str] = []
    for k, name in enumerate(names):
        base = str(name).strip() or f"class {k}"
        candidate, n = base, 2
        while candidate in out:
            candidate, n = f"{base} ({n})", n + 1
        out.append(candidate)
    return out


def epochs_for(n_train: int, batch_size: int = BATCH_SIZE) -> int:
    """Enough epochs for about ``STEP_BUDGET`` optimizer steps (between 5 and 150)."""
    steps_per_epoch = math.ceil(n_train / batch_size)
    return int(min(150, max(5, math.ceil(STEP_BUDGET / steps_per_epoch))))


def train_and_evaluate(
    spec: DatasetSpec, model_name: str = "Logistic regression", seed: int = 0
) -> Evaluation:
    """Split, standardise, train with Adam and predict the test rows.

    >>> ev = train_and_evaluate(DatasetSpec("Iris"))
    >>> ev.proba.shape, len(ev.y_true) == len(ev.test_rows)
    ((38, 3), True)
    """
    if model_name not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}, got {model_name!r}.")
    data = load_dataset(spec)
    X, _ = numeric_features(data.features)
    idx_train, idx_test, y_train, y_test = train_test_split(
        np.arange(len(data.y)), data.y, test_size=TEST_SIZE, seed=seed
    )
    X_train, X_test = standardise(X[idx_train], X[idx_test])
    X_train, X_test = torch.tensor(X_train), torch.tensor(X_test)
    k = data.n_classes
    model = make_model(X.shape[1], k, hidden=MODELS[model_name], seed=seed)
    config = TrainConfig("Adam", LEARNING_RATE, BATCH_SIZE, seed=seed)
    trainer = Trainer(
        model, X_train, torch.tensor(y_train), X_test, torch.tensor(y_test), k, config
    )
    epochs = epochs_for(len(idx_train))
    for _ in range(epochs):
        trainer.run_epoch()
    model.eval()
    with torch.no_grad():
        logits = model(X_test)
    proba = trainer.predict_proba(X_test).numpy().astype(np.float64)
    return Evaluation(
        dataset=spec.name,
        model_name=model_name,
        seed=int(seed),
        epochs=epochs,
        class_names=list(data.class_names),
        test_rows=data.features.iloc[idx_test].reset_index(drop=True),
        y_true=np.asarray(y_test, dtype=np.int64),
        y_pred=predict_labels(logits).numpy().astype(np.int64),
        proba=proba,
    )


# --- the confusion matrix, normalised ---------------------------------------------------


def normalise_confusion(cm: np.ndarray, how: str = "Counts") -> tuple[np.ndarray, np.ndarray]:
    """The matrix to show and a mask of cells that are defined.

    Row-normalised divides each row by its true-class count (the diagonal is each class's
    recall); column-normalised divides each column by its predicted count (the diagonal is
    precision). A row (column) with no samples is undefined: its cells are 0 in the matrix,
    as in ``sklearn.metrics.confusion_matrix(normalize=...)``, and ``False`` in the mask.
    """
    if how not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {how!r}.")
    cm = np.asarray(cm, dtype=np.float64)
    if how == NORMALISATIONS[0]:
        return cm, np.ones(cm.shape, dtype=bool)
    axis = 1 if how == NORMALISATIONS[1] else 0
    totals = cm.sum(axis=axis, keepdims=True)
    out = np.zeros_like(cm)
    np.divide(cm, totals, out=out, where=totals != 0)
    return out, np.broadcast_to(totals != 0, cm.shape).copy()


def one_vs_rest(cm: np.ndarray, k: int) -> dict[str, int]:
    """TP, FP, FN, TN of class ``k`` against all the others."""
    cm = np.asarray(cm)
    if not 0 <= k < len(cm):
        raise ValueError(f"class index must be between 0 and {len(cm) - 1}, got {k}.")
    tp = int(cm[k, k])
    fp = int(cm[:, k].sum()) - tp
    fn = int(cm[k, :].sum()) - tp
    return {"tp": tp, "fp": fp, "fn": fn, "tn": int(cm.sum()) - tp - fp - fn}


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _frac(num, den) -> str:
    return rf"\frac{{{num}}}{{{den}}}"


_LATEX_TEXT = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


def _latex_name(name: str) -> str:
    r"""A class name as inert LaTeX text: no command, group or math survives.

    >>> _latex_name(r"a_b \href{x}{y}")
    '\\text{a\\_b \\textbackslash{}href\\{x\\}\\{y\\}}'
    """
    escaped = "".join(
        _LATEX_TEXT.get(c, "\\" + c if c in "#$%&_{}" else c) for c in " ".join(str(name).split())
    )
    return rf"\text{{{escaped}}}"


def accuracy_latex(cm: np.ndarray) -> str:
    """Accuracy with the live counts: (TP+TN)/(all four) for two classes, correct/total else."""
    cm = np.asarray(cm)
    total, correct = int(cm.sum()), int(np.trace(cm))
    value = _ratio(correct, total)
    if len(cm) == 2:
        c = one_vs_rest(cm, 1)
        return (
            r"\text{Accuracy} = \frac{TP + TN}{TP + TN + FP + FN} = "
            + _frac(f"{c['tp']} + {c['tn']}", f"{c['tp']} + {c['tn']} + {c['fp']} + {c['fn']}")
            + f" = {value:.3f}"
        )
    return (
        r"\text{Accuracy} = \frac{\text{correct}}{\text{total}} = \frac{\text{trace of the matrix}}"
        rf"{{\text{{sum of the matrix}}}} = {_frac(correct, total)} = {value:.3f}"
    )


def class_formulas(cm: np.ndarray, k: int, name: str) -> dict[str, str]:
    """Precision, recall, F1 (and one-vs-rest accuracy) of class ``k`` with the numbers in."""
    c = one_vs_rest(cm, k)
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    label = _latex_name(name)
    zero = r"\quad(0/0 \to 0)"
    precision = (
        rf"\text{{Precision}}_{{{label}}} = \frac{{TP}}{{TP + FP}} = {_frac(tp, f'{tp} + {fp}')}"
        + f" = {p:.3f}"
        + (zero if tp + fp == 0 else "")
    )
    recall = (
        rf"\text{{Recall}}_{{{label}}} = \frac{{TP}}{{TP + FN}} = {_frac(tp, f'{tp} + {fn}')}"
        + f" = {r:.3f}"
        + (zero if tp + fn == 0 else "")
    )
    if p + r > 0:
        f1_numbers = _frac(rf"2 \cdot {p:.3f} \cdot {r:.3f}", f"{p:.3f} + {r:.3f}")
    else:
        f1_numbers = _frac(r"2 \cdot 0 \cdot 0", "0 + 0") + r"\to 0"
    f1_line = rf"F_{{1,\,{label}}} = \frac{{2 \cdot P \cdot R}}{{P + R}} = {f1_numbers} = {f1:.3f}"
    ovr = (
        rf"\text{{one-vs-rest accuracy}}_{{{label}}} = \frac{{TP + TN}}{{TP + TN + FP + FN}} = "
        + _frac(f"{tp} + {tn}", f"{tp} + {tn} + {fp} + {fn}")
        + f" = {_ratio(tp + tn, tp + tn + fp + fn):.3f}"
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1_line,
        "ovr_accuracy": ovr,
        "values": {"precision": p, "recall": r, "f1": f1, **c},
    }


# --- the report and its averages --------------------------------------------------------


def report_frame(report: dict) -> pd.DataFrame:
    """The ``output_dict`` report as a table: one row per class, then accuracy and averages.

    The accuracy row has only an F1 column value (the accuracy) and the total support, as
    in the text report; its precision and recall are empty (NaN).
    """
    rows = {}
    for name, values in report.items():
        if name == "accuracy":
            total = report["macro avg"]["support"]
            rows[name] = {
                "precision": np.nan,
                "recall": np.nan,
                "f1-score": values,
                "support": total,
            }
        else:
            rows[name] = {c: values[c] for c in REPORT_COLUMNS}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(REPORT_COLUMNS))
    frame["support"] = frame["support"].astype(np.int64)
    return frame


def averages(y_true, y_pred, labels: list[int], names: list[str]) -> dict:
    """Macro, weighted and micro F1 spelled out with the per-class numbers.

    Returns the three values, the LaTeX for each, and the accuracy (equal to micro F1 for
    single-label data: every wrong prediction is one FP for some class and one FN for another).
    """
    p, r, f, s = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0.0
    )
    macro = float(np.mean(f))
    weighted = float(np.average(f, weights=s)) if s.sum() else macro
    cm = metrics.confusion_matrix(y_true, y_pred, labels=labels)
    tp = int(np.trace(cm))
    fp = int(cm.sum()) - tp  # off-diagonal cells: each is one FP (column) …
    fn = fp  # … and the same cell is one FN (row)
    micro = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average="micro", zero_division=0.0
    )[2]
    terms = " + ".join(f"{v:.2f}" for v in f)
    weighted_terms = " + ".join(f"{n} \\cdot {v:.2f}" for n, v in zip(s, f, strict=True))
    return {
        "macro": macro,
        "weighted": weighted,
        "micro": micro,
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "macro_latex": rf"\text{{macro }}F_1 = \frac{{{terms}}}{{{len(f)}}} = {macro:.3f}",
        "weighted_latex": (
            rf"\text{{weighted }}F_1 = \frac{{{weighted_terms}}}{{{int(s.sum())}}} = {weighted:.3f}"
        ),
        "micro_latex": (
            r"\text{micro }F_1 = \frac{2\,\sum TP}{2\,\sum TP + \sum FP + \sum FN} = "
            + _frac(f"2 \\cdot {tp}", f"2 \\cdot {tp} + {fp} + {fn}")
            + rf" = {micro:.3f} = \text{{accuracy}}"
        ),
        "names": list(names),
    }


# --- accuracy can lie -------------------------------------------------------------------


def imbalanced_example(n_majority: int = 95, n_minority: int = 5) -> dict:
    """A classifier that always predicts the majority class on imbalanced data.

    >>> ex = imbalanced_example(95, 5)
    >>> ex["accuracy"], ex["report"]["minority"]["recall"]
    (0.95, 0.0)
    """
    if n_majority < 1 or n_minority < 1:
        raise ValueError("Both classes need at least one sample.")
    y_true = np.r_[np.zeros(n_majority, dtype=np.int64), np.ones(n_minority, dtype=np.int64)]
    y_pred = np.zeros_like(y_true)
    names = ["majority", "minority"]
    report = metrics.classification_report(
        y_true, y_pred, labels=[0, 1], target_names=names, output_dict=True, zero_division=0.0
    )
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "confusion": metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]),
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "report": report,
        "macro_f1": report["macro avg"]["f1-score"],
        "names": names,
    }


def imbalanced_code(n_majority: int, n_minority: int) -> str:
    """Runnable code for :func:`imbalanced_example` with scikit-learn's metrics."""
    return f"""
import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

y_true = np.array([0] * {n_majority} + [1] * {n_minority})  # 0 = majority, 1 = minority
y_pred = np.zeros_like(y_true)  # always predict the majority class

print(accuracy_score(y_true, y_pred))  # {n_majority / (n_majority + n_minority):.2f}
print(confusion_matrix(y_true, y_pred, labels=[0, 1]))
print(classification_report(y_true, y_pred, labels=[0, 1],
                            target_names=["majority", "minority"], zero_division=0))
"""


# --- drill-down -------------------------------------------------------------------------


def cell_rows(ev: Evaluation, true_k: int, pred_k: int) -> pd.DataFrame:
    """The test rows in one confusion cell: features, true and predicted class, probabilities."""
    k = len(ev.class_names)
    if not (0 <= true_k < k and 0 <= pred_k < k):
        raise ValueError(f"class indices must be between 0 and {k - 1}.")
    mask = (ev.y_true == true_k) & (ev.y_pred == pred_k)
    names = ev.names
    n = int(mask.sum())
    columns = {"true": [names[true_k]] * n, "predicted": [names[pred_k]] * n}
    features = ev.test_rows.loc[mask]
    columns |= {str(c): features[c].to_numpy() for c in features.columns}
    columns |= {f"P({name})": ev.proba[mask, j].round(4) for j, name in enumerate(names)}
    return pd.DataFrame(columns, index=features.index)


# --- the code panel ---------------------------------------------------------------------
#
# The panel is a whole program in plain Python (numpy, pandas, torch, scikit-learn: no ClassLab
# import), so a learner can paste it anywhere and get the page's numbers. The dataset and the
# initialisation come from ClassLab's own functions' source text (one source of truth);
# tests/test_evaluation.py runs it in a fresh interpreter and compares with the page.

_IMPORTS = """import math

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix
from sklearn.model_selection import train_test_split
from torch import nn
"""

_SKLEARN_LOADERS = {
    "Breast cancer": "load_breast_cancer",
    "Iris": "load_iris",
    "Wine": "load_wine",
    "Digits": "load_digits",
}


def _source(fn) -> str:
    return inspect.getsource(fn).strip() + "\n"


def data_code(spec: DatasetSpec) -> str:
    """Code that builds ``features`` (a DataFrame), ``y`` (codes 0..K−1) and ``names``."""
    data = load_dataset(spec)
    names = unique_names(data.class_names)
    if spec.name in GENERATED:
        k = spec.n_classes if spec.name in ("Blobs", "Spiral") else 2
        maker = f"_{spec.name.lower()}"
        return f"""
{_source(datasets._split_counts)}

{_source(getattr(datasets, maker))}

rng = np.random.default_rng({spec.seed})  # the data seed
X_raw, y = {maker}(rng, {spec.n_samples}, {spec.noise!r}, {k})
features = pd.DataFrame(X_raw.astype(np.float32), columns=["x1", "x2"])
y = y.astype(np.int64)
names = {names!r}
"""
    if spec.name in SEED_TABLES:
        target = "Letter_Grade" if spec.name == "Student grades" else "Accommodation"
        return f"""
GRADE_ORDER = {datasets.GRADE_ORDER!r}
ACCOMMODATIONS = {datasets.ACCOMMODATIONS!r}


{_source(datasets.make_students)}

students = make_students()  # the same rows as ClassLab's students.csv
features = students.drop(columns=["Student_ID", "{target}"])
names = {names!r}
y = students["{target}"].map({{c: i for i, c in enumerate(names)}}).to_numpy(dtype=np.int64)
"""
    loader = _SKLEARN_LOADERS[spec.name]
    recode = ""
    if spec.name == "Breast cancer":
        recode = "y = 1 - y  # scikit-learn codes malignant as 0; here malignant (1) is positive\n"
    return f"""
from sklearn.datasets import {loader}

bunch = {loader}()
features = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
y = np.asarray(bunch.target, dtype=np.int64)
{recode}names = {names!r}
"""


def _split_code(y: np.ndarray, seed: int) -> str:
    counts = np.bincount(y)
    stratify = "y" if counts[counts > 0].min() >= 2 else "None  # a class too small to stratify"
    return f"""
# Text columns become one-hot columns; every feature is float32.
text_columns = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
X = pd.get_dummies(features, columns=text_columns, dtype=np.float32).to_numpy(dtype=np.float32)
print(f"{{len(y)}} rows, {{X.shape[1]}} features, {{len(names)}} classes: {{names}}")
idx_train, idx_test, y_train, y_test = train_test_split(
    np.arange(len(y)), y, test_size={TEST_SIZE}, random_state={seed}, stratify={stratify}
)
mean, std = X[idx_train].mean(axis=0), X[idx_train].std(axis=0)
std[std == 0] = 1.0  # constant columns stay as they are
X_train = torch.tensor((X[idx_train] - mean) / std)
X_test = torch.tensor((X[idx_test] - mean) / std)
"""


def _model_code(hidden: tuple[int, ...], k: int, seed: int) -> str:
    outputs = 1 if k == 2 else k
    layers = []
    size = "X.shape[1]"
    for units in hidden:
        layers += [f"nn.Linear({size}, {units})", "nn.ReLU()"]
        size = str(units)
    layers.append(f"nn.Linear({size}, {outputs})")
    if k == 2:
        loss = "nn.BCEWithLogitsLoss()  # one logit per row"
        target = "torch.tensor(y_train).float().unsqueeze(1)"
    else:
        loss = "nn.CrossEntropyLoss()  # K logits per row, class-index targets"
        target = "torch.tensor(y_train)"
    return f"""

{_source(reset_parameters)}

model = nn.Sequential({", ".join(layers)})  # returns logits
reset_parameters(model, seed={seed})  # PyTorch's default init, from a private generator
loss_fn = {loss}
y_train_t = {target}
"""


def _training_code(epochs: int, seed: int, k: int) -> str:
    if k == 2:
        pred = "y_pred = (logits[:, 0] >= 0).long().numpy()  # logit >= 0  <=>  p >= 0.5"
    else:
        pred = "y_pred = logits.argmax(dim=1).numpy()"
    return f"""
optimizer = torch.optim.Adam(model.parameters(), lr={LEARNING_RATE})
generator = torch.Generator().manual_seed({seed})  # shuffles the mini-batches
batch_size = min({BATCH_SIZE}, len(X_train))
for epoch in range({epochs}):
    order = torch.randperm(len(X_train), generator=generator)
    model.train()
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[batch]), y_train_t[batch])
        loss.backward()
        optimizer.step()

model.eval()
with torch.no_grad():
    logits = model(X_test)
{pred}
"""


def report_code(spec: DatasetSpec, model_name: str, seed: int) -> str:
    """A plain Python program (no ClassLab import) that reproduces the page's report."""
    if model_name not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}, got {model_name!r}.")
    data = load_dataset(spec)
    k = data.n_classes
    n_train = len(train_test_split(np.arange(len(data.y)), data.y, TEST_SIZE, seed)[0])
    labels = list(range(k))
    report = f"""
print(confusion_matrix(y_test, y_pred, labels={labels!r}))  # rows true, columns predicted
print(f"accuracy {{accuracy_score(y_test, y_pred):.4f}}")
report = classification_report(
    y_test, y_pred, labels={labels!r}, target_names=names, zero_division=0
)
print(report)
"""
    parts = [
        _IMPORTS,
        data_code(spec),
        _split_code(data.y, seed),
        _model_code(MODELS[model_name], k, seed),
        _training_code(epochs_for(n_train), seed, k),
        report,
    ]
    return "\n\n".join(part.strip("\n") for part in parts) + "\n"
