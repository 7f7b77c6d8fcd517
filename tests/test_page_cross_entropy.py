"""The multiclass cross-entropy page under AppTest: defaults, controls, extremes, URL, code."""

from __future__ import annotations

import json
import math
import re

import pytest
import torch
from torch import nn

from lib.lessons import cross_entropy as ce
from tests.conftest import charts, metric_values, open_page, printed_as_commented, run, texts

PAGE = "pages/6_Multiclass_Cross_Entropy.py"
BUILTIN, NLL, BY_HAND = (
    "nn.CrossEntropyLoss(logits)",
    "nn.NLLLoss(log_softmax(logits))",
    "by hand: log Σ e^z − z_y",
)
RIGHT, WRONG = "loss on raw logits (right)", "loss on softmax(logits) (mistake)"


def code_outputs(at) -> list[list[str]]:
    """Execute every code panel: each print's ``# comment`` must be what it prints."""
    return [printed_as_commented(block.value) for block in at.code]


def oracle_loss(z, y) -> float:
    return nn.CrossEntropyLoss()(torch.tensor([z]), torch.tensor([y])).item()


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_defaults(default_page):
    at = default_page
    assert "Multiclass cross-entropy" in [t.value for t in at.title]
    values = metric_values(at)
    expected = f"{oracle_loss([0.9, 0.8, 0.4], 0):.4f}"
    assert values[BUILTIN] == values[NLL] == values[BY_HAND] == values[RIGHT] == expected
    assert float(values[WRONG]) > float(values[RIGHT])
    bars, curve = charts(at)[:2]
    assert bars["data"][0]["marker"]["color"][0] != bars["data"][0]["marker"]["color"][1]
    assert expected in bars["layout"]["title"]["text"]
    assert curve["data"][1]["x"][0] == pytest.approx(0.3982, abs=1e-4)
    assert "-\\log(0.3982) = 0.9208" in texts(at)


def test_code_panels_print_what_the_page_shows(default_page):
    at = default_page
    three, double, smooth, batch = code_outputs(at)
    values = metric_values(at)
    assert three == [values[BUILTIN], values[NLL], values[BY_HAND]]
    assert [double[0], double[2]] == [values[RIGHT], values[WRONG]]
    assert f"**{smooth[0]}**" in texts(at) and f"[{smooth[1]}]" in texts(at)
    frame = at.dataframe[0].value
    assert batch[0] == ", ".join(frame["loss"]) and f"**{batch[1]}**" in texts(at)
    grad = at.dataframe[1].value
    for i, line in enumerate(batch[2:]):
        assert [float(v) for v in line.split(", ")] == pytest.approx(list(grad.iloc[i]), abs=1e-4)


def test_true_class_and_logits_change_the_loss():
    at = open_page(PAGE)
    run(at.selectbox(key="ce_y").set_value("bird"))
    z = [0.9, 0.8, 0.4]
    assert metric_values(at)[BUILTIN] == f"{oracle_loss(z, 2):.4f}"
    assert (
        charts(at)[0]["data"][0]["marker"]["color"][2]
        != charts(at)[0]["data"][0]["marker"]["color"][0]
    )
    run(at.slider(key="ce_z2").set_value(4.0))
    assert metric_values(at)[BUILTIN] == f"{oracle_loss([0.9, 0.8, 4.0], 2):.4f}"
    run(at.text_input(key="ce_name2").set_value("eagle"))
    assert at.selectbox(key="ce_y").options == ["cat", "dog", "eagle"]
    code_outputs(at)


@pytest.mark.parametrize("k", [2, 4, 6])
def test_number_of_classes(k):
    at = open_page(PAGE)
    run(at.slider(key="ce_k").set_value(k))
    assert len(charts(at)[0]["data"][0]["x"]) == k
    assert at.dataframe[1].value.shape == (4, k)
    assert f"{ce.double_softmax_floor(k):.4f}" in texts(at)
    code_outputs(at)


