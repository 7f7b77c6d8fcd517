"""Presenter mode: a lesson on a classroom projector.

On (``?present=1`` in the URL, or the sidebar toggle): wide layout, sidebar collapsed, large
type, chart text at 18 px, the prose, code panels and quiz folded away, and each lesson's key
control beside its figure so both fit one 1280×720 screen at 150 % zoom (853×480 CSS px).

For page owners:

- ``page_header`` calls :func:`start_page` first on every page (it sets the page config, the
  stylesheet and the toggle); ``app.py`` calls it directly.
- ``left, right = control_and_figure()``: the key control in ``left``, its figure in
  ``right`` (side by side in presenter mode, stacked otherwise). Keep the key section right
  after the page header and ``try_this``; in presenter mode skip what sits between (an
  ``st.latex`` formula, a caption): ``if not presenting(): …``.
- ``chart(fig, key=…)`` instead of ``st.plotly_chart(fig, key=…)``: chart text ≥ 14 px (18 px
  presenting) and, presenting, a height that fits the projector.
- ``st.page_link(..., query_params={**query, **link_query()})`` keeps presenter mode across a
  link.

The URL is the single source of truth: the toggle writes ``present=1`` into it (and removes
it), every page reads it, and the navigation's links carry it.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from lib.plots.style import font_size, readable

PRESENT_KEY = "present"  # the URL parameter
TOGGLE_KEY = "_present_toggle"  # the sidebar toggle's key (mirrors the URL on every run)
_ON = ("1", "true", "True")  # as lib/ui/state.py declares them
# Presenting, a chart is at most this tall (CSS px) so that the title, the "Try this" box and
# the key control with its figure fit 480 px (a 1280×720 projector at 150 % zoom).
PRESENT_HEIGHT = 250

# Every page, both modes. Only ClassLab's own static text goes into this stylesheet.
STYLE = """<style>
/* Captions carry key facts: Streamlit draws them at 60 % opacity, 3.9:1 on white (WCAG AA
   asks 4.5:1). At 80 % they read 7:1 on the light and 10:1 on the dark theme. */
[data-testid="stCaptionContainer"] { opacity: 0.8; }
/* Chart text in the page's own text colour, which follows the theme: Streamlit's plotly grey
   for ticks, axis titles and annotations reads 3.7:1 on white. Colour changes no layout. */
.js-plotly-plot .main-svg g[class$="tick"] > text,
.js-plotly-plot .main-svg text[class$="title"],
.js-plotly-plot .main-svg text.legendtext,
.js-plotly-plot .main-svg text.annotation-text { fill: currentColor !important; }
/* Primary buttons: Streamlit writes white on the primary colour, 2.3:1 on the dark theme's
   sky blue (#56B4E9, which must stay light: slider values are written in it on the dark
   background). Canvas is the theme's own page colour (.stApp sets color-scheme): white on
   the light theme's blue (5.2:1), near-black on the dark theme's sky blue (8:1). */
.stApp [data-testid^="stBaseButton-primary"]:not(:disabled),
.stApp [data-testid^="stBaseButton-primary"]:not(:disabled) p { color: Canvas !important; }
</style>"""

# Presenting: large type, room for the figure. rem is 16 px; the top bar is 3.75rem high.
PRESENT_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li {
  font-size: 1.375rem; line-height: 1.45; }
[data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p { font-size: 1.25rem; }
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] { font-size: 1.125rem; }
[data-testid="stMainBlockContainer"] [data-testid="stSliderThumbValue"],
[data-testid="stMainBlockContainer"] [data-testid="stTickBar"] { font-size: 1.125rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0 0 0.25rem 0; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem; padding: 0.25rem 0 0 0; }
[data-testid="stMainBlockContainer"] [data-testid="stAlertContainer"] { padding: 0.3rem 0.9rem; }
[data-testid="stMainBlockContainer"] [data-testid="stAlertContainer"] p {
  font-size: 1.125rem; line-height: 1.4; margin-bottom: 0.1rem; }
</style>"""


def presenting() -> bool:
    """True when this page is shown in presenter mode (``?present=1`` in its URL)."""
    return st.query_params.get(PRESENT_KEY, "") in _ON


def link_query() -> dict[str, str]:
    """What a link adds to its query to keep presenter mode: ``{"present": "1"}`` or ``{}``."""
    return {PRESENT_KEY: "1"} if presenting() else {}


def start_page(title: str | None = None, wide: bool = False) -> bool:
    """The page's first Streamlit call: page config, stylesheet and the presenter toggle.

    ``title`` names the browser tab ("<title> · ClassLab"); ``wide`` keeps a page wide
    outside presenter mode too (the home page). Returns :func:`presenting`.
    """
    on = presenting()
    st.set_page_config(
        page_title=f"{title} · ClassLab" if title else None,
        layout="wide" if on or wide else "centered",
        initial_sidebar_state="collapsed" if on else "auto",
    )
    st.html(STYLE + (PRESENT_STYLE if on else ""))
    # The URL decides; the toggle shows it (set before the widget is drawn, never after).
    st.session_state[TOGGLE_KEY] = on
    st.sidebar.toggle(
        "Presenter mode",
        key=TOGGLE_KEY,
        on_change=_toggled,
        help="For a projector: large type, wide layout, prose, code and quiz folded away. "
        "Kept in the page's link (`?present=1`).",
    )
    return on


def _toggled() -> None:
    if st.session_state[TOGGLE_KEY]:
        st.query_params[PRESENT_KEY] = "1"
    else:
        st.query_params.pop(PRESENT_KEY, None)


def control_and_figure(ratio: tuple[int, int] = (1, 2)):
    """Two containers: the control(s), then the figure they drive.

    Side by side in presenter mode (so both fit one projector screen), stacked otherwise.
    """
    if presenting():
        return st.columns(list(ratio), vertical_alignment="top")
    return st.container(), st.container()


def chart(fig: go.Figure, **kwargs):
    """``st.plotly_chart`` with text a room can read: every label ≥ 14 px (18 px presenting).

    Presenting, the chart is at most ``PRESENT_HEIGHT`` px tall so that it fits beside its
    control. ``fig`` is not changed; ``kwargs`` go to ``st.plotly_chart``.
    """
    on = presenting()
    height = None
    if on:
        asked = kwargs.get("height")
        asked = asked if isinstance(asked, int | float) else fig.layout.height or 450
        height = kwargs["height"] = min(int(asked), PRESENT_HEIGHT)
    return st.plotly_chart(readable(fig, font_size(on), height=height), **kwargs)
