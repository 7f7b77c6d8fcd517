"""``python -m bench soak``: does the server's memory come back after learners leave? (#17.2)

Starts one server the way a deployment runs a replica (``deploy.launcher.replica_flags``:
headless, loopback, XSRF on, the repository's .streamlit/config.toml; Streamlit's default
``server.disconnectedSessionTTL`` of 120 s unless ``--ttl``), then in rounds:

* ``--learners`` protocol-level sessions (``bench/_streamlit_client.py``: one websocket each,
  no browser) open Your own data, upload a generated CSV of ``--mb`` MB as the browser does
  (``PUT /_stcore/upload_file/<session>/<file>`` with the XSRF cookie and header, then the
  uploader's widget state), wait for the profile, press Train, let the live view tick for
  ``--train`` seconds, press Finish now, and leave (close the websocket);
* a closed tab's session is kept for a reconnect for ``server.disconnectedSessionTTL``
  seconds; then ClassLab's sweeper (``lib/ui/upload_release.py``, every 30 s) shuts it down
  and trims the heap. The bench waits for that and samples the server's RSS (VmRSS summed
  over the server's process tree) until it settles.

Warm-up: one learner does the whole flow with a file as large as a round's (``--warmup-mb``,
default ``--mb``: every import, the first parse on every core, the first training, the
allocator's first growth) and leaves; the RSS once that session has ended is the baseline.
Gate: after each round, RSS within ``--tolerance`` (20 %) of the baseline. A warm-up with a
small file would count as kept what the server sets up once for the first large upload
(threads, their buffers), which the next rounds reuse: the rounds must not add to it.

Each learner uploads a file of its own (``--same-file``: one file for all), so nothing is
shared between them: what stays after they leave is what the server keeps per learner.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from bench._streamlit_client import Session, Widget  # noqa: E402

bench_class = importlib.import_module("bench.class")  # "class" is a keyword: no plain import

PAGE = "Your_Own_Data"
DEFAULT_TTL = 120  # Streamlit's server.disconnectedSessionTTL; deployments keep it
SWEEP_S = 30  # lib.ui.upload_release.MIN_INTERVAL_S
EVALUATED = "Test accuracy (your network)"  # a metric of step 6, Evaluate


# --- the server -------------------------------------------------------------------------------


def server_flags(port: int) -> list[str]:
    try:
        from deploy.launcher import replica_flags

        return replica_flags("127.0.0.1", port)
    except ImportError:  # no deploy package: the same flags, spelt out
        return ["--server.address=127.0.0.1", f"--server.port={port}",
                "--server.headless=true", "--server.enableXsrfProtection=true"]  # fmt: skip


def start_server(port: int, ttl: int | None, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "deploy.serve", "run", "app.py", *server_flags(port)]
    if ttl is not None:
        cmd.append(f"--server.disconnectedSessionTTL={ttl}")
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def rss_mb(root: int, only_root: bool = False) -> float:
    """VmRSS of ``root`` and its descendants (the training workers), or of ``root`` alone."""
    return bench_class.rss_mb([root] if only_root else bench_class.process_tree([root]))


def parts(root: int) -> str:
    """Where the memory is: the server process, and its workers."""
    server = rss_mb(root, only_root=True)
    return f"server {server:,.0f} MB + workers {rss_mb(root) - server:,.0f} MB"


# --- the learners' files ----------------------------------------------------------------------


def classroom_csv(megabytes: float, seed: int) -> bytes:
    """A table like a learner's: numbers, a few text columns, a 3-class target."""
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("age,income,score,hours,city,plan,visits,ratio,comment,target\n")
    cities = ["Lyon", "Oslo", "Porto", "Graz", "Turku", "Split", "Ghent"]
    plans = ["basic", "plus", "pro"]
    target = int(megabytes * 1024 * 1024)
    while out.tell() < target:
        for _ in range(1000):
            k = rng.randrange(3)
            out.write(
                f"{rng.randint(18, 80)},{rng.gauss(40_000 + 9_000 * k, 8_000):.2f},"
                f"{rng.gauss(k, 1):.4f},{rng.randint(0, 60)},{rng.choice(cities)},"
                f"{plans[(k + rng.randrange(2)) % 3]},{rng.randint(0, 30)},"
                f"{rng.random():.5f},note {rng.randrange(20)},class_{k}\n"
            )
    return out.getvalue().encode()


# --- a learner on the wire --------------------------------------------------------------------


