"""The binary cross-entropy lesson under AppTest: every control, the URL, and its code panels."""

import json

import numpy as np
import pytest

from lib.core.losses import bce_naive, bce_with_logits
from lib.lessons.bce import METHODS
from lib.plots.style import GREY
from tests.conftest import charts, metric_values, open_page, texts
from tests.test_page_sigmoid import code_of, numbers, run_code

PAGE = "pages/4_Binary_Cross_Entropy.py"
LOSSES = ("by hand BCELoss(p, y)", "nn.BCELoss()", "nn.BCEWithLogitsLoss()")
SAT = ("sigmoid + nn.BCELoss", "nn.BCEWithLogitsLoss")


def losses(at) -> list[str]:
    shown = metric_values(at)
    return [shown[name] for name in LOSSES]


def paths(at):
    return at.dataframe[1].value.set_index("method")


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_defaults(default_page):
    at = default_page
    assert at.title[0].value == "Binary cross-entropy"
    assert losses(at) == [f"{float(bce_naive(0.924, 1)):.4f}"] * 3 == ["0.0790"] * 3
    shown = metric_values(at)
    assert shown["sigmoid + nn.BCELoss: loss"] == "100.0000"
    assert shown["sigmoid + nn.BCELoss: gradient d loss / d z"] == "0.0000"
    assert shown["nn.BCEWithLogitsLoss: loss"] == "40.0000"
    assert shown["nn.BCEWithLogitsLoss: gradient d loss / d z"] == "1.0000"
    assert list(paths(at).index) == list(METHODS)
    assert "Common mistake" in texts(at)


def test_p_and_y_move_the_loss_point():
    at = open_page(PAGE)
    at.radio(key="bce_y").set_value(0).run()
    assert not at.exception
    assert losses(at) == [f"{float(bce_naive(0.924, 0)):.4f}"] * 3 == ["2.5770"] * 3
    spec = charts(at)[0]
    point = spec["data"][2]
    assert point["x"] == [0.924] and point["y"][0] == pytest.approx(2.577, abs=1e-3)
    at.slider(key="bce_p").set_value(0.1).run()
    assert losses(at) == [f"{float(bce_naive(0.1, 0)):.4f}"] * 3
    # the batch's first row is this prediction
    first = at.dataframe[0].value.iloc[0]
    assert first["y"] == 0 and first["p = σ(z)"] == pytest.approx(0.1, abs=1e-4)


def test_reduction_switches_mean_and_sum():
    at = open_page(PAGE)
    table = at.dataframe[0].value
    mean = float(metric_values(at)["batch loss (reduction='mean')"])
    assert mean == pytest.approx(table["loss"].mean(), abs=1e-4)
    expected = bce_with_logits(table["logit z"].to_numpy(), table["y"].to_numpy())
    np.testing.assert_allclose(table["loss"], expected, rtol=1e-5)
    at.radio(key="bce_red").set_value("sum").run()
    total = float(metric_values(at)["batch loss (reduction='sum')"])
    assert total == pytest.approx(4 * mean, abs=1e-3)


def test_unsaturated_logit_gives_real_gradient():
    at = open_page(PAGE)
    at.slider(key="bce_z").set_value(5.0).run()
    shown = metric_values(at)
    assert shown["sigmoid + nn.BCELoss: loss"] == shown["nn.BCEWithLogitsLoss: loss"] == "5.0067"
    assert float(shown["sigmoid + nn.BCELoss: gradient d loss / d z"]) == pytest.approx(
        0.9933, abs=1e-3
    )
    at.slider(key="bce_z").set_value(50.0).run()
    assert metric_values(at)["nn.BCEWithLogitsLoss: loss"] == "50.0000"
    assert metric_values(at)["sigmoid + nn.BCELoss: loss"] == "100.0000"


def test_sgd_controls():
    at = open_page(PAGE)
    before = paths(at)
    at.slider(key="bce_step").set_value(40).run()
    later = paths(at)
    assert (later["loss on all points"] < before["loss on all points"]).all()
    assert "step 40" in charts(at)[2]["layout"]["title"]["text"]

    at.number_input(key="bce_seed").set_value(7).run()
    reseeded = paths(at)
    assert reseeded.loc["Full-batch GD"].equals(later.loc["Full-batch GD"])
    assert not reseeded.loc["Mini-batch SGD"].equals(later.loc["Mini-batch SGD"])
    assert not reseeded.loc["Single-sample SGD"].equals(later.loc["Single-sample SGD"])

    at.select_slider(key="bce_bs").set_value(64).run()
    rebatched = paths(at)
    assert rebatched.loc["Full-batch GD"].equals(reseeded.loc["Full-batch GD"])
    assert rebatched.loc["Single-sample SGD"].equals(reseeded.loc["Single-sample SGD"])
    assert not rebatched.loc["Mini-batch SGD"].equals(reseeded.loc["Mini-batch SGD"])

    at.select_slider(key="bce_lr").set_value(0.05).run()
    assert not at.exception
    slow = paths(at)
    assert (slow["loss on all points"] > rebatched["loss on all points"]).all()

    at.slider(key="bce_step").set_value(0).run()
    start = paths(at)
    assert (start["w"] == -2.0).all() and (start["b"] == 3.0).all()


