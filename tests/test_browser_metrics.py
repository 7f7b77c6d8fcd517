"""The metrics lesson in headless Chromium: it renders, the normalisation switch and a click on
a confusion-matrix cell both work in a real browser."""

import pytest

from tests.browser import browser, needs_chromium, open_app_page, page, server_url  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]

TITLE = "Metrics and the classification report"
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def open_metrics(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Metrics_and_Report?dataset=Iris", TITLE)
    page.get_by_text("Which test rows are in a cell?").wait_for(timeout=180_000)
    page.wait_for_function(IDLE, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_page_renders_and_normalisation_switches(page, server_url):  # noqa: F811
    open_metrics(page, server_url)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.get_by_text("Confusion matrix (counts)").wait_for()
    page.locator('[data-testid="stRadio"]').get_by_text("Row-normalised (recall)").click()
    chart.get_by_text("Confusion matrix (row-normalised (recall))").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "met_norm=" in page.url  # the choice is in the shareable link


def test_clicking_a_cell_lists_its_rows(page, server_url):  # noqa: F811
    open_metrics(page, server_url)
    page.get_by_text("test rows are setosa and predicted setosa").wait_for()
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    # Bottom-right cell of the 3 × 3 matrix: true virginica, predicted virginica.
    chart.click(position={"x": box["width"] * 0.85, "y": box["height"] * 0.68})
    page.get_by_text("test rows are virginica and predicted virginica").wait_for(timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0


FONT_SIZES = """() => [...document.querySelectorAll(
    '.js-plotly-plot .xtick text, .js-plotly-plot .ytick text, .js-plotly-plot .g-xtitle text,'
    + ' .js-plotly-plot .g-ytitle text, .js-plotly-plot .gtitle, .js-plotly-plot text.textpoint,'
    + ' .js-plotly-plot .textpoint text')]
    .map(t => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize))"""


def test_chart_text_is_at_least_14_px_in_the_browser(page, server_url):  # noqa: F811
    # Streamlit's theme draws tick labels at 12 px unless a figure sizes them itself.
    open_metrics(page, server_url)
    page.locator('[data-testid="stPlotlyChart"] .xtick text').first.wait_for()
    sizes = page.evaluate(FONT_SIZES)
    assert len(sizes) >= 9 and min(sizes) >= 14, sizes
