"""Nothing leaves the machine: a learner's server (the README's first command) and the pages it
serves make no request to any other host (no external-IP lookup, no Google font icons).

Server side: tests/net_guard/sitecustomize.py refuses and records every non-loopback
connect / getaddrinfo / sendto in the Streamlit process. Browser side: Chromium's requests
are recorded per page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.browser import (  # noqa: F401
    CHROMIUM_ARGS,
    browser,
    free_port,
    needs_chromium,
    open_app_page,
    url_path_of,
    wait_healthy,
)
from tests.conftest import ROOT

GUARD = ROOT / "tests" / "net_guard"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def guarded_env(log) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, "PYTHONPATH": str(GUARD), "NET_GUARD_LOG": str(log)}


def attempts(log) -> list[str]:
    assert log.exists(), "the net guard was not loaded"
    return log.read_text().splitlines()


def test_the_guard_catches_streamlits_external_ip_lookup(tmp_path):
    """The control: the guard sees the lookup that headless Streamlit would make."""
    log = tmp_path / "net.log"
    code = "from streamlit import net_util; net_util.get_external_ip()"
    subprocess.run([sys.executable, "-c", code], env=guarded_env(log), check=True, timeout=60)
    assert any("checkip.amazonaws.com" in line for line in attempts(log))


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    """The README's ``python -m deploy.serve run app.py`` (``streamlit run`` with the failover
    handling) on a machine without a display (so headless,
    the case in which Streamlit looked up an external IP), under the guard."""
    tmp = tmp_path_factory.mktemp("guarded")
    log, out = tmp / "net.log", tmp / "stdout.txt"
    port = free_port()
    with open(out, "wb") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", "run", "app.py", "--server.port", str(port)],
            cwd=ROOT,
            env=guarded_env(log),
            stdout=stdout,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        # the URL banner (and any lookup made for it) comes after the server is up
        while "URL:" not in out.read_text():
            assert proc.poll() is None, out.read_text()
            time.sleep(0.2)
        yield url, log, out
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_plain_streamlit_run_does_not_call_out(guarded_server):
    url, log, out = guarded_server
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
    assert "URL: http://localhost:" in out.read_text()
    assert attempts(log) == []


@pytest.mark.browser
@needs_chromium
def test_every_page_loads_only_from_this_machine(guarded_server, browser):  # noqa: F811
    try:  # the lesson list is moving from lib/lessons.py to lib/catalog.py
        from lib.catalog import LESSONS
    except ImportError:
        from lib.lessons import LESSONS

    url, log, _ = guarded_server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    requests: list[tuple[str, str]] = []  # (page, requested URL)
    current = [""]
    page.on("request", lambda r: requests.append((current[0], r.url)))
    pages = [("", "ClassLab: classification with PyTorch")]
    pages += [(url_path_of(lesson.path), lesson.title) for lesson in LESSONS]
    try:
        for path, title in pages:
            current[0] = path
            open_app_page(page, url, path, title)
        icon = page.evaluate("document.querySelector('link[rel~=icon]').href")
    finally:
        context.close()
    outside = [(p, u) for p, u in requests if urlsplit(u).hostname not in LOCAL_HOSTS]
    assert outside == []
    assert {p for p, _ in requests} == {p for p, _ in pages}  # each page was loaded
    # the favicon is the app's own file, served by the app
    assert urlsplit(icon).hostname in LOCAL_HOSTS
    with urllib.request.urlopen(icon, timeout=10) as r:
        assert r.headers["Content-Type"].startswith("image/")
    assert attempts(log) == []
