"""``python -m bench class``: a classroom in one command, on loopback.

Starts the server as a classroom runs it (``streamlit run app.py --server.headless true
--server.address 127.0.0.1 --server.port <free>``, with the repository's .streamlit/
config.toml; or ``--replicas N`` processes behind HAProxy through ``deploy.launcher``), then
drives it with protocol-level websocket sessions that behave like learners (see
``bench/_streamlit_client.py`` for what goes over the wire; no browser):

* lesson sessions open a lesson page (Decision threshold, Sigmoid, Softmax: round-robin, or
  ``--page``) and change one of its widgets every 2 s ± 25 % (slider, number input: a new
  value each time). Latency = BackMsg sent → the ``script_finished`` of the first run that
  started after it. Open loop: a learner does not wait for a slow page before the next
  change, as in a browser (the server then interrupts the stale run);
* trainer sessions open the Training lab on XOR (the reference setting below, through the
  page's URL parameters), press Play, and tick the page's ``run_every`` fragments on the
  intervals the server announces, as the browser's timers do. Counted per trainer: live-view
  updates/s (fragment runs that delivered the "Optimizer steps" metric, also those cut short
  by the next tick: the browser shows what arrived), optimizer steps/s and epochs/s (read
  from the metrics shown), and how long Play took to answer. A warm-up session presses Play
  first, so whatever the lab starts on the first Play of the day is running;
* reference, measured in the same run: a bare PyTorch loop on the same model (XOR, 250
  training points, 2×4 tanh, lr 0.03, SGD, the lab's batch; one thread), times the cores;
* server RSS (VmRSS summed over the server's process tree, from /proc: the lab's worker
  processes included) after the warm-up (each page opened once), with every lesson session
  opened and idle, and the maximum under load; CPU over the measured window of the server,
  of the client (it must not be the bottleneck: ``--clients P`` spreads the sessions over P
  processes) and of every other program on the machine; the server's CPU time per lesson
  change, which other programs on the machine disturb far less than latencies.

Errors counted: exceptions shown in a page, websocket drops, changes never answered.

``--scenario`` sets sessions and trainers and prints the classroom targets as PASS/FAIL:
lessons60 (60 lessons: p95 ≤ 500 ms), lab10 (10 trainers: each ≥ 3 updates/s, Jain ≥ 0.9,
total steps/s ≥ 60 % of cores × bare loop), room (100 lessons + 10 trainers: lesson p95 ≤ 1 s,
every trainer ≥ 2 updates/s, no errors), alone (1 trainer: ≥ 45 epochs/s, ≥ 8 updates/s,
≥ 85 % of a bare loop's step rate, i.e. of wall time spent training). The memory target
(≤ 25 MB per idle lesson session) is printed whenever lesson sessions run.

Shares the machine's cores with the server: run it on an otherwise idle machine (the report
says how much CPU other programs took meanwhile).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._streamlit_client import Session, current_value, random_value  # noqa: E402

# Lesson pages by URL name, and the widgets a learner plays with (user keys). A page whose
# keys moved still works: then any slider or number input in its main area is used.
LESSON_PAGES = {
    "threshold": ("Decision_Threshold", ("thr",)),
    "sigmoid": ("Sigmoid", ("sig_x", "sig_w", "sig_b")),
    "softmax": ("Softmax_and_Argmax", ("sm_z0", "sm_z1", "sm_z2", "sm_temp")),
}
LAB_PAGE = "Training_Lab"
# The reference training: XOR, 500 points with a 0.5 test split = 250 training points, 2
# hidden layers of 4 tanh units, SGD at lr 0.03, batch 10 (or the nearest the lab offers).
LAB_QUERY = {
    "lab_data": "XOR",
    "lab_points": "500",
    "lab_split": "0.5",
    "lab_layers": "2",
    "lab_units": "4",
    "lab_act": "Tanh",
    "lab_opt": "SGD",
    "lab_lr": "0.03",
    "lab_bs": "10",
}
REFERENCE = {"points": 250, "hidden": (4, 4), "lr": 0.03, "batch": 10}
STEPS_LABEL, EPOCH_LABEL = "Optimizer steps", "Epoch"
PLAY = ("lab_play", "Play")  # key, label

INTERVAL, JITTER = 2.0, 0.25  # a lesson change every 2 s ± 25 %
GRACE = 20.0  # after the window, how long a sent change may still be answered
OPEN_TIMEOUT = 300.0  # a whole class opening at once waits behind each other

SCENARIOS = {
    "lessons60": {"sessions": 60, "trainers": 0},
    "lab10": {"sessions": 0, "trainers": 10},
    "room": {"sessions": 100, "trainers": 10},
    "alone": {"sessions": 0, "trainers": 1},
}
IDLE_SESSION_MB = 25.0


# -- small statistics --------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def jain(values: list[float]) -> float:
    """Jain's fairness index: 1 when all equal, 1/n when one gets everything."""
    squares = sum(v * v for v in values)
    return sum(values) ** 2 / (len(values) * squares) if squares else 0.0


