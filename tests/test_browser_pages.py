"""Every page opens in headless Chromium with its title and no exception box."""

import pytest

from lib.lessons import LESSONS
from tests.browser import browser, needs_chromium, open_app_page, page, server_url, url_path_of  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium]


def test_home_page(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "", "ClassLab: classification with PyTorch")
    assert page.locator('[data-testid="stException"]').count() == 0
    for lesson in LESSONS:
        page.get_by_role("link", name=lesson.title).first.wait_for()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path)
def test_lesson_page(page, server_url, lesson):  # noqa: F811
    open_app_page(page, server_url, url_path_of(lesson.path), lesson.title)
    assert page.locator('[data-testid="stException"]').count() == 0
