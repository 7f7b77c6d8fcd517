"""Softmax and argmax lesson: input cleaning, the numbers on screen, and the code that makes them.

Every number the page shows is computed here with the same PyTorch calls as the code panel
next to it (float32, as the cheat sheet writes), so the code, run as is, prints what is on
screen. The numpy twins in :mod:`lib.core.activations` are the float64 oracles the tests use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from copy import deepcopy
from functools import lru_cache, wraps

import numpy as np
import torch

from lib.core.activations import softmax_naive
from lib.core.training import single_thread
from lib.text import clip


def _freeze(value):
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_freeze(v) for v in value)
    return value


def torch_memo(fn):
    """Remember a deterministic torch computation by its exact inputs (lists become tuples)
    and run it on one intra-op thread. Callers get a copy, so nothing cached is shared."""
    cached = lru_cache(maxsize=512)(single_thread()(fn))

    @wraps(fn)
    def wrapper(*args, **kwargs):
        key = {k: _freeze(v) for k, v in kwargs.items()}
        return deepcopy(cached(*(_freeze(a) for a in args), **key))

    return wrapper


MIN_CLASSES, MAX_CLASSES = 2, 6
DEFAULT_LOGITS = (0.9, 0.8, 0.4, -0.3, 1.5, -1.2)  # the cheat sheet's [0.9, 0.8, 0.4] first
DEFAULT_NAMES = ("cat", "dog", "bird", "fish", "frog", "horse")
LOGIT_LIMIT = 10_000.0  # beyond this float32 e^(z/T) arithmetic stops being instructive
NAME_LIMIT = 24
BAD_TOKEN_WIDTH = 100  # a bad typed value is quoted in the error, cut to this

CHEAT_SHEET_ARGMAX_CODE = """import torch
softmax_output = torch.tensor([0.4, 0.36, 0.24], dtype=torch.float)
argmax_output = torch.argmax(softmax_output, dim=1)"""


def header(*imports: str) -> str:
    """The top of every code panel: imports and the ``show`` helper that formats like the page."""
    lines = "".join(f"{line}\n" for line in ("import torch", *imports))
    return (
        f"{lines}\n\n"
        "def show(t, digits=2):  # print a tensor the way the page shows it\n"
        '    return ", ".join(f"{v:.{digits}f}" for v in t.tolist())\n'
    )


HEADER = header()


# ---------------------------------------------------------------- input cleaning
def num(v: float) -> str:
    """A logit as the page and the code write it: at most 4 decimals, no trailing ``.0``.

    >>> num(0.9), num(1000.0), num(-0.30000000000000004), num(-0.0)
    ('0.9', '1000', '-0.3', '0')
    """
    v = round(float(v), 4) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def code_num(v: float) -> str:
    """:func:`num` as a float literal, so ``torch.tensor([1000.0])`` is float, not int64."""
    text = num(v)
    return text if any(c in text for c in ".en") else text + ".0"


def clean_logits(values: Sequence[float]) -> list[float]:
    """Round to 4 decimals and check count (2..6), finiteness and size; ValueError otherwise."""
    z = [float(v) for v in values]
    if not MIN_CLASSES <= len(z) <= MAX_CLASSES:
        raise ValueError(f"Give between {MIN_CLASSES} and {MAX_CLASSES} logits, got {len(z)}.")
    for v in z:
        if not math.isfinite(v):
            raise ValueError(f"Logits must be finite numbers, got {v}.")
        if abs(v) > LOGIT_LIMIT:
            raise ValueError(f"Keep logits within ±{LOGIT_LIMIT:,.0f}; got {num(v)}.")
    return [round(v, 4) + 0.0 for v in z]


def parse_logits(text: str) -> list[float] | None:
    """``"0.9, 0.8, 0.4"`` → ``[0.9, 0.8, 0.4]``; empty text → None (use the sliders).

    >>> parse_logits("1000, 0, -1000")
    [1000.0, 0.0, -1000.0]
    """
    parts = [p.strip() for p in re.split(r"[,;\s]+", text.strip()) if p.strip()]
    if not parts:
        return None
    values = []
    for p in parts:
        try:
            values.append(float(p))
        except ValueError:
            raise ValueError(
                f"“{clip(p, BAD_TOKEN_WIDTH)}” is not a number. Type logits like 0.9, 0.8, 0.4"
            ) from None
    return clean_logits(values)


def clean_class_names(raw: Sequence[str]) -> tuple[list[str], list[str]]:
    """Names fit to show: empty → ``class i``, long ones cut, duplicates get `` (2)``, `` (3)``.

    Returns the names and a list of notes saying what was changed (empty when nothing was).

    >>> clean_class_names(["cat", "", "cat"])
    (['cat', 'class 1', 'cat (2)'], ['Class 1 has no name: shown as “class 1”.', 'The name “cat” is used twice: the repeat is shown as “cat (2)”.'])
    """
    names: list[str] = []
    notes: list[str] = []
    for i, name in enumerate(raw):
        name = " ".join(str(name).split())  # trims and collapses whitespace / newlines
        if not name:
            name = f"class {i}"
            notes.append(f"Class {i} has no name: shown as “{name}”.")
        elif len(name) > NAME_LIMIT:
            name = name[: NAME_LIMIT - 1] + "…"
            notes.append(f"Class {i}'s name is long: shown as “{name}”.")
        if name in names:
            n = 2
            while f"{name} ({n})" in names or f"{name} ({n})" in raw:
                n += 1
            notes.append(f"The name “{name}” is used twice: the repeat is shown as “{name} ({n})”.")
            name = f"{name} ({n})"
        names.append(name)
    return names, notes


# ---------------------------------------------------------------- the numbers on screen
def _tensor(z: Sequence[float]) -> torch.Tensor:
    return torch.tensor([float(v) for v in z])


@torch_memo
def probs(z: Sequence[float], temperature: float = 1.0) -> list[float]:
    """``torch.softmax(logits / T, dim=0)`` in float32, as the code panel computes it."""
    temperature = float(num(temperature))  # the value the code panel writes
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}.")
    t = _tensor(z)
    p = torch.softmax(t, dim=0) if temperature == 1 else torch.softmax(t / temperature, dim=0)
    return p.tolist()


def show(values: Sequence[float], digits: int = 2) -> str:
    """Format like the code's ``show()``: ``0.40, 0.36, 0.24``."""
    return ", ".join(f"{v:.{digits}f}" for v in values)


