"""Presenter mode in real Chromium: the toggle, the link that keeps it, and every lesson's key
control with its figure on one projector screen (1280×720 at 150 % zoom)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lib.catalog import LESSONS
from lib.plots.style import PRESENT_FONT_SIZE
from tests.browser import (  # noqa: F401
    ROOT,
    browser,
    needs_chromium,
    open_app_page,
    page,
    server_url,
    url_path_of,
)
from tests.test_browser_accessibility import settle

pytestmark = [pytest.mark.browser, needs_chromium]

# 1280×720 CSS pixels at 150 % zoom: 853×480 CSS pixels on 1.5 device pixels each.
PROJECTOR = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}
MAIN = '[data-testid="stMain"]'
CONTROL = f'{MAIN} [data-testid="stSlider"], {MAIN} [data-testid="stNumberInput"]'
FIGURE = f'{MAIN} [data-testid="stPlotlyChart"]'


def lays_out_with_control_and_figure(lesson_path: str) -> bool:
    """Does the page (or a lib/ui module it imports) call control_and_figure()?"""
    source = (ROOT / lesson_path).read_text(encoding="utf-8")
    modules = re.findall(r"from lib\.ui import (\w+)", source)
    modules += re.findall(r"from lib\.ui\.(\w+) import", source)
    texts = [source] + [
        (ROOT / "lib" / "ui" / f"{m}.py").read_text(encoding="utf-8")
        for m in modules
        if (ROOT / "lib" / "ui" / f"{m}.py").exists()
    ]
    return any("control_and_figure(" in text for text in texts)


# Pages without a slider and a figure when they open: the lesson plan (links) and Your own
# data (a figure only after an upload).
WITHOUT_KEY_FIGURE = {"pages/9_Your_Own_Data.py", "pages/10_Lesson_Plan.py"}


# Pages that draw control_and_figure() but not yet as their first section in presenter mode
# (owner: remove the page here once its key control and figure open the page).
NOT_FIRST_YET: dict[str, str] = {}

# The key control where it is not a slider or a number box: the matrix's normalisation radio.
KEY_CONTROL = {"pages/7_Metrics_and_Report.py": f'{MAIN} [data-testid="stRadio"]'}


def _fit_cases():
    for lesson in LESSONS:
        if lesson.path in WITHOUT_KEY_FIGURE:
            continue
        reason = NOT_FIRST_YET.get(lesson.path)
        if not lays_out_with_control_and_figure(lesson.path):
            reason = "the page does not lay out its key section with control_and_figure()"
        marks = pytest.mark.xfail(strict=False, reason=f"not adapted: {reason}") if reason else ()
        yield pytest.param(lesson, marks=marks, id=url_path_of(lesson.path))


SIDEBAR_RIGHT = (
    "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right"
)


def sidebar_collapsed(pg) -> None:
    pg.wait_for_function(f"() => ({SIDEBAR_RIGHT})() <= 0")


def sidebar_open(pg) -> None:
    pg.wait_for_function(f"() => ({SIDEBAR_RIGHT})() > 100")


def toggle(pg):
    """The presenter toggle's label (the switch itself lies under it)."""
    return pg.get_by_test_id("stSidebar").locator("label").filter(has_text="Presenter mode")


def box(pg, selector: str) -> dict:
    return pg.locator(selector).first.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"""
    )


@pytest.mark.parametrize("lesson", list(_fit_cases()))
def test_key_control_and_figure_fit_a_projector_screen(browser, server_url, lesson):  # noqa: F811
    ctx = browser.new_context(**PROJECTOR)
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(60_000)
        open_app_page(pg, server_url, f"{url_path_of(lesson.path)}?present=1", lesson.title)
        settle(pg)
        sidebar_collapsed(pg)
        width, height = PROJECTOR["viewport"]["width"], PROJECTOR["viewport"]["height"]
        control = KEY_CONTROL.get(lesson.path, CONTROL)
        for name, selector in (("control", control), ("figure", FIGURE)):
            b = box(pg, selector)
            assert b["left"] >= 0 and b["top"] >= 0, (name, b)
            assert b["right"] <= width and b["bottom"] <= height, (name, b)
        # The figure's text reads from the back of the room.
        sizes = pg.locator(FIGURE).first.evaluate(
            """e => [...e.querySelectorAll('g[class$="tick"] > text, text[class$="title"]')]
                     .filter(t => t.textContent.trim())
                     .map(t => parseFloat(getComputedStyle(t).fontSize))"""
        )
        assert sizes and min(sizes) >= PRESENT_FONT_SIZE, sizes
    finally:
        ctx.close()


def test_toggle_turns_it_on_and_links_keep_it(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "", "ClassLab: classification with PyTorch")
    sidebar = page.get_by_test_id("stSidebar")
    main = page.get_by_test_id("stMainBlockContainer")
    toggle(page).click()
    page.wait_for_url(re.compile(r"[?&]present=1"))
    sidebar_collapsed(page)  # out of the room's way
    # Wide: the content spans the window (centered is at most ~736 px).
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stMainBlockContainer]')"
        ".getBoundingClientRect().width > 1200"
    )
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(page.get_by_role("switch", name="Presenter mode")).to_be_checked()
    sidebar.get_by_role("link", name="Binary cross-entropy").click()
    page.get_by_role("heading", name="Binary cross-entropy").first.wait_for()
    page.wait_for_url(re.compile(r"/Binary_Cross_Entropy\?(.*&)?present=1"))
    settle(page)
    # Still presenting on the new page: wide (beside the open sidebar: centered is at most
    # ~736 px), no code panels, the quiz folded.
    assert main.bounding_box()["width"] > 1000
    expect(
        page.get_by_test_id("stExpander").filter(has_text="Check your understanding")
    ).to_be_visible()
    expect(page.get_by_text("The code: by hand")).to_have_count(0)


def test_moving_a_bound_slider_keeps_presenter_mode_in_the_link(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Sigmoid?present=1", "The sigmoid")
    settle(page)
    thumb = page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"sig_x=2\.6"))
    assert re.search(r"[?&]present=1", page.url), page.url
    page.get_by_test_id("stExpandSidebarButton").click()
    toggle(page).click()  # off again
    page.wait_for_url(lambda url: "present=" not in url)
    assert "sig_x=2.6" in page.url
    sidebar_open(page)
