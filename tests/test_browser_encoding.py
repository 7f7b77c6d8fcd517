"""The encoding lesson in headless Chromium: opens, a control works, the URL follows it."""

import pytest

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]

TITLE = "Label and one-hot encoding"
UNKNOWN = "OneHotEncoder raised ValueError"


def test_encoding_page_handle_unknown(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Encoding", TITLE)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text(UNKNOWN).first.wait_for()
    page.get_by_text("ignore", exact=True).first.click()
    page.get_by_text("an unseen category becomes all zeros").first.wait_for()
    assert page.get_by_text(UNKNOWN).count() == 0
    assert "enc_hu=ignore" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0


def test_encoding_page_restores_order_from_link(page, server_url):  # noqa: F811
    link = "Encoding?enc_order=F,D,C,B,A&enc_students=true&enc_col=Monthly_Budget"
    open_app_page(page, server_url, link, TITLE)
    page.get_by_text("Mapping in use: F → 4, D → 3, C → 2, B → 1, A → 0").first.wait_for()
    page.get_by_text("One-hot would turn 'Monthly_Budget' into 95 columns").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
