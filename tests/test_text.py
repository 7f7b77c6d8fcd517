"""lib/text.py: outside text made inert for Markdown and for Plotly labels.

What a browser makes of the results (no link, no image, no request, the text shown as typed)
is checked in Chromium by tests/test_browser_hostile.py; here, the rules themselves:
nothing special is left unescaped, and undoing the escapes gives back exactly the text.
"""

from __future__ import annotations

import html
import random
import re

import pytest

from lib.text import clip, md_literal, plotly_literal

WJ = "\u2060"
HOSTILE = [
    "[Click](https://e.vil/login)",
    "![pixel](https://e.vil/p.png?sid=42)",
    '<a href="https://e.vil">Go</a>',
    "<img src=https://e.vil/x.png onerror=alert(1)>",
    "https://e.vil/path?q=1",
    "HTTP://E.VIL",
    "www.e.vil",
    "WWW.E.VIL/x",
    "mail me: x@e.vil",
    "mailto:x@e.vil",
    "<https://e.vil>",
    "[ref]: https://e.vil",
    "*em* **strong** _u_ ~~del~~ `code`",
    "$x^2$ and $$\\frac{1}{0}$$",
    ":red[red] :material/home: :smile:",
    "# heading",
    "> quote",
    "1. list",
    "- item",
    "| a | b |",
    "line one\nline two\r\nthree",
    "&lt;b&gt; &amp; &#60;",
    "back\\slash \\*",
    "\u202egpj.exe",
    "%{x} %{customdata[0]}",
    "cat 猫 é ü — “quotes”",
    "",
]


def md_unescape(text: str) -> str:
    """What Markdown shows for md_literal's output: escapes and word joiners removed."""
    return re.sub(r"\\(.)", r"\1", text).replace(WJ, "")


def one_line(text: str) -> str:
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text.replace("\r", " ").replace("\n", " "))


@pytest.mark.parametrize("text", HOSTILE)
def test_md_literal_shows_the_text_as_written(text):
    out = md_literal(text)
    assert md_unescape(out) == one_line(text)
    assert "\n" not in out and "\r" not in out


@pytest.mark.parametrize("text", HOSTILE)
def test_md_literal_leaves_no_markup(text):
    out = md_literal(text)
    # Every character Markdown (or Streamlit's directives, icons and LaTeX) treats specially
    # is escaped: no unescaped one is left.
    unescaped = re.sub(r"\\.", "", out)
    assert not set(unescaped) & set("\\`*_{}[]()#+-.!|<>~$&:=^\"'"), out
    # No bare URL, www. or e-mail is left for GFM to autolink.
    plain = re.sub(r"\\(.)", r"\1", out)
    assert not re.search(r"://|www\.|@\w", plain, re.IGNORECASE), out


def test_md_literal_breaks_each_autolink_with_a_word_joiner():
    assert md_literal("https://e.vil") == f"https\\:{WJ}//e\\.vil"
    assert md_literal("www.e.vil") == f"w{WJ}ww\\.e\\.vil"
    assert md_literal("x@e.vil") == f"x@{WJ}e\\.vil"
    assert md_literal(":material/home:") == f"\\:m{WJ}aterial/home\\:"


def test_md_literal_width_clips_before_escaping():
    out = md_literal("[abcdefghij](x)", width=5)
    assert md_unescape(out) == "[abc…"


def test_md_literal_on_random_text_round_trips():
    rng = random.Random(7)
    alphabet = "abc :/.@w<>[]()!*_`$&#-+|~=^\"'\\{}% é猫\u2060\t"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert md_unescape(md_literal(text)) == one_line(text).replace(WJ, "")


@pytest.mark.parametrize("text", HOSTILE)
def test_plotly_literal_shows_the_text_as_written(text):
    out = plotly_literal(text)
    # Plotly decodes entities and drops nothing else: what it shows is the text.
    assert html.unescape(out).replace(WJ, "") == one_line(text)
    assert "<" not in out and ">" not in out  # no tag can start
    assert "%{" not in out  # no template is filled in


def test_plotly_literal_keeps_latex_from_being_typeset():
    assert plotly_literal("$x$") == f"{WJ}$x$"
    assert plotly_literal("$5 and $6") == "$5 and $6"  # not a formula: left alone


def test_plotly_literal_escapes_every_ampersand_once():
    assert plotly_literal("a & b &amp; <c>") == "a &amp; b &amp;amp; &lt;c&gt;"


def test_clip():
    assert clip("abcdef", 6) == "abcdef"
    assert clip("abcdefg", 6) == "abcde…"
    assert md_literal("a\u202eb") == "ab"
