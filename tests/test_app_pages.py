"""Every page runs through app.py + switch_page without an exception and shows its title."""

import pytest

from lib.lessons import LESSONS
from tests.conftest import open_page


def test_home_lists_every_lesson():
    at = open_page()
    labels = [el.proto.label for el in at.get("page_link")]
    assert labels == [lesson.title for lesson in LESSONS]
    body = "\n".join(m.value for m in at.markdown)
    assert "disease" in body and "high risk" in body


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path)
def test_every_page_runs(lesson):
    at = open_page(lesson.path)
    assert lesson.title in [t.value for t in at.title]


def test_dataset_choice_survives_page_switch():
    at = open_page()
    at.sidebar.selectbox(key="dataset").select("Iris").run()
    at.switch_page("pages/2_Sigmoid.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="dataset").value == "Iris"


def test_dataset_restored_from_link():
    at = open_page("pages/2_Sigmoid.py", query={"dataset": "Wine"})
    assert at.sidebar.selectbox(key="dataset").value == "Wine"
