"""Outside text (typed logits, class names from a shared link) on the softmax, cross-entropy
and metrics lessons is shown as text: never a link, an image or HTML, in Markdown or in a chart.

Each test opens the page the way a shared link does, with hostile query values, and reads
what the browser would receive: the Markdown of every text element and the figure JSON.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from lib.plots.metrics import cell_of_point, confusion_heatmap
from lib.text import md_literal
from tests.conftest import MARKDOWN_KINDS, charts, open_page

SOFTMAX = "pages/5_Softmax_and_Argmax.py"
CROSS_ENTROPY = "pages/6_Multiclass_Cross_Entropy.py"
PIXEL = (
    "![pixel](https://evil.example/pixel.png?sid=42)[Click_to_log_in](https://evil.example/login)"
)
ANCHOR = '<a href="//e.vil">Go</a>'
MD_LINK = "[Click](https://e.vil)"
NOT_A_NUMBER = "“{}” is not a number. Type logits like 0.9, 0.8, 0.4"

# Markdown that would become a link, an image, raw HTML or a bare-URL autolink.
LIVE_MARKDOWN = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)<\s*(a|img)\b|://", re.IGNORECASE)


def markdown_shown(at) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer (metric values included)."""
    values = [str(el.value) for kind in MARKDOWN_KINDS for el in at.get(kind)]
    return values + [str(m.value) for m in at.metric]


def assert_inert(at) -> None:
    live = [text for text in markdown_shown(at) if LIVE_MARKDOWN.search(text)]
    assert live == []
    for spec in charts(at):
        strings = list(_strings(spec))
        assert not [s for s in strings if "<a" in s.lower() or "<img" in s.lower()]


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_live_markdown_pattern_catches_what_it_must():
    # The check above is only as good as this pattern: it must flag each hostile value raw …
    for raw in (PIXEL, ANCHOR, MD_LINK, "see https://e.vil"):
        assert LIVE_MARKDOWN.search(raw)
    # … and pass each one once made literal.
    for raw in (PIXEL, ANCHOR, MD_LINK, "see https://e.vil"):
        assert not LIVE_MARKDOWN.search(md_literal(raw))


@pytest.mark.parametrize(("page", "prefix"), [(SOFTMAX, "sm"), (CROSS_ENTROPY, "ce")])
def test_typed_logits_from_a_link_are_quoted_as_text_in_the_error(page, prefix):
    at = open_page(page, query={f"{prefix}_typed": PIXEL})
    errors = [e.value for e in at.error]
    assert md_literal(NOT_A_NUMBER.format(PIXEL)) in errors
    assert_inert(at)


def test_softmax_class_names_from_a_link_stay_text_everywhere():
    query = {
        "sm_name0": MD_LINK,
        "sm_name1": MD_LINK,  # a repeat: the warning quotes it
        "sm_name2": ANCHOR,
        "sm_z2": "5.0",  # the anchor is the argmax: the temperature line and the metric name it
        "sm_dom": ANCHOR,
    }
    at = open_page(SOFTMAX, query=query)
    assert any(md_literal(MD_LINK) in w.value for w in at.warning)
    assert any(f"argmax **{md_literal(ANCHOR)}**" in m.value for m in at.markdown)
    assert {m.label: m.value for m in at.metric}["predicted class"] == md_literal(ANCHOR)
    bars = charts(at)[0]["data"][0]
    assert bars["x"][2] == '&lt;a href="//e.vil"&gt;Go&lt;/a&gt;'
    assert_inert(at)


def test_cross_entropy_class_names_from_a_link_stay_text_everywhere():
    query = {"ce_name0": MD_LINK, "ce_name1": MD_LINK, "ce_name2": ANCHOR, "ce_y": ANCHOR}
    at = open_page(CROSS_ENTROPY, query=query)
    assert at.selectbox(key="ce_y").value == ANCHOR
    assert "&lt;a href" in charts(at)[0]["layout"]["title"]["text"]
    assert_inert(at)


def test_heatmap_labels_are_inert_and_clicks_map_by_index():
    names = [ANCHOR, "b & c", MD_LINK]
    fig = confusion_heatmap(np.eye(3, dtype=int) * 4, names, clickable=True)
    spec = json.loads(fig.to_json())
    assert not [s for s in _strings(spec) if "<a" in s]
    assert spec["data"][0]["x"][1] == "b &amp; c"
    # A click reports the target's index, which names the cell whatever the labels say.
    k = len(names)
    for i in range(k):
        for j in range(k):
            assert cell_of_point(i * k + j, k) == (i, j)
    with pytest.raises(ValueError):
        cell_of_point(9, 3)
