"""Accessibility in real Chromium, in the light and the dark theme: axe-core on every page,
readable chart text, captions that pass contrast, and a theme switch that exists.

Each page is opened once per theme (the system preference, which ClassLab's themes follow by
default) and audited once; the tests read that audit.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from lib.catalog import LESSONS
from lib.plots.style import FONT_SIZE
from tests.browser import (  # noqa: F401
    browser,
    needs_chromium,
    open_app_page,
    server_url,
    url_path_of,
)

pytestmark = [pytest.mark.browser, needs_chromium]

HOME = ("", "ClassLab: classification with PyTorch")
PAGES = [HOME] + [(url_path_of(lesson.path), lesson.title) for lesson in LESSONS]
# Presenter mode restyles the page (large type, folded expanders, the intro in a tooltip).
PRESENTING = [("?present=1", HOME[1]), ("Decision_Threshold?present=1", "Decision threshold")]
THEMES = ("light", "dark")
SEVERE = ("serious", "critical")

# Violations in Streamlit's own markup that the app cannot change: (axe rule, CSS selector).
STREAMLIT_OWN = {
    # st.latex draws a display formula as <span class="katex-display"> with overflow-x: auto
    # and no tabindex: a formula wider than the column becomes a scroll region that the
    # keyboard cannot reach. The element and its attributes are Streamlit's; lesson owners
    # can only keep formulas narrow enough not to scroll (see the report to page owners).
    ("scrollable-region-focusable", ".katex-display"),
}

# Texts a chart draws on the page background (heatmap cell labels sit on their cell's colour
# and are chosen by plotly for it; hover labels have their own box).
CHART_TEXT = ", ".join(
    f".js-plotly-plot .main-svg {sel}"
    for sel in ('g[class$="tick"] > text', 'text[class$="title"]', "text.legendtext",
                "text.annotation-text")
)  # fmt: skip

# WCAG 2 contrast of a text over the app's background, computed from what Chromium renders
# (colour × opacity of the element and its ancestors), for every element matching SELECTOR.
CONTRAST_JS = """([selector, fill]) => {
  const rgba = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/);
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = rgba(getComputedStyle(document.querySelector('.stApp')).backgroundColor);
  return [...document.querySelectorAll(selector)].filter((e) => e.textContent.trim()).map((e) => {
    const cs = getComputedStyle(e);
    const colour = rgba(fill ? cs.fill : cs.color);
    let alpha = colour[3] * parseFloat(fill ? cs.fillOpacity : '1');
    for (let n = e; n; n = n.parentElement) alpha *= parseFloat(getComputedStyle(n).opacity);
    const seen = [0, 1, 2].map((i) => colour[i] * alpha + bg[i] * (1 - alpha));
    return {text: e.textContent.trim().slice(0, 40), size: parseFloat(cs.fontSize),
            ratio: ratio(seen, bg), opacity: alpha, cls: e.getAttribute('class') || e.parentElement.getAttribute('class')};
  });
}"""

BACKGROUND_LUMINANCE_JS = """() => {
  const m = getComputedStyle(document.querySelector('.stApp')).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255;
}"""


def settle(pg) -> None:
    """Wait until the script has finished and every lazily loaded element (charts) is drawn."""
    pg.wait_for_function(
        """() => {
          const app = document.querySelector('.stApp');
          if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
          if (document.querySelector('[data-testid="stSkeleton"]')) return false;
          return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
            .every((c) => c.querySelector('.main-svg'));
        }""",
        timeout=90_000,
    )


def open_in_theme(browser, server_url, path: str, title: str, theme: str, **context):  # noqa: F811
    """A fresh tab whose system preference is ``theme``; returns (context, page)."""
    ctx = browser.new_context(
        color_scheme=theme, **({"viewport": {"width": 1400, "height": 1000}} | context)
    )
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    open_app_page(pg, server_url, path, title)
    settle(pg)
    luminance = pg.evaluate(BACKGROUND_LUMINANCE_JS)
    assert (luminance < 0.2) if theme == "dark" else (luminance > 0.8), (theme, luminance)
    return ctx, pg


@pytest.fixture(scope="module")
def tabs(browser):  # noqa: F811
    """One tab per theme, reused from page to page (the browser keeps Streamlit's chunks)."""
    contexts = {
        theme: browser.new_context(color_scheme=theme, viewport={"width": 1400, "height": 1000})
        for theme in THEMES
    }
    pages = {}
    for theme, ctx in contexts.items():
        pages[theme] = ctx.new_page()
        pages[theme].set_default_timeout(60_000)
    yield pages
    for ctx in contexts.values():
        ctx.close()


_AUDITS: dict[tuple[str, str], dict] = {}


def audit(tabs, server_url, path: str, title: str, theme: str) -> dict:  # noqa: F811
    """axe-core's severe violations, the chart texts and the captions of one page in one
    theme (audited once, read by several tests)."""
    if (path, theme) in _AUDITS:
        return _AUDITS[path, theme]
    pg = tabs[theme]
    open_app_page(pg, server_url, path, title)
    settle(pg)
    luminance = pg.evaluate(BACKGROUND_LUMINANCE_JS)
    assert (luminance < 0.2) if theme == "dark" else (luminance > 0.8), (theme, luminance)
    severe = []
    for violation in Axe().run(pg).response["violations"]:
        if violation["impact"] not in SEVERE:
            continue
        for node in violation["nodes"]:
            target = node["target"][0]
            own = [
                sel
                for rule, sel in STREAMLIT_OWN
                if rule == violation["id"]
                and pg.locator(target).first.evaluate("(e, sel) => e.matches(sel)", sel)
            ]
            if not own:
                severe.append((violation["id"], target, node["html"][:160]))
    result = _AUDITS[path, theme] = {
        "severe": severe,
        "charts": pg.evaluate(CONTRAST_JS, [CHART_TEXT, True]),
        "captions": pg.evaluate(CONTRAST_JS, ['[data-testid="stCaptionContainer"]', False]),
    }
    return result


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(
    ("path", "title"), PAGES + PRESENTING, ids=[p or "home" for p, _ in PAGES + PRESENTING]
)
def test_axe_finds_no_serious_or_critical_violation(tabs, server_url, path, title, theme):  # noqa: F811
    assert audit(tabs, server_url, path, title, theme)["severe"] == []


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p or "home" for p, _ in PAGES])
def test_chart_text_is_large_enough_and_contrasts(tabs, server_url, path, title, theme):  # noqa: F811
    texts = audit(tabs, server_url, path, title, theme)["charts"]
    low = [(t["cls"], t["text"], round(t["ratio"], 2)) for t in texts if t["ratio"] < 4.5]
    assert low == []
    small = sorted({(t["cls"], t["size"]) for t in texts if t["size"] < FONT_SIZE})
    assert small == []


