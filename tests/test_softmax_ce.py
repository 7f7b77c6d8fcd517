"""Softmax / cross-entropy lesson helpers against torch oracles (float64), incl. ±1000 logits."""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest
import torch
from torch import nn

from lib.core.activations import softmax
from lib.core.losses import cross_entropy, cross_entropy_grad, cross_entropy_naive
from lib.lessons import cross_entropy as ce
from lib.lessons import softmax as sl
from tests.conftest import printed_as_commented

EXTREME = [[1000.0, 0.0, -1000.0], [-1000.0, -1000.0], [10000.0, -10000.0, 3.0, 0.5]]
CASES = [[0.9, 0.8, 0.4], [2.0, -1.0], [0.1, 0.1, 0.1, 0.1], [3.5, -2.2, 0.0, 7.1, -9.9, 1.0]]


def torch_softmax64(z, temperature=1.0):
    return torch.softmax(torch.tensor(z, dtype=torch.float64) / temperature, dim=0).numpy()


# ---------------------------------------------------------------- softmax


def test_cheat_sheet_example_rounds_to_its_numbers():
    assert sl.show(sl.probs([0.9, 0.8, 0.4])) == "0.40, 0.36, 0.24"


@pytest.mark.parametrize("z", CASES + EXTREME)
@pytest.mark.parametrize("temperature", [1.0, 0.1, 2.5])
def test_probs_match_torch_and_never_nan(z, temperature):
    ours = np.array(sl.probs(z, temperature))
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, torch_softmax64(z, temperature), atol=1e-6)
    np.testing.assert_allclose(
        softmax(z, temperature=temperature), torch_softmax64(z, temperature), atol=1e-12
    )
    assert ours.sum() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("z", CASES + EXTREME)
@pytest.mark.parametrize("c", [-1000.0, -3.0, 5.0, 1000.0])
def test_shift_invariance(z, c):
    s = sl.shift_summary(z, c)
    np.testing.assert_allclose(s["after"], torch_softmax64(z), atol=1e-4)  # float32 of z + c
    assert s["max_diff"] < 1e-4
    np.testing.assert_allclose(softmax(np.add(z, c)), softmax(z), atol=1e-12)


@pytest.mark.parametrize("x", [-1000.0, -30.0, -2.0, 0.0, 1.5, 30.0, 1000.0])
def test_sigmoid_is_two_class_softmax(x):
    sig, soft = sl.sigmoid_pair(x)
    oracle = torch.sigmoid(torch.tensor(x, dtype=torch.float64)).item()
    assert sig == pytest.approx(oracle, abs=1e-7) and soft == pytest.approx(oracle, abs=1e-7)
    assert softmax([x, 0.0])[0] == pytest.approx(oracle, abs=1e-15)


def test_temperature_flattens_and_sharpens_but_keeps_argmax():
    z = [0.9, 0.8, 0.4]
    assert max(sl.probs(z, 5.0)) < max(sl.probs(z)) < max(sl.probs(z, 0.2))
    assert {sl.argmax(sl.probs(z, t)) for t in (0.1, 1.0, 5.0)} == {sl.argmax(z)}
    with pytest.raises(ValueError, match="positive"):
        sl.probs(z, 0.0)


@pytest.mark.parametrize("z", CASES + EXTREME)
def test_argmax_of_probs_equals_argmax_of_logits(z):
    assert sl.argmax(sl.probs(z)) == sl.argmax(z) == int(np.argmax(z))


def test_sweep_makes_the_pushed_class_dominate():
    grid, p = sl.sweep([0.9, 0.8, 0.4], 2)
    assert p.shape == (len(grid), 3) and np.allclose(p.sum(axis=1), 1, atol=1e-6)
    assert p[-1, 2] > 0.9999 and p[0, 2] < 1e-4 and np.all(np.diff(p[:, 2]) >= 0)
    grid, p = sl.sweep([1000.0, 0.0, -1000.0], 0)
    assert grid.min() <= 1000 <= grid.max() and np.all(np.isfinite(p))


def test_cheat_sheet_argmax_error_is_the_real_torch_message():
    with pytest.raises(IndexError) as info:
        torch.argmax(torch.tensor([0.4, 0.36, 0.24]), dim=1)
    assert sl.cheat_sheet_argmax_error() == f"IndexError: {info.value}"
    assert "Dimension out of range" in sl.cheat_sheet_argmax_error()