def test_label_smoothing_batch_and_seed_controls():
    at = open_page(PAGE)
    run(at.slider(key="ce_ls").set_value(0.2))
    loss = nn.CrossEntropyLoss(label_smoothing=0.2)(
        torch.tensor([[0.9, 0.8, 0.4]]), torch.tensor([0])
    ).item()
    assert f"Loss against q: **{loss:.4f}**" in texts(at)
    assert "[0.867, 0.067, 0.067]" in texts(at)

    run(at.slider(key="ce_batch").set_value(6))
    frame = at.dataframe[0].value
    assert len(frame) == 6 and frame["sample"][0] == "0 (yours)"
    mean = sum(float(v) for v in frame["loss"]) / 6
    shown = re.search(r"/ 6 = \*\*([0-9.]+)\*\*", texts(at)).group(1)
    assert float(shown) == pytest.approx(mean, abs=1e-3)
    grad = at.dataframe[1].value
    assert grad.sum(axis=1).abs().max() < 1e-3

    before = list(frame["logits"])
    run(at.number_input(key="ce_seed").set_value(5))
    after = list(at.dataframe[0].value["logits"])
    assert after[0] == before[0] and after[1:] != before[1:]
    code_outputs(at)


def test_extreme_logits_give_finite_numbers():
    at = open_page(PAGE)
    run(at.text_input(key="ce_typed").set_value("1000, 0, -1000"))
    run(at.selectbox(key="ce_y").set_value("bird"))
    values = metric_values(at)
    assert values[BUILTIN] == values[NLL] == values[BY_HAND] == "2000.0000"
    for value in values.values():
        assert math.isfinite(float(value))
    body = texts(at)
    assert not re.search(r"\b(nan|inf)\b", body, re.IGNORECASE)
    assert "off the chart" in json.dumps(charts(at)[1])
    for chart in charts(at):
        assert "NaN" not in json.dumps(chart) and "null" not in json.dumps(chart["data"])
    code_outputs(at)


def test_duplicate_empty_names_and_bad_input():
    at = open_page(PAGE)
    run(at.text_input(key="ce_name0").set_value("dog"))
    run(at.text_input(key="ce_name2").set_value(""))
    assert at.selectbox(key="ce_y").options == ["dog", "dog (2)", "class 2"]
    assert at.dataframe[1].value.columns.tolist() == ["dog", "dog (2)", "class 2"]
    assert len(at.warning) >= 2
    run(at.text_input(key="ce_typed").set_value("1; 2; x"))
    assert any("not a number" in e.value for e in at.error)


def test_url_restores_state():
    at = open_page(
        PAGE,
        query={
            "ce_k": "4",
            "ce_z3": "-2.0",
            "ce_name3": "owl",
            "ce_y": "owl",
            "ce_ls": "0.1",
            "ce_batch": "3",
            "ce_seed": "9",
        },
    )
    assert at.selectbox(key="ce_y").value == "owl"
    assert metric_values(at)[BUILTIN] == f"{oracle_loss([0.9, 0.8, 0.4, -2.0], 3):.4f}"
    assert at.slider(key="ce_ls").value == 0.1
    assert len(at.dataframe[0].value) == 3 and at.number_input(key="ce_seed").value == 9
    typed = open_page(PAGE, query={"ce_typed": "1000, 0, -1000", "ce_y": "bird"})
    assert metric_values(typed)[BUILTIN] == "2000.0000"


def test_quiz():
    at = open_page(PAGE)
    assert len([r for r in at.radio if r.key.startswith("ce_quiz")]) >= 3
    run(at.radio(key="ce_quiz_q0").set_value("Raw logits"))
    assert any("NLLLoss" in s.value for s in at.success)


def test_opens_with_try_this_and_no_dataset_picker(default_page):
    at = default_page
    assert at.info[0].value.startswith("**Try this:**")
    assert not [s for s in at.sidebar.selectbox if s.key == "dataset"]


def test_label_smoothing_text_follows_epsilon():
    at = open_page(PAGE)
    body = texts(at)
    # ε = 0 (the default): q = [1, 0, 0] is one-hot, and the page says so.
    assert "[1.000, 0.000, 0.000]" in body
    assert "With ε = 0 the target is exactly one-hot" in body
    assert "never exactly one-hot" not in body and "the target is not one-hot" not in body
    run(at.slider(key="ce_ls").set_value(0.3))
    body = texts(at)
    assert "With ε = 0.3 the target is not one-hot: the true class aims at 0.800" in body
    assert "exactly one-hot" not in body


def test_textbook_formula_from_lib_core_is_shown_beside_the_built_ins():
    at = open_page(PAGE)
    loss = metric_values(at)[BUILTIN]
    assert f"written literally in NumPy (float64), gives {loss} too" in texts(at)
    assert "differs from autograd's gradient by at most" in texts(at)
    run(at.text_input(key="ce_typed").set_value("1000, 0, -1000"))
    body = texts(at)
    assert "fails here: e^1000 is beyond float64's largest number" in body
    assert f"gives {float(metric_values(at)[BUILTIN]):.4f}" in body