class Learner(Session):
    """The client's session plus what an upload needs: the session id and the uploader."""

    def __init__(self, url: str):
        super().__init__(url, PAGE, follow_timers=True)
        self.url = url.rstrip("/")
        self.session_id = ""
        self.uploader: Widget | None = None

    def _new_session(self, msg, now):  # noqa: ANN001 - the client's hook
        if msg.new_session.initialize.session_id:
            self.session_id = msg.new_session.initialize.session_id
        super()._new_session(msg, now)

    def _delta(self, msg):  # noqa: ANN001
        super()._delta(msg)
        delta = msg.delta
        if delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            if element.WhichOneof("type") == "file_uploader":
                proto = element.file_uploader
                self.uploader = Widget(proto.id, "file_uploader", proto, delta.fragment_id,
                                       tuple(msg.metadata.delta_path))  # fmt: skip

    def put_file(self, name: str, data: bytes) -> UploadedFileInfo:
        """The browser's upload: the XSRF cookie (any GET sets it), then a multipart PUT."""
        http = requests.Session()
        http.get(f"{self.url}/_stcore/health", timeout=30)
        token = http.cookies.get("_streamlit_xsrf", "")
        file_id = uuid.uuid4().hex
        path = f"/_stcore/upload_file/{self.session_id}/{file_id}"
        answer = http.put(
            self.url + path,
            files={"file": (name, data, "text/csv")},
            headers={"X-Xsrftoken": token, "Origin": self.url},
            timeout=300,
        )
        answer.raise_for_status()
        urls = FileURLs(file_id=file_id, upload_url=path, delete_url=path)
        return UploadedFileInfo(name=name, size=len(data), file_id=file_id, file_urls=urls)

    async def upload(self, name: str, data: bytes, timeout: float = 900) -> None:
        info = await asyncio.to_thread(self.put_file, name, data)
        state = WidgetState(id=self.uploader.id)
        state.file_uploader_state_value.uploaded_file_info.append(info)
        self.values[self.uploader.id] = state
        waiter = self._expect_run()
        self._send_rerun()
        await self._wait(waiter, timeout)


async def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.1)


async def learner(url: str, data: bytes, name: str, train_s: float, limit: float) -> dict:
    """One learner's visit; returns what happened (times, errors). ``limit``: seconds any one
    step may take (a loaded machine is slow, not broken)."""
    me = Learner(url)
    t0 = time.perf_counter()
    step = "open the page"
    try:
        await me.open(limit)
        step = "find the uploader"
        await wait_for(lambda: me.uploader is not None and me.session_id, limit, step)
        step = "upload and read the file"
        await me.upload(name, data, limit)
        t_read = time.perf_counter() - t0
        step = "find Train"
        await wait_for(lambda: me.widget(key="yd_train") is not None, limit, step)
        step = "press Train"
        await me.change_and_wait(me.widget(key="yd_train"), True, timeout=limit)
        await asyncio.sleep(train_s)  # the live view ticks (follow_timers)
        step = "press Finish now"
        finish = me.widget(key="yd_finish")
        if finish is not None and not finish.proto.disabled:
            await me.change_and_wait(finish, True, timeout=limit)
        step = "see the evaluation"
        await wait_for(lambda: any(EVALUATED in run.metrics for run in me.runs), limit, step)
        return {"read_s": t_read, "total_s": time.perf_counter() - t0,
                "errors": me.exceptions + ([me.dropped] if me.dropped else [])}  # fmt: skip
    except Exception as error:  # noqa: BLE001 - counted, the round goes on
        return {"read_s": None, "total_s": time.perf_counter() - t0,
                "errors": [*me.exceptions, f"{step}: {type(error).__name__} {error}"]}  # fmt: skip
    finally:
        await me.close()


async def one_round(
    url: str, files: list[tuple[str, bytes]], train_s: float, limit: float
) -> list[dict]:
    return await asyncio.gather(*(learner(url, data, name, train_s, limit) for name, data in files))


def settle(root: int, after: float, most: float, every: float = 5.0) -> tuple[float, list]:
    """RSS once the sessions can have ended (``after`` s), sampled until it stops falling
    (two samples within 2 %) or ``most`` s have passed. Returns (last, samples)."""
    time.sleep(after)
    samples = [rss_mb(root)]
    deadline = time.time() + max(0.0, most - after)
    while time.time() < deadline:
        time.sleep(every)
        samples.append(rss_mb(root))
        if len(samples) >= 3 and abs(samples[-1] - samples[-2]) <= 0.02 * samples[-2]:
            break
    return samples[-1], samples


