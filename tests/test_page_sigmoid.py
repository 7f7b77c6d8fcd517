"""The sigmoid lesson under AppTest: defaults, every control, the URL, and its code panels."""

import contextlib
import io
import json
import re

import pytest
import torch

from lib.lessons import sigmoid as sigmoid_lesson
from tests.conftest import charts, metric_values, open_page, texts

PAGE = "pages/2_Sigmoid.py"


def run_code(code: str) -> tuple[str, dict]:
    """Execute a code panel as a learner would paste it; return what it prints and its names."""
    out, names = io.StringIO(), {}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<code panel>", "exec"), names)  # noqa: S102
    return out.getvalue(), names


def numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+\.\d{4,}", text)


def code_of(at, needle: str) -> str:
    return next(c.value for c in at.code if needle in c.value)


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_defaults_show_the_cheat_sheet_value(default_page):
    at = default_page
    assert at.title[0].value == "The sigmoid"
    assert "σ(2.5) = 0.924" in texts(at)
    assert at.slider(key="sig_x").value == 2.5
    assert at.slider(key="sig_x").label == "z (the model's score, a logit)"
    assert not at.number_input  # no mirror that could pull the slider back
    shown = metric_values(at)
    for name in ("nn.Sigmoid()", "torch.sigmoid", "by hand"):
        assert shown[name] == f"{torch.sigmoid(torch.tensor(2.5)).item():.6f}" == "0.924142"
    assert at.get("latex")  # the formula is on the page
    assert r"\sigma(z)" in at.get("latex")[0].value


def test_the_page_opens_with_a_challenge_and_no_dataset_picker(default_page):
    at = default_page
    assert at.info[0].value.startswith("**Try this:**") and "z to 8" in at.info[0].value
    assert not at.sidebar.selectbox  # the picker did nothing here
    assert "kept for the others" in " ".join(c.value for c in at.sidebar.caption)


def test_notation_z_for_logits_x_for_features(default_page):
    body = texts(default_page)
    assert "**z = w·x + b**" in body and "feature x" in body
    assert "sigmoid(x)" not in body and "σ(x) = " not in body
    specs = charts(default_page)
    assert specs[0]["layout"]["xaxis"]["title"]["text"] == "logit z"
    assert specs[1]["layout"]["xaxis"]["title"]["text"] == "feature x"
    assert "z = torch.tensor(2.5)" in code_of(default_page, "nn.Sigmoid()")


def test_the_seed_picture_is_recreated(default_page):
    spec = charts(default_page)[0]
    curve, vertical, dot = spec["data"][:3]
    assert vertical["x"] == [2.5, 2.5]
    assert dot["x"] == [2.5] and dot["y"][0] == pytest.approx(0.924, abs=1e-3)
    assert curve["y"] and len(curve["x"]) == len(curve["y"])
    asymptote = spec["layout"]["shapes"][0]
    assert asymptote["y0"] == asymptote["y1"] == 1 and asymptote["line"]["dash"] == "dash"


def test_slider_moves_everything_that_depends_on_z():
    at = open_page(PAGE)
    at.slider(key="sig_x").set_value(-1.0).run()
    assert not at.exception
    assert metric_values(at)["torch.sigmoid"] == f"{torch.sigmoid(torch.tensor(-1.0)).item():.6f}"
    assert "σ(-1) = 0.269" in texts(at)
    assert charts(at)[0]["data"][2]["x"] == [-1.0]
    assert charts(at)[2]["data"][3]["x"] == [-1.0]  # the gradient figure's point
    assert "x = -1**" in texts(at)  # section 2's feature value


def test_weight_and_bias_change_the_logit_and_probability():
    at = open_page(PAGE)
    assert metric_values(at)["logit z = w·x + b"] == "2.5000"
    at.slider(key="sig_w").set_value(2.0).run()
    at.slider(key="sig_b").set_value(-1.0).run()
    assert not at.exception
    shown = metric_values(at)
    assert shown["logit z = w·x + b"] == "4.0000"  # 2·2.5 − 1
    assert shown["probability p = σ(z)"] == f"{torch.sigmoid(torch.tensor(4.0)).item():.4f}"
    spec = charts(at)[1]
    assert spec["layout"]["annotations"][0]["text"] == "p = 0.5 at x = 0.50"


def test_odds_table_and_slope_follow_x():
    at = open_page(PAGE)
    table = at.dataframe[0].value
    assert 2.5 in table["logit z"].tolist()
    row = table[table["logit z"] == 0.0].iloc[0]
    assert row["odds e^z"] == 1.0 and row["probability σ(z)"] == 0.5
    assert "at z = 2.5 it is **0.0701**" in texts(at)
    at.slider(key="sig_x").set_value(0.0).run()
    assert "at z = 0 it is **0.2500**" in texts(at)
    assert 2.5 not in at.dataframe[0].value["logit z"].tolist()
    at.slider(key="sig_x").set_value(7.3).run()
    assert 7.3 in at.dataframe[0].value["logit z"].tolist()


