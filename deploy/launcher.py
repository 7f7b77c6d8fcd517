"""Serve ClassLab to a class: one ``streamlit run app.py`` per core behind HAProxy.

Command line (README, "Serving a class")::

    python -m deploy --replicas auto --port 8501 --host 0.0.0.0
    python -m deploy --print-config      # the haproxy.cfg it would run; starts nothing

From Python (tests, ``python -m bench class``)::

    from deploy.launcher import start
    handle = start(replicas=2, port=8501, host="127.0.0.1", state_dir=path)
    handle.url            # what learners open, e.g. "http://127.0.0.1:8501"
    handle.urls           # that one first, then any other address the proxy answers on
    handle.replica_ports  # each replica listens on 127.0.0.1:<port>
    handle.stop()

Replicas listen on ``port + 1 … port + N`` unless ``replica_ports`` is given. They share one
``server.cookieSecret``, created once in ``state_dir`` (mode 0600) and kept; their logs go to
``state_dir/logs``. Nothing is installed or downloaded at run time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deploy.haproxy import HEALTH_PATH, haproxy_config

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = (
    Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local/state")) / "classlab"
)


class HaproxyMissing(FileNotFoundError):
    def __str__(self) -> str:
        return "HAProxy is not installed: sudo apt-get install haproxy"


# How a replica is started: ``streamlit run app.py`` through deploy/serve.py (the Dockerfile's
# CMD is the same command; tests/test_deploy.py checks).
SERVER_COMMAND = ("-m", "deploy.serve", "run", "app.py")


def replica_flags(address: str, port: int) -> list[str]:
    """``streamlit run app.py`` flags of one server replica (the Dockerfile's CMD uses these).

    The learner's ``.streamlit/config.toml`` is not headless; a server has no browser to open.
    XSRF protection is forced on here so that a config edit cannot turn it off on a server.
    """
    return [
        f"--server.address={address}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.enableXsrfProtection=true",
    ]


def core_count() -> int:
    """Cores this process may run on (taskset / cgroup cpusets count, unlike os.cpu_count)."""
    return len(os.sched_getaffinity(0))


def cookie_secret(state_dir: Path) -> str:
    """The secret every replica shares, created on first use (owner-only) and then kept."""
    path = state_dir / "cookie_secret"
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists() or not path.read_text().strip():
        # written whole under another name, then renamed: never a half-written secret
        tmp = path.with_name(f".cookie_secret.{os.getpid()}")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(32))
        os.replace(tmp, path)
    return path.read_text().strip()


def lan_address() -> str:
    """This machine's address on its network, found without sending a packet.

    connect() on a UDP socket only picks the route (and so the source address) for the
    documentation-only address 192.0.2.1; nothing leaves the machine. Without a default
    route, ``hostname -I`` lists the interfaces' addresses.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            return s.getsockname()[0]
        except OSError:
            pass
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5)
        return next(a for a in out.stdout.split() if "." in a and not a.startswith("127."))
    except (OSError, StopIteration, subprocess.SubprocessError):
        return "127.0.0.1"


def public_urls(host: str, port: int) -> list[str]:
    if host in ("0.0.0.0", ""):
        return [f"http://{lan_address()}:{port}", f"http://127.0.0.1:{port}"]
    return [f"http://{host}:{port}"]


def find_haproxy() -> str | None:
    # /usr/sbin is not on every user's PATH, and that is where Debian puts haproxy
    return shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")