# ---------------------------------------------------------------- the textbook twin


@pytest.mark.parametrize("c", [-5.0, 0.0, 5.0, 100.0])
def test_textbook_column_equals_softmax_where_it_holds(c):
    z = [0.9, 0.8, 0.4]
    textbook = sl.textbook_shift(z, c)
    np.testing.assert_allclose(textbook, torch_softmax64(np.add(z, c)), atol=1e-12)
    assert sl.shift_summary(z, c)["after"] == pytest.approx(textbook, abs=1e-6)


def test_textbook_column_fails_where_float64_does_and_the_note_says_why():
    z = [0.9, 0.8, 0.4]
    assert sl.overflow_note(z, 5.0) is None  # nothing overflows: no note
    assert "float32" in sl.overflow_note(z, 100.0)  # torch's float32 would, float64 holds
    assert sl.textbook_shift(z, 100.0) is not None
    assert sl.textbook_shift(z, 800.0) is None  # e^800 = inf in float64
    assert "even in float64" in sl.overflow_note(z, 800.0)
    assert sl.textbook_shift(z, -1000.0) is None  # every e^x = 0: 0/0
    assert "underflows" in sl.overflow_note(z, -1000.0)
    assert sl.shifted([0.9, -0.3], 5.0) == [5.9, 4.7]


# ---------------------------------------------------------------- input cleaning


def test_parse_logits():
    assert sl.parse_logits("0.9, 0.8, 0.4") == [0.9, 0.8, 0.4]
    assert sl.parse_logits(" 1000 ; 0  -1000 ") == [1000.0, 0.0, -1000.0]
    assert sl.parse_logits("  ") is None
    assert sl.parse_logits("0.123456, 1") == [0.1235, 1.0]
    for bad, message in [
        ("1, x", "not a number"),
        ("1", "between 2 and 6"),
        ("1,2,3,4,5,6,7", "between 2 and 6"),
        ("nan, 1", "finite"),
        ("inf, 1", "finite"),
        ("1e6, 0", "within"),
    ]:
        with pytest.raises(ValueError, match=message):
            sl.parse_logits(bad)


def test_num_and_code_num():
    assert [sl.num(v) for v in (0.9, 1000.0, -0.0, 0.30000000000000004, -1e-9)] == [
        "0.9",
        "1000",
        "0",
        "0.3",
        "0",
    ]
    assert sl.code_num(1000.0) == "1000.0" and sl.code_num(0.9) == "0.9"


def test_clean_class_names_makes_unique_visible_names():
    names, notes = sl.clean_class_names(["cat", "", "cat", "cat (2)", "  ", "x" * 50, "a\nb"])
    assert names == ["cat", "class 1", "cat (3)", "cat (2)", "class 4", "x" * 23 + "…", "a b"]
    assert len(set(names)) == len(names) and len(notes) == 4
    assert sl.clean_class_names(["a", "b"]) == (["a", "b"], [])
    rng = np.random.default_rng(0)
    for _ in range(200):
        raw = [str(rng.choice(["", "a", "a (2)", "class 1", " b "])) for _ in range(6)]
        names, _ = sl.clean_class_names(raw)
        assert len(set(names)) == 6 and all(names)


def test_md_literal_escapes_markdown_and_latex():
    from lib.text import md_literal

    assert md_literal("a*b_$c") == r"a\*b\_\$c"


def test_normaliser_latex_writes_the_learners_numbers():
    lines = sl.normaliser_latex([0.9, 0.8, 0.4])
    assert "e^{0.9} + e^{0.8} + e^{0.4} = 2.460 + 2.226 + 1.492 = 6.177" in lines[0]
    assert lines[-1].endswith("= [0.40, 0.36, 0.24]")
    extreme = " ".join(sl.normaliser_latex([1000.0, 0.0, -1000.0]))
    assert "overflows" in extreme and "e^{-2000}" in extreme and "[1.00, 0.00, 0.00]" in extreme
    assert "inf" not in extreme and "nan" not in extreme
    assert "times10^{21}" in sl.normaliser_latex([50.0, 0.0])[0]


# ---------------------------------------------------------------- code panels run as shown


def softmax_codes(z):
    return [
        sl.softmax_code(z),
        sl.temperature_code(z, 0.3),
        sl.shift_code(z, 1000.0),
        sl.argmax_code(z),
        sl.sigmoid_code(z[0]),
    ]


