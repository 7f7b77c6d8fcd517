"""Every page runs through app.py + switch_page without an exception and shows its title."""

import pytest

from lib.catalog import LESSONS
from tests.conftest import open_page


def test_home_lists_every_lesson():
    at = open_page()
    cards = [el.proto.label for el in at.main.get("page_link")]
    assert cards == [lesson.title for lesson in LESSONS]
    sidebar_nav = [el.proto.label for el in at.sidebar.get("page_link")]
    assert sidebar_nav == ["Home"] + [lesson.title for lesson in LESSONS]
    body = "\n".join(m.value for m in at.markdown)
    assert "disease" in body and "high risk" in body


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path)
def test_every_page_runs(lesson):
    at = open_page(lesson.path)
    assert lesson.title in [t.value for t in at.title]


def test_dataset_choice_survives_page_switch():
    at = open_page()
    at.sidebar.selectbox(key="dataset").select("Iris").run()
    # The sidebar's links carry the choice, so a click keeps it even in a fresh tab.
    links = {el.proto.label: el.proto.query_string for el in at.sidebar.get("page_link")}
    assert links["Label and one-hot encoding"] == links["Home"] == "dataset=Iris"
    at.switch_page("pages/1_Encoding.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="dataset").value == "Iris"


def test_dataset_restored_from_link():
    at = open_page("pages/1_Encoding.py", query={"dataset": "Wine"})
    assert at.sidebar.selectbox(key="dataset").value == "Wine"
    # The page really uses it (not only the widget): the caption describes Wine.
    assert "178 rows · 13 features · 3 classes" in "\n".join(c.value for c in at.sidebar.caption)


def test_generator_settings_restored_from_link():
    at = open_page(query={"dataset": "Blobs", "points": "120", "classes": "4"})
    assert "120 rows · 2 features · 4 classes" in "\n".join(c.value for c in at.sidebar.caption)


def test_generator_controls_change_the_dataset_and_persist():
    at = open_page()
    assert not at.sidebar.slider  # a table dataset has no generator controls
    at.sidebar.selectbox(key="dataset").select("Spiral").run()
    assert "300 rows" in "\n".join(c.value for c in at.sidebar.caption)
    at.sidebar.slider(key="points").set_value(500).run()
    at.sidebar.slider(key="classes").set_value(5).run()
    assert "500 rows · 2 features · 5 classes" in "\n".join(c.value for c in at.sidebar.caption)
    at.switch_page("pages/8_Training_Lab.py").run()
    assert not at.exception
    at.switch_page("app.py").run()
    assert at.sidebar.slider(key="points").value == 500


def test_binary_only_lesson_falls_back_with_a_message():
    at = open_page("pages/3_Decision_Threshold.py", query={"dataset": "Iris"})
    assert "3 classes" in "\n".join(i.value for i in at.sidebar.info)
    assert at.sidebar.selectbox(key="dataset").value == "Iris"  # the choice itself is kept
