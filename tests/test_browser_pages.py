"""Every page opens in headless Chromium with its title and no exception box."""

import pytest

from lib.catalog import LESSONS
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


def test_dataset_choice_follows_the_learner_across_pages(page, server_url):  # noqa: F811
    open_app_page(page, server_url, "", "ClassLab: classification with PyTorch")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Iris").click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("150 rows · 4 features · 3 classes").wait_for()
    # Through a page without the picker (the lab brings its own data) and on to a lesson.
    page.locator('[data-testid="stSidebar"] a', has_text="Training lab").click()
    page.get_by_role("heading", name="Training lab").first.wait_for()
    page.locator('[data-testid="stSidebar"] a', has_text="Metrics and the classification").click()
    page.get_by_role("heading", name="Metrics and the classification report").first.wait_for()
    sidebar.get_by_text("150 rows · 4 features · 3 classes").wait_for()
    assert "dataset=Iris" in page.url


def test_shared_link_opens_the_dataset(page, server_url):  # noqa: F811
    # A lesson with the dataset picker (the sigmoid and the lab bring their own data).
    open_app_page(page, server_url, "Encoding?dataset=Wine", "Label and one-hot encoding")
    page.locator('[data-testid="stSidebar"]').get_by_text("178 rows · 13 features").wait_for()