def ce_codes(z):
    y = len(z) - 1
    batch = ce.make_batch(z, y, 4, 3)
    return [
        ce.three_ways_code(z, y),
        ce.double_code(z, y),
        ce.smoothing_code(z, y, 0.2),
        ce.batch_code(*batch),
    ]


@pytest.mark.parametrize("z", [[0.9, 0.8, 0.4], [1000.0, 0.0, -1000.0], [88.0, 0.0]])
def test_code_panels_print_what_they_claim(z):
    for code in softmax_codes(z) + ce_codes(z):
        printed = printed_as_commented(code)
        assert "nan" not in "".join(printed)


# ---------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("z", CASES + EXTREME)
def test_three_ways_agree_with_float64_oracle(z):
    y = len(z) - 1
    w = ce.three_ways(z, y)
    oracle = nn.CrossEntropyLoss()(torch.tensor([z], dtype=torch.float64), torch.tensor([y])).item()
    tol = 1e-5 + 2e-7 * max(abs(v) for v in z)  # float32 resolution at this size
    for value in w.values():
        assert math.isfinite(value) and value == pytest.approx(oracle, rel=1e-5, abs=tol)
    assert cross_entropy([z], [y])[0] == pytest.approx(oracle, rel=1e-12, abs=1e-12)
    twin = ce.textbook_twin(z, y)
    assert twin["stable"] == pytest.approx(oracle, rel=1e-12, abs=1e-12)
    if max(abs(v) for v in z) <= 100:  # the textbook formula holds here (float64)
        assert twin["naive"] == pytest.approx(oracle, rel=1e-9, abs=1e-12) and twin["why"] is None
    else:
        assert twin["naive"] is None and "e^" in twin["why"]


def autograd64(z, y, double=False, eps=0.0):
    x = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    inputs = torch.softmax(x, dim=1) if double else x
    loss = nn.CrossEntropyLoss(label_smoothing=eps)(inputs, torch.tensor([y]))
    loss.backward()
    return loss.item(), x.grad[0].numpy()


@pytest.mark.parametrize("z", CASES + EXTREME)
def test_gradient_is_softmax_minus_onehot(z):
    for y in range(len(z)):
        loss, grad = autograd64(z, y)
        np.testing.assert_allclose(cross_entropy_grad([z], [y])[0], grad, atol=1e-12)
        f32_loss, f32_grad = ce.loss_and_grad(z, y)
        tol = 1e-5 + 2e-7 * max(abs(v) for v in z)
        assert f32_loss == pytest.approx(loss, rel=1e-5, abs=tol)
        np.testing.assert_allclose(f32_grad, grad, atol=1e-6)


@pytest.mark.parametrize("z", CASES + EXTREME)
def test_double_softmax_loss_and_gradient_match_autograd(z):
    y = 0
    loss, grad = autograd64(z, y, double=True)
    # The mistake is literally cross-entropy of softmax(z) taken as logits.
    assert cross_entropy([softmax(z)], [y])[0] == pytest.approx(loss, abs=1e-12)
    f32_loss, f32_grad = ce.loss_and_grad(z, y, double=True)
    assert f32_loss == pytest.approx(loss, abs=1e-5 + 2e-7 * max(abs(v) for v in z))
    np.testing.assert_allclose(f32_grad, grad, atol=1e-6)
    # The mistake: loss never below the floor, gradients smaller than the right ones.
    assert loss >= ce.double_softmax_floor(len(z)) - 1e-12
    assert np.linalg.norm(grad) <= np.linalg.norm(cross_entropy_grad([z], [y])[0]) + 1e-12