def test_link_restores_the_state():
    at = open_page(
        PAGE,
        query={
            "bce_p": "0.3",
            "bce_y": "0",
            "bce_red": "sum",
            "bce_z": "10.0",
            "bce_step": "5",
            "bce_lr": "0.2",
            "bce_bs": "4",
        },
    )
    assert at.slider(key="bce_p").value == pytest.approx(0.3)
    assert at.radio(key="bce_y").value == 0
    assert losses(at) == [f"{float(bce_naive(0.3, 0)):.4f}"] * 3
    assert "batch loss (reduction='sum')" in metric_values(at)
    assert at.slider(key="bce_z").value == 10.0
    assert at.select_slider(key="bce_lr").value == 0.2
    assert at.select_slider(key="bce_bs").value == 4
    assert at.slider(key="bce_step").value == 5


@pytest.mark.parametrize(
    "query",
    [
        {},
        {
            "bce_p": "0.02",
            "bce_y": "1",
            "bce_red": "sum",
            "bce_z": "12.5",
            "bce_step": "7",
            "bce_lr": "2.0",
            "bce_bs": "2",
            "bce_seed": "3",
        },
    ],
)
def test_code_panels_print_what_the_page_shows(query):
    at = open_page(PAGE, query=query)
    shown = metric_values(at)
    out, _ = run_code(code_of(at, "def BCELoss(p, y)"))
    assert numbers(out) == losses(at)

    out, names = run_code(code_of(at, 'reduction="none"'))
    table = at.dataframe[0].value
    np.testing.assert_allclose(names["per_sample"].numpy(), table["loss"], rtol=1e-6)
    reduced = next(v for k, v in shown.items() if k.startswith("batch loss"))
    assert numbers(out)[-1] == reduced

    out, _ = run_code(code_of(at, "z.grad = None"))
    expected = [shown[f"{n}: {part}"] for n in SAT for part in ("loss", "gradient d loss / d z")]
    assert numbers(out) == expected

    out, _ = run_code(code_of(at, "DataLoader"))
    printed = np.array(numbers(out), dtype=float).reshape(3, 3)
    np.testing.assert_allclose(printed, paths(at)[["w", "b", "loss on all points"]], atol=1.5e-4)


def test_nonsense_in_the_link_falls_back_to_defaults():
    at = open_page(
        PAGE,
        query={
            "bce_p": "abc",
            "bce_y": "7",
            "bce_lr": "0.3",
            "bce_bs": "abc",
            "bce_step": "x",
            "bce_z": "inf",
            "bce_red": "max",
        },
    )
    assert at.slider(key="bce_p").value == pytest.approx(0.924)
    assert at.radio(key="bce_y").value == 1 and at.radio(key="bce_red").value == "mean"
    assert (at.select_slider(key="bce_lr").value, at.select_slider(key="bce_bs").value) == (0.5, 16)
    assert (at.slider(key="bce_step").value, at.slider(key="bce_z").value) == (15, 40.0)
    assert losses(at) == ["0.0790"] * 3
    # out of range: clamped to the nearest end (lib.ui.query)
    at = open_page(PAGE, query={"bce_p": "5", "bce_step": "1000"})
    assert at.slider(key="bce_p").value == pytest.approx(0.999)
    assert at.slider(key="bce_step").value == 60


def test_opens_with_a_challenge_and_without_the_dataset_picker(default_page):
    at = default_page
    assert at.info[0].value.startswith("**Try this:**") and "y to 0" in at.info[0].value
    assert not at.sidebar.selectbox
    assert "kept for the others" in " ".join(c.value for c in at.sidebar.caption)


def test_the_cheat_sheets_sigmoid_and_bceloss_is_not_called_a_mistake(default_page):
    warning = " ".join(w.value for w in default_page.warning)
    assert "sigmoid + BCELoss" not in warning.split("\n")[0]  # not in the mistake's title
    assert "is valid" in warning and "'SGD uses one random point'" in warning


def test_own_markers_show_on_both_themes(default_page):
    """The learner's point and the SGD start were black (invisible on the dark theme)."""
    curves, _, sgd = charts(default_page)
    point = curves["data"][2]
    start = next(t for t in sgd["data"] if t.get("name") == "start")
    for marker in (point["marker"], start["marker"]):
        assert marker["color"] == GREY and marker["line"]["color"] == "#FFFFFF"
    assert "black" not in json.dumps([curves, sgd]).lower()
