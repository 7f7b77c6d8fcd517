"""The sigmoid and BCE lessons' numbers against torch built-ins, and the SGD paths against a
hand-written torch loop."""

import numpy as np
import pytest
import torch
from torch import nn

from lib.core.activations import logit, sigmoid, sigmoid_derivative, sigmoid_naive
from lib.core.losses import bce_clamped, bce_naive, bce_with_logits
from lib.lessons import bce as bce_numbers
from lib.lessons import sigmoid as sig_numbers
from lib.lessons.bce import METHODS, loss_surface, make_data, sgd_picture, train_path
from lib.plots import bce as bce_plots
from lib.plots import sigmoid as sig_plots

EXTREME = np.array([-1000.0, -100.0, -20.0, -2.5, 0.0, 2.5, 20.0, 100.0, 1000.0])


# --- sigmoid ---------------------------------------------------------------------------


def test_sigmoid_matches_torch_including_extremes():
    ours = sigmoid(EXTREME)
    theirs = torch.sigmoid(torch.tensor(EXTREME, dtype=torch.float64)).numpy()
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    assert ours[0] == 0.0 and ours[-1] == 1.0


def test_naive_sigmoid_matches_where_it_does_not_overflow():
    x = EXTREME[1:-1]  # ±100 is fine in float64; ±1000 overflows e^x in the naive twin
    np.testing.assert_allclose(sigmoid_naive(x), torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-12)


def test_seed_value_and_readout_agree_with_torch():
    values = sig_numbers.sigmoid_readout(2.5)
    assert round(values["torch.sigmoid"], 3) == 0.924
    expected = torch.sigmoid(torch.tensor(2.5)).item()
    for v in values.values():
        assert v == pytest.approx(expected, abs=1e-7)


