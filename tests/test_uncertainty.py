"""lib.tabular.uncertainty: Wilson intervals, the exact McNemar test, the diagnosis of a result
and the repeated-split summary, against known values and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib.tabular.uncertainty import (
    RepeatSummary,
    comparison_sentence,
    diagnose,
    mcnemar_exact,
    paired,
    wilson,
)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (8, 10, (0.4902, 0.9433)),  # the textbook example
        (0, 10, (0.0, 0.2775)),
        (10, 10, (0.7225, 1.0)),
        (50, 100, (0.4038, 0.5962)),
        (1, 1, (0.2065, 1.0)),
    ],
)
def test_wilson_interval_matches_known_values(k, n, expected):
    low, high = wilson(k, n)
    assert (round(low, 4), round(high, 4)) == expected


def test_wilson_equals_the_formula_written_out_and_statsmodels_style_properties():
    z = 1.959963984540054
    for k, n in [(3, 7), (45, 60), (999, 1000), (1, 50)]:
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        assert wilson(k, n) == pytest.approx((centre - half, centre + half))
        low, high = wilson(k, n)
        assert 0 <= low <= p <= high <= 1
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(5, 3)


def test_mcnemar_exact_against_a_hand_computation():
    # b = 1, c = 9: n = 10 discordant rows; P(X <= 1) = (C(10,0) + C(10,1)) / 2^10 = 11/1024
    assert mcnemar_exact(1, 9) == pytest.approx(2 * 11 / 1024)
    assert mcnemar_exact(9, 1) == mcnemar_exact(1, 9)  # two-sided: symmetric
    # b = 3, c = 5: P(X <= 3) = (1 + 8 + 28 + 56) / 256 = 93/256, doubled
    assert mcnemar_exact(3, 5) == pytest.approx(2 * 93 / 256)
    assert mcnemar_exact(4, 4) == 1.0  # doubled tail above 1 is capped
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 2)


def test_mcnemar_equals_scipys_binomial_test():
    from scipy.stats import binomtest

    for b, c in [(2, 7), (10, 20), (0, 3), (15, 15), (1, 40)]:
        assert mcnemar_exact(b, c) == pytest.approx(binomtest(b, b + c, 0.5).pvalue)


def test_paired_counts_only_the_rows_where_one_is_right():
    first = np.array([1, 1, 0, 0, 1, 0], dtype=bool)
    second = np.array([1, 0, 1, 0, 0, 0], dtype=bool)
    assert paired(first, second) == (2, 1, mcnemar_exact(2, 1))


def test_comparison_sentence_says_whether_it_is_noise():
    assert "within the noise" in comparison_sentence(1, 0, mcnemar_exact(1, 0))
    assert "really better" in comparison_sentence(0, 12, mcnemar_exact(0, 12))
    assert "the baseline is really better" in comparison_sentence(0, 12, mcnemar_exact(0, 12))
    assert "exactly the same" in comparison_sentence(0, 0, 1.0)
    assert "1 test row:" in comparison_sentence(1, 0, 1.0)  # one row, not "1 test rows"


def _kinds(*args, **kwargs) -> list[str]:
    return [d.kind for d in diagnose(*args, **kwargs)]


def test_no_signal_when_both_models_score_like_the_majority():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 60)  # five classes, nothing learned: random predictions
    guess, base = rng.integers(0, 5, 60), rng.integers(0, 5, 60)
    majority = int(np.bincount(y).argmax())
    found = diagnose(y, guess, base, majority, "B", 5)
    assert [d.kind for d in found] == ["no signal"]
    assert "threshold" not in found[0].message  # five classes: no threshold advice


def test_imbalance_with_threshold_advice_only_for_two_classes():
    y = np.array([0] * 90 + [1] * 10)
    always = np.zeros(100, dtype=int)
    binary = diagnose(y, always, always, 0, "normal", 2, positive="fraud")
    assert [d.kind for d in binary] == ["no signal", "imbalance"]
    assert "threshold" in binary[1].message
    y3 = np.array([0] * 85 + [1] * 10 + [2] * 5)
    three = diagnose(y3, np.zeros(100, dtype=int), np.zeros(100, dtype=int), 0, "a", 3)
    assert "imbalance" in [d.kind for d in three]
    assert all("threshold" not in d.message for d in three)


def test_underfitting_when_the_network_is_below_the_baseline_beyond_noise():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    base = y.copy()
    base[:10] = 1 - base[:10]  # the baseline: 95 %
    net = y.copy()
    net[:70] = 1 - net[:70]  # the network: 65 %
    assert _kinds(y, net, base, 0, "a", 2, positive="b") == ["underfitting"]
    close = base.copy()
    close[10:12] = 1 - close[10:12]  # two rows worse: noise
    assert _kinds(y, close, base, 0, "a", 2, positive="b") == []


def test_a_learning_model_gets_no_warning():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 150)
    good = np.where(rng.random(150) < 0.8, y, (y + 1) % 3)
    assert _kinds(y, good, good, int(np.bincount(y).argmax()), "a", 3) == []


def test_repeat_summary_mean_and_sample_sd():
    summary = RepeatSummary([0, 1, 2], [0.7, 0.8, 0.9], [0.6, 0.7, 0.8], [0.7, 0.7, 0.7],
                            [0.5, 0.5, 0.5])  # fmt: skip
    d = summary.as_dict()
    assert d["repeats"] == 3
    assert d["accuracy_mean"] == pytest.approx(0.8)
    assert d["accuracy_sd"] == pytest.approx(np.std([0.7, 0.8, 0.9], ddof=1))
    assert d["baseline_mean"] == pytest.approx(0.7) and d["baseline_sd"] == pytest.approx(0.0)


@pytest.mark.parametrize(("b", "c"), [(900, 1150), (1500, 1400), (30_000, 30_500), (3, 9_000)])
def test_mcnemar_with_many_discordant_rows_matches_scipy(b, c):
    """A 400,000-row test set can disagree on tens of thousands of rows: the sum runs in
    logarithms there (whole numbers with thousands of digits took minutes) and still equals
    the exact binomial tail."""
    from scipy.stats import binomtest

    assert mcnemar_exact(b, c) == pytest.approx(
        binomtest(b, b + c, 0.5).pvalue, rel=1e-9, abs=1e-300
    )
