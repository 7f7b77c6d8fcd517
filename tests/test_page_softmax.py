"""The softmax and argmax page under AppTest: defaults, every control, bad input, URL, code panels."""

from __future__ import annotations

import json
import re

import pytest
import torch

from lib.lessons import softmax as sl
from lib.text import md_literal
from tests.conftest import charts, metric_values, open_page, printed_as_commented, run, texts

PAGE = "pages/5_Softmax_and_Argmax.py"


def shown_probs(at) -> str:
    """The bracketed probabilities of 'softmax(z) = **[…]**'."""
    for md in at.markdown:
        m = re.match(r"softmax\(z\) = \*\*\[(.*)\]\*\*", md.value)
        if m:
            return m.group(1)
    raise AssertionError("no softmax line on the page")


def code_outputs(at) -> list[list[str]]:
    """Execute every code block on the page; return each one's printed lines.

    Each print line's ``# comment`` must equal what it prints; the cheat sheet's block must
    raise exactly the error the page shows.
    """
    outputs = []
    for block in at.code:
        code = block.value
        if code.strip() == sl.CHEAT_SHEET_ARGMAX_CODE:
            with pytest.raises(IndexError) as info:
                exec(code, {})
            assert md_literal(f"IndexError: {info.value}") in texts(at)
            continue
        outputs.append(printed_as_commented(code))
    return outputs


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_defaults_show_the_cheat_sheet_numbers(default_page):
    at = default_page
    assert "Softmax and argmax" in [t.value for t in at.title]
    assert shown_probs(at) == "0.40, 0.36, 0.24"
    body = texts(at)
    assert "e^{0.9} + e^{0.8} + e^{0.4} = 2.460 + 2.226 + 1.492 = 6.177" in body
    bars = charts(at)[0]["data"][0]
    assert bars["x"] == ["cat", "dog", "bird"] and sum(bars["y"]) == pytest.approx(1.0, abs=1e-6)
    assert metric_values(at)["argmax of the logits"] == "0"
    assert metric_values(at)["argmax of the probabilities"] == "0"
    assert metric_values(at)["predicted class"] == "cat"


def test_real_argmax_error_is_shown(default_page):
    with pytest.raises(IndexError) as info:
        torch.argmax(torch.tensor([0.4, 0.36, 0.24], dtype=torch.float), dim=1)
    errors = [e.value for e in default_page.error]
    # torch's own message, made literal for Markdown: the browser shows it character for
    # character (tests/test_browser_softmax_ce.py reads it there).
    assert errors == [f"It raises: {md_literal(f'IndexError: {info.value}')}"]


def test_code_panels_print_what_the_page_shows(default_page):
    at = default_page
    outputs = code_outputs(at)
    assert len(outputs) == 5
    softmax_out, temp_out, shift_out, argmax_out, sigmoid_out = outputs
    assert softmax_out == ["6.177", shown_probs(at), "1.00"]
    assert f"[{temp_out[1]}]" in texts(at)
    frame = at.dataframe[0].value
    assert shift_out == [
        ", ".join(frame["softmax(z)"]),
        ", ".join(frame["softmax(z + c)"]),
        ", ".join(frame["textbook e^x / Σ e^x"]),
    ]
    assert argmax_out[:2] == [
        metric_values(at)["argmax of the probabilities"],
        metric_values(at)["argmax of the logits"],
    ]
    values = metric_values(at)
    assert sigmoid_out == [values["sigmoid(z)"], values["softmax([z, 0])[0]"]]


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_number_of_classes(k):
    at = open_page(PAGE)
    run(at.slider(key="sm_k").set_value(k))
    assert len([s for s in at.slider if s.key.startswith("sm_z")]) == k
    bars = charts(at)[0]["data"][0]
    assert len(bars["x"]) == k and sum(bars["y"]) == pytest.approx(1.0, abs=1e-6)
    expected = sl.show(sl.probs(list(sl.DEFAULT_LOGITS[:k])))
    assert shown_probs(at) == expected
    code_outputs(at)
    assert ("σ(z0 − z1)" in texts(at)) == (k == 2)


def test_every_control_changes_what_is_shown():
    at = open_page(PAGE)
    before = shown_probs(at)
    run(at.slider(key="sm_z2").set_value(3.0))
    assert shown_probs(at) != before and metric_values(at)["predicted class"] == "bird"
    assert "e^{3}" in texts(at)

    run(at.text_input(key="sm_name0").set_value("lion"))
    assert charts(at)[0]["data"][0]["x"][0] == "lion"

    latex_before = texts(at)
    run(at.slider(key="sm_temp").set_value(3.0))
    assert "T = 3" in texts(at) and texts(at) != latex_before
    assert charts(at)[1]["data"][1]["name"] == "T = 3"

    run(at.number_input(key="sm_shift").set_value(100.0))
    frame = at.dataframe[0].value
    assert list(frame["x = z + c"]) == ["100.9", "100.8", "103"]
    assert list(frame["softmax(z)"]) == list(frame["softmax(z + c)"])
    assert "overflow in float32" in texts(at)

    run(at.selectbox(key="sm_dom").set_value("dog"))
    assert "dog" in charts(at)[2]["layout"]["title"]["text"]

    sig_before = metric_values(at)["sigmoid(z)"]
    run(at.slider(key="sm_sz").set_value(-4.0))
    assert metric_values(at)["sigmoid(z)"] != sig_before
    assert metric_values(at)["sigmoid(z)"] == metric_values(at)["softmax([z, 0])[0]"] == "0.0180"
    code_outputs(at)


