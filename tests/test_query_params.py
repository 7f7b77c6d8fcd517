"""Hostile links (#17.3): every URL key of every page, checked before any widget reads it.

Before lib/ui/query.py, ``/?dataset=Moons&data_seed=inf`` raised ``OverflowError`` inside
Streamlit's number input (``int(float("inf"))``): an exception box, and the sidebar gone;
the same for every seed (thr_seed, bce_seed, ce_seed, met_seed, lab_seed, lab_dseed,
yd_seed) with ``inf``, ``-inf`` or ``1e400``.

- :func:`check` (the rule) against every declared URL key × a corpus of hostile values;
- one AppTest run per page with a hostile value in every one of its URL keys at once: no
  exception, a note naming what was changed, a clean link afterwards, widgets in range;
- the same runs check the schema against the widgets the page draws: each bound widget is
  declared for that page with the widget's own range, default and choices;
- a few single-key links as learners would share them.
"""

from __future__ import annotations

import math
import re

import pytest

from lib.ui import state
from lib.ui.query import check
from tests.conftest import ROOT, open_page

NUMBERS = ["inf", "-inf", "nan", "1e400", "-1", "10000000", "１２", "2.5", "", "abc", "0x10",
           "1_000", " 3", ["3", "inf"]]  # fmt: skip
TEXTS = ["<a href='https://e.vil/x'>click</a>", "[link](https://e.vil)", "![i](https://e.vil/i.png)",
         "x" * 5000, "\x00\x1b[31mred", "https://e.vil www.e.vil a@e.vil", "$\\frac{1}{0}$",
         "", "١٢٣ ＜b＞", ["a", "b"]]  # fmt: skip
CHOICES = ["Bogus", "", "inf", "<b>x</b>", "moons", ["Moons", "Bogus"]]
BOOLS = ["maybe", "", "1", "inf", ["true", "false"]]


def corpus(key: state.Key) -> list:
    if key.allowed() is not None:
        return CHOICES
    if key.type is bool:
        return BOOLS
    if key.type in (int, float):
        return NUMBERS
    return TEXTS


def clean(key: state.Key, value: str) -> bool:
    """A value the widget takes as it is."""
    return check(key, [value]) == (value, [])


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", state.url_keys(), ids=lambda k: k.name)
def test_check_makes_every_hostile_value_safe(key):
    for raw in corpus(key):
        values = raw if isinstance(raw, list) else [raw]
        kept, notes = check(key, values)
        text = key.type is str and key.allowed() is None
        fits = (  # the corpus' plain numbers, where this key's range takes them
            key.type in (int, float)
            and key.allowed() is None
            and raw in ("-1", "2.5", "10000000")
            and key.min <= float(raw) <= key.max
            and (key.type is float or float(raw).is_integer())
        )
        if fits:
            assert (kept, notes) == (raw, []), key.name
        elif not text or isinstance(raw, list) or len(raw) > key.max or not raw.isprintable():
            assert notes, (key.name, raw)  # a note for every value changed
        else:
            assert (kept, notes) == (raw, []), (key.name, raw)  # text is text: shown escaped
        if kept is None:
            continue
        assert clean(key, kept), (key.name, raw, kept)  # what is kept passes as it is
        if key.type in (int, float) and key.allowed() is None:
            number = float(kept)
            assert math.isfinite(number) and key.min <= number <= key.max, (key.name, raw)
        elif key.type is str and key.allowed() is None:
            assert len(kept) <= key.max and kept.isprintable() or kept == "", (key.name, raw)


@pytest.mark.parametrize("key", state.url_keys(), ids=lambda k: k.name)
def test_check_keeps_ordinary_values(key):
    choices = key.allowed()
    if choices is not None:
        ordinary = list(choices)
    elif key.type is bool:
        ordinary = ["true", "false", "True"]
    elif key.type in (int, float):
        spell = (lambda v: str(int(v))) if key.type is int else repr
        ordinary = [spell(key.min), spell(key.max), spell(key.default or key.min)]
        if key.type is float:
            ordinary += [repr((key.min + key.max) / 2), f"{key.max:e}"]
    else:
        ordinary = ["cat", "", "Rental,Dormitory", "1000, 0, -1000", "é ü 猫"]
    for value in ordinary:
        assert clean(key, value), (key.name, value)


def test_notes_say_what_happened():
    seed, points, thr, name = (state.SCHEMA[k] for k in ("data_seed", "points", "thr", "sm_name0"))
    assert check(seed, ["inf"]) == (
        None,
        ["The link's value for `data_seed` (inf) is not a finite number; using 0."],
    )
    assert check(seed, ["１２"])[0] is None and "is not a number" in check(seed, ["１２"])[1][0]
    assert check(seed, ["2.5"])[1] == [
        "The link's value for `data_seed` (2\\.5) is not a whole number; using 0."
    ]
    assert check(seed, ["-1"]) == (
        "0",
        ["The link's value for `data_seed` (\\-1) is below the smallest, 0; using 0."],
    )
    assert check(points, ["10000000"])[0] == "2000"
    assert check(thr, ["0.3", "0.7"]) == (
        "0.7",
        ["The link gives `thr` 2 times; using the last one."],
    )
    assert check(thr, [""]) == (
        None,
        ["The link's value for `thr` (empty) is not a number; using 0.5."],
    )
    kept, notes = check(name, ["y" * 300])
    assert kept == "y" * 200 and notes == [
        "The link's text for `sm_name0` was cut to 200 characters."
    ]
    # A hostile value is quoted inertly: no link, no HTML, no emphasis.
    kept, notes = check(state.SCHEMA["dataset"], ["[x](https://e.vil) <img src=x>"])
    assert kept is None
    assert "(\\[x\\]\\(https\\:\u2060//e\\.vil\\) \\<img src\\=x\\>)" in notes[0]


