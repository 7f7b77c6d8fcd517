"""The softmax and cross-entropy lessons in headless Chromium: they open, and typing works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]
METRIC_SHOWS = (
    "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
    ".some(m => m.innerText.includes('%s'))"
)


def no_exception(page) -> bool:  # noqa: F811
    return page.locator('[data-testid="stException"]').count() == 0


def test_softmax_defaults_and_typed_extreme_logits(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Softmax_and_Argmax", "Softmax and argmax")
    assert no_exception(page)
    page.locator("strong", has_text="[0.40, 0.36, 0.24]").first.wait_for()
    page.get_by_text("Dimension out of range").first.wait_for()
    box = page.get_by_placeholder("e.g. 1000, 0, -1000")
    box.fill("1000, 0, -1000")
    box.press("Enter")
    page.locator("strong", has_text="[1.00, 0.00, 0.00]").first.wait_for()
    page.wait_for_url(re.compile(r"sm_typed=1000"))
    assert no_exception(page)


def test_cross_entropy_link_restores_true_class(page, server_url):  # noqa: F811
    open_app_page(
        page, server_url, "Multiclass_Cross_Entropy?ce_y=bird", "Multiclass cross-entropy"
    )
    assert no_exception(page)
    builtin = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text="nn.CrossEntropyLoss(logits)")
    )
    expect(builtin.first.locator('[data-testid="stMetricValue"]')).to_have_text(
        "1.4208", timeout=60_000
    )
    box = page.get_by_placeholder("e.g. 1000, 0, -1000")
    box.fill("1000, 0, -1000")
    box.press("Enter")
    page.wait_for_function(METRIC_SHOWS % "2000.0000")
    assert no_exception(page)