def test_typed_extreme_logits_never_show_nan():
    at = open_page(PAGE)
    run(at.text_input(key="sm_typed").set_value("1000, 0, -1000"))
    assert shown_probs(at) == "1.00, 0.00, 0.00"
    body = texts(at)
    assert "overflows" in body and "e^{-2000}" in body
    assert not re.search(r"\bnan\b", body, re.IGNORECASE)
    assert not [s for s in at.slider if s.key.startswith("sm_z")]
    for chart in charts(at):
        assert "NaN" not in json.dumps(chart) and "null" not in json.dumps(chart["data"])
    code_outputs(at)
    run(at.text_input(key="sm_typed").set_value("-1000, -1000"))
    assert shown_probs(at) == "0.50, 0.50"
    run(at.text_input(key="sm_typed").set_value(""))
    assert shown_probs(at) == "0.40, 0.36, 0.24"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1, two", "not a number"),
        ("1", "between 2 and 6"),
        ("1e9, 0", "within"),
        ("nan, 0", "finite"),
    ],
)
def test_bad_typed_logits_show_an_error_and_keep_the_sliders(typed, message):
    at = open_page(PAGE)
    run(at.text_input(key="sm_typed").set_value(typed))
    assert any(message in e.value for e in at.error)
    assert shown_probs(at) == "0.40, 0.36, 0.24"


def test_duplicate_and_empty_names_are_made_unique_with_a_note():
    at = open_page(PAGE)
    run(at.text_input(key="sm_name1").set_value("cat"))
    run(at.text_input(key="sm_name2").set_value("   "))
    assert charts(at)[0]["data"][0]["x"] == ["cat", "cat (2)", "class 2"]
    notes = " ".join(w.value for w in at.warning)
    assert "used twice" in notes and "no name" in notes
    run(at.selectbox(key="sm_dom").set_value("cat (2)"))
    assert "cat (2)" in charts(at)[2]["layout"]["title"]["text"]


def test_markdown_specials_in_names_are_escaped():
    at = open_page(PAGE)
    run(at.text_input(key="sm_name0").set_value("$x$ *y*"))
    run(at.selectbox(key="sm_dom").set_value("$x$ *y*"))
    assert r"p(\$x\$ \*y\*)" in texts(at)


def test_url_restores_state():
    at = open_page(
        PAGE,
        query={
            "sm_k": "4",
            "sm_z3": "5.0",
            "sm_name3": "owl",
            "sm_temp": "0.5",
            "sm_shift": "-7.0",
            "sm_dom": "owl",
            "sm_sz": "3.0",
        },
    )
    assert charts(at)[0]["data"][0]["x"] == ["cat", "dog", "bird", "owl"]
    assert metric_values(at)["predicted class"] == "owl"
    assert at.slider(key="sm_temp").value == 0.5 and "T = 0.5" in texts(at)
    assert at.number_input(key="sm_shift").value == -7.0
    assert "owl" in charts(at)[2]["layout"]["title"]["text"]
    assert at.slider(key="sm_sz").value == 3.0
    typed = open_page(PAGE, query={"sm_typed": "1000, 0, -1000"})
    assert shown_probs(typed) == "1.00, 0.00, 0.00"


def test_quiz_gives_feedback_with_reasons():
    at = open_page(PAGE)
    assert len([r for r in at.radio if r.key.startswith("sm_quiz")]) >= 3
    right = sl.QUIZ[1][1][sl.QUIZ[1][2]]
    run(at.radio(key="sm_quiz_q1").set_value(right))
    assert any("dim=1 raises IndexError" in s.value for s in at.success)
    run(at.radio(key="sm_quiz_q0").set_value(sl.QUIZ[0][1][1]))
    assert any("Not quite" in e.value for e in at.error)


def test_opens_with_try_this_and_no_dataset_picker(default_page):
    at = default_page
    assert at.info[0].value.startswith("**Try this:**")
    # The lesson brings its own logits: the sidebar navigates but offers no dataset.
    assert not [s for s in at.sidebar.selectbox if s.key == "dataset"]
    assert "not a dataset" in " ".join(c.value for c in at.sidebar.caption)


def test_textbook_column_shows_softmax_naive_and_where_it_fails():
    at = open_page(PAGE)
    frame = at.dataframe[0].value
    assert list(frame["textbook e^x / Σ e^x"]) == list(frame["softmax(z + c)"])
    run(at.number_input(key="sm_shift").set_value(800.0))
    frame = at.dataframe[0].value
    assert list(frame["textbook e^x / Σ e^x"]) == ["fails"] * 3
    assert list(frame["softmax(z + c)"]) == list(frame["softmax(z)"])  # torch is fine
    assert any("even in float64" in i.value for i in at.info)
    code_outputs(at)  # the panel prints "finite: False" and says so