def test_double_softmax_floor_is_reached_by_a_perfect_prediction():
    for k in range(2, 7):
        z = [50.0] + [-50.0] * (k - 1)
        floor = ce.double_softmax_floor(k)
        assert cross_entropy([softmax(z)], [0])[0] == pytest.approx(floor, abs=1e-9)
        assert autograd64(z, 0, double=True)[0] == pytest.approx(floor, abs=1e-9)
        assert cross_entropy([z], [0])[0] < 1e-12


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("z", CASES + EXTREME)
def test_label_smoothing_matches_torch(z, eps):
    y = 1
    loss, grad = autograd64(z, y, eps=eps)
    q = ce.smoothed_target(y, len(z), eps)
    # Smoothing is cross-entropy against every class, weighted by the target q.
    per_class = cross_entropy([z] * len(z), list(range(len(z))))
    assert float(q @ per_class) == pytest.approx(loss, rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(softmax(z) - q, grad, atol=1e-12)
    assert q.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        ce.smoothed_target(y, len(z), 1.5)


def test_smoothing_note_depends_on_epsilon():
    at_zero = ce.smoothing_note(0.0, 3)
    assert "exactly one-hot" in at_zero and "never" not in at_zero
    softened = ce.smoothing_note(0.2, 3)
    assert "not one-hot" in softened
    q = ce.smoothed_target(0, 3, 0.2)
    assert f"{q[0]:.3f}" in softened and f"{q[1]:.3f}" in softened


def test_batch_mean_and_gradient():
    logits, targets = ce.make_batch([0.9, 0.8, 0.4], 2, 6, seed=7)
    assert logits[0] == [0.9, 0.8, 0.4] and targets[0] == 2 and len(logits) == len(targets) == 6
    assert ce.make_batch([0.9, 0.8, 0.4], 2, 6, seed=7) == (logits, targets)
    assert ce.make_batch([0.9, 0.8, 0.4], 2, 6, seed=8) != (logits, targets)
    r = ce.batch_results(logits, targets)
    x = np.array(logits)
    per_sample = cross_entropy(x, targets)
    np.testing.assert_allclose(r["per_sample"], per_sample, atol=1e-5)
    assert r["mean"] == pytest.approx(per_sample.mean(), abs=1e-5)
    onehot = np.eye(3)[targets]
    np.testing.assert_allclose(r["grad"], (softmax(x, axis=1) - onehot) / 6, atol=1e-6)
    np.testing.assert_allclose(np.sum(r["grad"], axis=1), 0, atol=1e-6)
    with pytest.raises(ValueError):
        ce.make_batch([0.9, 0.8], 0, 0, 0)


def test_bad_true_class_is_a_value_error():
    with pytest.raises(ValueError, match="0..2"):
        ce.textbook_twin([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError, match="0..2"):
        cross_entropy_naive([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError):
        ce.three_ways([1.0, 2.0], -1)


def test_loss_latex_never_shows_log_zero():
    assert ce.loss_latex([0.9, 0.8, 0.4], 0).endswith("-\\log(0.3982) = 0.9208")
    extreme = ce.loss_latex([1000.0, 0.0, -1000.0], 2)
    assert "2000.0000" in extreme and "log(0" not in extreme and "inf" not in extreme


# ---------------------------------------------------------------- figures


def all_figures(z, names):
    from lib.plots import cross_entropy as ce_plots
    from lib.plots import softmax as sm_plots

    p = sl.probs(z)
    grid, sweep = sl.sweep(z, 0)
    right, wrong = ce.loss_and_grad(z, 0)[1], ce.loss_and_grad(z, 0, double=True)[1]
    loss = ce.three_ways(z, 1)["builtin"]
    return [
        sm_plots.probability_bars(names, p, 0),
        sm_plots.temperature_bars(names, p, p, 2.0),
        sm_plots.sweep_lines(names, grid, sweep, 0, z[0], p[0]),
        sm_plots.sigmoid_vs_softmax(z[0]),
        ce_plots.true_class_bars(names, p, 1, loss),
        ce_plots.neg_log_curve(p[1], loss),
        ce_plots.gradient_bars(names, right, wrong),
    ]


def as_array(values) -> np.ndarray:
    """Trace values as numbers, decoding plotly's base64 ``bdata`` arrays."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


@pytest.mark.parametrize("z", [[0.9, 0.8, 0.4], [1000.0, 0.0, -1000.0], [-9.9, 10.0]])
def test_figures_are_valid_plotly_without_nan(z):
    import plotly.graph_objects as go

    names, _ = sl.clean_class_names(["cat", "1", "cat", "", "$x$", "y"][: len(z)])
    for fig in all_figures(z, names):
        checked = go.Figure(fig.to_dict())  # full plotly validation raises on a bad spec
        for trace in checked.data:
            for axis in ("x", "y"):
                values = getattr(trace, axis)
                if trace.type == "bar" and axis == "x":
                    assert list(values) == names  # unique names: no bars merged
                else:
                    assert np.all(np.isfinite(as_array(values))), trace.name
        assert checked.layout.height == 340