# --- the run ------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--learners", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mb", type=float, default=30.0, help="size of each learner's CSV")
    parser.add_argument("--train", type=float, default=5.0, help="seconds of live training")
    parser.add_argument(
        "--warmup-mb",
        type=float,
        default=None,
        help="size of the warm-up learner's CSV (default: --mb)",
    )
    parser.add_argument("--ttl", type=int, default=None,
                        help=f"server.disconnectedSessionTTL (default: Streamlit's {DEFAULT_TTL} s, "
                        "as deployed)")  # fmt: skip
    parser.add_argument("--same-file", action="store_true", help="every learner uploads one file")
    parser.add_argument("--tolerance", type=float, default=0.20)
    parser.add_argument("--step-limit", type=float, default=900.0,
                        help="seconds one step of a visit may take before it counts as an error")  # fmt: skip
    args = parser.parse_args(argv)

    ttl = DEFAULT_TTL if args.ttl is None else args.ttl
    wait = ttl + SWEEP_S + 10  # expired, then swept
    print(f"soak: {args.rounds} rounds × {args.learners} learners, {args.mb:g} MB CSV each, "
          f"{args.train:g} s training; sessions expire {ttl} s after leaving", flush=True)  # fmt: skip
    print("generating files …", flush=True)
    files = [(f"learner_{i}.csv", classroom_csv(args.mb, seed=i))
             for i in range(1 if args.same_file else args.learners)]  # fmt: skip
    if args.same_file:
        files = files * args.learners
    warmup_mb = args.mb if args.warmup_mb is None else args.warmup_mb
    warmup = [("warmup.csv", classroom_csv(warmup_mb, seed=99))]

    tmp = tempfile.TemporaryDirectory(prefix="classlab-soak-")
    log = Path(tmp.name) / "server.log"
    port = bench_class.free_ports(1)
    url = f"http://127.0.0.1:{port}"
    proc = start_server(port, args.ttl, log)
    ok = True
    try:
        bench_class.wait_healthy(url, proc)
        fresh = rss_mb(proc.pid)
        print(f"fresh server: {fresh:,.0f} MB", flush=True)
        results = asyncio.run(one_round(url, warmup, 2.0, args.step_limit))
        errors = [e for r in results for e in r["errors"]]
        base, _ = settle(proc.pid, wait, wait + 60)
        print(f"after warm-up (one learner, {warmup_mb:g} MB, left and expired): {base:,.0f} MB "
              f"({parts(proc.pid)})" + (f"  errors: {errors}" if errors else ""), flush=True)  # fmt: skip
        limit = base * (1 + args.tolerance)
        for n in range(1, args.rounds + 1):
            t0 = time.perf_counter()
            results = asyncio.run(one_round(url, files, args.train, args.step_limit))
            busy = rss_mb(proc.pid)
            errors = [e for r in results for e in r["errors"]]
            reads = [f"{r['read_s']:.1f}/{r['total_s']:.0f}" for r in results
                     if r["read_s"] is not None]  # fmt: skip
            print(f"round {n}: {len(results)} learners in {time.perf_counter() - t0:.0f} s "
                  f"(upload+read / whole visit: {', '.join(reads)} s); "
                  f"RSS with them: {busy:,.0f} MB"
                  + (f"; errors: {errors}" if errors else ""), flush=True)  # fmt: skip
            after, samples = settle(proc.pid, wait, wait + 90)
            passed = after <= limit and not errors
            ok &= passed
            print(f"round {n}: after they left and expired: {after:,.0f} MB "
                  f"({parts(proc.pid)}; {100 * (after / base - 1):+.0f} % of the warm-up's "
                  f"{base:,.0f} MB; "
                  f"samples {', '.join(f'{s:,.0f}' for s in samples)})  "
                  f"{'PASS' if passed else 'FAIL'} (≤ {limit:,.0f} MB)", flush=True)  # fmt: skip
        server_errors = [ln for ln in log.read_text(errors="replace").splitlines()
                         if "Traceback" in ln or " ERROR " in ln]  # fmt: skip
        if server_errors:
            ok = False
            print("server log errors:", *server_errors[:10], sep="\n  ")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()
    print(f"gate: RSS back within {args.tolerance:.0%} of the warm-up level after every round: "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 0 if ok else 1