@pytest.mark.parametrize("theme", THEMES)
def test_captions_pass_contrast(tabs, server_url, theme):  # noqa: F811
    captions = audit(tabs, server_url, *HOME, theme)["captions"]
    assert len(captions) >= len(LESSONS)  # one under every card of the learning path
    assert min(c["ratio"] for c in captions) >= 4.5, captions
    if theme == "light":
        # Streamlit's own caption (60 % opacity) would read below 4.5:1 on white: the
        # stylesheet's 80 % is what passes.
        (caption,) = {round(c["opacity"], 2) for c in captions}
        assert caption == 0.8


def test_main_menu_switches_the_theme(browser, server_url):  # noqa: F811
    ctx, pg = open_in_theme(browser, server_url, *HOME, "light")
    try:
        pg.get_by_test_id("stMainMenu").click()
        menu = pg.get_by_role("menu", name="Main menu")
        themes = menu.get_by_role("group", name="Theme")
        for name in ("System", "Light", "Dark"):
            expect(themes.get_by_role("menuitemradio", name=name, exact=True)).to_have_count(1)
        # Viewers get no developer items (rerun, clear cache: any client could empty the caches).
        expect(menu.get_by_role("menuitem", name="Clear cache")).to_have_count(0)
        expect(menu.get_by_role("menuitem", name="Rerun")).to_have_count(0)
        themes.get_by_role("menuitemradio", name="Dark").click()
        pg.wait_for_function(f"() => ({BACKGROUND_LUMINANCE_JS})() < 0.2")
        pg.keyboard.press("Escape")  # close the menu, then open it again: the choice is kept
        expect(pg.get_by_role("menu", name="Main menu")).to_have_count(0)
        pg.get_by_test_id("stMainMenu").click()
        themes = pg.get_by_role("menu", name="Main menu").get_by_role("group", name="Theme")
        expect(themes.get_by_role("menuitemradio", name="Dark")).to_have_attribute(
            "aria-checked", "true"
        )
        themes.get_by_role("menuitemradio", name="Light").click()
        pg.wait_for_function(f"() => ({BACKGROUND_LUMINANCE_JS})() > 0.8")
    finally:
        ctx.close()
