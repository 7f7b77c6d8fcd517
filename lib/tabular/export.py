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

import io
import re

import numpy as np
import pandas as pd
import torch

from lib.core.models import make_model, predict_proba
from lib.tabular import script_parts
from lib.tabular.pipeline import PipelineResult
from lib.tabular.preprocess import Preprocessor
from lib.tabular.reading import CsvResult

FORMAT = "classlab-model"
VERSION = 2  # 2: missing indicators, dates and booleans; only numbers standardised
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
    if payload.get("version") != VERSION:
        raise ValueError(
            f"This model file was made by another ClassLab version (format {payload.get('version')}, "
            f"this one reads {VERSION}): its preprocessing differs. Train it again on the page "
            "and download a new file."
        )
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
    """A runnable script that reads the CSV, preprocesses, trains and evaluates the same way:
    the parts of :mod:`lib.tabular.script_parts`, in order."""
    filename = safe_filename(filename)
    prepared = result.prepared
    data = script_parts.data_code(prepared.preprocessor, result.target, csv,
                                  len(prepared.y_test), result.config.seed, filename)  # fmt: skip
    training = script_parts.training_settings(result)
    loop = script_parts.lbfgs_code() if training["method"] == "lbfgs" else script_parts.adam_code()
    return "\n".join(
        [
            _HEADER.format(filename=filename, accuracy=result.accuracy),
            data,
            script_parts.settings_line(training, "TRAINING"),
            script_parts.model_code(),
            loop,
            script_parts.evaluation_code(),
        ]
    )


def safe_filename(name: str, default: str = "data.csv") -> str:
    """A file name reduced to letters, digits, ``.``, ``_`` and ``-`` (safe inside code)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", str(name).replace("\\", "/").split("/")[-1])[:80]
    return base if base.strip("._") else default


_HEADER = '''"""Reproduce ClassLab's "Your own data" run: read, preprocess, train, evaluate.

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
'''
