"""How sure is a test accuracy? Intervals, a paired test against the baseline, and what the
comparison with "always the most frequent class" says.

* :func:`wilson` — the 95 % Wilson score interval of a proportion (k right out of n). It
  stays inside [0, 1] and behaves for small n and for accuracies near 0 or 1, where the
  textbook ``p ± 1.96·√(p(1-p)/n)`` does not.
* :func:`mcnemar_exact` — two classifiers on the *same* test rows: only the rows where
  exactly one of them is right say which is better. Under "equally good" each such row is a
  fair coin, so the two-sided p-value is a binomial tail (written with ``math.comb``).
* :func:`diagnose` — words for a result: no signal, imbalance, underfitting.

>>> [round(v, 4) for v in wilson(8, 10)]
[0.4902, 0.9433]
>>> round(mcnemar_exact(1, 9), 4)  # 10 rows differ, 9 of them in the baseline's favour
0.0215
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile
ALPHA = 0.05
HIGH_MAJORITY = 0.7  # a most frequent class this common makes accuracy misleading
EXACT_INTEGERS = 2_000  # discordant rows up to which McNemar sums whole numbers


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials ((0, 1) when n is 0)."""
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"Need 0 ≤ k ≤ n, got k={k}, n={n}.")
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def accuracy_interval(correct: np.ndarray) -> tuple[float, float]:
    """Wilson interval of the share of True in ``correct`` (one bool per test row)."""
    correct = np.asarray(correct, dtype=bool)
    return wilson(int(correct.sum()), int(correct.size))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: ``b`` rows only the first classifier got right, ``c``
    rows only the second did. ``P(X ≤ min(b, c))`` doubled, X ~ Binomial(b + c, ½), at most 1."""
    if b < 0 or c < 0:
        raise ValueError(f"Counts must be ≥ 0, got b={b}, c={c}.")
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    if n <= EXACT_INTEGERS:
        tail = sum(math.comb(n, i) for i in range(k + 1))
        return min(1.0, 2 * tail / 2**n)
    # Many discordant rows: the same sum in logarithms (whole-number sums grow too slow).
    # log C(n, i) adds log((n - j) / (j + 1)) for each j < i.
    j = np.arange(k, dtype=np.float64)
    logs = np.concatenate([[0.0], np.cumsum(np.log((n - j) / (j + 1)))])
    top = logs.max()
    log_tail = top + math.log(np.exp(logs - top).sum()) - n * math.log(2)
    return min(1.0, 2 * math.exp(log_tail))


def paired(first_right: np.ndarray, second_right: np.ndarray) -> tuple[int, int, float]:
    """(rows only the first got right, rows only the second got right, McNemar p-value)."""
    first_right = np.asarray(first_right, dtype=bool)
    second_right = np.asarray(second_right, dtype=bool)
    b = int(np.sum(first_right & ~second_right))
    c = int(np.sum(~first_right & second_right))
    return b, c, mcnemar_exact(b, c)


def percent_interval(interval: tuple[float, float]) -> str:
    """``"71.2 %–88.3 %"``."""
    low, high = interval
    return f"{low:.1%}–{high:.1%}"


def comparison_sentence(b: int, c: int, p: float, first: str = "your network",
                        second: str = "the baseline") -> str:  # fmt: skip
    """Whether a paired difference on the same test rows is distinguishable from noise."""
    if b == c == 0:
        return (f"{first.capitalize()} and {second} are right and wrong on exactly the same "
                "test rows: no difference at all.")  # fmt: skip
    rows = (f"They disagree on {b + c:,} test row{'s' if b + c != 1 else ''}: {first} alone is "
            f"right on {b:,}, {second} alone on {c:,}.")  # fmt: skip
    if p < ALPHA:
        better = first if b > c else second
        return (f"{rows} A split this lopsided happens by chance with probability "
                f"{p:.2g} (exact McNemar test), so {better} is really better on data like "
                "this, not just lucky.")  # fmt: skip
    return (f"{rows} A split at least this uneven would happen by chance with probability "
            f"{p:.2f} (exact McNemar test): the difference is within the noise of "
            "this test set, so neither is shown to be better.")  # fmt: skip


# --- what a result means ---------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """One finding: ``kind`` is "no signal", "imbalance" or "underfitting"."""

    kind: str
    message: str


def diagnose(
    y_test: np.ndarray,
    pred: np.ndarray,
    baseline_pred: np.ndarray,
    majority_code: int,
    majority_name: str,
    n_classes: int,
    positive: str | None = None,
) -> list[Diagnosis]:
    """What a test result says, decided on the same test rows with exact paired tests:

    * **no signal** — neither the network nor the baseline beats always answering the most
      frequent class by more than noise: the features may carry no information;
    * **imbalance** — the most frequent class holds ≥ 70 % of the rows and the network does
      not beat it: accuracy hides that the rare classes are missed (a threshold can help a
      two-class model, only then is it suggested);
    * **underfitting** — the network is below the baseline beyond noise.
    """
    y_test = np.asarray(y_test)
    majority = y_test == majority_code
    network = np.asarray(pred) == y_test
    base = np.asarray(baseline_pred) == y_test
    share = float(majority.mean())
    found = []
    net_b, net_c, net_p = paired(network, majority)
    base_b, base_c, base_p = paired(base, majority)
    network_beats = net_b > net_c and net_p < ALPHA
    baseline_beats = base_b > base_c and base_p < ALPHA
    if not network_beats and not baseline_beats:
        found.append(Diagnosis("no signal", (
            f"Neither your network ({network.mean():.1%}) nor the baseline ({base.mean():.1%}) "
            f"does better than always answering “{majority_name}” ({share:.1%}) by more than "
            "the noise of this test set. The chosen columns may carry little information about "
            "the target: check which columns are features, add more informative ones or more "
            "rows, and read the per-class recall in the report."
        )))  # fmt: skip
    if share >= HIGH_MAJORITY and not network_beats:
        advice = (
            " Moving the decision threshold below trades precision for recall on the other class."
            if n_classes == 2 and positive is not None
            else " Weighting the rare classes more in the loss, or collecting more of their rows, "
            "are the usual remedies."
        )
        found.append(Diagnosis("imbalance", (
            f"“{majority_name}” is {share:.0%} of the test rows, so a model can look accurate "
            "while missing every other class: read the recall of the rare classes in the "
            "report." + advice
        )))  # fmt: skip
    b, c, p = paired(network, base)
    if c > b and p < ALPHA:
        found.append(Diagnosis("underfitting", (
            f"Your network is below the linear baseline by more than noise ({network.mean():.1%} "
            f"vs {base.mean():.1%}; exact McNemar p = {p:.2g}). It has not learned what a "
            "logistic regression finds on the same inputs: train longer (more epochs), or use "
            "a smaller network."
        )))  # fmt: skip
    return found


# --- repeating the split -----------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatSummary:
    """Test accuracy and macro-F1 of the network and the baseline over K seeded splits."""

    seeds: list[int]
    accuracy: list[float]
    macro_f1: list[float]
    baseline_accuracy: list[float]
    baseline_macro_f1: list[float]

    @property
    def k(self) -> int:
        return len(self.seeds)

    @staticmethod
    def mean_sd(values: list[float]) -> tuple[float, float]:
        """Mean and sample standard deviation (ddof=1; 0 for one value)."""
        values = np.asarray(values, dtype=np.float64)
        sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
        return float(values.mean()), sd

    def as_dict(self) -> dict:
        """The JSON keys of ``python -m lib.cli --repeats K``."""
        acc, f1 = self.mean_sd(self.accuracy), self.mean_sd(self.macro_f1)
        base, base_f1 = self.mean_sd(self.baseline_accuracy), self.mean_sd(self.baseline_macro_f1)
        return {
            "repeats": self.k,
            "accuracy_mean": acc[0],
            "accuracy_sd": acc[1],
            "macro_f1_mean": f1[0],
            "macro_f1_sd": f1[1],
            "baseline_mean": base[0],
            "baseline_sd": base[1],
            "baseline_macro_f1_mean": base_f1[0],
            "baseline_macro_f1_sd": base_f1[1],
            "repeat_seeds": list(self.seeds),
            "repeat_accuracy": list(self.accuracy),
            "repeat_baseline_accuracy": list(self.baseline_accuracy),
        }
