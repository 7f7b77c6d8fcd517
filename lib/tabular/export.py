"""Take it home: the model file, a standalone script and the test-set predictions.

* :func:`model_bytes` — one file with the state dict plus everything needed to preprocess
  new rows (class names, columns, category lists, medians, scaling). Only tensors, str, int,
  float, bool, list and dict inside, so ``torch.load(f, weights_only=True)`` loads it.
* :func:`standalone_script` — a Python script (pandas, scikit-learn, PyTorch only) that
  repeats the reading, preprocessing and training on the same CSV.
* :func:`predictions_csv` — the test rows with actual and predicted class and the
  probabilities; text cells that a spreadsheet would run as a formula are escaped.
"""

from __future__ import annotations

import inspect
import io
import json
import re

import numpy as np
import pandas as pd
import torch

from lib.core.models import make_model, predict_proba
from lib.tabular.pipeline import PipelineResult, lr_schedule
from lib.tabular.preprocess import MAX_ABS, MISSING, OTHER, Preprocessor, stratified_split
from lib.tabular.reading import CsvResult
from lib.tabular.values import parse_formatted

FORMAT = "classlab-model"
VERSION = 1
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_PREDICTION_COLUMNS = 50


# --- the model file -------------------------------------------------------------------------


def model_payload(result: PipelineResult, csv: CsvResult | None = None) -> dict:
    pre = result.prepared.preprocessor
    return {
        "format": FORMAT,
        "version": VERSION,
        "state_dict": {k: v.detach().clone() for k, v in result.model.state_dict().items()},
        "hidden": [int(h) for h in result.config.hidden],
        "activation": "ReLU",
        "n_features": pre.n_features,
        "classes": list(result.classes),
        "target": result.target.name,
        "preprocessor": pre.to_dict(),
        "csv": csv.settings() if csv is not None else {},
        "test_accuracy": float(result.accuracy),
    }


def model_bytes(result: PipelineResult, csv: CsvResult | None = None) -> bytes:
    """The ``.pt`` file's bytes (``torch.save`` of plain containers and tensors)."""
    buffer = io.BytesIO()
    torch.save(model_payload(result, csv), buffer)
    return buffer.getvalue()


def load_model(source) -> tuple[torch.nn.Module, Preprocessor, dict]:
    """Load a model file (path, bytes or file object) with ``weights_only=True``."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    payload = torch.load(source, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError("This is not a ClassLab model file.")
    model = make_model(
        payload["n_features"],
        len(payload["classes"]),
        hidden=tuple(payload["hidden"]),
        activation=payload["activation"],
    )
    model.load_state_dict(payload["state_dict"])
    model.eval()
    return model, Preprocessor.from_dict(payload["preprocessor"]), payload


def predict_frame(
    model: torch.nn.Module, pre: Preprocessor, df: pd.DataFrame
) -> tuple[list[str], np.ndarray]:
    """Predicted class names and probabilities (N, K) for raw rows."""
    X = torch.from_numpy(pre.transform(df))
    proba = predict_proba(model, X).numpy()
    return [pre.classes[i] for i in proba.argmax(axis=1)], proba


# --- predictions CSV ------------------------------------------------------------------------


def escape_cell(value):
    """Prefix ``'`` to text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR).

    >>> escape_cell("=HYPERLINK(1)"), escape_cell(-1.5), escape_cell("ok")
    ("'=HYPERLINK(1)", -1.5, 'ok')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def predictions_frame(result: PipelineResult, df: pd.DataFrame) -> pd.DataFrame:
    """The test rows: line in the file, a bounded set of input columns, actual, predicted, P(class)."""
    rows = result.prepared.rows_test
    out = pd.DataFrame({"row": rows + 1})
    for name in result.features[:MAX_PREDICTION_COLUMNS]:
        out[str(name)] = df[name].iloc[rows].to_numpy()
    classes = np.asarray(result.classes, dtype=object)
    out["actual"] = classes[result.prepared.y_test]
    out["predicted"] = classes[result.pred_test]
    out["correct"] = result.pred_test == result.prepared.y_test
    for k, name in enumerate(result.classes):
        out[f"P({name})"] = np.round(result.proba_test[:, k].astype(np.float64), 6)
    return out


def predictions_csv(result: PipelineResult, df: pd.DataFrame) -> bytes:
    """:func:`predictions_frame` as UTF-8 CSV bytes, formula-like text escaped (names too)."""
    frame = predictions_frame(result, df)
    frame.columns = [escape_cell(str(c)) for c in frame.columns]
    for name in frame.columns:
        if not (
            pd.api.types.is_numeric_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name])
        ):
            frame[name] = frame[name].astype(object).map(escape_cell)
    return frame.to_csv(index=False).encode("utf-8")