# -- the server and its process tree -----------------------------------------------------------


def free_ports(n: int) -> int:
    """A port p with p … p + n - 1 all free on loopback (the launcher wants consecutive)."""
    import socket

    for _ in range(200):
        base = random.randint(20000, 60000 - n)
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free loopback ports")


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s")


class Server:
    """One ``streamlit run`` (as a classroom starts it) or the deployment launcher's replicas."""

    def __init__(self, replicas: int):
        self.replicas = replicas
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-class-")
        self.proc: subprocess.Popen | None = None
        self.handle = None
        self.logs: list[Path] = []

    def start(self) -> list[str]:
        if self.replicas > 1:
            try:
                from deploy.launcher import start
            except ImportError as error:
                raise RuntimeError(f"--replicas needs deploy/launcher.py: {error}") from None
            port = free_ports(self.replicas + 1)
            self.handle = start(self.replicas, port, "127.0.0.1", Path(self.tmp.name))
            self.logs = sorted((Path(self.tmp.name) / "logs").glob("replica-*.log"))
            self.description = (
                f"{self.replicas} replicas behind HAProxy (deploy.launcher), {self.handle.url}"
            )
            return [self.handle.url]
        port = free_ports(1)
        log = Path(self.tmp.name) / "server.log"
        self.logs = [log]
        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        cmd = [sys.executable, "-m", "deploy.serve", "run", "app.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port)]  # fmt: skip
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
            )
        url = self.url = f"http://127.0.0.1:{port}"
        wait_healthy(url, self.proc)
        self.description = f"one `streamlit run app.py` process, {url}"
        return [url]

    def direct_urls(self) -> list[str]:
        """Each server process's own address (to warm every replica up, not only the one
        the proxy picks)."""
        if self.handle is not None:
            return [f"http://127.0.0.1:{p}" for p in self.handle.replica_ports]
        return [self.url]

    def pids(self) -> list[int]:
        """The server's processes: the one server, or the replicas and the proxy."""
        if self.handle is not None:
            roots = [p.pid for p in [self.handle.proxy, *self.handle.replicas] if p is not None]
        else:
            roots = [self.proc.pid] if self.proc is not None else []
        return process_tree(roots)

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.stop()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_errors(self) -> list[str]:
        """The server's ERROR lines, and each traceback as its last line (the exception)."""
        found = []
        for log in self.logs:
            if not log.exists():
                continue
            lines = log.read_text(errors="replace").splitlines()
            for i, line in enumerate(lines):
                if " ERROR " in line:
                    found.append(line)
                elif line.startswith("Traceback"):
                    end = i + 1
                    while end < len(lines) and (lines[end].startswith(" ") or not lines[end]):
                        end += 1
                    found.append(lines[end] if end < len(lines) else line)
        return found

    def cleanup(self) -> None:
        self.tmp.cleanup()


def _ppids() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # the command name may contain spaces and parentheses: split after the last ")"
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def process_tree(roots: list[int]) -> list[int]:
    """The processes ``roots`` and all their descendants."""
    parents = _ppids()
    found, frontier = [], list(roots)
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        frontier += [child for child, parent in parents.items() if parent == pid]
    return found


