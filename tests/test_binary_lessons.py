"""What the four binary lessons share: they open with a concrete first action, call the
curriculum "the cheat sheet", show the dataset picker only where the dataset is used, and in
presenter mode put the key control beside the figure it drives."""

from __future__ import annotations

import re

import pytest

from tests.conftest import open_page, texts

# page → (its key control's kind and key, uses the sidebar dataset)
PAGES = {
    "pages/1_Encoding.py": ("text_input", "enc_nom", True),
    "pages/2_Sigmoid.py": ("slider", "sig_x", False),
    "pages/3_Decision_Threshold.py": ("slider", "thr", True),
    "pages/4_Binary_Cross_Entropy.py": ("slider", "bce_p", False),
}


@pytest.fixture(scope="module", params=list(PAGES))
def page(request):
    return request.param, open_page(request.param)


def test_the_lesson_opens_with_a_challenge_and_what_to_look_for(page):
    _, at = page
    first = at.info[0].value
    assert first.startswith("**Try this:**") and "**Look for:**" in first
    # right under the title and introduction: before the first section
    blocks = list(at.main)
    position = {id(node): i for i, node in enumerate(blocks)}
    first_header = next(i for i, node in enumerate(blocks) if node.type == "header")
    assert position.get(id(at.info[0]), 0) < first_header


def test_the_curriculum_is_called_the_cheat_sheet(page):
    path, at = page
    body = texts(at) + " ".join(str(el.value) for el in at.get("expandable"))
    assert not re.search(r"seed's|as in the seed\b", body, re.IGNORECASE), path


def test_the_dataset_picker_is_shown_only_where_the_dataset_is_used(page):
    path, at = page
    assert PAGES[path][2] == any(s.key == "dataset" for s in at.sidebar.selectbox), path
    # the navigation is there either way
    assert at.sidebar.get("page_link")


@pytest.mark.parametrize("path", list(PAGES))
def test_presenter_mode_puts_the_key_control_beside_its_figure(path):
    kind, key, _ = PAGES[path]
    at = open_page(path, query={"present": "1"})
    columns = list(at.columns)  # in page order, nested ones included
    holder = next(i for i, c in enumerate(columns) if any(w.key == key for w in c.get(kind)))
    figure = next(c for c in columns[holder + 1 :] if c.get("plotly_chart"))
    assert not columns[holder].get("plotly_chart"), path
    # control_and_figure's two columns, 1 : 2
    assert (columns[holder].weight, figure.weight) == pytest.approx((1 / 3, 2 / 3)), path
    # not presenting: no columns around the key control
    at = open_page(path)
    assert not any(any(w.key == key for w in c.get(kind)) for c in at.columns), path