def loopback_config(replica_ports: list[int], host: str, port: int) -> str:
    servers = [(f"r{i}", f"127.0.0.1:{p}") for i, p in enumerate(replica_ports, 1)]
    return haproxy_config(servers, host, port)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Deployment:
    urls: list[str]
    replica_ports: list[int]
    state_dir: Path
    proxy: subprocess.Popen | None = None
    replicas: list[subprocess.Popen] = field(default_factory=list)
    env: dict = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return self.urls[0]

    def start_replica(self, i: int) -> subprocess.Popen:
        cmd = [sys.executable, *SERVER_COMMAND]
        with open(self.state_dir / "logs" / f"replica-{i + 1}.log", "ab") as log:
            return subprocess.Popen(
                cmd + replica_flags("127.0.0.1", self.replica_ports[i]),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def supervise(self) -> bool:
        """Restart a replica that died (its learners were already moved); False once the
        proxy itself is gone."""
        for i, proc in enumerate(self.replicas):
            if proc.poll() is not None:
                print(f"replica {i + 1} exited ({proc.returncode}); restarting it", flush=True)
                self.replicas[i] = self.start_replica(i)
        return self.proxy is not None and self.proxy.poll() is None

    def stop(self) -> None:
        """The proxy first (no new requests), then the replicas; SIGKILL after 10 s."""
        procs = ([self.proxy] if self.proxy else []) + self.replicas
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start(
    replicas: int,
    port: int,
    host: str = "127.0.0.1",
    state_dir: Path = DEFAULT_STATE_DIR,
    replica_ports: list[int] | None = None,
    haproxy: str | None = None,
    timeout: float = 120,
) -> Deployment:
    """Start the replicas, wait until each is healthy, then the proxy; raise on failure
    (after stopping whatever was started)."""
    haproxy = haproxy or find_haproxy()
    if not haproxy or not Path(haproxy).exists():
        raise HaproxyMissing()
    state_dir = Path(state_dir)
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the secret and the logs
    (state_dir / "logs").mkdir(mode=0o700, exist_ok=True)
    ports = replica_ports or [port + i for i in range(1, replicas + 1)]
    env = {
        **os.environ,
        # through the environment, not argv: `ps` shows every user the command line
        "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret(state_dir),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        # The replicas' training pools share the cores (one worker per core per replica
        # would start cores² worker processes of ~300 MB each).
        "CLASSLAB_TRAINER_WORKERS": str(max(1, core_count() // max(1, len(ports)))),
    }
    handle = Deployment(public_urls(host, port), ports, state_dir, env=env)
    try:
        handle.replicas = [handle.start_replica(i) for i in range(len(ports))]
        cfg = state_dir / "haproxy.cfg"
        cfg.write_text(loopback_config(ports, host, port))
        _wait(handle, [f"http://127.0.0.1:{p}" for p in ports], timeout)
        with open(state_dir / "logs" / "haproxy.log", "ab") as log:
            handle.proxy = subprocess.Popen(
                [haproxy, "-db", "-f", str(cfg)], stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        _wait(handle, [f"http://127.0.0.1:{port}"], 30)
    except BaseException:
        handle.stop()
        raise
    return handle


def _wait(handle: Deployment, urls: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(urls)
    while waiting:
        for proc in [handle.proxy, *handle.replicas]:
            if proc is not None and proc.poll() is not None:
                name = "haproxy" if proc is handle.proxy else "a replica"
                raise RuntimeError(f"{name} exited; see {handle.state_dir / 'logs'}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{waiting} not healthy after {timeout:.0f} s")
        waiting = [u for u in waiting if not healthy(u)]
        time.sleep(0.3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", default="auto", help="servers to run; auto = one per core")
    parser.add_argument("--port", type=int, default=8501, help="the port learners connect to")
    parser.add_argument(
        "--host", default="0.0.0.0", help="proxy bind address (127.0.0.1: this machine only)"
    )
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--haproxy", help="path of the haproxy binary (default: found on PATH)")
    parser.add_argument(
        "--print-config", action="store_true", help="print the haproxy.cfg and exit"
    )
    args = parser.parse_args(argv)
    n = core_count() if args.replicas == "auto" else int(args.replicas)
    if args.print_config:
        print(
            loopback_config([args.port + i for i in range(1, n + 1)], args.host, args.port), end=""
        )
        return 0

    # Ctrl-C raises KeyboardInterrupt; SIGTERM (systemd, kill) and SIGHUP (the terminal
    # closed) do the same, so that every way out stops the proxy and the servers
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    try:
        handle = start(n, args.port, args.host, args.state_dir, haproxy=args.haproxy)
    except HaproxyMissing as e:
        print(e, file=sys.stderr)
        return 2
    except RuntimeError as e:  # a port in use, a server that cannot start: its log says why
        print(e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"ClassLab: {n} replicas behind HAProxy. Learners open:\n\n    {handle.url}\n")
    print(f"Logs: {args.state_dir / 'logs'}. Ctrl-C stops everything.", flush=True)
    try:
        while handle.supervise():
            time.sleep(1)
        print("haproxy exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        handle.stop()
