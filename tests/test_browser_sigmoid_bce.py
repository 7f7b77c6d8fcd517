"""The sigmoid and BCE lessons in headless Chromium: they open, and moving a control works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]


def no_exception(page) -> bool:  # noqa: F811
    return page.locator('[data-testid="stException"]').count() == 0


def test_sigmoid_link_restores_z(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Sigmoid?sig_x=-2.0", "The sigmoid")
    page.get_by_text("σ(-2) = 0.119").first.wait_for()
    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    expect(thumb).to_have_value("-2", timeout=60_000)
    assert no_exception(page)


def test_sigmoid_weight_inside_its_fragment_updates_page_and_link(page, server_url):  # noqa: F811
    """Section 2 is a fragment of its own: its slider still reruns it and writes the link."""
    open_app_page(page, server_url, "Sigmoid", "The sigmoid")
    weight = page.locator('[data-testid="stSlider"]').filter(has_text="weight w")
    thumb = weight.first.get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_url(re.compile(r"sig_w=1\.1"))
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text="logit z = w·x + b")
    )
    expect(box.first.locator('[data-testid="stMetricValue"]')).to_have_text("2.7500")
    assert no_exception(page)


def test_bce_label_choice_moves_the_loss(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Binary_Cross_Entropy", "Binary cross-entropy")
    assert no_exception(page)
    # Wait on the labelled metric itself: the page can still be mounting its columns when
    # the status widget disappears, so "the first metric" may be another one for a moment.
    loss = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text="nn.BCEWithLogitsLoss()")
    )
    value = loss.first.locator('[data-testid="stMetricValue"]')
    expect(value).to_have_text("0.0790", timeout=60_000)
    page.locator('[data-testid="stRadio"]').first.get_by_text("0", exact=True).click()
    expect(value).to_have_text("2.5770", timeout=60_000)
    page.wait_for_url(re.compile(r"bce_y=0"))
    assert no_exception(page)


def test_sigmoid_slider_follows_every_arrow_key(page, server_url):  # noqa: F811
    """Keyboard operation is exact: ArrowRight presses 50 ms apart each move z by one step.

    With the old number-box mirror, a press answered while an earlier rerun was in flight
    came back with the mirror's stale value and pulled the slider back (3.3 instead of 3.5).
    """
    open_app_page(page, server_url, "Sigmoid", "The sigmoid")
    page.get_by_text("σ(2.5) = 0.924").first.wait_for()
    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    thumb.focus()
    for expected, text in (("3", "σ(3) = 0.953"), ("3.5", "σ(3.5) = 0.971")):
        for _ in range(5):
            thumb.press("ArrowRight")
            page.wait_for_timeout(50)
        page.get_by_text(text).first.wait_for()
        page.wait_for_timeout(1500)  # a late rerun must not pull the slider back
        expect(thumb).to_have_value(expected)
    page.wait_for_url(re.compile(r"sig_x=3\.5(&|$)"))
    assert no_exception(page)
