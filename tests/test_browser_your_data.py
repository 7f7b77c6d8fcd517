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
    page.get_by_text("Classification report (test rows)").first.wait_for(timeout=120_000)
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


def _epochs_done(pg) -> int:
    metric = pg.get_by_test_id("stMetric").filter(
        has=pg.get_by_test_id("stMetricLabel").get_by_text("Epoch", exact=True)
    )
    value = metric.get_by_test_id("stMetricValue").inner_text()
    return int(value.split("/")[0].replace(",", "").strip())


def test_live_training_from_a_shared_link_pause_then_finish(page, server_url, tmp_path):  # noqa: F811
    """An instructor's link sets 5,000 epochs; Train then runs live (the Epoch metric grows
    with no click), Pause holds it, Finish now evaluates the weights reached."""
    path = tmp_path / "penguins.csv"
    path.write_bytes(penguins_like())
    open_app_page(page, server_url, "Your_Own_Data?yd_epochs=5000&yd_hidden=16", "Your own data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("Stratified train / test split").first.wait_for(timeout=90_000)
    page.locator(".st-key-yd_train button").click()
    page.locator(".st-key-yd_pause button:not([disabled])").wait_for(timeout=60_000)
    first = _epochs_done(page)
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('[data-testid="stMetric"]')]
              .some(m => m.innerText.startsWith('Epoch') && parseInt(m.querySelector(
                '[data-testid="stMetricValue"]').innerText.replace(/,/g, '')) > {first})""",
        timeout=60_000,
    )
    page.locator(".st-key-yd_pause button").click()
    page.locator(".st-key-yd_train button:not([disabled])").wait_for()
    page.wait_for_timeout(1_000)  # a tick already in flight may still land
    paused = _epochs_done(page)
    page.wait_for_timeout(1_500)
    assert _epochs_done(page) == paused < 5_000
    page.get_by_role("button", name="Finish now").click()
    page.get_by_text("Classification report (test rows)").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_example_table_intervals_and_repeated_splits(page, server_url):  # noqa: F811
    """The example trains to a result with its intervals and the paired test in words, and
    the repeated splits draw their strip plot (axis title included) in the browser."""
    open_app_page(page, server_url, "Your_Own_Data", "Your own data")
    page.get_by_role("button", name="Use the example student table").click()
    page.get_by_text("Dates become numbers").first.wait_for(timeout=90_000)
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Classification report (test rows)").first.wait_for(timeout=120_000)
    page.get_by_text("95 % interval").first.wait_for()
    page.get_by_text("McNemar").first.wait_for()
    page.get_by_role("button", name="Repeat over 5 splits").click()
    page.get_by_text("Test accuracy on 5 splits").first.wait_for(timeout=120_000)
    page.locator(".js-plotly-plot .xtitle").filter(has_text="test accuracy").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
