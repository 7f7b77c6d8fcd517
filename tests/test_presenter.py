"""Presenter mode, predict-then-reveal and readable charts, under AppTest (what the browser is sent).

The browser side (layout, collapsed sidebar, the fit on a projector) is in
tests/test_browser_presenter.py.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from lib.catalog import LESSONS
from lib.plots import style
from lib.ui.presenter import PRESENT_HEIGHT, PRESENT_KEY, TOGGLE_KEY
from tests.conftest import open_page

THRESHOLD = "pages/3_Decision_Threshold.py"


def toggle(at):
    return at.sidebar.toggle(key=TOGGLE_KEY)


def expander_labels(at) -> list[str]:
    return [e.label for e in at.expander]


# --- the mode: from the link, from the toggle, kept by links ----------------------------------


def test_off_by_default_the_lesson_is_whole():
    at = open_page(THRESHOLD)
    assert toggle(at).value is False
    labels = expander_labels(at)
    assert any("code" in label for label in labels)  # the code panel
    assert any("Common mistake" in w.value for w in at.warning)
    assert "Check your understanding" in [s.value for s in at.subheader]
    assert any("A binary classifier does not say" in m.value for m in at.markdown)


def test_present_link_folds_prose_code_and_quiz():
    at = open_page(THRESHOLD, query={PRESENT_KEY: "1"})
    assert toggle(at).value is True
    labels = expander_labels(at)
    assert not any("code" in label.lower() for label in labels)  # code panels left out
    assert any(label.startswith("Common mistake") for label in labels)  # folded
    assert "Check your understanding" in labels  # the quiz, folded
    assert not any("Common mistake" in w.value for w in at.warning)
    # The introduction moves into the title's tooltip.
    (title,) = at.title
    assert title.value == "Decision threshold"
    assert "A binary classifier does not say" in title.proto.help
    assert not any("A binary classifier does not say" in m.value for m in at.markdown)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path)
def test_every_page_runs_in_presenter_mode(lesson):
    at = open_page(lesson.path, query={PRESENT_KEY: "1"})
    assert toggle(at).value is True
    assert lesson.title in [t.value for t in at.title]
    # No code panel (their captions all name the code); the mistake and the quiz fold away.
    labels = expander_labels(at)
    assert not [x for x in labels if "code" in x.lower() and not x.startswith("Common mistake")]
    assert not any("Common mistake" in w.value for w in at.warning)


def test_toggle_writes_the_link_and_back():
    at = open_page(THRESHOLD)
    toggle(at).set_value(True).run()
    assert not at.exception
    assert at.query_params[PRESENT_KEY] == "1"
    assert toggle(at).value is True
    assert "Check your understanding" in expander_labels(at)
    toggle(at).set_value(False).run()
    assert PRESENT_KEY not in at.query_params
    assert toggle(at).value is False
    assert "Check your understanding" in [s.value for s in at.subheader]


def test_navigation_and_home_cards_keep_presenter_mode():
    at = open_page(query={PRESENT_KEY: "1", "dataset": "Iris"})
    sidebar = {link.proto.label: link.proto.query_string for link in at.sidebar.get("page_link")}
    assert sidebar["The sigmoid"] == "dataset=Iris&present=1"
    assert sidebar["Home"] == "dataset=Iris&present=1"
    cards = [link.proto.query_string for link in at.main.get("page_link")]
    assert cards and all(q == "present=1" for q in cards)
    # Off: the links carry only the dataset, as before.
    toggle(at).set_value(False).run()
    sidebar = {link.proto.label: link.proto.query_string for link in at.sidebar.get("page_link")}
    assert sidebar["The sigmoid"] == "dataset=Iris"


def test_a_bad_present_value_is_off():
    at = open_page(THRESHOLD, query={PRESENT_KEY: "<b>yes</b>"})
    assert toggle(at).value is False


# --- chart(): text a room can read ------------------------------------------------------------


def _chart_script():
    import plotly.graph_objects as go
    import streamlit as st

    from lib.ui.presenter import chart

    fig = go.Figure(
        data=[
            {"type": "bar", "x": ["a", "b"], "y": [1, 2], "textfont": {"size": 10}},
            {"type": "scatter", "x": [0, 1], "y": [1, 0], "xaxis": "x2", "yaxis": "y2"},
        ],
        layout={
            "height": 500,
            "title": {"text": "t"},
            "xaxis": {"title": {"text": "x"}, "domain": [0, 0.45]},
            "xaxis2": {"domain": [0.55, 1]},
            "yaxis2": {"anchor": "x2", "tickfont": {"size": 30}},
            "annotations": [{"text": "note", "x": 0, "y": 1, "font": {"color": "#D55E00"}}],
        },
    )
    before = fig.to_json()
    chart(fig, key="fig")
    st.text("unchanged" if fig.to_json() == before else "changed")


def _sent(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize(("present", "size"), [(False, 14), (True, 18)])
def test_chart_sizes_every_text(present, size):
    at = AppTest.from_function(_chart_script, default_timeout=30)
    if present:
        at.query_params[PRESENT_KEY] = "1"
    at.run()
    assert not at.exception
    layout = _sent(at)["layout"]
    data = _sent(at)["data"]
    assert layout["font"]["size"] == size
    for axis in ("xaxis", "yaxis", "xaxis2"):
        assert layout[axis]["tickfont"]["size"] == size, axis
        assert layout[axis]["title"]["font"]["size"] == size, axis
    assert layout["yaxis2"]["tickfont"]["size"] == 30  # larger than asked: kept
    assert layout["xaxis"]["title"]["text"] == "x"  # the title's text survives
    assert layout["legend"]["font"]["size"] == size
    assert layout["title"]["font"]["size"] == size + 2
    (note,) = layout["annotations"]
    assert note["font"] == {"color": "#D55E00", "size": size}
    assert data[0]["textfont"]["size"] == size
    # Presenting, the chart fits a projector beside its control.
    assert layout["height"] == (PRESENT_HEIGHT if present else 500)
    assert at.text[0].value == "unchanged"  # the caller's figure is not modified


def test_readable_figure_is_valid_plotly():
    fig = go.Figure(
        data=[{"type": "heatmap", "z": [[1, 2], [3, 4]]}],
        layout={"xaxis": {"title": {"text": "predicted"}}, "template": {}},
    )
    out = style.readable(fig, 18)
    go.Figure(out.to_dict())  # full validation passes
    assert out.layout.xaxis.title.text == "predicted"
    assert out.layout.yaxis.tickfont.size == 18  # the default y axis too
    assert fig.layout.xaxis.tickfont.size is None  # the input is untouched


def _columns_script():
    import streamlit as st

    from lib.ui.presenter import control_and_figure

    left, right = control_and_figure()
    left.slider("control", 0, 10, 5, key="control")
    right.text("figure")
    st.text("after")


@pytest.mark.parametrize("present", [False, True])
def test_control_and_figure_side_by_side_only_presenting(present):
    at = AppTest.from_function(_columns_script, default_timeout=30)
    if present:
        at.query_params[PRESENT_KEY] = "1"
    at.run()
    assert not at.exception
    assert len(at.columns) == (2 if present else 0)
    if present:
        assert at.columns[0].slider(key="control").value == 5
        assert at.columns[1].text[0].value == "figure"


# --- predict-then-reveal ----------------------------------------------------------------------


def _predict_script():
    import streamlit as st

    from lib.ui.widgets import predict_then_reveal, prediction

    if predict_then_reveal("What happens?", ("up", "down"), key="demo"):
        st.text(f"answer shown; predicted {prediction('demo')}")
    else:
        st.text("answer hidden")


def test_predict_then_reveal():
    at = AppTest.from_function(_predict_script, default_timeout=30)
    at.run()
    assert at.text[0].value == "answer hidden"
    assert at.button(key="demo_reveal").disabled  # predict first
    at.radio(key="demo_guess").set_value("down").run()
    assert at.text[0].value == "answer hidden"
    assert not at.button(key="demo_reveal").disabled
    at.button(key="demo_reveal").click().run()
    assert not at.exception
    assert at.text[0].value == "answer shown; predicted down"
    assert at.radio(key="demo_guess").disabled  # locked after the reveal
    assert at.radio(key="demo_guess").value == "down"
    assert "Your prediction: **down**" in [c.value for c in at.caption]
    at.run()  # a rerun (another widget) keeps it revealed
    assert at.text[0].value == "answer shown; predicted down"
    at.button(key="demo_again").click().run()
    assert at.text[0].value == "answer hidden"
    assert at.radio(key="demo_guess").value is None
    assert not at.radio(key="demo_guess").disabled


# --- palette ----------------------------------------------------------------------------------


def test_every_class_and_path_has_its_own_shape_and_dash():
    assert len(set(style.MARKERS)) == len(style.MARKERS) == len(style.OKABE_ITO)
    assert len(set(style.DASHES)) == len(style.DASHES) >= 4
    styles = [style.class_style(i) for i in range(len(style.OKABE_ITO))]
    assert len({(s["color"], s["symbol"]) for s in styles}) == len(styles)
    # Okabe & Ito's published values (Color Universal Design, 2008).
    assert style.OKABE_ITO[:3] == ("#0072B2", "#E69F00", "#009E73")


def test_contrast_ratio_matches_wcag():
    assert style.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert style.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # #767676 is the lightest grey that passes 4.5:1 on white, #777777 just fails.
    assert style.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert style.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # By hand: L(#0072B2) = 0.7152·0.1682 + 0.0722·0.4451 = 0.1524; 1.05 / 0.2024 = 5.19.
    assert style.contrast_ratio("#0072B2", "#FFFFFF") == pytest.approx(5.19, abs=0.01)


def test_no_single_text_colour_reads_on_both_themes():
    """Why figures leave text colour to the theme (lib/plots/style.py): against white and
    Streamlit's dark background (rgb 23, 22, 20) no grey reaches 4.5:1 on both."""
    dark = (23, 22, 20)
    best = max(
        min(style.contrast_ratio((v, v, v), (255, 255, 255)), style.contrast_ratio((v, v, v), dark))
        for v in range(256)
    )
    assert best < 4.5
