"""Outside text in real Chromium (#17.1, #17.5): shown as typed, never a link, image or request.

1. lib/text.py alone: a scratch app renders hostile strings through ``md_literal`` in every
   Markdown element and through ``plotly_literal`` in every kind of Plotly label, in
   Streamlit's own frontend. Checks that its Markdown does not autolink a bare
   ``https://``, ``www.`` or e-mail once a word joiner breaks it, and that ``<a>`` / ``<b>``
   in a label are shown as text.
2. Every page with hostile text where outside text enters it: the text inputs' link
   parameters (class names, typed logits, category orders) and an upload on Your own data
   (file name, column names, class values), then the training lab on that upload.

For each: no request leaves 127.0.0.1 (``page.on("request")``), no ``<a>`` or ``<img>`` made
from the text in the DOM (Plotly's SVG included), and the text is visible as written.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from urllib.parse import urlencode

import pytest

from tests.browser import (  # noqa: F401
    CHROMIUM_ARGS,
    ROOT,
    browser,
    free_port,
    needs_chromium,
    open_app_page,
    page,
    server_url,
    wait_healthy,
)

pytestmark = [pytest.mark.browser, needs_chromium]

WJ = "\u2060"
EVIL = "e.vil"  # every hostile link, image and address points here

# What the page shows: body text and every SVG text node (Plotly's labels), word joiners
# removed; and every <a> and <img> in the document, SVG included.
COLLECT = """() => {
  const svgText = [...document.querySelectorAll('svg text')].map(t => t.textContent);
  const links = [...document.querySelectorAll('a')].map(a => ({
    href: a.getAttribute('href') || a.getAttribute('xlink:href') || '', text: a.textContent}));
  const images = [...document.querySelectorAll('img, image')].map(i =>
    i.getAttribute('src') || i.getAttribute('href') || i.getAttribute('xlink:href') || '');
  return {text: document.body.innerText + '\\n' + svgText.join('\\n'), links, images};
}"""


def watch_requests(pg, server: str) -> list[str]:
    """Every request the page makes that does not go to the ClassLab server."""
    outside: list[str] = []

    def seen(request):
        url = request.url
        if not url.startswith((server, "data:", "blob:", "about:")):
            outside.append(url)

    pg.on("request", seen)
    return outside


def wait_idle(pg) -> None:
    pg.wait_for_load_state("networkidle")
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def problems(pg, outside: list[str], shown: list[str]) -> list[str]:
    """What went wrong on the page: requests out, links / images from the text, text missing."""
    found = pg.evaluate(COLLECT)
    text = found["text"].replace(WJ, "")
    out = [f"request to {url}" for url in outside]
    out += [f"<a href={a['href']!r}>{a['text']}</a>" for a in found["links"]
            if EVIL in a["href"] or EVIL in a["text"]]  # fmt: skip
    out += [f"<img src={src!r}>" for src in found["images"] if EVIL in src]
    out += [f"not shown as written: {s!r}" for s in shown if s not in text]
    return out


def assert_clean(found: list[str]) -> None:
    assert not found, "\n".join(found)


# --- 1. lib/text.py in Streamlit's frontend ------------------------------------------------

PROBE = [
    "[L1](https://e.vil/l1)",
    "![I1](https://e.vil/i1.png)",
    "https://e.vil/u1",
    "HTTPS://E.VIL/U2",
    "www.e.vil/w1",
    "x1@e.vil",
    "mailto:x2@e.vil",
    "<https://e.vil/a1>",
    '<a href="https://e.vil/h1">H1</a>',
    "<img src=https://e.vil/h2.png>",
    "*E1* **B1** _U1_ ~~S1~~ `C1`",
    "$x^2$ :red[R1] :material/home: :smile:",
    "# T1 | a | b |",
    "\u202eR2 gpj.exe",
]
LABELS = ['<a href="https://e.vil/p1">P1</a>', "<b>P2</b> & <i>P3</i>", "%{x} P4", "$P5$",
          "<br>P6<img src=https://e.vil/p7.png>"]  # fmt: skip

PROBE_APP = """
import sys
sys.path.insert(0, {root!r})
import plotly.graph_objects as go
import streamlit as st
from lib.text import md_literal, plotly_literal

PROBE, LABELS = {probe!r}, {labels!r}
for i, s in enumerate(PROBE):
    [st.markdown, st.caption, st.error, st.info, st.warning, st.success][i % 6](md_literal(s))
st.markdown("In a sentence: " + ", ".join(md_literal(s) for s in PROBE))
st.metric(md_literal(PROBE[0]), md_literal(PROBE[1]))
names = [plotly_literal(s) for s in LABELS]
fig = go.Figure(go.Bar(x=names, y=[1, 2, 3, 4, 5], name=names[0], text=names,
                       hovertemplate=names[2] + "<extra></extra>"))
fig.add_annotation(x=names[1], y=2, text=names[1])
fig.update_layout(title={{"text": names[0]}}, showlegend=True,
                  xaxis={{"title": {{"text": names[3]}}}}, yaxis={{"title": {{"text": names[4]}}}})
