"""Real-browser checks: `streamlit run` on a free loopback port, driven by Playwright in
Debian's Chromium (never a downloaded browser). Skipped when /usr/bin/chromium is absent;
.ci/run installs it."""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(port: int) -> subprocess.Popen:
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deploy.serve",  # `streamlit run`, as the README's first command serves the app
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url}")


# One server, one Playwright and one browser for the whole run. Test modules import these
# fixtures, which registers them once per module; module-level singletons keep that from
# starting a second Playwright (which fails inside the first one's event loop).
_shared: dict = {}


def _shutdown() -> None:
    browser = _shared.pop("browser", None)
    if browser is not None:
        browser.close()
    playwright = _shared.pop("playwright", None)
    if playwright is not None:
        playwright.stop()
    proc = _shared.pop("server", None)
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


atexit.register(_shutdown)


@pytest.fixture(scope="session")
def server_url():
    if "url" not in _shared:
        port = free_port()
        _shared["server"] = start_streamlit(port)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        _shared["url"] = url
    return _shared["url"]


@pytest.fixture(scope="session")
def browser():
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    return _shared["browser"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def open_app_page(page, server_url: str, url_path: str = "", title: str | None = None):
    """Open ``/url_path`` and wait until the page's title renders."""
    page.goto(f"{server_url}/{url_path}")
    if title:
        page.get_by_role("heading", name=title).first.wait_for()
    page.wait_for_load_state("networkidle")
    # Streamlit shows a running indicator; wait until the script finished.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    return page


def url_path_of(lesson_path: str) -> str:
    """pages/3_Decision_Threshold.py → Decision_Threshold (Streamlit's URL for that page)."""
    stem = Path(lesson_path).stem
    return stem.split("_", 1)[1]
