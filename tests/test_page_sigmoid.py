"""The sigmoid lesson under AppTest: defaults, every control, the URL, and its code panels."""

import contextlib
import io
import re

import pytest
import torch

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


def test_defaults_show_the_seed_value(default_page):
    at = default_page
    assert at.title[0].value == "The sigmoid"
    assert "sigmoid(2.5) = 0.924" in texts(at)
    assert at.slider(key="sig_x").value == 2.5
    assert at.number_input(key="sig_x_num").value == 2.5
    shown = metric_values(at)
    for name in ("nn.Sigmoid()", "torch.sigmoid", "by hand"):
        assert shown[name] == f"{torch.sigmoid(torch.tensor(2.5)).item():.6f}" == "0.924142"
    assert at.get("latex")  # the formula is on the page


def test_the_seed_picture_is_recreated(default_page):
    spec = charts(default_page)[0]
    curve, vertical, dot = spec["data"][:3]
    assert vertical["x"] == [2.5, 2.5]
    assert dot["x"] == [2.5] and dot["y"][0] == pytest.approx(0.924, abs=1e-3)
    assert curve["y"] and len(curve["x"]) == len(curve["y"])
    asymptote = spec["layout"]["shapes"][0]
    assert asymptote["y0"] == asymptote["y1"] == 1 and asymptote["line"]["dash"] == "dash"


def test_number_input_moves_the_slider_and_everything_else():
    at = open_page(PAGE)
    at.number_input(key="sig_x_num").set_value(-1.0).run()
    assert not at.exception
    assert at.slider(key="sig_x").value == -1.0
    assert metric_values(at)["torch.sigmoid"] == f"{torch.sigmoid(torch.tensor(-1.0)).item():.6f}"
    assert "sigmoid(-1) = 0.269" in texts(at)
    assert charts(at)[0]["data"][2]["x"] == [-1.0]
    # and the slider moves the number input back
    at.slider(key="sig_x").set_value(4.0).run()
    assert not at.exception
    assert at.number_input(key="sig_x_num").value == 4.0
    assert metric_values(at)["by hand"] == "0.982014"


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
    assert "the slope is **0.0701**" in texts(at)
    at.slider(key="sig_x").set_value(0.0).run()
    assert "the slope is **0.2500**" in texts(at)
    assert 2.5 not in at.dataframe[0].value["logit z"].tolist()
    at.slider(key="sig_x").set_value(7.3).run()
    assert 7.3 in at.dataframe[0].value["logit z"].tolist()


def test_link_restores_the_state():
    at = open_page(PAGE, query={"sig_x": "1.0", "sig_w": "-2.0", "sig_b": "0.5"})
    assert at.slider(key="sig_x").value == 1.0
    assert at.number_input(key="sig_x_num").value == 1.0
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

    out, _ = run_code(code_of(at, "backward()"))
    slope, formula = numbers(out)
    assert slope == formula and f"the slope is **{slope}**" in texts(at)


def test_quiz_gives_feedback_with_reasons():
    at = open_page(PAGE)
    at.radio(key="sig_quiz_q0").set_value("0.5").run()
    at.radio(key="sig_quiz_q1").set_value("For large positive x").run()
    assert not at.exception
    assert any("Correct." in s.value for s in at.success)
    assert any("Not quite" in e.value for e in at.error)
    assert "Score: 1 / 4" in texts(at)


def test_nonsense_in_the_link_falls_back_to_defaults():
    at = open_page(PAGE, query={"sig_x": "100", "sig_w": "abc", "sig_b": "nan"})
    assert (at.slider(key="sig_x").value, at.slider(key="sig_w").value) == (2.5, 1.0)
    assert at.slider(key="sig_b").value == 0.0
    assert "sigmoid(2.5) = 0.924" in texts(at)
