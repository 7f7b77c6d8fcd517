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
# autolinks, which backslash escapes do not prevent ("https\://x" still becomes a link).
_AUTOLINK = re.compile(r"(://|www\.|@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def clip(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def md_literal(text: object, width: int | None = None) -> str:
    """``text`` made inert for Streamlit Markdown: shown literally, on one line.

    No links (also no bare-URL autolinks), images, HTML, emphasis or LaTeX.

    >>> md_literal("[x](https://e.vil) *y* <b>")
    '\\\\[x\\\\]\\\\(https\\\\:\u2060//e\\\\.vil\\\\) \\\\*y\\\\* \\\\<b\\\\>'
    """
    text = str(text).replace("\r", " ").replace("\n", " ")
    if width is not None:
        text = clip(text, width)
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + _WORD_JOINER + m.group(0)[1:], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def plotly_literal(text: object, width: int | None = None) -> str:
    """``text`` made inert for a Plotly label (title, tick, legend, hover, annotation).

    Plotly renders a few HTML tags (``<a href>``, ``<b>``, ``<br>``…) and decodes entities,
    so ``<``, ``>`` and ``&`` become entities and show as themselves.

    >>> plotly_literal('<a href="//e.vil">Go</a> & more')
    '&lt;a href="//e.vil"&gt;Go&lt;/a&gt; &amp; more'
    """
    text = str(text).replace("\r", " ").replace("\n", " ")
    if width is not None:
        text = clip(text, width)
    return html.escape(text, quote=False)
