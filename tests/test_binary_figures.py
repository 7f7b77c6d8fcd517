"""Every figure of the four binary lessons, read as the browser receives it (the plotly_chart
element's JSON under AppTest): titled axes, text a room can read, colour never the only cue,
nothing drawn in black (it vanishes on the dark theme), and a text alternative for each."""

from __future__ import annotations

import json

import pytest

from tests.conftest import charts, open_page

PAGES = {
    "pages/1_Encoding.py": 1,
    "pages/2_Sigmoid.py": 3,
    "pages/3_Decision_Threshold.py": 3,
    "pages/4_Binary_Cross_Entropy.py": 3,
}
MIN_PX = 14


@pytest.fixture(scope="module", params=list(PAGES))
def page(request):
    at = open_page(request.param)
    return request.param, at, charts(at)


def axes(spec: dict) -> dict[str, dict]:
    """The cartesian axes the figure draws: xaxis, yaxis, xaxis2 …"""
    layout = spec["layout"]
    names = {k for k in layout if k[:5] in ("xaxis", "yaxis") and k[5:].isdigit() | (k[5:] == "")}
    for trace in spec["data"]:
        for ref in ("xaxis", "yaxis"):
            name = trace.get(ref, ref[0])
            names.add(f"{name[0]}axis{name[1:]}")
    return {name: layout.get(name, {}) for name in sorted(names)}


def test_every_page_draws_its_figures(page):
    path, _, specs = page
    assert len(specs) == PAGES[path]


def test_every_shown_axis_has_a_title(page):
    """A plain-string axis title reaches plotly.js unvalidated and is dropped: objects only."""
    path, _, specs = page
    for spec in specs:
        for name, axis in axes(spec).items():
            if axis.get("showticklabels") is False:
                continue  # a shared axis drawn once, under the lower plot
            title = axis.get("title")
            assert isinstance(title, dict) and title.get("text", "").strip(), (path, name)


def test_chart_text_is_at_least_14_px(page):
    path, _, specs = page
    for spec in specs:
        layout = spec["layout"]
        assert layout["font"]["size"] >= MIN_PX, path
        assert layout["legend"]["font"]["size"] >= MIN_PX, path
        for name, axis in axes(spec).items():
            assert axis["tickfont"]["size"] >= MIN_PX, (path, name)
            assert axis["title"]["font"]["size"] >= MIN_PX, (path, name)
        for note in layout.get("annotations", []):
            assert note.get("font", {}).get("size", layout["font"]["size"]) >= MIN_PX, path
        for trace in spec["data"]:
            if "textfont" in trace:
                assert trace["textfont"]["size"] >= MIN_PX, (path, trace.get("name"))


def cue(trace: dict) -> tuple:
    """What tells a trace apart without its colour: kind, dash, marker shape, fill pattern."""
    where = (trace.get("xaxis", "x"), trace.get("yaxis", "y"))
    if trace["type"] == "bar":
        return (*where, "bar", trace.get("marker", {}).get("pattern", {}).get("shape", ""))
    mode = trace.get("mode", "lines")
    dash = trace.get("line", {}).get("dash", "solid") if "lines" in mode else None
    symbol = trace.get("marker", {}).get("symbol", "circle") if "markers" in mode else None
    return (*where, dash, symbol)


def test_colour_is_never_the_only_cue(page):
    path, _, specs = page
    for spec in specs:
        shown = [
            t
            for t in spec["data"]
            if t["type"] in ("scatter", "bar") and t.get("showlegend", True) is not False
        ]
        cues = [cue(t) for t in shown]
        assert len(set(cues)) == len(cues), (path, [t.get("name") for t in shown], cues)


def test_nothing_is_drawn_in_black(page):
    path, _, specs = page
    text = json.dumps(specs).lower()
    for black in ('"black"', '"#000"', '"#000000"', '"red"'):
        assert black not in text, (path, black)


def test_every_chart_has_a_text_alternative_with_its_numbers(page):
    path, at, specs = page
    summaries = [c.value for c in at.caption if c.value.startswith("Chart: ")]
    assert len(summaries) == len(specs), path
    assert all(any(ch.isdigit() for ch in s) for s in summaries), summaries


def test_builders_size_their_text_so_chart_draws_them_without_a_copy():
    """presenter.chart() copies a figure whose text is under 14 px (~2 ms a chart, each rerun)."""
    import numpy as np

    from lib.core.datasets import ACCOMMODATIONS, read_students
    from lib.lessons import bce as bce_lesson
    from lib.lessons.encoding import invented_order_comparison
    from lib.plots import bce, encoding, sigmoid, threshold
    from lib.plots.style import FONT_SIZE, readable

    y, p = np.array([0, 1, 0, 1, 1, 0]), np.array([0.1, 0.8, 0.4, 0.6, 0.9, 0.3])
    m = {"tn": 2, "fp": 1, "fn": 1, "tp": 2, "recall": 0.67, "precision": 0.67}
    table = invented_order_comparison(read_students(), ACCOMMODATIONS, 10.0).table
    figures = [
        sigmoid.sigmoid_figure(2.5),
        sigmoid.linear_figure(2.5, 2.0, -1.0),
        sigmoid.gradient_figure(-8.0),
        bce.bce_curves_figure(0.3, 0),
        bce.saturation_figure(40.0, bce_lesson.saturation_curves(0, 50.0)),
        bce.sgd_figure(bce_lesson.sgd_picture(steps=5), 3),
        threshold.threshold_view(threshold.threshold_base(y, p, ("a", "b")), 0.5),
        threshold.curves_view(threshold.curves_base(y, p), m, 0.5),
        threshold.confusion_heatmap(1, 2, 3, 4, ("a", "b")),
        encoding.order_comparison_figure(table, 10.0),
    ]
    assert [readable(f, FONT_SIZE) is f for f in figures] == [True] * len(figures)