# --- the standalone script ------------------------------------------------------------------


def standalone_script(result: PipelineResult, csv: CsvResult, filename: str = "data.csv") -> str:
    """A runnable script that reads the CSV, preprocesses, trains and evaluates the same way."""
    pre = result.prepared.preprocessor
    cfg = result.config
    filename = safe_filename(filename)
    n_train = len(result.prepared.y_train)
    from lib.tabular.pipeline import auto_epochs

    epochs, batch = auto_epochs(n_train)
    if cfg.epochs is not None:
        epochs = cfg.epochs
    target_col = result.target.name
    target_dtype = csv.frame[target_col].dtype
    case_merge = ""
    if pd.api.types.is_bool_dtype(target_dtype):
        label_expr = 'raw.dropna().map(lambda v: "True" if bool(v) else "False")'
    elif pd.api.types.is_numeric_dtype(target_dtype):
        label_expr = (
            "raw.astype('float64')[np.isfinite(raw.astype('float64'))]"
            ".map(lambda v: str(int(v)) if float(v).is_integer() else repr(float(v)))"
        )
    else:
        # The same cleaning as lib.tabular.profile.check_target: spaces stripped, then every
        # spelling mapped to the class with the same letters in any case ("YES" -> "yes").
        label_expr = "raw.dropna().astype(str).str.strip()"
        case_merge = (
            "# Labels that differ only in upper / lower case are one class, as in ClassLab.\n"
            'spelling = {c.casefold(): c for c in SETTINGS["classes"]}\n'
            "labels = labels.map(lambda s: spelling.get(s.casefold(), s))\n"
        )
    read_args = [
        f"sep={csv.delimiter!r}",
        f"encoding={csv.encoding!r}",
        f"decimal={csv.decimal!r}",
        f"header={0 if csv.header else None}",
        f"names={[str(c) for c in csv.frame.columns]!r}",
        "on_bad_lines='skip'",
    ] + ([f"skiprows={csv.preamble}"] if csv.preamble else [])
    read_args += ["encoding_errors='replace'"] if csv.mixed_encoding else []
    settings = {
        "target": target_col,
        "classes": list(result.classes),
        "numeric": pre.numeric,
        "categorical": pre.categorical,
        "other": pre.other,
        "formatted": [c for c in csv.formatted if c in pre.numeric],
        "decimal": csv.decimal,
        "n_test": int(len(result.prepared.y_test)),
        "seed": int(cfg.seed),
        "hidden": [int(h) for h in cfg.hidden],
        "epochs": int(epochs),
        "batch_size": int(batch),
        "learning_rate": float(cfg.learning_rate),
        "schedule": {str(k): v for k, v in lr_schedule(epochs).items()},
    }
    return _SCRIPT.format(
        filename=filename,
        read_args=",\n    ".join(read_args),
        settings=repr(json.dumps(settings, ensure_ascii=True)),
        label_expr=label_expr,
        case_merge=case_merge,
        max_abs=repr(MAX_ABS),
        missing=repr(MISSING),
        other=repr(OTHER),
        accuracy=result.accuracy,
        split_source=inspect.getsource(stratified_split),
        parse_formatted=inspect.getsource(parse_formatted),
    )


def safe_filename(name: str, default: str = "data.csv") -> str:
    """A file name reduced to letters, digits, ``.``, ``_`` and ``-`` (safe inside code)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", str(name).replace("\\", "/").split("/")[-1])[:80]
    return base if base.strip("._") else default


_SCRIPT = '''"""Reproduce ClassLab's "Your own data" run: read, preprocess, train, evaluate.

