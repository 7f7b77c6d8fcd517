"""The training lab in real Chromium: Play makes the Epoch metric grow and the curves
redraw (the run_every fragment really ticks), Pause stops it."""

from __future__ import annotations

import pytest

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]


def epoch_value(pg) -> int:
    metric = pg.get_by_test_id("stMetric").filter(
        has=pg.get_by_test_id("stMetricLabel").get_by_text("Epoch", exact=True)
    )
    return int(metric.get_by_test_id("stMetricValue").inner_text().strip())


def test_play_grows_the_epoch_and_updates_the_chart_pause_stops(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Training_Lab", "Training lab")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert epoch_value(page) == 0
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.wait_for()
    before = chart.screenshot()

    page.locator(".st-key-lab_play button").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.startsWith('Epoch') &&
                            parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText) >= 5)""",
        timeout=60_000,
    )
    first = epoch_value(page)
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.startsWith('Epoch') &&
                            parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText) > {first})""",
        timeout=60_000,
    )
    assert epoch_value(page) > first >= 5  # it keeps growing on its own: the fragment ticks
    assert chart.screenshot() != before  # the loss curve was redrawn with the new epochs

    page.locator(".st-key-lab_pause button").click()
    page.locator(".st-key-lab_play button:not([disabled])").wait_for()  # Pause took effect
    page.wait_for_timeout(1_000)  # a tick already in flight may still land
    stopped = epoch_value(page)
    page.wait_for_timeout(2_000)
    assert epoch_value(page) == stopped
    assert page.locator('[data-testid="stException"]').count() == 0