def machine_busy_seconds() -> float:
    """CPU time all programs on this machine have used (every core, from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def rss_mb(pids: list[int]) -> float:
    total_kib = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            pass
    return total_kib / 1024


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# -- the reference: a bare PyTorch loop ------------------------------------------------------


def bare_loop_rate(batch: int, seconds: float = 1.0, trials: int = 3) -> float:
    """Optimizer steps/s of the plainest loop on the reference model and data, one thread;
    the best of ``trials`` (other programs only ever slow a trial down)."""
    import numpy as np
    import torch
    from torch import nn

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    n = REFERENCE["points"]
    X = rng.uniform(-1, 1, (n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.float32)
    X = X + rng.normal(0, 0.06, X.shape)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y).unsqueeze(1)
    h1, h2 = REFERENCE["hidden"]
    generator = torch.Generator().manual_seed(0)
    best = 0.0
    for _ in range(trials):
        model = nn.Sequential(nn.Linear(2, h1), nn.Tanh(), nn.Linear(h1, h2), nn.Tanh(),
                              nn.Linear(h2, 1))  # fmt: skip
        optimizer = torch.optim.SGD(model.parameters(), lr=REFERENCE["lr"])
        loss_fn = nn.BCEWithLogitsLoss()
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            order = torch.randperm(n, generator=generator)
            for i in range(0, n, batch):
                index = order[i : i + batch]
                optimizer.zero_grad()
                loss_fn(model(X[index]), y[index]).backward()
                optimizer.step()
                steps += 1
        best = max(best, steps / (time.perf_counter() - start))
    return best


# -- warm-up: open each page once (imports, caches) and read the lab's real settings --------


async def warm_up(url: str, pages: list[str], lab: bool) -> tuple[dict[str, float], dict]:
    """First open of each page (cold: imports, cached fits) and, for the lab, the settings
    its widgets show after the reference URL; a batch of 10 that the lab does not offer is
    replaced by the nearest one it does."""
    opened: dict[str, float] = {}
    settings: dict = {}
    for page in pages:
        s = Session(url, page)
        start = time.perf_counter()
        await s.open(OPEN_TIMEOUT)
        opened[page] = time.perf_counter() - start
        settings.setdefault("exceptions", []).extend(s.exceptions)  # reported with the errors
        await s.close()
    if lab:
        query = dict(LAB_QUERY)
        s = Session(url, LAB_PAGE, urllib.parse.urlencode(query))
        start = time.perf_counter()
        await s.open(OPEN_TIMEOUT)
        opened[LAB_PAGE] = time.perf_counter() - start
        for key in LAB_QUERY:
            w = s.widget(key=key)
            if w is None:
                settings[key] = "?"
            elif w.kind in ("selectbox", "radio"):
                settings[key] = w.proto.raw_value or w.proto.options[w.proto.default]
            else:
                value = current_value(w)  # sliders send floats: 500.0 reads as 500
                settings[key] = f"{value:g}" if isinstance(value, float) else str(value)
        batch = s.widget(key="lab_bs")
        if batch is not None and settings["lab_bs"] != LAB_QUERY["lab_bs"]:
            numeric = [o for o in batch.proto.options if o.isdigit()]
            query["lab_bs"] = min(numeric, key=lambda o: abs(int(o) - REFERENCE["batch"]))
            settings["lab_bs"] = query["lab_bs"]
        settings["query"] = urllib.parse.urlencode(query)
        settings["first_step"] = await _first_steps(s)
        settings.setdefault("exceptions", []).extend(s.exceptions)
        await s.close()
    return opened, settings


async def _first_steps(session: Session, timeout: float = OPEN_TIMEOUT) -> float | None:
    """Press Play and tick until the lab shows a step: whatever the first Play of the day
    starts (the lab may train in worker processes) is then running before the class is
    measured. Returns the seconds that took (None: no step within ``timeout``)."""
    play = session.widget(key=PLAY[0]) or session.widget(label=PLAY[1])
    if play is None:
        return None
    session.follow_timers = True
    shown = asyncio.get_running_loop().create_future()

    def seen(run) -> None:
        steps = _number(run.metrics.get(STEPS_LABEL))
        if steps and not shown.done():
            shown.set_result(None)

    session.on_finished.append(seen)
    start = time.perf_counter()
    session.click(play)
    try:
        await asyncio.wait_for(shown, timeout)
    except TimeoutError:
        return None
    finally:
        session.stop_timers()
        session.follow_timers = False
    return time.perf_counter() - start


def _number(text: str | None) -> int | None:
    """A metric's value as shown ("1,234") as a number; None when absent or not one."""
    try:
        return int(text.replace(",", "")) if text is not None else None
    except ValueError:
        return None


# -- the learners (in the client processes) -----------------------------------------------------


async def _open(session: Session) -> dict:
    start = time.perf_counter()
    try:
        await session.open(OPEN_TIMEOUT)
    except Exception as error:  # noqa: BLE001 - a failed open is a result, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return {"ok": True, "seconds": time.perf_counter() - start}


def _lesson_widgets(session: Session, keys: tuple[str, ...]) -> list:
    """The page's widgets with these keys; if none is there (keys renamed), any slider or
    number input a learner sees in the lesson. Never one inside a form: changing it alone
    sends nothing until the form is submitted."""
    widgets = [w for k in keys if (w := session.widget(key=k)) is not None]
    if not widgets:
        widgets = [w for w in session.widgets.values()
                   if w.in_main and w.kind in ("slider", "number_input")]  # fmt: skip
    return [w for w in widgets if not getattr(w.proto, "form_id", "")]


