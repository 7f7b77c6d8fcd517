"""Serving a class (deploy/): the HAProxy configuration, the Docker files that reuse it, and
two replicas behind the proxy on loopback, driven by Chromium.

The browser tests share one deployment; the last one kills a replica, so it stays last."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from deploy.haproxy import compose_config
from deploy.launcher import (
    SERVER_COMMAND,
    cookie_secret,
    find_haproxy,
    lan_address,
    loopback_config,
    replica_flags,
    start,
)
from deploy.serve import ALLOCATOR
from tests.browser import browser, needs_chromium, open_app_page, wait_healthy  # noqa: F401
from tests.conftest import ROOT

HAPROXY = find_haproxy()
needs_haproxy = pytest.mark.skipif(HAPROXY is None, reason="apt-get install haproxy")


def free_ports(n: int, consecutive: bool = False) -> list[int]:
    """n loopback ports free right now (held open together, so all different)."""
    while True:
        socks = [socket.socket() for _ in range(n)]
        try:
            socks[0].bind(("127.0.0.1", 0))
            first = socks[0].getsockname()[1]
            for i, s in enumerate(socks[1:], 1):
                s.bind(("127.0.0.1", first + i if consecutive else 0))
            return [s.getsockname()[1] for s in socks]
        except OSError:
            continue  # a consecutive port was taken: try another first port
        finally:
            for s in socks:
                s.close()


def haproxy_accepts(tmp_path, text: str) -> subprocess.CompletedProcess:
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    return subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True)


# --- the configuration ---------------------------------------------------------------------


def test_print_config_is_what_the_launcher_runs():
    out = subprocess.run(
        [sys.executable, "-m", "deploy", "--print-config", "--replicas", "3", "--port", "9100"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == loopback_config([9101, 9102, 9103], "0.0.0.0", 9100)
    for line in (
        "cookie SERVERID insert indirect nocache",
        "timeout tunnel 8h",
        "http-check send meth GET uri /_stcore/health",
        "option redispatch",
        "server r3 127.0.0.1:9103 cookie r3",
        "bind 0.0.0.0:9100",
    ):
        assert line in out


@needs_haproxy
def test_haproxy_accepts_both_configurations(tmp_path):
    for text in (loopback_config([9101, 9102], "127.0.0.1", 9100), compose_config(3)):
        checked = haproxy_accepts(tmp_path, text)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_uses_the_generated_haproxy_config():
    compose = (ROOT / "compose.yaml").read_text()
    services = re.findall(r"^  (classlab\d+):", compose, re.MULTILINE)
    assert services == [f"classlab{i}" for i in range(1, len(services) + 1)]
    assert (ROOT / "deploy" / "haproxy-compose.cfg").read_text() == compose_config(len(services))
    assert "./deploy/haproxy-compose.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in compose


def test_dockerfile_runs_the_replica_flags():
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # join continued lines
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1))
    assert cmd == ["python", *SERVER_COMMAND, *replica_flags("0.0.0.0", 8501)]
    assert "/_stcore/health" in re.search(r"^HEALTHCHECK .*$", dockerfile, re.MULTILINE).group(0)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    # the CPU wheel of the very torch that requirements.txt pins
    pin = re.search(r"^torch==\S+", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert (
        f"pip install {pin.group(0)} --index-url https://download.pytorch.org/whl/cpu" in dockerfile
    )


def test_cookie_secret_is_created_once_for_the_owner_only(tmp_path):
    first = cookie_secret(tmp_path / "state")
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "state" / "cookie_secret").stat().st_mode) == 0o600
    assert cookie_secret(tmp_path / "state") == first


def test_lan_address_is_one_of_this_machines():
    with socket.socket() as s:
        s.bind((lan_address(), 0))  # only an address of a local interface can be bound


def test_without_haproxy_it_says_how_to_install_it(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "deploy", "--haproxy", str(tmp_path / "haproxy"),
         "--state-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "apt-get install haproxy" in run.stderr


# --- running -------------------------------------------------------------------------------


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@needs_haproxy
def test_the_launcher_restarts_a_dead_server_and_sigterm_stops_everything(tmp_path):
    port, *replica_ports = free_ports(3, consecutive=True)
    args = [sys.executable, "-m", "deploy", "--replicas", "2", "--port", str(port),
            "--host", "127.0.0.1"]  # fmt: skip
    printed = subprocess.run(
        [*args, "--print-config"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    proc = subprocess.Popen(
        [*args, "--state-dir", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        lines = iter(proc.stdout.readline, "")
        assert f"http://127.0.0.1:{port}" in "".join(next(lines) for _ in range(3))
        assert (tmp_path / "haproxy.cfg").read_text() == printed  # the dry run shows what runs
        urls = [f"http://127.0.0.1:{p}" for p in (port, *replica_ports)]
        assert all(answers(u) for u in urls)
        servers = _children(proc.pid)
        secrets = {_environ(pid)["STREAMLIT_SERVER_COOKIE_SECRET"] for pid in servers}
        assert secrets == {(tmp_path / "cookie_secret").read_text()}  # one secret, the kept one
        for pid in servers:  # deploy/serve.py re-executed itself with the allocator settings
            assert ALLOCATOR.items() <= _environ(pid).items()

        dead = f"http://127.0.0.1:{_port_of(servers[0])}"
        os.kill(servers[0], signal.SIGKILL)
        while answers(dead):  # until the kill took effect
            time.sleep(0.1)
        wait_healthy(dead)  # started again, on its port

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert "restarting" in proc.stdout.read()
        assert not any(answers(u) for u in urls)
    finally:
        if proc.poll() is None:
            proc.terminate()  # the launcher stops its servers (a SIGKILL would orphan them)
            proc.wait(timeout=30)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat_line = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if (
                int(stat_line.rsplit(")", 1)[1].split()[1]) == pid
                and "deploy.serve" in open(f"/proc/{entry}/cmdline").read()
            ):
                found.append(int(entry))
    return found


def _port_of(pid: int) -> int:
    cmdline = open(f"/proc/{pid}/cmdline").read().split("\0")
    return int(next(a for a in cmdline if a.startswith("--server.port=")).split("=")[1])


def _environ(pid: int) -> dict[str, str]:
    raw = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    if HAPROXY is None:
        pytest.skip("apt-get install haproxy")
    port, *replica_ports = free_ports(3)
    handle = start(2, port, "127.0.0.1", tmp_path_factory.mktemp("deploy"), replica_ports)
    yield handle
    handle.stop()


def new_page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def replica_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "SERVERID")


def csv_bytes(rows: int) -> bytes:
    lines = ["length,width,kind"]
    lines += [f"{i % 7 + 1}.5,{i % 5 + 2}.25,{'ab'[i % 2]}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.browser
@needs_chromium
def test_upload_and_download_through_the_proxy(deployment, browser, tmp_path):  # noqa: F811
    context, page = new_page(browser)
    failed = []
    # (the frontend looks for /_stcore/ under the page's path first: those 404s are expected)
    page.on(
        "response",
        lambda r: (
            failed.append((r.status, r.url)) if r.status > 404 or r.status in (400, 403) else None
        ),
    )
    try:
        path = tmp_path / "small.csv"
        path.write_bytes(csv_bytes(37))
        open_app_page(page, deployment.url, "Your_Own_Data", "Your own data")
        uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        uploader.set_input_files(str(path))
        rows = page.get_by_test_id("stMetric").filter(has_text="Rows")
        rows.get_by_test_id("stMetricValue").get_by_text("37", exact=True).wait_for()

        open_app_page(page, deployment.url, "Training_Lab", "Training lab")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the script (.py)").click()
        script = open(download.value.path()).read()
        compile(script, "script.py", "exec")  # the lab's script, whole
        assert "import torch" in script
        assert page.locator('[data-testid="stException"]').count() == 0
        assert failed == []  # e.g. no 400 "Invalid session_id" from the wrong replica
    finally:
        context.close()


@pytest.mark.browser
@needs_chromium
def test_a_second_learner_lands_on_the_other_replica(deployment, browser):  # noqa: F811
    first, page1 = new_page(browser)
    second, page2 = new_page(browser)
    try:
        open_app_page(page1, deployment.url, "Sigmoid", "The sigmoid")
        open_app_page(page2, deployment.url, "Sigmoid", "The sigmoid")
        assert {replica_of(first), replica_of(second)} == {"r1", "r2"}
    finally:
        first.close()
        second.close()


@pytest.mark.browser
@needs_chromium
def test_a_dead_replica_sends_its_learners_to_the_survivor(deployment, browser):  # noqa: F811
    """The open tab reconnects by itself, through the proxy, to the other replica. Its first
    interaction there is the threshold slider, inside an st.fragment the new process has never
    registered: the page runs in full instead of ignoring it (lib/ui/failover.py), the slider
    moves the matrix, and the page says what stayed in the dead process. A learner on the
    survivor keeps their session: the same threshold they set, no notice."""
    context, page = new_page(browser)
    other, other_page = new_page(browser)
    try:
        open_app_page(page, deployment.url, "Decision_Threshold", "Decision threshold")
        notice = page.get_by_text("This tab reconnected to a server that did not hold")
        assert notice.count() == 0
        dead = replica_of(context)
        open_app_page(other_page, deployment.url, "Decision_Threshold", "Decision threshold")
        assert replica_of(other) not in ("", dead)  # least connections: the other server
        other_thumb = other_page.locator('[data-testid="stSlider"]').filter(has_text="Threshold t")
        other_thumb = other_thumb.first.get_by_role("slider")
        other_thumb.focus()
        other_thumb.press("End")  # threshold 1; the server writes it into the link
        other_page.wait_for_function("() => window.location.search.includes('thr=1')")
        with page.expect_websocket():  # the reconnection
            deployment.replicas[int(dead[1:]) - 1].kill()
        assert replica_of(context) not in ("", dead)
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Threshold t")
        thumb = thumb.first.get_by_role("slider")
        thumb.focus()
        thumb.press("Home")  # threshold 0: every row predicted positive
        notice.wait_for()
        tn = page.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text="TN")
        )
        expect(tn.first.locator('[data-testid="stMetricValue"]')).to_have_text("0")
        assert page.locator('[data-testid="stException"]').count() == 0
        page.get_by_role("button", name="Got it").click()
        expect(notice).to_have_count(0)
        # The learner's next page runs there too, and a fresh load is not told anything.
        page.locator('[data-testid="stSidebar"] a', has_text="The sigmoid").click()
        page.get_by_role("heading", name="The sigmoid").first.wait_for()
        page.reload()
        open_app_page(page, deployment.url, "Sigmoid", "The sigmoid")
        assert replica_of(context) not in ("", dead)
        assert notice.count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        # The survivor's own learner: still their session, their threshold, no notice.
        other_thumb.focus()
        other_thumb.press("ArrowLeft")  # one step down from their t = 1, answered by their server
        other_page.wait_for_function("() => window.location.search.includes('thr=0.999')")
        assert other_page.get_by_text("This tab reconnected").count() == 0
        assert other_page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        other.close()