@torch_memo
def overflows(z: Sequence[float]) -> bool:
    """True when e^z overflows float32 (z ≳ 88.7), so the plain normaliser is ``inf``."""
    return not bool(torch.isfinite(torch.exp(_tensor(z))).all())


@torch_memo
def normaliser(z: Sequence[float]) -> float:
    """Σ e^z as the code computes it; e^(z − max z) when plain e^z would overflow."""
    t = _tensor(z)
    return float(torch.exp(t - t.max()).sum() if overflows(z) else torch.exp(t).sum())


def big(x: float) -> str:
    """A positive number for LaTeX: 3 decimals, or a × 10^b when it is huge."""
    if x < 1e6:
        return f"{x:.3f}"
    mantissa, exponent = f"{x:.3e}".split("e")
    return rf"{mantissa}\times10^{{{int(exponent)}}}"


def normaliser_latex(z: Sequence[float]) -> list[str]:
    """The normalisation factor and the softmax written out with the learner's numbers."""
    p = probs(z)
    terms = " + ".join(f"e^{{{num(v)}}}" for v in z)
    if overflows(z):
        m = max(z)
        shifted = " + ".join(f"e^{{{num(v - m)}}}" for v in z)
        sums = [
            rf"\sum_j e^{{z_j}} = {terms} \;\text{{overflows: }} e^{{{num(m)}}} > 3.4\times10^{{38}}",
            rf"\text{{so subtract }} \max z = {num(m)}:\quad \sum_j e^{{z_j - {num(m)}}} = "
            rf"{shifted} = {big(normaliser(z))}",
        ]
        fracs = ", ".join(rf"\frac{{e^{{{num(v - m)}}}}}{{{big(normaliser(z))}}}" for v in z)
    else:
        values = " + ".join(big(math.exp(v)) for v in z)
        sums = [rf"\sum_j e^{{z_j}} = {terms} = {values} = {big(normaliser(z))}"]
        fracs = ", ".join(rf"\frac{{e^{{{num(v)}}}}}{{{big(normaliser(z))}}}" for v in z)
    return [*sums, rf"\mathrm{{softmax}}(z) = \left[{fracs}\right] = [{show(p)}]"]


@torch_memo
def argmax(values: Sequence[float]) -> int:
    """``torch.argmax(t, dim=0)``: the first index of the largest value."""
    return int(torch.argmax(_tensor(values), dim=0))