def test_link_restores_the_state():
    at = open_page(PAGE, query={"sig_x": "1.0", "sig_w": "-2.0", "sig_b": "0.5"})
    assert at.slider(key="sig_x").value == 1.0
    shown = metric_values(at)
    assert shown["torch.sigmoid"] == "0.731059"
    assert shown["logit z = w·x + b"] == "-1.5000"


@pytest.mark.parametrize("x", [2.5, -7.2])
def test_code_panels_print_what_the_page_shows(x):
    at = open_page(PAGE, query={"sig_x": str(x), "sig_w": "1.5", "sig_b": "-2.0"})
    shown = metric_values(at)
    out, _ = run_code(code_of(at, "nn.Sigmoid()"))
    assert numbers(out) == [shown["nn.Sigmoid()"], shown["torch.sigmoid"], shown["by hand"]]

    out, _ = run_code(code_of(at, "nn.Linear(1, 1)"))
    assert numbers(out) == [shown["logit z = w·x + b"], shown["probability p = σ(z)"]]

    _, names = run_code(code_of(at, "odds e^z"))
    assert names["table"].equals(at.dataframe[0].value)

    out, _ = run_code(code_of(at, "BCEWithLogitsLoss()(logit"))
    slope, formula, grad1, by_formula1, grad0, by_formula0 = re.findall(r"[-+]?\d+\.\d{4}", out)
    assert slope == formula == shown["σ′(z)"] and f"it is **{slope}**" in texts(at)
    assert grad1 == by_formula1 == shown["dL/dz if y = 1"]
    assert grad0 == by_formula0 == shown["dL/dz if y = 0"]


def test_quiz_gives_feedback_with_reasons():
    at = open_page(PAGE)
    at.radio(key="sig_quiz_q0").set_value("0.5").run()
    at.radio(key="sig_quiz_q1").set_value(
        "About 0: the sigmoid is flat there, so the model barely learns"
    ).run()
    assert not at.exception
    assert any("Correct." in s.value for s in at.success)
    assert any("Not quite" in e.value for e in at.error)
    assert "Score: 1 / 4" in texts(at)


def test_nonsense_in_the_link_falls_back_to_defaults():
    at = open_page(PAGE, query={"sig_x": "abc", "sig_w": "abc", "sig_b": "nan"})
    assert (at.slider(key="sig_x").value, at.slider(key="sig_w").value) == (2.5, 1.0)
    assert at.slider(key="sig_b").value == 0.0
    assert "σ(2.5) = 0.924" in texts(at)
    at = open_page(PAGE, query={"sig_x": "100"})  # out of range: clamped (lib.ui.query)
    assert at.slider(key="sig_x").value == 10.0 and "σ(10) = 1.000" in texts(at)


def test_confident_mistake_gets_the_largest_push_not_a_vanishing_one():
    """Issue #16: in the flat tails σ′(z) ≈ 0, but BCEWithLogitsLoss's dL/dz = σ(z) − y ≈ ±1."""
    at = open_page(PAGE, query={"sig_x": "8.0"})
    shown = metric_values(at)
    z = torch.tensor([8.0], requires_grad=True)
    torch.nn.BCEWithLogitsLoss()(z, torch.tensor([0.0])).backward()
    assert shown["dL/dz if y = 0"] == f"{z.grad.item():+.4f}" == "+0.9997"
    assert shown["dL/dz if y = 1"] == "-0.0003" and shown["σ′(z)"] == "0.0003"
    body = texts(at)
    assert "barely gets a push" not in body and "learning crawls" not in body
    assert "the **largest** push" in body and "MSE on σ(z)" in body
    spec = charts(at)[2]
    names = [trace["name"] for trace in spec["data"]]
    assert names[:3] == [
        "σ′(z): the sigmoid's slope",
        "dL/dz = σ(z) − 1 (label y = 1)",
        "dL/dz = σ(z) − 0 (label y = 0)",
    ]
    assert "learning crawls" not in json.dumps(spec)
    assert not spec["layout"].get("shapes")  # no "slow" shading of the tails
    quiz = at.radio(key="sig_quiz_q1")
    assert "About 1" in quiz.options[1] and "At x = 0" not in quiz.options


def test_gradient_readouts_equal_autograd():
    for z in (-7.2, 0.0, 2.5):
        grads = sigmoid_lesson.loss_gradients(z)
        for y in (0, 1):
            t = torch.tensor([z], requires_grad=True)
            torch.nn.BCEWithLogitsLoss()(t, torch.tensor([float(y)])).backward()
            assert grads[y] == t.grad.item()
            assert grads[y] == pytest.approx(torch.sigmoid(torch.tensor(z)).item() - y, abs=1e-6)


def test_mistake_names_the_real_mistake_not_the_cheat_sheets_pattern(default_page):
    warning = " ".join(w.value for w in default_page.warning)
    assert "putting nn.Sigmoid() inside the model" not in warning
    assert "a sigmoid twice" in warning and "Two pairings are valid" in warning
