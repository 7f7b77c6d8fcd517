"""``python -m bench pages``: rerun time of every page in-process, and time to first render.

For each page: open it through app.py (AppTest, as the tests do), then rerun it N times and
report the median and p95 of the reruns after the first. The reference is an empty
Streamlit script rerun the same way in the same process, so the ratio shows ClassLab's own
cost over Streamlit's. Budget: median ≤ 50 ms per rerun for every lesson page.

Then the time from ``streamlit run`` starting to the home page's title showing in headless
Chromium (skipped when /usr/bin/chromium is absent).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 50.0


def _rerun_times(at, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"exception while rerunning: {at.exception[0].value}")
    return times


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def measure_pages(n: int, only: str | None = None) -> list[tuple[str, float, float, float]]:
    from streamlit.testing.v1 import AppTest

    from lib.catalog import LESSONS

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.py"
        empty.write_text("import streamlit as st\nst.title('reference')\n")
        ref = AppTest.from_file(str(empty), default_timeout=60)
        ref.run()
        ref_median, _ = _summary(_rerun_times(ref, n))

    rows = []
    for lesson in LESSONS:
        if only and only not in lesson.path:
            continue
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        first = time.perf_counter()
        at.switch_page(lesson.path).run()
        first_ms = (time.perf_counter() - first) * 1000
        median, p95 = _summary(_rerun_times(at, n))
        rows.append((lesson.path, first_ms, median, p95))
    rows.append(("(reference: empty page)", 0.0, ref_median, ref_median))
    return rows


def time_to_first_render() -> float | None:
    import subprocess

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit

    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        port = free_port()
        start = time.perf_counter()
        proc = start_streamlit(port)
        try:
            deadline = start + 120
            while time.perf_counter() < deadline:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=5000)
                    break
                except Exception:
                    time.sleep(0.1)
            page.get_by_role("heading", name="ClassLab").first.wait_for(timeout=120_000)
            return time.perf_counter() - start
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            browser.close()


def main(argv: list[str]) -> int:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__)
    parser.add_argument("--reruns", type=int, default=30, help="reruns per page (default 30)")
    parser.add_argument("--page", help="only pages whose path contains this text")
    parser.add_argument("--no-browser", action="store_true", help="skip the first-render timing")
    args = parser.parse_args(argv)

    rows = measure_pages(args.reruns, args.page)
    ref = rows[-1][2]
    print(
        f"{'page':40s} {'first ms':>9s} {'median ms':>10s} {'p95 ms':>8s} {'× empty':>8s}  budget"
    )
    failed = False
    for path, first, median, p95 in rows:
        verdict = ""
        if not path.startswith("("):
            ok = median <= BUDGET_MS
            failed |= not ok
            verdict = "ok" if ok else f"OVER {BUDGET_MS:.0f} ms"
        print(f"{path:40s} {first:9.0f} {median:10.1f} {p95:8.1f} {median / ref:8.1f}  {verdict}")
    if not args.no_browser:
        seconds = time_to_first_render()
        if seconds is None:
            print("time to first render: skipped (no /usr/bin/chromium)")
        else:
            print(f"time to first render after `streamlit run`: {seconds:.2f} s")
    return 1 if failed else 0
