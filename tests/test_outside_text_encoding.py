"""Issue #17: text from a link on the encoding lesson (the typed order, the new student's
accommodation) is shown as text: never a link, an image or HTML, in Markdown or in a chart.

Each test opens the page as a shared link does, with a hostile query value, and reads what
the browser receives: the Markdown of every text element and the figure JSON.
"""

from __future__ import annotations

import json
import re

import pytest

from lib.text import md_literal
from tests.conftest import MARKDOWN_KINDS, charts, open_page

PAGE = "pages/1_Encoding.py"
HOSTILE = (
    "![p](https://e.vil/p.png)[Click](https://e.vil)",
    '<a href="//e.vil">Go</a>',
    "https://e.vil",
)
# Markdown that would become a link, an image, raw HTML or a bare-URL autolink.
LIVE = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)<\s*(a|img)\b|://", re.IGNORECASE)


def markdown_shown(at) -> list[str]:
    return [str(el.value) for kind in MARKDOWN_KINDS for el in at.get(kind)]


def assert_inert(at) -> None:
    assert [text for text in markdown_shown(at) if LIVE.search(text)] == []
    for spec in charts(at):
        assert "<a" not in json.dumps(spec).lower()


def test_the_pattern_catches_each_hostile_value_raw_and_passes_it_escaped():
    for raw in HOSTILE:
        assert LIVE.search(raw) and not LIVE.search(md_literal(raw))


@pytest.mark.parametrize("value", HOSTILE)
def test_unseen_category_reaches_the_error_and_the_dummies_line_as_text(value):
    at = open_page(PAGE, query={"enc_new": value})
    assert_inert(at)
    errors = [e.value for e in at.error if "OneHotEncoder raised ValueError" in e.value]
    assert errors and md_literal(value) in errors[0]
    dummies = [t for t in markdown_shown(at) if "on the new row alone makes columns" in t]
    assert dummies and md_literal(value) in dummies[0]
    at = open_page(PAGE, query={"enc_new": value, "enc_hu": "ignore"})
    assert_inert(at)


@pytest.mark.parametrize("value", HOSTILE)
def test_typed_order_reaches_the_mapping_caption_as_text(value):
    at = open_page(PAGE, query={"enc_order": f"A,B,C,D,F,{value}"})
    assert_inert(at)
    mapping = [c.value for c in at.caption if c.value.startswith("Mapping in use")]
    assert mapping and md_literal(value) in mapping[0]


@pytest.mark.parametrize("value", HOSTILE)
def test_order_errors_quote_the_value_as_text(value):
    at = open_page(PAGE, query={"enc_order": f"{value},{value}", "enc_nom": value})
    assert_inert(at)
    assert any("appears twice" in e.value and md_literal(value) in e.value for e in at.error)