async def student(session: Session, keys, rng: random.Random, start: float, end: float):
    loop = asyncio.get_running_loop()
    widgets = _lesson_widgets(session, keys)
    if not widgets:
        return {"latencies": [], "unanswered": 0, "note": "no widget to change"}
    values = {w.id: current_value(w) for w in widgets}
    pendings = []
    due = start + rng.uniform(0, INTERVAL)  # learners are not in lockstep
    while True:
        await asyncio.sleep(max(0.0, due - loop.time()))
        if loop.time() >= end or session.dropped:
            break
        w = rng.choice(widgets)
        values[w.id] = random_value(w, rng, values[w.id])
        pendings.append(session.change(w, values[w.id]))
        due += INTERVAL * rng.uniform(1 - JITTER, 1 + JITTER)
    waiting = [p.done for p in pendings if not p.done.done()]
    if waiting:
        await asyncio.wait(waiting, timeout=max(0.0, end + GRACE - loop.time()))
    for p in pendings:  # a dropped connection failed them: read, so asyncio does not warn
        if p.done.done():
            p.done.exception()
    latencies = [p.latency for p in pendings if p.latency is not None]
    return {"latencies": latencies, "unanswered": len(pendings) - len(latencies)}


async def trainer(session: Session, rng: random.Random, start: float, end: float, ramp: float):
    loop = asyncio.get_running_loop()
    perf_offset = time.perf_counter() - loop.time()  # runs are stamped with perf_counter
    samples = []  # (finished, fragment run?, ok, deltas, steps, epoch)

    def seen(run) -> None:
        samples.append((run.finished - perf_offset, bool(run.fragment_ids), run.ok, run.deltas,
                        _number(run.metrics.get(STEPS_LABEL)),
                        _number(run.metrics.get(EPOCH_LABEL))))  # fmt: skip

    session.on_finished.append(seen)
    await asyncio.sleep(max(0.0, start + rng.uniform(0, 1) - loop.time()))  # not in lockstep
    play = session.widget(key=PLAY[0]) or session.widget(label=PLAY[1])
    if play is None:
        return {"note": "no Play button"}
    pressed = session.click(play)
    await asyncio.sleep(max(0.0, end - loop.time()))
    if pressed.done.done():
        pressed.done.exception()  # read (a drop fails it), so asyncio does not warn
    ticking = bool(session.timers)
    session.stop_timers()  # the tab is closed: no more ticks
    w0 = start + ramp
    window = [s for s in samples if w0 <= s[0] <= end]
    span = end - w0
    # A tick cut short by the next one (FINISHED_EARLY_FOR_RERUN) has still redrawn what it
    # sent before: the browser shows those deltas. So every fragment run counts that
    # delivered the step count; how many were cut is reported beside.
    fragment_runs = [s for s in window if s[1]]
    with_steps = [s for s in fragment_runs if s[4] is not None]
    live = with_steps if any(s[4] is not None for s in samples) else fragment_runs
    counted = [s for s in samples if s[4] is not None and s[0] <= end]
    before = [s for s in counted if s[0] <= w0]
    inside = [s for s in counted if s[0] > w0]
    steps_rate = epochs_rate = None
    if inside:
        a = before[-1] if before else inside[0]
        b = inside[-1]
        if b[0] > a[0]:
            steps_rate = (b[4] - a[4]) / (b[0] - a[0])
            if a[5] is not None and b[5] is not None:
                epochs_rate = (b[5] - a[5]) / (b[0] - a[0])
    return {
        "updates": len(live) / span,
        "all_updates": sum(1 for s in fragment_runs if s[3]) / span,
        "cut": sum(1 for s in live if not s[2]) / len(live) if live else 0.0,
        "steps": steps_rate,
        "epochs": epochs_rate,
        "steps_shown": bool(with_steps),
        "ticking": ticking,
        "play": pressed.latency,  # None: Play not answered before the window's end
        "unanswered": int(pressed.latency is None),
    }


async def _client(conn, plan: dict) -> None:
    loop = asyncio.get_running_loop()

    async def receive():
        return await loop.run_in_executor(None, conn.recv)

    urls = plan["urls"]
    lessons = [Session(urls[i % len(urls)], page) for i, (page, _) in enumerate(plan["lessons"])]
    opened = await asyncio.gather(*(_open(s) for s in lessons))
    conn.send(("lessons", opened))
    await receive()  # "trainers": the parent has measured memory with the lessons idle
    trainers = [Session(urls[i % len(urls)], LAB_PAGE, plan["trainer_query"], follow_timers=True)
                for i in range(plan["trainers"])]  # fmt: skip
    opened_t = await asyncio.gather(*(_open(s) for s in trainers))
    conn.send(("trainers", opened_t))
    _, wall_start, wall_end, ramp = await receive()
    start = loop.time() + (wall_start - time.time())
    end = start + (wall_end - wall_start)
    rng = random.Random(plan["seed"])
    await asyncio.sleep(max(0.0, start - loop.time()))
    usage0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    jobs = [student(s, keys, random.Random(rng.random()), start, end)
            for s, (_, keys), o in zip(lessons, plan["lessons"], opened, strict=True) if o["ok"]]  # fmt: skip
    jobs += [trainer(s, random.Random(rng.random()), start, end, ramp)
             for s, o in zip(trainers, opened_t, strict=True) if o["ok"]]  # fmt: skip
    results = await asyncio.gather(*jobs)
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    busy = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    wall = time.perf_counter() - t0
    everyone = [*lessons, *trainers]
    await asyncio.gather(*(s.close() for s in everyone), return_exceptions=True)
    out_lessons, out_trainers = [], []
    it = iter(results)
    for s, (page, _), o in zip(lessons, plan["lessons"], opened, strict=True):
        r = next(it) if o["ok"] else {"latencies": [], "unanswered": 0}
        out_lessons.append({"page": page, "open": o, **r, "exceptions": s.exceptions,
                            "dropped": s.dropped})  # fmt: skip
    for s, o in zip(trainers, opened_t, strict=True):
        r = next(it) if o["ok"] else {}
        out_trainers.append({"open": o, **r, "exceptions": s.exceptions, "dropped": s.dropped})
    conn.send(("result", {"lessons": out_lessons, "trainers": out_trainers,
                          "cpu": busy, "wall": wall}))  # fmt: skip