def test_sigmoid_derivative_matches_autograd():
    x = torch.tensor(EXTREME, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    np.testing.assert_allclose(sigmoid_derivative(EXTREME), x.grad.numpy(), atol=1e-15)
    assert sig_numbers.slope_readout(0.0) == pytest.approx(0.25)
    assert sig_numbers.slope_readout(2.5) == pytest.approx(float(sigmoid_derivative(2.5)), abs=1e-7)


@pytest.mark.parametrize(("x", "w", "b"), [(2.5, 1.0, 0.0), (1.0, -3.0, 2.0), (-4.0, 0.0, 5.0)])
def test_linear_readout_is_sigmoid_of_wx_plus_b(x, w, b):
    z, p = sig_numbers.linear_readout(x, w, b)
    assert z == pytest.approx(w * x + b, abs=1e-5)
    assert p == pytest.approx(float(sigmoid(w * x + b)), abs=1e-6)


def test_odds_table_round_trips():
    table = sig_numbers.odds_table(2.5)
    assert 2.5 in table["logit z"].tolist()
    z = table["logit z"].to_numpy()
    np.testing.assert_allclose(table["odds e^z"], np.round(np.exp(z), 4))
    np.testing.assert_allclose(table["probability σ(z)"], np.round(sigmoid(z), 4))
    # probability -> logit undoes the sigmoid
    np.testing.assert_allclose(logit(sigmoid(z)), z, atol=1e-9)


# --- binary cross-entropy --------------------------------------------------------------


P = np.array([1e-12, 0.001, 0.3, 0.5, 0.924, 0.999, 1 - 1e-12])


@pytest.mark.parametrize("y", [0, 1])
def test_bce_teaching_twins_match_bceloss(y):
    target = torch.full((len(P),), float(y), dtype=torch.float64)
    torch_loss = nn.BCELoss(reduction="none")(torch.tensor(P), target).numpy()
    # the naive log(1 - p) loses digits next to 0, hence the small absolute tolerance
    np.testing.assert_allclose(bce_naive(P, y), torch_loss, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(bce_clamped(P, y), torch_loss, rtol=1e-9)
    # at exactly 0 and 1 the naive formula is infinite, BCELoss clamps the log at -100
    edge = np.array([0.0, 1.0])
    edge_torch = nn.BCELoss(reduction="none")(
        torch.tensor(edge), torch.full((2,), float(y), dtype=torch.float64)
    ).numpy()
    np.testing.assert_allclose(bce_clamped(edge, y), edge_torch)
    assert np.isinf(bce_naive(edge, y)).any()


@pytest.mark.parametrize("y", [0, 1])
def test_bce_with_logits_matches_torch_including_extremes(y):
    target = torch.full((len(EXTREME),), float(y), dtype=torch.float64)
    expected = nn.BCEWithLogitsLoss(reduction="none")(torch.tensor(EXTREME), target).numpy()
    ours = bce_with_logits(EXTREME, y)
    assert np.all(np.isfinite(ours))
    # torch rounds losses below ~1e-9 slightly differently; both are exact to 1e-12 absolute
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("p", "y"), [(0.924, 1), (0.924, 0), (0.001, 1), (0.5, 0), (0.999, 0)])
def test_three_losses_agree(p, y):
    values = bce_numbers.three_losses(p, y)
    assert values["by hand BCELoss(p, y)"] == pytest.approx(float(bce_naive(p, y)))
    for v in values.values():
        assert v == pytest.approx(float(bce_naive(p, y)), rel=1e-4)


def test_three_losses_reject_nonsense():
    with pytest.raises(ValueError, match="strictly between"):
        bce_numbers.three_losses(1.0, 1)
    with pytest.raises(ValueError, match="0 or 1"):
        bce_numbers.three_losses(0.5, 2)


def test_saturated_logit_bceloss_clamps_with_zero_gradient():
    result = bce_numbers.saturation(40.0)
    loss, grad = result["sigmoid + nn.BCELoss"]
    assert loss == pytest.approx(100.0) and grad == 0.0
    loss, grad = result["nn.BCEWithLogitsLoss"]
    assert loss == pytest.approx(40.0) and grad == pytest.approx(1.0)
    assert loss == pytest.approx(float(bce_with_logits(40.0, 0)))
    # an unsaturated logit: both agree
    small = bce_numbers.saturation(2.0)
    assert small["sigmoid + nn.BCELoss"][0] == pytest.approx(
        small["nn.BCEWithLogitsLoss"][0], rel=1e-5
    )
    assert small["sigmoid + nn.BCELoss"][1] == pytest.approx(
        small["nn.BCEWithLogitsLoss"][1], rel=1e-4
    )


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_batch_table_reduction(reduction):
    logits, targets = bce_numbers.batch_rows(0.924, 1)
    assert logits[0] == pytest.approx(2.4981, abs=1e-4) and targets[0] == 1.0
    table, reduced = bce_numbers.batch_table(logits, targets, reduction)
    expected = bce_with_logits(np.array(logits), np.array(targets))
    np.testing.assert_allclose(table["loss"], expected, rtol=1e-5)
    agg = expected.mean() if reduction == "mean" else expected.sum()
    assert reduced == pytest.approx(agg, rel=1e-5)
    with pytest.raises(ValueError):
        bce_numbers.batch_table(logits, targets, "max")


# --- SGD paths -------------------------------------------------------------------------


def hand_written_gd(x, y, start, lr, steps):
    """Full-batch gradient descent without optim or DataLoader."""
    w = torch.tensor(start[0], requires_grad=True)
    b = torch.tensor(start[1], requires_grad=True)
    rows = []
    for _ in range(steps + 1):
        with torch.no_grad():
            rows.append((w.item(), b.item(), nn.BCEWithLogitsLoss()(w * x + b, y).item()))
        loss = nn.BCEWithLogitsLoss()(w * x + b, y)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
    return np.array(rows)


def test_full_batch_path_equals_hand_written_loop():
    x, y = make_data(200, seed=0)
    ours = train_path(x, y, "Full-batch GD", (-2.0, 3.0), lr=0.5, steps=40)
    np.testing.assert_allclose(
        ours, hand_written_gd(x, y, (-2.0, 3.0), 0.5, 40), rtol=1e-5, atol=1e-6
    )


def test_paths_start_together_and_are_seeded():
    a = sgd_picture(lr=0.5, batch_size=8, seed=3, steps=20)
    b = sgd_picture(lr=0.5, batch_size=8, seed=3, steps=20)
    c = sgd_picture(lr=0.5, batch_size=8, seed=4, steps=20)
    for m in METHODS:
        assert a.paths[m].shape == (21, 3)
        np.testing.assert_array_equal(a.paths[m][0], [-2.0, 3.0, a.paths[m][0, 2]])
        np.testing.assert_array_equal(a.paths[m], b.paths[m])
    np.testing.assert_array_equal(a.paths["Full-batch GD"], c.paths["Full-batch GD"])
    assert not np.allclose(a.paths["Mini-batch SGD"], c.paths["Mini-batch SGD"])
    assert not np.allclose(a.paths["Single-sample SGD"], c.paths["Single-sample SGD"])
    # all three go downhill overall from the same start
    for m in METHODS:
        assert a.paths[m][-1, 2] < a.paths[m][0, 2]


def test_single_sample_step_uses_one_point():
    x, y = make_data(50, seed=1)
    path = train_path(x, y, "Single-sample SGD", (0.0, 0.0), lr=1.0, steps=1, seed=0)
    # the first shuffled index of a seeded RandomSampler-driven loader
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, y),
        batch_size=1,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    xb, yb = next(iter(loader))
    grad_w = ((torch.sigmoid(torch.tensor(0.0)) - yb) * xb).item()
    grad_b = (torch.sigmoid(torch.tensor(0.0)) - yb).item()
    np.testing.assert_allclose(path[1, :2], [-grad_w, -grad_b], atol=1e-6)