Usage: python train_classlab.py [{filename}]
Needs: pandas, numpy, scikit-learn, torch. The app reached a test accuracy of {accuracy:.4f}.
"""

import json
import math
import sys

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from torch import nn

SETTINGS = json.loads({settings})
CSV = sys.argv[1] if len(sys.argv) > 1 else "{filename}"

# 1. Read the file with the settings ClassLab detected.
df = pd.read_csv(
    CSV,
    {read_args},
)

{parse_formatted}

for col in SETTINGS["formatted"]:  # "$1,200", "45%", "1.234,5": numbers, as ClassLab read them
    df[col] = parse_formatted(df[col].astype(str).str.strip(), SETTINGS["decimal"])[0]

# 2. Label-encode the target (rows without a target are dropped).
raw = df[SETTINGS["target"]]
labels = {label_expr}
{case_merge}labels = labels[labels.isin(SETTINGS["classes"]) & (labels != "")]
code_of = {{c: i for i, c in enumerate(SETTINGS["classes"])}}
y = labels.map(code_of).to_numpy(dtype=np.int64)
rows = df.index.get_indexer(labels.index)

# 3. Stratified split with a seed.
{split_source}
pos_train, pos_test = stratified_split(y, SETTINGS["n_test"], SETTINGS["seed"])
rows_train, rows_test = rows[pos_train], rows[pos_test]

# 4. Absurd numbers -> missing; impute with training medians; one-hot with a capped width.
def numeric(col):
    v = pd.to_numeric(df[col], errors="coerce").astype("float64").to_numpy(copy=True)
    with np.errstate(invalid="ignore"):
        v[~np.isfinite(v) | (np.abs(v) > {max_abs})] = np.nan
    return v

medians = {{}}
for col in SETTINGS["numeric"]:
    v = numeric(col)[rows_train]
    v = v[~np.isnan(v)]
    medians[col] = float(np.median(v)) if v.size else 0.0

def features(rows):
    parts = []
    for col in SETTINGS["numeric"]:
        v = numeric(col)[rows]
        v[np.isnan(v)] = medians[col]
        parts.append(v[:, None])
    for col, kept in SETTINGS["categorical"].items():
        s = df[col].iloc[rows]
        s = s.astype(object).where(s.notna(), {missing}).astype(str)
        codes = pd.Categorical(s, categories=kept).codes
        block = np.zeros((len(rows), len(kept) + SETTINGS["other"][col]))
        hit = codes >= 0
        block[np.flatnonzero(hit), codes[hit]] = 1.0
        if SETTINGS["other"][col]:
            block[~hit, -1] = 1.0  # the {other} column
        parts.append(block)
    return np.hstack(parts).astype(np.float32)

# 5. Standardise with the training rows' mean and standard deviation.
X_train, X_test = features(rows_train), features(rows_test)
mean = X_train.mean(axis=0, dtype=np.float64)
std = X_train.std(axis=0, dtype=np.float64)
std[~(std > 1e-12)] = 1.0
X_train = (X_train - mean.astype(np.float32)) / std.astype(np.float32)
X_test = (X_test - mean.astype(np.float32)) / std.astype(np.float32)
y_train, y_test = y[pos_train], y[pos_test]

# 6. The model returns logits: 1 for two classes (BCEWithLogitsLoss), K otherwise (CrossEntropyLoss).
K = len(SETTINGS["classes"])
sizes = [X_train.shape[1], *SETTINGS["hidden"]]
layers = []
for a, b in zip(sizes[:-1], sizes[1:]):
    layers += [nn.Linear(a, b), nn.ReLU()]
layers.append(nn.Linear(sizes[-1], 1 if K == 2 else K))
model = nn.Sequential(*layers)
init = torch.Generator().manual_seed(SETTINGS["seed"])
with torch.no_grad():
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=init)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=init)

Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
targets = yt.float().unsqueeze(1) if K == 2 else yt
loss_fn = nn.BCEWithLogitsLoss() if K == 2 else nn.CrossEntropyLoss()
lr = SETTINGS["learning_rate"]
optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1.0 / len(yt))
shuffle = torch.Generator().manual_seed(SETTINGS["seed"])
batch = min(SETTINGS["batch_size"], len(yt))
torch.set_num_threads(1)
model.train()
for epoch in range(SETTINGS["epochs"]):
    order = torch.randperm(len(yt), generator=shuffle)
    for start in range(0, len(yt), batch):
        index = order[start : start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(Xt[index]), targets[index])
        loss.backward()
        optimizer.step()
    factor = SETTINGS["schedule"].get(str(epoch + 1))
    if factor is not None:
        for group in optimizer.param_groups:
            group["lr"] = lr * factor

# 7. Evaluate, beside scikit-learn's LogisticRegression on the same split.
model.eval()
with torch.no_grad():
    logits = model(torch.from_numpy(X_test))
pred = (logits[:, 0] >= 0).long().numpy() if K == 2 else logits.argmax(dim=1).numpy()
print(classification_report(y_test, pred, labels=list(range(K)), target_names=SETTINGS["classes"], zero_division=0))
baseline = LogisticRegression(max_iter=1000, random_state=SETTINGS["seed"]).fit(X_train, y_train)
print(f"test accuracy {{(pred == y_test).mean():.4f}}  baseline {{baseline.score(X_test, y_test):.4f}}")
'''