def client_process(conn, plan: dict) -> None:
    """Entry point of one client process: its share of the class, in one event loop."""
    asyncio.run(_client(conn, plan))


# -- the run ----------------------------------------------------------------------------------


def _lesson_plan(sessions: int, page: str) -> list[tuple[str, tuple[str, ...]]]:
    if page == "mixed":
        kinds = list(LESSON_PAGES.values())
        return [kinds[i % len(kinds)] for i in range(sessions)]
    if page in LESSON_PAGES:
        return [LESSON_PAGES[page]] * sessions
    return [(page, ())] * sessions  # any other page by URL name: its sliders / number inputs


def run_class(args) -> dict:
    """Start the server, open the class, measure; returns everything printed."""
    cores = len(os.sched_getaffinity(0))
    lessons = _lesson_plan(args.sessions, args.page)
    server = Server(args.replicas)
    report: dict = {"cores": cores, "args": args}
    clients = []
    try:
        urls = server.start()
        report["server"] = server.description
        pages = list(dict.fromkeys(page for page, _ in lessons))
        warm_exceptions = []
        for url in server.direct_urls():
            opened, lab = asyncio.run(warm_up(url, pages, args.trainers > 0))
            report.setdefault("cold", opened)  # the first process's: the others look alike
            warm_exceptions += lab.get("exceptions", [])
        report["lab"] = {**lab, "exceptions": warm_exceptions}
        if args.trainers:
            batch = int(lab["lab_bs"]) if lab["lab_bs"].isdigit() else REFERENCE["batch"]
            report["batch"] = batch
            busy0, t0 = machine_busy_seconds(), time.perf_counter()
            report["bare"] = bare_loop_rate(batch)
            # the loop itself keeps one core busy; anything above that is someone else
            busy = (machine_busy_seconds() - busy0) / (time.perf_counter() - t0)
            report["bare_other"] = max(0.0, busy - 1.0)

        ctx = mp.get_context("spawn")  # a clean interpreter: no torch, no inherited threads
        n_clients = max(1, min(args.clients, args.sessions + args.trainers))
        pipes = []
        for i in range(n_clients):
            plan = {
                "urls": urls,
                "lessons": lessons[i::n_clients],
                "trainers": len(range(i, args.trainers, n_clients)),
                "trainer_query": lab.get("query", ""),
                "seed": args.seed * 1000 + i,
            }
            parent_end, child_end = ctx.Pipe()
            proc = ctx.Process(target=client_process, args=(child_end, plan), daemon=True)
            proc.start()
            clients.append(proc)
            pipes.append(parent_end)
        client_pids = [p.pid for p in clients]

        def everyone(expect: str, timeout: float) -> list:
            answers = []
            for pipe in pipes:
                if not pipe.poll(timeout):
                    raise RuntimeError(f"a client process did not report {expect!r}")
                kind, payload = pipe.recv()
                answers.append(payload)
            return answers

        rss_empty = rss_mb(server.pids())
        opened_l = [o for a in everyone("lessons", OPEN_TIMEOUT + 60) for o in a]
        time.sleep(3.0)  # idle: let the runs' garbage go
        rss_lessons = rss_mb(server.pids())
        for pipe in pipes:
            pipe.send(("trainers",))
        opened_t = [o for a in everyone("trainers", OPEN_TIMEOUT + 60) for o in a]
        rss_idle = rss_mb(server.pids())
        report.update(rss_empty=rss_empty, rss_lessons=rss_lessons, rss_idle=rss_idle,
                      opened_lessons=opened_l, opened_trainers=opened_t)  # fmt: skip

        ramp = min(3.0, args.seconds / 5)  # trainers: Play, first ticks; not counted
        wall_start = time.time() + 1.0
        wall_end = wall_start + args.seconds
        for pipe in pipes:
            pipe.send(("go", wall_start, wall_end, ramp))
        time.sleep(max(0.0, wall_start - time.time()))
        # CPU over the window: the server, the clients, and everything else on the machine
        # (other people's programs make every number here worse; the report says how much).
        pids, mine = server.pids(), process_tree(list(client_pids))
        cpu0, client0, busy0 = cpu_seconds(pids), cpu_seconds(mine), machine_busy_seconds()
        t0, rss_max, load0 = time.perf_counter(), rss_idle, os.getloadavg()[0]
        while time.time() < wall_end:
            time.sleep(min(1.0, max(0.0, wall_end - time.time())))
            pids = server.pids()
            rss_max = max(rss_max, rss_mb(pids))
        elapsed = time.perf_counter() - t0
        server_cpu = (cpu_seconds(pids) - cpu0) / elapsed
        client_cpu = (cpu_seconds(mine) - client0) / elapsed
        machine = (machine_busy_seconds() - busy0) / elapsed
        report["server_cpu"] = server_cpu
        report["window"] = elapsed
        report["other_cpu"] = max(0.0, machine - server_cpu - client_cpu)
        report["load"] = (load0, os.getloadavg()[0])
        report["rss_max"] = rss_max
        results = everyone("result", GRACE + 120)
        # including the backlog a saturated server still works off after the window
        report["server_cpu_seconds"] = cpu_seconds(server.pids()) - cpu0
        report["lessons"] = [x for r in results for x in r["lessons"]]
        report["trainers"] = [x for r in results for x in r["trainers"]]
        report["client_cpu"] = [r["cpu"] / r["wall"] for r in results]
        report["ramp"] = ramp
    finally:
        for proc in clients:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
        server.stop()
        report["log_errors"] = server.log_errors()
        server.cleanup()
    return report


