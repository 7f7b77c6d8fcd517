"""``python -m bench csv``: "Your own data" at scale, every ratio measured in the same run.

A generated table of ``--rows`` (default 1,000,000) rows × 20 columns (15 numbers with a few
missing values, 4 categories, a 3-class target) is written to a temporary CSV, then:

(a) wall time (CPU time printed beside it, for a machine shared with other programs): what
    ``python -m lib.cli FILE`` does before training — :func:`lib.tabular.reading.read_csv_file`
    (the file memory-mapped, its settings detected, then parsed in place by Arrow's
    multi-threaded reader with the C parser's column types, :mod:`lib.tabular.arrow_parse`) + :func:`lib.tabular.profile.profile_frame`
    + :func:`lib.tabular.profile.check_target` + :func:`lib.tabular.preprocess.prepare` — against a plain
    ``pandas.read_csv`` of the same file. Rounds alternate, each starting with nothing of the
    previous one alive; the best of each side is compared (other programs on a shared
    machine only ever slow a round down). Both sides run with numpy on ordinary pages, as
    the CLI and the app do (:func:`lib.runtime.use_small_pages`). Gate ≤ 2.5×.
    Printed beside it, not gated: the page's path, from an upload's bytes already in memory
    (:func:`lib.tabular.reading.read_csv_bytes`, the same Arrow parse, then the same profile
    and preprocessing).
(b) memory: each side runs in a fresh subprocess; the peak resident memory (VmHWM, reset
    after the imports through /proc/self/clear_refs) above the footprint after imports. Gate: ClassLab's
    extra peak ≤ 4× the file size.
(c) one training epoch of :class:`lib.core.training.Trainer` (what the page and CLI use, per-epoch
    evaluation included) against a bare PyTorch loop (randperm, zero_grad, forward, loss,
    backward, step) on the same tensors (row-major, as the Trainer keeps them), model,
    optimizer and batch size, one intra-op thread each, CPU time. Gate ≥ 0.8×.

Timings depend on the machine and on what else runs on it; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """15 numeric columns (≈1% missing), 4 categorical, 1 target with 3 classes; written in chunks."""
    rng = np.random.default_rng(seed)
    chunk = 200_000
    with open(path, "w", encoding="utf-8", newline="") as f:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            X = rng.normal(0, 1, (n, 15))
            cats = {
                "colour": rng.choice(["red", "green", "blue", "yellow"], n),
                "size": rng.choice(["S", "M", "L", "XL", "XXL"], n),
                "city": rng.choice([f"city_{i}" for i in range(30)], n),
                "flag": rng.choice(["yes", "no"], n),
            }
            score = (
                X[:, 0]
                + 0.5 * X[:, 1]
                - 0.7 * X[:, 2]
                + (cats["colour"] == "red")
                + rng.normal(0, 0.7, n)
            )
            target = np.where(score < -0.5, "low", np.where(score < 0.8, "mid", "high"))
            X[rng.random(X.shape) < 0.01] = np.nan
            df = pd.DataFrame(X.round(4), columns=[f"x{i}" for i in range(15)])
            for name, values in cats.items():
                df[name] = values
            df["target"] = target
            df.to_csv(f, index=False, header=start == 0, float_format="%.4f")


def classlab_side(path: Path):
    """What ``python -m lib.cli FILE`` does before training: read the file, profile, prepare."""
    from lib.tabular.reading import read_csv_file

    csv = read_csv_file(path, max_bytes=2 * path.stat().st_size + 1)
    return _profile_and_prepare(csv.frame)


def upload_side(data: bytes):
    """What the page does with an upload, whose bytes are already in memory."""
    from lib.tabular.reading import read_csv_bytes

    csv = read_csv_bytes(data, max_bytes=2 * len(data) + 1)
    return _profile_and_prepare(csv.frame)


def _profile_and_prepare(frame):
    from lib.tabular.preprocess import prepare
    from lib.tabular.profile import check_target, profile_frame

    profile = profile_frame(frame)
    target = check_target(frame, "target", column_codes=profile.factorized)
    return prepare(frame, target, profile.default_features("target"), seed=0,
                   column_codes=profile.factorized)  # fmt: skip


def pandas_side(path: Path):
    return pd.read_csv(path)


_MEASURE = """
import json, sys
sys.path.insert(0, {root!r})
from pathlib import Path
import numpy, pandas, sklearn.model_selection
from bench.csv import classlab_side, pandas_side, peak_rss, reset_peak, rss_now
import lib.runtime, lib.tabular.reading, lib.tabular.preprocess, lib.tabular.profile
lib.runtime.use_small_pages()  # as python -m lib.cli and the app do
reset_peak()
base = rss_now()
out = {side}_side(Path({path!r}))
print(json.dumps({{"extra": peak_rss() - base}}))
"""


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def rss_now() -> int:
    return _status_kb("VmRSS")


def peak_rss() -> int:
    return _status_kb("VmHWM")


def reset_peak() -> None:
    """Reset the peak resident size (Linux ≥ 4.0), so imports do not count as the peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_memory(side: str, path: Path) -> int:
    """Peak resident memory above the footprint after imports, in a fresh subprocess."""
    code = _MEASURE.format(root=str(ROOT), side=side, path=str(path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])["extra"]