# --- every page, every URL key at once ----------------------------------------------------

# Values that make the conditional widgets appear: a generated dataset with classes, Blobs.
SHOWN = {"dataset": "Blobs", "lab_data": "Blobs"}
# The reported crash (#17.3): every integer seed gets one of these, in turn per page.
CRASHERS = ["inf", "-inf", "1e400"]


VIA_HOME = {"pages/10_Lesson_Plan.py"}  # its content is page links


def hostile_link(page: str) -> dict:
    keys = state.url_keys(page)
    link = {}
    for i, key in enumerate(keys):
        if key.name in SHOWN:
            link[key.name] = SHOWN[key.name]
        elif key.type is int and key.name.endswith("seed"):
            link[key.name] = CRASHERS[(i + state.ALL_PAGES.index(page)) % len(CRASHERS)]
        else:
            values = corpus(key)
            link[key.name] = values[i % len(values)]
    return link


def bound_widgets(at) -> dict:
    """query_param_key → widget proto, for every widget on the page bound to the link."""
    found = {}

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "query_param_key", ""):
            found[proto.query_param_key] = proto
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def assert_matches_schema(page: str, widgets: dict) -> None:
    """Each bound widget is declared for this page, with the widget's range/default/choices."""
    for name, proto in widgets.items():
        key = state.SCHEMA.get(name)
        assert key is not None and key.kind == "url" and page in key.pages, (page, name)
        kind = type(proto).__name__
        choices = key.allowed()
        if kind in ("Selectbox", "Radio") or (kind == "Slider" and proto.options):
            options = list(proto.options)
            if choices is not None:
                assert options == list(choices), name
                default = proto.default[0] if kind == "Slider" else proto.default
                assert str(options[int(default)]) in (str(key.default), f"{key.default:g}"
                                                      if isinstance(key.default, float) else ""), name  # fmt: skip
        elif kind in ("Slider", "NumberInput"):
            assert (proto.min, proto.max) == (key.min, key.max), name
            default = proto.default[0] if kind == "Slider" else proto.default
            if key.default is not None:
                assert default == key.default, name
        elif kind == "Checkbox":
            assert key.type is bool and proto.default == key.default, name
        elif kind == "TextInput":
            assert key.type is str and choices is None, name
            if key.default is not None:
                assert proto.default == key.default, name


def value_of(at, name):
    """A bound widget's value as the script sees it."""
    return at.session_state[name] if name in at.session_state else None


def open_via_home(page: str, link: dict):
    """The link opened on the home page, then the page: for pages whose content links to
    other pages (st.page_link needs app.py's page list, which a page run alone lacks)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(link)
    at.run()
    assert not at.exception, at.exception
    toasts = "\n".join(t.value for t in at.toast)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at, toasts


@pytest.mark.parametrize("page", state.ALL_PAGES)
def test_hostile_link_on_every_page(page):
    link = hostile_link(page)
    if page == state.YOUR_DATA:  # its settings appear with a table: the example one
        at, toasts = open_via_home(page, link)  # the home page's run fixed the link
        at = at.button(key="yd_example").click().run()
        assert not at.exception, at.exception
    elif page in VIA_HOME:
        at, toasts = open_via_home(page, link)
    else:
        at = open_page(page, link)  # a shared link runs the page itself; asserts no exception
        toasts = "\n".join(t.value for t in at.toast)
    notes = {n: check(state.SCHEMA[n], v if isinstance(v, list) else [v])[1]
             for n, v in sorted(link.items()) if n not in SHOWN}  # fmt: skip
    expected = [note for found in notes.values() for note in found]
    assert expected
    shown = [note for note in expected if note in toasts]
    more = re.search(r"… and (\d+) more of the link's values", toasts)
    assert len(shown) + (int(more.group(1)) if more else 0) == len(expected), toasts
    assert shown == expected[: len(shown)] and len(shown) >= min(6, len(expected)), toasts
    # The link left in the address bar holds only values the widgets take as they are.
    for name, value in at.query_params.items():
        if name in state.SCHEMA:
            assert not isinstance(value, list) and clean(state.SCHEMA[name], value), (name, value)
    widgets = bound_widgets(at)
    assert_matches_schema(page, widgets)
    for name in widgets:
        key, value = state.SCHEMA[name], value_of(at, name)
        if key.type in (int, float) and key.allowed() is None and value is not None:
            assert math.isfinite(value) and key.min <= value <= key.max, (name, value)


@pytest.mark.parametrize("value", CRASHERS)
def test_the_reported_link(value):
    """/?dataset=Moons&data_seed=inf: the sidebar stays, the seed is 0, a note says why."""
    at = open_page(None, {"dataset": "Moons", "data_seed": value})
    assert at.sidebar.number_input(key="data_seed").value == 0
    assert at.sidebar.selectbox(key="dataset").value == "Moons"
    assert "`data_seed`" in at.toast[0].value
    assert at.query_params == {"dataset": "Moons"}


def test_a_good_link_is_left_alone():
    at = open_page("pages/3_Decision_Threshold.py", {"thr": "0.3", "thr_seed": "7"})
    assert not at.toast
    assert at.slider(key="thr").value == pytest.approx(0.3)
    assert at.sidebar.number_input(key="thr_seed").value == 7


def test_out_of_range_is_clamped_not_reset():
    at = open_page(None, {"dataset": "Moons", "points": "10000000", "noise": "-3"})
    assert at.sidebar.slider(key="points").value == 2000
    assert at.sidebar.slider(key="noise").value == 0.0
    assert at.query_params == {"dataset": "Moons", "points": "2000", "noise": "0"}