@torch_memo
def shift_summary(z: Sequence[float], shift: float) -> dict:
    """softmax(z) and softmax(z + c) in float32 and their largest difference."""
    before = torch.softmax(_tensor(z), dim=0)
    after = torch.softmax(_tensor(z) + float(num(shift)), dim=0)
    return {
        "before": before.tolist(),
        "after": after.tolist(),
        "max_diff": float((before - after).abs().max()),
    }


def shifted(z: Sequence[float], shift: float) -> list[float]:
    """z + c as the page and the code write it (each rounded like :func:`num`)."""
    return [float(num(v + float(num(shift)))) for v in z]


def textbook_shift(z: Sequence[float], shift: float) -> list[float] | None:
    """e^x / Σ e^x for x = z + c, the textbook formula in float64 (:func:`softmax_naive`);
    None when e^x overflows (x above ~709), where the formula gives nan."""
    p = softmax_naive(shifted(z, shift))
    return p.tolist() if np.isfinite(p).all() else None


def overflow_note(z: Sequence[float], shift: float) -> str | None:
    """Why the stable softmax matters at this shift (None when the textbook formula is fine)."""
    x = shifted(z, shift)
    textbook_fails = textbook_shift(z, shift) is None
    if overflows(x):
        lead = (
            "Here e^x overflows even in float64 (above about 709): the textbook column "
            "fails, since ∞/∞ is undefined."
            if textbook_fails
            else "Here e^x would overflow in float32, torch's default (above about 88.7), so "
            "the textbook formula fails in float32; the textbook column is float64, which "
            "holds until about 709."
        )
    elif textbook_fails:
        lead = (
            "Here every e^x underflows to 0 (below about −745 in float64): the textbook "
            "column fails, since 0/0 is undefined."
        )
    else:
        return None
    return (
        f"{lead} `torch.softmax` uses exactly this invariance instead: it subtracts max(x) "
        "first, so the largest exponent is e^0 = 1 and nothing overflows or vanishes."
    )


@torch_memo
def sweep(z: Sequence[float], j: int, n: int = 161) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of every class as logit ``j`` sweeps a range that contains its value."""
    others = [v for i, v in enumerate(z) if i != j]
    lo = min(max(others) - 10.0, z[j] - 1.0)
    hi = max(max(others) + 10.0, z[j] + 1.0)
    grid = np.linspace(lo, hi, n)
    batch = torch.tensor(np.repeat([z], n, axis=0), dtype=torch.float32)
    batch[:, j] = torch.tensor(grid, dtype=torch.float32)
    return grid.astype(np.float32), torch.softmax(batch, dim=1).numpy()


@torch_memo
def sigmoid_pair(z: float) -> tuple[float, float]:
    """``torch.sigmoid(z)`` and ``torch.softmax([z, 0])[0]``: the same number."""
    t = torch.tensor(float(z))
    return float(torch.sigmoid(t)), float(torch.softmax(torch.stack([t, torch.tensor(0.0)]), 0)[0])


@lru_cache(maxsize=1)
def cheat_sheet_argmax_error() -> str:
    """Run the cheat sheet's argmax line and return the error it really raises."""
    try:
        exec(CHEAT_SHEET_ARGMAX_CODE, {})  # a fixed string, never learner input
    except Exception as error:  # noqa: BLE001 - we show whatever torch raises
        return f"{type(error).__name__}: {error}"
    return "no error"


# ---------------------------------------------------------------- code panels
def _tensor_code(z: Sequence[float]) -> str:
    return f"torch.tensor([{', '.join(code_num(v) for v in z)}])"


def softmax_code(z: Sequence[float]) -> str:
    """Code for section 1: the normaliser, the probabilities and their sum."""
    p = probs(z)
    if overflows(z):
        norm = "torch.exp(logits - logits.max()).sum()  # e^z overflows float32: shift first"
    else:
        norm = "torch.exp(logits).sum()  # the normalisation factor"
    return f"""{HEADER}
logits = {_tensor_code(z)}
normaliser = {norm}
probs = torch.softmax(logits, dim=0)
print(f"{{normaliser:.3f}}")  # {normaliser(z):.3f}
print(show(probs))  # {show(p)}
print(f"{{probs.sum():.2f}}")  # {sum(p):.2f}
"""


def temperature_code(z: Sequence[float], temperature: float) -> str:
    """Code for the temperature section: softmax(z) and softmax(z / T)."""
    return f"""{HEADER}
logits = {_tensor_code(z)}
temperature = {code_num(temperature)}
print(show(torch.softmax(logits, dim=0), 4))  # {show(probs(z), 4)}
print(show(torch.softmax(logits / temperature, dim=0), 4))  # {show(probs(z, temperature), 4)}
"""