def _epoch_times(prepared, rounds: int) -> tuple[list[float], list[float]]:
    import torch

    from lib.core.losses import loss_for, targets_for
    from lib.core.models import make_model
    from lib.core.training import TrainConfig, Trainer, single_thread
    from lib.tabular.pipeline import MINI_BATCH

    # Row-major, as the Trainer keeps them (it copies column-major arrays once): both sides
    # gather their mini-batches from the same layout.
    X_train = torch.from_numpy(prepared.X_train).contiguous()
    y_train = torch.from_numpy(prepared.y_train)
    X_test = torch.from_numpy(prepared.X_test).contiguous()
    y_test = torch.from_numpy(prepared.y_test)
    k = int(y_train.max()) + 1
    config = TrainConfig(optimizer="Adam", learning_rate=0.05, batch_size=MINI_BATCH,
                         weight_decay=1.0 / len(y_train), seed=0)  # fmt: skip
    lab, bare = [], []
    for _ in range(rounds):
        trainer = Trainer(make_model(X_train.shape[1], k, seed=0), X_train, y_train, X_test, y_test,
                          k, config)  # fmt: skip
        start = time.process_time()
        trainer.run_epoch()
        lab.append(time.process_time() - start)

        model = make_model(X_train.shape[1], k, seed=0)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=1.0 / len(y_train))
        loss_fn, targets = loss_for(k), targets_for(y_train, k)
        generator = torch.Generator().manual_seed(0)
        with single_thread():
            start = time.process_time()
            model.train()
            order = torch.randperm(len(X_train), generator=generator)
            for i in range(0, len(X_train), MINI_BATCH):
                index = order[i : i + MINI_BATCH]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(X_train[index]), targets[index])
                loss.backward()
                optimizer.step()
            bare.append(time.process_time() - start)
    return lab, bare


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench csv", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--file", type=Path, default=None, help="reuse/keep the generated CSV here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "bench.csv"
        if not path.exists():
            t0 = time.perf_counter()
            generate(path, args.rows)
            print(f"generated {path} in {time.perf_counter() - t0:.1f} s")
        size = path.stat().st_size
        print(f"file: {path.name}, 20 columns, {size / 1e6:.1f} MB")

        import sklearn.model_selection  # noqa: F401  (imported once, as in a running app)

        import lib.tabular.preprocess  # noqa: F401
        from lib.runtime import use_small_pages

        use_small_pages()  # as python -m lib.cli and the app's server do (both sides run with it)

        upload = path.read_bytes()  # an upload's bytes, already in the server's memory
        ours, plain, ours_wall, plain_wall, upload_wall = [], [], [], [], []
        sides = {
            "pandas": lambda: pandas_side(path),
            "classlab": lambda: classlab_side(path),
            "upload": lambda: upload_side(upload),
        }
        for _ in range(args.rounds):
            for side, cpu, wall in (
                ("pandas", plain, plain_wall),
                ("classlab", ours, ours_wall),
                ("upload", [], upload_wall),
            ):
                start, start_cpu = time.perf_counter(), time.process_time()
                out = sides[side]()
                cpu.append(time.process_time() - start_cpu)
                wall.append(time.perf_counter() - start)
                del out  # every round starts with nothing of the previous one alive
        w_ours, w_plain = min(ours_wall), min(plain_wall)
        c_ours, c_plain = min(ours), min(plain)
        ratio_time = w_ours / w_plain
        ok_time = ratio_time <= 2.5
        print(f"(a) read + profile + preprocess {w_ours:.2f} s vs pandas.read_csv {w_plain:.2f} s: "
              f"ratio {ratio_time:.2f}  [{'PASS' if ok_time else 'FAIL'}, gate ≤ 2.5]  "
              f"(CPU time {c_ours:.2f} s vs {c_plain:.2f} s: {c_ours / c_plain:.2f})")  # fmt: skip
        print(f"    the page's path (not gated): the same from an upload's bytes already in memory "
              f"{min(upload_wall):.2f} s; ratio {min(upload_wall) / w_plain:.2f}")  # fmt: skip

        extra_ours = _peak_memory("classlab", path)
        extra_plain = _peak_memory("pandas", path)
        ratio_mem = extra_ours / size
        ok_mem = ratio_mem <= 4
        print(f"(b) peak memory above imports: ClassLab {extra_ours / 1e6:.0f} MB "
              f"({ratio_mem:.2f}× the file), pandas.read_csv {extra_plain / 1e6:.0f} MB "
              f"({extra_plain / size:.2f}×)  [{'PASS' if ok_mem else 'FAIL'}, gate ≤ 4×]")  # fmt: skip

        prepared = classlab_side(path)
        lab, bare = _epoch_times(prepared, args.rounds)
        ratio_epoch = min(bare) / min(lab)
        ok_epoch = ratio_epoch >= 0.8
        print(f"(c) one epoch ({len(prepared.y_train):,} rows, {prepared.X_train.shape[1]} inputs): "
              f"Trainer {min(lab):.2f} s vs bare loop {min(bare):.2f} s: "
              f"speed ratio {ratio_epoch:.2f}  [{'PASS' if ok_epoch else 'FAIL'}, gate ≥ 0.8]")  # fmt: skip
    return 0 if ok_time and ok_mem and ok_epoch else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
