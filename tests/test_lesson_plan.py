"""The lesson plan: every scenario link opens its lesson in exactly that state, and the lesson
then shows what the scenario's answer claims."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import pytest

from lib.catalog import LESSONS
from lib.lessons.lab import history_frame
from lib.ui import state
from lib.ui.lesson_plan import SCENARIOS, Scenario
from lib.ui.presenter import PRESENT_KEY, TOGGLE_KEY
from tests.conftest import metric_values, open_page

PLAN = "pages/10_Lesson_Plan.py"
WIDGET_KINDS = (
    "slider",
    "select_slider",
    "selectbox",
    "radio",
    "toggle",
    "checkbox",
    "number_input",
    "text_input",
)


def widget(at, key: str):
    """The widget drawn with ``key`` (any kind), wherever it is on the page."""
    found = [w for kind in WIDGET_KINDS for w in at.get(kind) if getattr(w, "key", None) == key]
    assert len(found) == 1, f"{key}: {len(found)} widgets"
    return found[0]


def as_in_link(value, link: str) -> bool:
    """Does the widget's value equal the link's text for it (as Streamlit parses links)?"""
    if isinstance(value, bool):
        return value == (link.lower() == "true")
    if isinstance(value, int | float):
        return math.isclose(float(value), float(link))
    return str(value) == link


def test_the_plan_lists_every_scenario_with_its_link():
    at = open_page()  # through app.py, as a learner gets there: the page links exist
    at.switch_page(PLAN).run()
    assert not at.exception
    links = [(link.proto.page, link.proto.query_string) for link in at.main.get("page_link")]
    assert links == [(s.page, urlencode(s.link_query())) for s in SCENARIOS]
    shown = [code.value for code in at.code]
    assert shown == [s.href for s in SCENARIOS]  # copyable, under AppTest without a host
    assert [s.value for s in at.subheader] == [s.title for s in SCENARIOS]


def test_scenarios_use_declared_link_keys_and_their_answers():
    for scenario in SCENARIOS:
        page = scenario.lesson.path
        declared = {key.name for key in state.url_keys(page)}
        assert set(scenario.query) <= declared, scenario.slug
        assert 0 <= scenario.answer < len(scenario.options)
        assert scenario.href.endswith("&present=1")
    assert len({s.slug for s in SCENARIOS}) == len(SCENARIOS)
    assert {s.lesson.path for s in SCENARIOS} <= {lesson.path for lesson in LESSONS}


# What each scenario's answer says, read from the lesson the link opens.
def _screening(at):
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Recall"].startswith("+"), deltas  # recall rises …
    assert deltas["Precision"].startswith("-"), deltas  # … precision falls
    values = metric_values(at)
    assert int(values["FP"]) > 1  # false alarms at t = 0.5: 1 on this model and split


def _accuracy(at):
    values = metric_values(at)
    assert values["accuracy of “always majority”"] == "98%"
    assert values["recall of the minority"] == "0%"


def _divergence(at):
    at.button(key="lab_epoch").click().run()
    assert not at.exception
    history = history_frame(at.session_state["lab_trainer"].trainer)
    first, after = history["train loss"].iloc[0], history["train loss"].iloc[-1]
    assert not after < 100 * first, (first, after)  # thousands (or inf / nan): it diverged


def _double_softmax(at):
    values = metric_values(at)
    assert float(values["loss on raw logits (right)"]) < 1e-3
    assert 0.55 < float(values["loss on softmax(logits) (mistake)"]) < 0.56


def _flat_tail(at):
    values = metric_values(at)
    assert values["σ′(z)"] == "0.0025"  # flat …
    assert values["dL/dz if y = 1"] == "-0.9975"  # … yet the largest push


def _confident_mistake(at):
    assert metric_values(at)["nn.BCEWithLogitsLoss()"] == "4.6052"


SHOWS = {
    "screening": _screening,
    "accuracy": _accuracy,
    "divergence": _divergence,
    "double_softmax": _double_softmax,
    "flat_tail": _flat_tail,
    "confident_mistake": _confident_mistake,
}


def test_every_scenario_has_a_check():
    assert set(SHOWS) == {s.slug for s in SCENARIOS}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.slug)
def test_scenario_link_opens_that_state(scenario: Scenario):
    # The lesson's script with the link's query, as the browser runs it for a shared link.
    at = open_page(scenario.lesson.path, query=scenario.link_query())
    for key, value in scenario.query.items():
        shown = widget(at, key).value
        assert as_in_link(shown, value), (key, shown, value)
    assert at.sidebar.toggle(key=TOGGLE_KEY).value is True  # presenter mode
    assert at.query_params[PRESENT_KEY] == "1"
    assert not at.toast  # the link's values all passed the link check (lib/ui/query.py)
    SHOWS[scenario.slug](at)


def test_reveal_tells_right_from_wrong():
    at = open_page()
    at.switch_page(PLAN).run()
    first = SCENARIOS[0]
    wrong = next(o for i, o in enumerate(first.options) if i != first.answer)
    at.radio(key=f"lp_{first.slug}_guess").set_value(wrong).run()
    assert not at.success  # nothing revealed before Reveal
    at.button(key=f"lp_{first.slug}_reveal").click().run()
    (verdict,) = at.success
    assert verdict.value.startswith(f"The answer: {first.options[first.answer]}.")
    at.button(key=f"lp_{first.slug}_again").click().run()
    at.radio(key=f"lp_{first.slug}_guess").set_value(first.options[first.answer]).run()
    at.button(key=f"lp_{first.slug}_reveal").click().run()
    (verdict,) = at.success
    assert verdict.value.startswith("Right.")
