"""The sigmoid and BCE lessons in headless Chromium: they open, and moving a control works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]


def no_exception(page) -> bool:  # noqa: F811
    return page.locator('[data-testid="stException"]').count() == 0


def test_sigmoid_number_input_drives_the_page(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Sigmoid", "The sigmoid")
    assert no_exception(page)
    page.get_by_text("sigmoid(2.5) = 0.924").first.wait_for()
    box = page.locator('[data-testid="stNumberInput"] input').first
    box.fill("1.0")
    box.press("Enter")
    page.get_by_text("sigmoid(1) = 0.731").first.wait_for()
    # the slider followed the number input, and the link carries the new x
    assert page.locator('[data-testid="stSlider"]').first.get_by_text("1.00").count() >= 1
    page.wait_for_url(re.compile(r"sig_x=1"))
    assert no_exception(page)


def test_sigmoid_link_restores_x(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Sigmoid?sig_x=-2.0", "The sigmoid")
    page.get_by_text("sigmoid(-2) = 0.119").first.wait_for()
    box = page.locator('[data-testid="stNumberInput"] input').first
    expect(box).to_have_value(
        "-2.0", timeout=60_000
    )  # the number input mirrors the URL-bound slider


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
