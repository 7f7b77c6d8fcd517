"""The figures of the softmax, cross-entropy and metrics lessons as the browser receives them:
text a room can read (≥ 14 px everywhere), colour never the only cue (a colour-blind-safe
palette plus a pattern, marker or dash per class or series; the learner's point marked by
shape, size and a label), and one caption per chart that states its current numbers."""

from __future__ import annotations

import json

import pytest

from lib.lessons import softmax as sl
from lib.plots.style import OKABE_ITO
from tests.conftest import charts, open_page, run

SOFTMAX = "pages/5_Softmax_and_Argmax.py"
CROSS_ENTROPY = "pages/6_Multiclass_Cross_Entropy.py"
METRICS = "pages/7_Metrics_and_Report.py"
MIN_PX = 14


def font_sizes(spec: dict) -> dict[str, float | None]:
    """Every text size the figure sets, by where it is (None: left to the theme's 12 px)."""
    layout = spec["layout"]
    sizes = {"font": layout.get("font", {}).get("size")}
    for axis in ("xaxis", "yaxis"):
        sizes[f"{axis}.tickfont"] = layout.get(axis, {}).get("tickfont", {}).get("size")
        title = layout.get(axis, {}).get("title", {})
        if title.get("text"):
            sizes[f"{axis}.title"] = title.get("font", {}).get("size")
    if any(trace.get("showlegend", True) for trace in spec["data"]) and len(spec["data"]) > 1:
        sizes["legend"] = layout.get("legend", {}).get("font", {}).get("size")
    sizes["title"] = layout.get("title", {}).get("font", {}).get("size")
    for i, trace in enumerate(spec["data"]):
        if trace.get("text") is not None or "text" in trace.get("mode", ""):
            sizes[f"trace {i} text"] = trace.get("textfont", {}).get("size")
    return sizes


def assert_readable(spec: dict) -> None:
    small = {k: v for k, v in font_sizes(spec).items() if v is None or v < MIN_PX}
    assert small == {}, spec["layout"].get("title")


def page_charts(page: str, query: dict | None = None):
    at = open_page(page, query=query)
    return at, charts(at)


@pytest.mark.parametrize("page", [SOFTMAX, CROSS_ENTROPY, METRICS])
def test_every_chart_text_is_at_least_14_px(page):
    at, specs = page_charts(page)
    assert specs
    for spec in specs:
        assert_readable(spec)


def test_softmax_bars_tell_classes_apart_without_colour():
    _, specs = page_charts(SOFTMAX, {"sm_k": "4"})
    bars = specs[0]["data"][0]
    colours, patterns = bars["marker"]["color"], bars["marker"]["pattern"]["shape"]
    assert len(set(colours)) == len(set(patterns)) == 4
    assert set(colours) <= set(OKABE_ITO)
    # The argmax is outlined and labelled, not only coloured.
    widths = bars["marker"]["line"]["width"]
    assert widths[0] > 0 and widths[1:] == [0, 0, 0]
    assert bars["text"][0].endswith("(argmax)")


def test_softmax_lines_have_a_marker_and_dash_per_class_and_the_now_point_a_shape_and_label():
    _, specs = page_charts(SOFTMAX, {"sm_k": "4", "sm_dom": "dog"})
    sweep = specs[2]["data"]
    lines, now = sweep[:4], sweep[4]
    assert len({line["marker"]["symbol"] for line in lines}) == 4
    assert len({line["line"]["dash"] for line in lines}) == 4
    assert all(line["hoverinfo"] == "skip" for line in lines)  # no per-point hover payload
    assert now["marker"]["symbol"] == "star" and now["marker"]["size"] >= 16
    p_dog = sl.probs([0.9, 0.8, 0.4, -0.3])[1]
    assert now["text"] == [f"now: p = {p_dog:.2f}"] and now["mode"] == "markers+text"
    assert (now["x"], now["y"]) == ([0.8], [pytest.approx(p_dog)])
    # The sigmoid figure's point too.
    point = specs[3]["data"][2]
    assert point["marker"]["symbol"] == "star" and point["text"][0].startswith("z = 1.5")


def test_cross_entropy_series_differ_by_pattern_and_the_sample_by_shape_and_label():
    _, specs = page_charts(CROSS_ENTROPY, {"ce_y": "dog"})
    bars = specs[0]["data"][0]
    assert bars["text"][1].endswith("(true)") and bars["marker"]["line"]["width"][1] > 0
    sample = specs[1]["data"][1]
    assert sample["marker"]["symbol"] == "diamond" and sample["text"][0].startswith("loss ")
    right, wrong = specs[2]["data"]
    assert right["marker"]["pattern"]["shape"] != wrong["marker"]["pattern"]["shape"]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_softmax_captions_state_the_current_numbers():
    at = open_page(SOFTMAX)
    text = captions(at)
    assert "Bars: cat 0.40 (argmax), dog 0.36, bird 0.24; they sum to 1.00" in text
    assert "Solid bars, T = 2: cat 0.37, dog 0.35, bird 0.29" in text
    assert "The star marks now: z = 0.9, p = 0.3982" in text
    assert "your z = 1.5, where both equal 0.8176" in text
    at = run(at.slider(key="sm_temp").set_value(0.5))
    cat, dog, bird = sl.probs([0.9, 0.8, 0.4], 0.5)
    assert f"Solid bars, T = 0.5: cat {cat:.2f}, dog {dog:.2f}, bird {bird:.2f}" in captions(at)


def test_cross_entropy_captions_state_the_current_numbers():
    at = open_page(CROSS_ENTROPY)
    text = captions(at)
    assert "gets p = 0.3982, so the loss is −log 0.3982 = 0.9208" in text
    assert "your sample at p = 0.3982, loss = 0.9208." in text
    assert "Solid bars, right: cat -0.6018, dog +0.3603, bird +0.2415" in text


def test_metrics_captions_state_the_current_numbers():
    at = open_page(METRICS, {"dataset": "Iris"})
    cm = charts(at)[0]["data"][0]["z"]
    correct = int(sum(cm[i][i] for i in range(3)))
    total = int(sum(map(sum, cm)))
    text = captions(at)
    assert f"{correct} of {total} test rows lie on the diagonal" in text
    assert "All 95 majority rows and all 5 minority rows" in text


def key_section(at, control_key: str, kind: str) -> tuple[list, list]:
    """The presenter layout's control column (1/3) and figure column (2/3)."""
    controls = [
        c for c in at.columns if abs(c.proto.weight - 1 / 3) < 1e-6
        and any(w.key == control_key for w in c.get(kind))
    ]  # fmt: skip
    figures = [c for c in at.columns if abs(c.proto.weight - 2 / 3) < 1e-6]
    return controls, figures


@pytest.mark.parametrize(
    ("page", "control", "kind", "title"),
    [
        (SOFTMAX, "sm_k", "slider", "softmax(z): the bars sum to 1"),
        (CROSS_ENTROPY, "ce_y", "selectbox", "True class"),
        (METRICS, "met_norm", "radio", "Confusion matrix (counts)"),
    ],
)
def test_presenter_mode_puts_the_key_control_beside_its_figure(page, control, kind, title):
    at = open_page(page, query={"present": "1"})
    controls, figures = key_section(at, control, kind)
    assert len(controls) == 1 and figures
    shown = [json.loads(el.proto.spec) for el in figures[0].get("plotly_chart")]
    assert shown and shown[0]["layout"]["title"]["text"].startswith(title)
    for spec in shown:
        assert spec["layout"]["xaxis"]["tickfont"]["size"] >= 18  # projector size
