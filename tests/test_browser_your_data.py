"""Real Chromium: upload a CSV on "Your own data", train, and see the report."""

import pytest

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401
from tests.test_pipeline import penguins_like

pytestmark = [pytest.mark.browser, needs_chromium]


def test_upload_train_and_see_the_report(page, server_url, tmp_path):  # noqa: F811
    path = tmp_path / "penguins.csv"
    path.write_bytes(penguins_like())
    open_app_page(page, server_url, "Your_Own_Data", "Your own data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("Detected: UTF-8").first.wait_for(timeout=90_000)
    page.get_by_text("Stratified train / test split").first.wait_for()
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Classification report").first.wait_for(timeout=120_000)
    page.get_by_text("Test accuracy (your network)").first.wait_for()
    page.get_by_text("Baseline: scikit-learn LogisticRegression").first.wait_for()
    page.get_by_text("Model (.pt)").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_bad_upload_shows_an_error(page, server_url, tmp_path):  # noqa: F811
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    open_app_page(page, server_url, "Your_Own_Data", "Your own data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("This is a PNG image").first.wait_for(timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
