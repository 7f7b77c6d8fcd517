"""One rule for text that did not come from ClassLab: show it as text, never as markup.

URL parameters, uploaded file and column names, class names and typed input reach Markdown
(page text, captions, error boxes) and Plotly labels. Markdown would turn them into links,
images, emphasis, HTML or LaTeX, and Plotly renders ``<a href>``, ``<b>`` and ``<br>`` in
every label, so a shared link could plant a phishing link or an outside image (which the
browser fetches) in every viewer's page. Every such string goes through one of these.
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=^\"'])")
# A word joiner (U+2060, invisible, zero width) after these stops GFM's bare-URL and e-mail
# autolinks, which backslash escapes do not prevent ("https\://x" still becomes a link), and
# Streamlit's icon shortcode (":material/home:" is an icon even with its colons escaped).
_AUTOLINK = re.compile(r"(://|www\.|@|material/)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
# Bidirectional embeddings, overrides and isolates: invisible, and they reorder what follows
# ("gpj.exe" shown as "exe.jpg"). Dropped, so the text reads in the order it was written.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Plotly fills "%{x}" in hover and text templates; "$…$" is LaTeX when MathJax is present.
_PLOTLY_TEMPLATE = re.compile(r"%(?=\{)")


def _one_line(text: object, width: int | None) -> str:
    text = _BIDI.sub("", str(text).replace("\r", " ").replace("\n", " "))
    return text if width is None else clip(text, width)


def clip(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def md_literal(text: object, width: int | None = None) -> str:
    """``text`` made inert for Streamlit Markdown: shown literally, on one line.

    No links (also no bare-URL, ``www.`` or e-mail autolinks: an invisible word joiner
    follows ``:`` of ``://``, the first ``w`` of ``www.``, ``@`` and the ``m`` of
    ``material/``), images, HTML, emphasis, LaTeX, icons or colour directives (``:red[…]``);
    line breaks become spaces and bidi controls are dropped.

    >>> md_literal("[x](https://e.vil) *y* <b>")
    '\\\\[x\\\\]\\\\(https\\\\:\u2060//e\\\\.vil\\\\) \\\\*y\\\\* \\\\<b\\\\>'
    """
    text = _one_line(text, width)
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + _WORD_JOINER + m.group(0)[1:], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def plotly_literal(text: object, width: int | None = None) -> str:
    """``text`` made inert for a Plotly label (title, tick, legend, hover, annotation).

    Plotly renders a few HTML tags (``<a href>``, ``<b>``, ``<br>``…) and decodes entities,
    so ``<``, ``>`` and ``&`` become entities and show as themselves. A word joiner keeps
    ``%{…}`` from being filled in as a template and a ``$…$`` label from being typeset.

    >>> plotly_literal('<a href="//e.vil">Go</a> & more')
    '&lt;a href="//e.vil"&gt;Go&lt;/a&gt; &amp; more'
    """
    text = html.escape(_one_line(text, width), quote=False)
    text = _PLOTLY_TEMPLATE.sub("%" + _WORD_JOINER, text)
    if len(text) > 1 and text.startswith("$") and text.endswith("$"):
        text = _WORD_JOINER + text
    return text