def test_loss_surface_matches_bcewithlogits():
    x, y = make_data(30, seed=2)
    w_grid, b_grid = np.array([-1.0, 0.5, 2.0]), np.array([-1.0, 0.0])
    surface = loss_surface(x, y, w_grid, b_grid)
    assert surface.shape == (2, 3)
    for i, b in enumerate(b_grid):
        for j, w in enumerate(w_grid):
            expected = nn.BCEWithLogitsLoss()(float(w) * x + float(b), y).item()
            assert surface[i, j] == pytest.approx(expected, rel=1e-5)


def test_sgd_rejects_nonsense():
    x, y = make_data(20)
    with pytest.raises(ValueError):
        train_path(x, y, "Adam", (0, 0), 0.1, 5)
    with pytest.raises(ValueError):
        train_path(x, y, "Full-batch GD", (0, 0), 0.0, 5)
    with pytest.raises(ValueError):
        sgd_picture(batch_size=500, n_points=200)


# --- figures ----------------------------------------------------------------------------


def test_every_figure_is_valid_plotly():
    """The builders skip plotly's validation for speed; validate them here once."""
    import plotly.graph_objects as go

    picture = sgd_picture(steps=5)
    figures = [
        sig_plots.sigmoid_figure(2.5),
        sig_plots.linear_figure(2.5, 2.0, -1.0),
        sig_plots.linear_figure(2.5, 0.0, 1.0),
        sig_plots.gradient_figure(-8.0),
        bce_plots.bce_curves_figure(0.3, 0),
        bce_plots.saturation_figure(40.0, bce_numbers.saturation_curves(0, 50.0)),
        bce_plots.sgd_figure(picture, 3),
    ]
    for fig in figures:
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
    assert figures[0].to_dict()["layout"]["title"]["text"] == "σ(2.5) = 0.924"
    assert [t["name"] for t in figures[-1].to_dict()["data"][1::2][:3]] == list(METHODS)


def test_sgd_figure_marks_the_lowest_loss_and_the_current_step():
    picture = sgd_picture(steps=10)
    data = bce_plots.sgd_figure(picture, 4).to_dict()["data"]
    star = data[-1]
    assert star["name"] == "lowest loss on the grid"
    w_star, b_star = star["x"][0], star["y"][0]
    i, j = list(picture.b_grid).index(b_star), list(picture.w_grid).index(w_star)
    assert picture.surface[i, j] == picture.surface.min()
    for k, method in enumerate(METHODS):
        current = data[2 + 2 * k]  # the big marker after each path
        np.testing.assert_allclose(
            [current["x"][0], current["y"][0]], picture.paths[method][4, :2], rtol=1e-6
        )