# -- printing and gates ---------------------------------------------------------------------------


def _gate(ok: bool, text: str) -> bool:
    print(f"    {'PASS' if ok else 'FAIL'}  {text}")
    return ok


def print_report(r: dict) -> bool:
    args = r["args"]
    n_l, n_t = args.sessions, args.trainers
    print(f"ClassLab classroom on loopback: {n_l} lesson sessions, {n_t} trainer(s), "
          f"{args.seconds:g} s measured, {r['cores']} cores")  # fmt: skip
    print(f"server: {r['server']}")
    cold = ", ".join(f"{page} {s:.2f} s" for page, s in r["cold"].items())
    print(f"first open of each page (warm-up, one session, not counted): {cold}")

    all_latencies: list[float] = []
    errors = {"exceptions": 0, "drops": 0, "unanswered": 0, "failed opens": 0}
    if n_l:
        print(f"\nLessons: each session changes a widget every {INTERVAL:g} s ± "
              f"{JITTER:.0%}; latency = BackMsg sent → script_finished")  # fmt: skip
        print(f"    {'page':<22} {'sessions':>8} {'changes':>8} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'max ms':>7} {'unanswered':>10} {'open p95 s':>10}")  # fmt: skip
        by_page: dict[str, list[dict]] = {}
        for x in r["lessons"]:
            by_page.setdefault(x["page"], []).append(x)
        rows = [*by_page.items(), ("all", r["lessons"])] if len(by_page) > 1 else by_page.items()
        for page, xs in rows:
            lat = [v * 1000 for x in xs for v in x["latencies"]]
            opens = [x["open"]["seconds"] for x in xs if x["open"]["ok"]]
            unanswered = sum(x["unanswered"] for x in xs)
            if page != "all":
                all_latencies += lat
            if lat:
                print(f"    {page:<22} {len(xs):>8} {len(lat) + unanswered:>8} "
                      f"{statistics.median(lat):>7.0f} {percentile(lat, 0.95):>7.0f} "
                      f"{max(lat):>7.0f} {unanswered:>10} "
                      f"{percentile(opens, 0.95) if opens else float('nan'):>10.2f}")  # fmt: skip
            else:
                print(f"    {page:<22} {len(xs):>8}  no answered changes")
        notes = {x.get("note") for x in r["lessons"] if x.get("note")}
        for note in notes:
            print(f"    note: {note}")

    trainer_rows = [t for t in r["trainers"] if t["open"]["ok"] and "updates" in t]
    steps = [t["steps"] or 0.0 for t in trainer_rows]
    bare = r.get("bare")
    if n_t:
        lab = r["lab"]
        shown = ", ".join(f"{k.removeprefix('lab_')}={v}" for k, v in lab.items()
                          if k.startswith("lab_"))  # fmt: skip
        print(f"\nTraining lab: Play, then the page's fragments tick as the browser's timers "
              f"do; first {r['ramp']:g} s not counted")  # fmt: skip
        print(f"    lab settings shown: {shown}")
        if lab["lab_bs"] != LAB_QUERY["lab_bs"]:
            print(f"    (the lab offers no batch {LAB_QUERY['lab_bs']}: the trainers and the "
                  f"bare loop both use {lab['lab_bs']})")  # fmt: skip
        print("    live updates = fragment runs that delivered the step count; cut = share of them "
              "cut short by the next tick (FINISHED_EARLY_FOR_RERUN), shown all the same")  # fmt: skip
        first = lab.get("first_step")
        print(f"    first Play on the warm-up session → first step shown: "
              f"{f'{first:.1f} s' if first is not None else 'never (within the timeout)'}")  # fmt: skip
        print(f"    {'trainer':<8} {'live updates/s':>14} {'(all fragments)':>15} {'cut':>4} "
              f"{'steps/s':>8} {'epochs/s':>8} {'× bare':>7}  state")  # fmt: skip
        for i, t in enumerate(r["trainers"], 1):
            if not (t["open"]["ok"] and "updates" in t):
                print(f"    {i:<8} {t.get('note') or t['open'].get('error')}")
                continue
            s, e = t["steps"], t["epochs"]
            if t["play"] is None:
                state = "Play not answered within the window"
            else:
                state = "training" if t["ticking"] else "stopped (finished or paused)"
                state += f", Play answered in {t['play']:.1f} s"
            if not t["steps_shown"]:
                state += f"; no '{STEPS_LABEL}' metric seen"
            print(f"    {i:<8} {t['updates']:>14.1f} {t['all_updates']:>15.1f} {t['cut']:>4.0%} "
                  f"{s if s is not None else float('nan'):>8.0f} "
                  f"{e if e is not None else float('nan'):>8.1f} "
                  f"{(s or 0) / bare:>7.2f}  {state}")  # fmt: skip
        total = sum(steps)
        ceiling = r["cores"] * bare
        print(f"    bare PyTorch loop (XOR {REFERENCE['points']} points, 2×4 tanh, batch "
              f"{r['batch']}, lr {REFERENCE['lr']}, SGD, 1 thread): {bare:,.0f} steps/s; "
              f"× {r['cores']} cores = {ceiling:,.0f} (other programs meanwhile: "
              f"{r['bare_other']:.0%} of a core)")  # fmt: skip
        print(f"    total: {total:,.0f} steps/s = {total / ceiling:.0%} of cores × bare loop; "
              f"Jain's fairness of steps/s: {jain(steps) if steps else 0:.3f}")  # fmt: skip

    print("\nServer")
    per_idle = None
    if n_l:
        per_idle = (r["rss_lessons"] - r["rss_empty"]) / n_l
        print(f"    RSS: {r['rss_empty']:.0f} MB after warm-up, {r['rss_lessons']:.0f} MB with "
              f"{n_l} idle lesson sessions → {per_idle:.1f} MB per idle lesson session")  # fmt: skip
    if n_t:
        print(f"    RSS with {n_t} trainer session(s) opened too: {r['rss_idle']:.0f} MB "
              f"(+{(r['rss_idle'] - r['rss_lessons']) / n_t:.1f} MB each)")  # fmt: skip
    print(f"    RSS max under load: {r['rss_max']:.0f} MB "
          f"(+{r['rss_max'] - r['rss_empty']:.0f} MB over the warmed-up server)")  # fmt: skip
    clients = " + ".join(f"{c:.0%}" for c in r["client_cpu"])
    print(f"    CPU over the window: server {r['server_cpu']:.0%} of one core, client "
          f"{clients} ({len(r['client_cpu'])} process(es)); the machine has "
          f"{r['cores'] * 100}%")  # fmt: skip
    changes = sum(len(x["latencies"]) + x["unanswered"] for x in r["lessons"])
    if changes and not n_t:
        # CPU time is what a change costs whoever else runs on the machine: the number to
        # compare between two runs on a busy machine (interrupted reruns included).
        per_change = r["server_cpu_seconds"] / changes * 1000
        print(f"    server CPU per lesson change: {per_change:.0f} ms → one core keeps up with "
              f"≈ {1000 * INTERVAL / per_change:.0f} learners changing a widget every "
              f"{INTERVAL:g} s at 100 % (latency grows well before that)")  # fmt: skip
    print(f"    other programs on this machine: {r['other_cpu']:.0%} of one core over the "
          f"window (load average {r['load'][0]:.1f} → {r['load'][1]:.1f})")  # fmt: skip
    if r["other_cpu"] > 0.2:
        print("    WARNING: other programs used the cores meanwhile: these numbers are worse "
              "than an idle machine's")  # fmt: skip
    if max(r["client_cpu"]) > 0.8:
        print(
            "    WARNING: a client process is near one full core: it may be the bottleneck; "
            "rerun with --clients 2"
        )
    for x in [*r["lessons"], *r["trainers"]]:
        errors["exceptions"] += len(x["exceptions"])
        errors["drops"] += x["dropped"] is not None
        errors["unanswered"] += x.get("unanswered", 0)
        errors["failed opens"] += not x["open"]["ok"]
    errors["exceptions on first open"] = len(r["lab"].get("exceptions", []))
    print("Errors: " + ", ".join(f"{k} {v}" for k, v in errors.items())
          + f"; server log error lines {len(r['log_errors'])}")  # fmt: skip
    shown = list(r["lab"].get("exceptions", []))
    shown += [e for x in [*r["lessons"], *r["trainers"]] for e in x["exceptions"]]
    shown += [x["dropped"] for x in [*r["lessons"], *r["trainers"]] if x["dropped"]]
    shown += [x["open"]["error"] for x in [*r["lessons"], *r["trainers"]] if not x["open"]["ok"]]
    for e in list(dict.fromkeys(shown))[:5]:
        print(f"    {e[:200]}")
    for line in r["log_errors"][:3]:
        print(f"    server log: {line[:200]}")

    ok = True
    scenario = args.scenario
    if scenario or per_idle is not None:
        print(f"\nGates{f' ({scenario})' if scenario else ''}")
    p95 = percentile(all_latencies, 0.95) if all_latencies else float("inf")
    updates = [t["updates"] for t in trainer_rows]
    n_errors = sum(errors.values())
    if scenario == "lessons60":
        ok &= _gate(p95 <= 500, f"lesson p95 {p95:.0f} ms ≤ 500 ms")
    elif scenario == "lab10":
        ok &= _gate(len(updates) == n_t and min(updates, default=0) >= 3,
                    f"every trainer ≥ 3 live updates/s (lowest {min(updates, default=0):.1f})")  # fmt: skip
        ok &= _gate(jain(steps) >= 0.9 if steps else False,
                    f"Jain's fairness of steps/s {jain(steps) if steps else 0:.3f} ≥ 0.9")  # fmt: skip
        share = sum(steps) / (r["cores"] * bare)
        ok &= _gate(share >= 0.6, f"total steps/s {share:.0%} of cores × bare loop ≥ 60 %")
    elif scenario == "room":
        ok &= _gate(p95 <= 1000, f"lesson p95 {p95:.0f} ms ≤ 1000 ms")
        ok &= _gate(len(updates) == n_t and min(updates, default=0) >= 2,
                    f"every trainer ≥ 2 live updates/s (lowest {min(updates, default=0):.1f})")  # fmt: skip
        ok &= _gate(n_errors == 0, f"no errors ({n_errors})")
    elif scenario == "alone":
        t = trainer_rows[0] if trainer_rows else {"epochs": None, "updates": 0, "steps": None}
        epochs = t["epochs"] or 0.0
        ok &= _gate(epochs >= 45, f"{epochs:.1f} epochs/s ≥ 45 on XOR")
        ok &= _gate(t["updates"] >= 8, f"{t['updates']:.1f} live updates/s ≥ 8")
        share = (t["steps"] or 0.0) / bare
        ok &= _gate(share >= 0.85, f"{share:.0%} of the bare loop's steps/s ≥ 85 % "
                                   "(≈ share of wall time spent training)")  # fmt: skip
    if per_idle is not None:
        ok &= _gate(per_idle <= IDLE_SESSION_MB,
                    f"{per_idle:.1f} MB RSS per idle lesson session ≤ {IDLE_SESSION_MB:g} MB")  # fmt: skip
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench class",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS),
                        help="a classroom target: sets sessions and trainers, prints its gates")  # fmt: skip
    parser.add_argument("--sessions", type=int, help="lesson sessions (default 30)")
    parser.add_argument("--trainers", type=int, help="Training lab sessions (default 0)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window (30)")
    parser.add_argument("--page", default="mixed",
                        help="lesson page: mixed (default), " + ", ".join(LESSON_PAGES)
                        + ", or any page's URL name (its sliders and number inputs)")  # fmt: skip
    parser.add_argument("--replicas", type=int, default=1,
                        help="server processes; > 1 starts deploy.launcher (HAProxy)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=1, help="client processes (1)")
    parser.add_argument("--seed", type=int, default=0, help="learners' random choices")
    args = parser.parse_args(argv)
    preset = SCENARIOS.get(args.scenario, {"sessions": 30, "trainers": 0})
    if args.sessions is None:
        args.sessions = preset["sessions"]
    if args.trainers is None:
        args.trainers = preset["trainers"]
    if args.sessions + args.trainers == 0:
        parser.error("nothing to run: --sessions and --trainers are both 0")
    if args.trainers and args.seconds < 5:
        parser.error("trainers need --seconds ≥ 5 (the first seconds are not counted)")
    report = run_class(args)
    ok = print_report(report)
    return 0 if ok else 1