def shift_code(z: Sequence[float], shift: float) -> str:
    """Code showing softmax(z) == softmax(z + c), and the textbook formula beside it."""
    s = shift_summary(z, shift)
    textbook = textbook_shift(z, shift)
    if textbook is None:
        last = 'print(f"finite: {bool(np.isfinite(textbook).all())}")  # finite: False'
    else:
        last = f"print(show(textbook, 4))  # {show(textbook, 4)}"
    return f"""{header("import numpy as np")}
logits = {_tensor_code(z)}
shift = {code_num(shift)}  # the same constant added to every logit
print(show(torch.softmax(logits, dim=0), 4))  # {show(s["before"], 4)}
print(show(torch.softmax(logits + shift, dim=0), 4))  # {show(s["after"], 4)}

x = np.array([{", ".join(code_num(v) for v in shifted(z, shift))}])  # z + c, float64
with np.errstate(over="ignore", invalid="ignore"):
    textbook = np.exp(x) / np.exp(x).sum()  # e^x / Σ e^x, literally
{last}
"""


@torch_memo
def argmax_code(z: Sequence[float]) -> str:
    """The right argmax forms: dim=0 for one sample, dim=1 for a batch (N, C)."""
    t = _tensor(z)
    batch = torch.stack([t, t.flip(0)])
    batch_pred = torch.argmax(torch.softmax(batch, dim=1), dim=1).tolist()
    return f"""{HEADER}
logits = {_tensor_code(z)}
probs = torch.softmax(logits, dim=0)  # one sample: shape ({len(z)},)
print(torch.argmax(probs, dim=0).item())  # {argmax(probs(z))}
print(torch.argmax(logits, dim=0).item())  # {argmax(z)}
batch = torch.stack([logits, logits.flip(0)])  # two samples: shape (N, C) = (2, {len(z)})
print(torch.argmax(torch.softmax(batch, dim=1), dim=1).tolist())  # {batch_pred}
"""


def sigmoid_code(z: float) -> str:
    """Code showing sigmoid(z) == softmax([z, 0])[0]."""
    s, p = sigmoid_pair(z)
    return f"""{HEADER}
z = torch.tensor({code_num(z)})
print(f"{{torch.sigmoid(z):.4f}}")  # {s:.4f}
print(f"{{torch.softmax(torch.stack([z, torch.tensor(0.0)]), dim=0)[0]:.4f}}")  # {p:.4f}
"""


QUIZ = [
    (
        "The network outputs logits [2.0, 1.0, 0.1]. You add 5 to every logit. The softmax…",
        ("is unchanged", "gets more confident", "gets less confident", "no longer sums to 1"),
        0,
        "softmax(z + c) = e^c·e^z / (e^c·Σe^z) = softmax(z): the e^c cancels. That is also why "
        "PyTorch can subtract max(z) first and never overflow.",
    ),
    (
        "softmax_output has shape (3,) for one sample. Which call returns its predicted class?",
        (
            "torch.argmax(softmax_output, dim=1)",
            "torch.argmax(softmax_output, dim=0)",
            "torch.max(softmax_output)",
            "softmax_output.sum()",
        ),
        1,
        "A 1-D tensor has only dimension 0; dim=1 raises IndexError. For a batch of shape (N, C) "
        "use dim=1 to get one class per row.",
    ),
    (
        "Do you need softmax before argmax to get the predicted class?",
        (
            "Yes, argmax only works on probabilities",
            "No, argmax of the logits is the same class",
            "Only with more than 2 classes",
            "Only when the temperature is 1",
        ),
        1,
        "Softmax is strictly increasing in each logit, so the largest logit has the largest "
        "probability. Softmax is needed only when you want the probabilities themselves.",
    ),
    (
        "Raising the temperature T in softmax(z / T)…",
        (
            "sharpens the distribution",
            "flattens it towards uniform",
            "changes the argmax",
            "makes probabilities sum to T",
        ),
        1,
        "Dividing by a large T shrinks the gaps between logits, so the probabilities move towards "
        "1/K; a small T exaggerates the gaps. The argmax never changes for T > 0.",
    ),
    (
        "With two classes, softmax([z, 0])[0] equals…",
        ("sigmoid(z)", "sigmoid(−z)", "z / (z + 1)", "0.5 always"),
        0,
        "e^z / (e^z + e^0) = 1 / (1 + e^(−z)) = sigmoid(z): the binary sigmoid is the 2-class "
        "softmax with the second logit fixed at 0.",
    ),
]
