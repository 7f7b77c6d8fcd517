"""The decision-threshold page in headless Chromium: it opens, and moving the slider moves
the shown metrics and the link."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]

TITLE = "Decision threshold"


def metric(page, label: str) -> str:  # noqa: F811
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return box.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_slider_moves_the_metrics(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Decision_Threshold", TITLE)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_role("heading", name="Move the threshold").wait_for()
    recall_before, fp_before = metric(page, "Recall"), metric(page, "FP")
    assert recall_before != "1.000" and metric(page, "TN") != "0"
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Threshold t")
    thumb = slider.first.get_by_role("slider")
    thumb.focus()
    thumb.press("Home")  # threshold 0: every row predicted positive
    page.wait_for_function("() => window.location.search.includes('thr=0')", timeout=30_000)
    tn = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text="TN")
    )
    expect(tn.first.locator('[data-testid="stMetricValue"]')).to_have_text("0", timeout=30_000)
    assert metric(page, "Recall") == "1.000"
    assert int(metric(page, "FP")) > int(fp_before)
    assert metric(page, "TN") == "0"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_chooser_button_moves_the_slider_and_the_link(page, server_url):  # noqa: F811
    """The buttons sit in a fragment of their own (the slider does not redraw them): a click
    sets the slider and reruns the page, so the slider, its numbers and the link follow."""
    open_app_page(page, server_url, "Decision_Threshold", TITLE)
    page.get_by_role("heading", name="Let a goal choose the threshold").wait_for()
    button = page.get_by_role("button", name=re.compile(r"^Best F1: t = "))
    value = button.inner_text().split("t = ")[1].strip()
    button.click()
    page.wait_for_function(
        "() => !window.location.search.includes('thr=') ? false : "
        "!window.location.search.includes('thr=0.5')",
        timeout=30_000,
    )
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Threshold t")
    expect(thumb.first.get_by_role("slider")).to_have_attribute(
        "aria-valuetext", f"{float(value):.3f}", timeout=30_000
    )
    expect(page.get_by_text("right now").first).to_be_visible(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