st.plotly_chart(fig)
st.write("probe done")
"""


@pytest.fixture(scope="module")
def probe_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe")
    script = folder / "probe.py"
    script.write_text(textwrap.dedent(PROBE_APP).format(root=str(ROOT), probe=PROBE,
                                                        labels=LABELS))  # fmt: skip
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_text_rules_hold_in_streamlits_frontend(page, probe_url):  # noqa: F811
    outside = watch_requests(page, probe_url)
    page.goto(probe_url)
    page.get_by_text("probe done").wait_for()
    page.locator(".js-plotly-plot .xtick").first.wait_for()
    wait_idle(page)
    one_line = [s.replace("\u202e", "") for s in PROBE]
    assert_clean(problems(page, outside, one_line + LABELS))
    # Plotly drew the labels as text: a tag it had obeyed would leave its content alone in a
    # text run of its own (bold, italic or a link).
    runs = page.evaluate("() => [...document.querySelectorAll('svg tspan, svg a')]"
                         ".map(t => t.textContent.trim())")  # fmt: skip
    assert not {"P1", "P2", "P3", "P6"} & set(runs)


# --- 2. every page where outside text enters ------------------------------------------------

# url path → (the link's parameters, the strings the page must show as written)
LINKS = {
    "Encoding": (
        {"enc_order": "A,B,C,D,F,[O1](https://e.vil/o1)",
         "enc_nom": "Rental,Dormitory,With Family,Other,![O2](https://e.vil/o2.png)",
         "enc_new": "[U1](https://e.vil/u1) www.e.vil"},
        ["[O1](https://e.vil/o1)", "[U1](https://e.vil/u1) www.e.vil"],
    ),
    "Softmax_and_Argmax": (
        {"sm_typed": "![T1](https://e.vil/t1.png)", "sm_name0": "<b>N0</b>",
         "sm_name1": "[N1](https://e.vil/n1)", "sm_name2": "https://e.vil/n2"},
        ["![T1](https://e.vil/t1.png)", "<b>N0</b>", "[N1](https://e.vil/n1)", "https://e.vil/n2"],
    ),
    "Multiclass_Cross_Entropy": (
        {"ce_typed": "[T2](https://e.vil/t2)", "ce_name0": "<a href=//e.vil>N3</a>",
         "ce_name1": "n4@e.vil", "ce_name2": "www.e.vil/n5"},
        ["[T2](https://e.vil/t2)", "<a href=//e.vil>N3</a>", "n4@e.vil", "www.e.vil/n5"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("path", list(LINKS))
def test_hostile_link_text_on_the_page(page, server_url, path):  # noqa: F811
    query, shown = LINKS[path]
    outside = watch_requests(page, server_url)
    open_app_page(page, server_url, f"{path}?{urlencode(query)}")
    page.locator('[data-testid="stExpander"]').last.wait_for()  # the quiz, at the page's end
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_clean(problems(page, outside, shown))


FILE_NAME = "[F1](https:e.vil) <b>F2</b> f3@e.vil.csv"
TARGET = "![T](https://e.vil/t.png)"
FEATURES = ("<a href='https://e.vil/c'>C1</a>", "[C2](https://e.vil/c2)")
CLASSES = ("<b>K1</b>", "[K2](https://e.vil/k)")


def hostile_csv() -> bytes:
    import csv
    import io
    import random

    rng = random.Random(0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*FEATURES, TARGET])
    for i in range(120):
        k = i % 2
        writer.writerow([f"{rng.gauss(2 * k, 1):.3f}", f"{rng.gauss(-k, 1):.3f}", CLASSES[k]])
    return out.getvalue().encode()


def test_hostile_upload_on_your_own_data_and_the_lab(page, server_url):  # noqa: F811
    outside = watch_requests(page, server_url)
    open_app_page(page, server_url, "Your_Own_Data", "Your own data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": FILE_NAME, "mimeType": "text/csv", "buffer": hostile_csv()}
    )
    page.get_by_role("heading", name="2. Profile").wait_for()
    page.get_by_role("button", name="Train").click()
    page.get_by_role("heading", name="6. Evaluate").wait_for(timeout=120_000)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_clean(problems(page, outside, [FILE_NAME, TARGET, *CLASSES]))
    # The lab trains on the same upload: its charts name the features and classes.
    page.locator('[data-testid="stSidebar"] a', has_text="Training lab").click()
    page.get_by_role("heading", name="Training lab").first.wait_for()
    page.locator('[data-testid="stSelectbox"]', has_text="Data set").click()
    page.keyboard.type("Your uploaded")  # the list is long: filter it, then pick
    page.get_by_role("option", name="Your uploaded CSV").click()
    page.get_by_role("button", name="+1 epoch").click()
    page.wait_for_function(  # the figure, with the class names in its legend or axes
        "() => [...document.querySelectorAll('svg text')].some(t => t.textContent.includes('K2'))"
    )
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # (The lab names the file by its safe name, as the script it writes expects it.)
    assert_clean(problems(page, outside, list(CLASSES)))
