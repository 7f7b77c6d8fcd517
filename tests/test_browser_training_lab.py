"""The training lab in real Chromium: Play makes the Epoch metric grow and the curves
redraw (the run_every fragment really ticks, asking the worker pool for news), Pause stops
it and brings the trainer back; the script section waits for Pause; chart text is ≥ 14 px."""

from __future__ import annotations

import pytest

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]


def epoch_value(pg) -> int:
    metric = pg.get_by_test_id("stMetric").filter(
        has=pg.get_by_test_id("stMetricLabel").get_by_text("Epoch", exact=True)
    )
    return int(metric.get_by_test_id("stMetricValue").inner_text().strip())


def wait_epoch_above(pg, n: int, timeout: float = 60_000) -> None:
    pg.wait_for_function(
        f"""() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.startsWith('Epoch') &&
                            parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText) > {n})""",
        timeout=timeout,
    )


def test_play_grows_the_epoch_and_updates_the_chart_pause_stops(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Training_Lab", "Training lab")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert epoch_value(page) == 0
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.wait_for()
    before = chart.screenshot()

    page.locator(".st-key-lab_play button").click()
    wait_epoch_above(page, 4)
    first = epoch_value(page)
    wait_epoch_above(page, first)
    assert epoch_value(page) > first >= 5  # it keeps growing on its own: the fragment ticks
    # The curves have a fragment of their own that ticks every 0.5 s (the numbers' every
    # 0.11 s): the loss curve is redrawn with the new epochs within a few of its ticks.
    for _ in range(40):
        if chart.screenshot() != before:
            break
        page.wait_for_timeout(250)
    assert chart.screenshot() != before

    page.locator(".st-key-lab_pause button").click()
    page.locator(".st-key-lab_play button:not([disabled])").wait_for()  # Pause took effect
    page.wait_for_timeout(1_000)  # a tick already in flight may still land
    stopped = epoch_value(page)
    page.wait_for_timeout(2_000)
    assert epoch_value(page) == stopped
    assert page.locator('[data-testid="stException"]').count() == 0


def test_widgets_answer_while_training_and_the_page_stays_whole(page, server_url):  # noqa: F811
    """Clicks while the lab trains: each quiz answer gets its feedback, the live region map
    is an image, and the rest of the page (the code section below the live view) is still
    there afterwards. Streamlit's fastReruns once let a click's rerun race a fragment tick
    and drop everything after the live view (about one click in seven)."""
    open_app_page(page, server_url, "Training_Lab", "Training lab")
    quiz = page.get_by_test_id("stRadio").filter(has_text="test loss starts rising")
    quiz.wait_for()
    page.locator(".st-key-lab_play button").click()
    page.locator(".st-key-lab_pause button:not([disabled])").wait_for()
    page.get_by_test_id("stImage").first.wait_for(timeout=30_000)  # the live PNG map
    options = quiz.locator('[role="radiogroup"] label')
    for i in range(8):
        answer, expected = (1, "Correct.") if i % 2 == 0 else (0, "Not quite")
        options.nth(answer).click()
        page.get_by_test_id("stAlert").filter(has_text=expected).first.wait_for(timeout=20_000)
    page.get_by_role("heading", name="The PyTorch code").wait_for(timeout=10_000)
    assert page.locator(".st-key-lab_pause button:not([disabled])").count() == 1  # still running
    wait_epoch_above(page, epoch_value(page), timeout=30_000)
    page.locator(".st-key-lab_pause button").click()
    page.locator(".st-key-lab_play button:not([disabled])").wait_for()
    page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=30_000)  # paused: interactive
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_script_is_offered_at_pause_for_that_epoch_and_chart_text_is_readable(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Training_Lab", "Training lab")
    download = page.get_by_test_id("stDownloadButton").locator("button")
    page.locator(".st-key-lab_play button").click()
    wait_epoch_above(page, 3)
    page.get_by_text("The script is written for the epoch you stop at").wait_for()
    assert all(b.is_disabled() for b in download.all())  # no stale script while it trains
    page.locator(".st-key-lab_pause button").click()
    page.locator(".st-key-lab_play button:not([disabled])").wait_for()
    page.wait_for_timeout(1_500)  # a tick in flight may still land
    stopped = epoch_value(page)
    page.get_by_text(f"final test accuracy after {stopped} epochs").wait_for(timeout=20_000)
    assert download.count() == 1 and not download.is_disabled()
    # Vega-Lite draws the curves' tick labels and titles at the size the spec asks: ≥ 14 px.
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')]
                 .map(t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert sizes and min(sizes) >= 14, sizes
