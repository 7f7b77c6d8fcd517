"""The lab's worker pool (lib/lessons/trainer_pool.py): training in worker processes gives
bitwise the same curves, weights and optimizer state as training in this process, also with
several jobs per worker and a learning-rate change mid-run; jobs of ended sessions are
cancelled and workers are stopped when idle or lost."""

from __future__ import annotations

import os
import signal

import pytest
import torch

from lib.lessons.lab import LabSettings, build_lab
from lib.lessons.trainer_pool import RemoteRun, TrainerPool, WorkerGone, shipping_copy

XOR = LabSettings(
    data="XOR", points=200, test_size=0.5, hidden=(4, 4), activation="Tanh",
    learning_rate=0.03, batch_size=10, seed=5,
)  # fmt: skip


@pytest.fixture(scope="module")
def pool():
    p = TrainerPool(workers=2)
    yield p
    p.close()


def rows(trainer) -> list[dict]:
    return [r.as_dict() for r in trainer.history]


def same_state(a, b) -> bool:
    sa, sb = a.model.state_dict(), b.model.state_dict()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


def run_remote(pool, trainer, max_epochs: int, owner: str = "me"):
    """Play until the job is done, polling like the page; returns (merged trainer, run)."""
    job = pool.start(trainer, max_epochs, owner)
    run = RemoteRun.began(job, trainer)
    while True:
        progress = pool.poll(job, len(run.rows), weights=True)
        run.mirror(trainer, progress)
        if progress.done:
            break
    merged = run.merged(pool.pause(job))
    pool.cancel(job)
    return merged, run


def test_worker_training_is_bitwise_the_in_process_training(pool):
    local, shipped = build_lab(XOR), build_lab(XOR)
    for lab in (local, shipped):  # Play after a paused, mid-epoch start
        lab.trainer.run_epoch()
        lab.trainer.run_steps(3)
    local.trainer.train_for(60, max_epochs=9 - local.trainer.epoch)
    assert local.trainer.epoch == 9
    merged, _ = run_remote(pool, shipped.trainer, max_epochs=9)
    assert merged.epoch == 9 and merged.steps == local.trainer.steps
    assert rows(merged) == rows(local.trainer)
    assert same_state(merged, local.trainer)
    assert merged.snapshots.keys() == local.trainer.snapshots.keys()
    for e, weights in local.trainer.snapshots.items():
        assert all(torch.equal(weights[k], merged.snapshots[e][k]) for k in weights)
    for t in (merged, local.trainer):  # optimizer, shuffling generator and position came back
        t.run_steps(37)
    assert rows(merged) == rows(local.trainer) and same_state(merged, local.trainer)


def test_concurrent_jobs_with_the_same_seed_have_identical_curves(pool):
    alone = build_lab(XOR).trainer
    alone.train_for(60, max_epochs=6)
    labs = [build_lab(XOR) for _ in range(4)]  # two per worker, time-sliced
    jobs = [(pool.start(lab.trainer, 6, "me"), lab) for lab in labs]
    for job, lab in jobs:
        run = RemoteRun.began(job, lab.trainer)
        while not (progress := pool.poll(job, len(run.rows))).done:
            run.mirror(lab.trainer, progress)
        lab.trainer = run.merged(pool.pause(job))
        pool.cancel(job)
        assert rows(lab.trainer) == rows(alone)
        assert same_state(lab.trainer, alone)


def test_a_learning_rate_change_lands_on_the_step_it_reports(pool):
    remote = build_lab(XOR).trainer
    job = pool.start(remote, 8, "me")
    run = RemoteRun.began(job, remote)
    while pool.poll(job, 0).steps < 30:
        pass
    step = pool.set_learning_rate(job, 0.3)
    while not (progress := pool.poll(job, len(run.rows))).done:
        run.mirror(remote, progress)
    remote = run.merged(pool.pause(job))
    pool.cancel(job)
    local = build_lab(XOR).trainer
    local.run_steps(step)
    local.set_learning_rate(0.3)
    local.train_for(60, max_epochs=8 - local.epoch)
    assert step >= 30 and rows(remote) == rows(local) and same_state(remote, local)


def test_the_shipped_copy_carries_only_what_the_worker_needs():
    lab = build_lab(XOR)
    for _ in range(3):
        lab.trainer.run_epoch()
    shipped = shipping_copy(lab.trainer)
    assert rows(shipped) == rows(lab.trainer)[:1]
    assert shipped.snapshots.keys() == lab.trainer.snapshots.keys()
    assert [e for e, w in shipped.snapshots.items() if w is not None] == [3]
    assert len(lab.trainer.history) == 4 and lab.trainer.snapshots[0] is not None  # untouched


def test_jobs_of_ended_sessions_are_cancelled(pool):
    mine, theirs = build_lab(XOR).trainer, build_lab(XOR).trainer
    kept = pool.start(mine, 5000, "alive")
    gone = pool.start(theirs, 5000, "closed-tab")
    assert pool.poll(gone, 0).epoch >= 0
    assert pool.cancel_ended({"alive"}) == 0  # still polled: alive, whatever the listing says
    assert pool.cancel_ended({"alive"}, quiet_s=0) == 1
    with pytest.raises(WorkerGone):
        pool.poll(gone, 0)
    assert pool.poll(kept, 0).epoch >= 0
    pool.cancel(kept)
    assert pool.jobs() == 0


def test_sessions_that_end_are_swept_by_the_housekeeping():
    live = {"a", "b"}
    p = TrainerPool(workers=1, owners_alive=lambda: set(live), idle_exit_s=0.0)
    try:
        a = p.start(build_lab(XOR).trainer, 5000, "a")
        b = p.start(build_lab(XOR).trainer, 5000, "b")
        p.poll(a, 0)
        (pid,) = p.worker_pids()
        live.discard("b")  # b's tab closed and its session expired
        p.housekeeping(quiet_s=0)
        assert p.jobs() == 1 and p.poll(a, 0).epoch >= 0
        with pytest.raises(WorkerGone):
            p.poll(b, 0)
        live.discard("a")
        p.housekeeping(quiet_s=0)  # no jobs left: the idle worker is stopped and its memory freed
        assert p.jobs() == 0 and p.worker_pids() == []
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        p.close()


def test_a_lost_worker_is_reported_and_the_trainer_restored():
    p = TrainerPool(workers=1)
    try:
        trainer = build_lab(XOR).trainer
        trainer.run_epoch()
        before = (rows(trainer), trainer.epoch, trainer.steps)
        job = p.start(trainer, 5000, "me")
        run = RemoteRun.began(job, trainer)
        run.mirror(trainer, p.poll(job, 0, weights=True))
        (pid,) = p.worker_pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerGone):
            while True:
                run.mirror(trainer, p.poll(job, len(run.rows)))
        run.restore(trainer)
        assert (rows(trainer), trainer.epoch, trainer.steps) == before
        assert same_state(trainer, build_lab(XOR).trainer) is False  # the trained weights
        again = p.start(trainer, trainer.epoch + 1, "me")  # a new worker takes over
        assert p.poll(again, 0).epoch >= trainer.epoch
    finally:
        p.close()


def test_a_tick_never_waits_it_shows_the_previous_answer_and_asks_again(pool):
    local, shipped = build_lab(XOR), build_lab(XOR)
    local.trainer.train_for(60, max_epochs=5)
    job = pool.start(shipped.trainer, 5, "me")
    run = RemoteRun.began(job, shipped.trainer)
    assert run.pump(pool, shipped.trainer, weights_every=0.5) is False
    assert run.pending is not None and run.rows == []  # asked; shown at the next tick
    run.pending.result(60)
    while not run.pump(pool, shipped.trainer, weights_every=0.0):  # weights with every poll
        if run.pending is not None:
            run.pending.result(60)
    assert rows(shipped.trainer) == rows(local.trainer)  # the mirror shows every epoch
    assert same_state(shipped.trainer, local.trainer)  # and the weights
    merged = run.merged(pool.pause(job))
    pool.cancel(job)
    assert rows(merged) == rows(local.trainer) and same_state(merged, local.trainer)


def test_pool_size_follows_the_deployments_share_of_the_cores(monkeypatch):
    import os

    from lib.lessons.trainer_pool import WORKERS_ENV, default_size

    monkeypatch.setenv(WORKERS_ENV, "1")
    assert default_size() == 1
    monkeypatch.setenv(WORKERS_ENV, "nonsense")
    assert default_size() == len(os.sched_getaffinity(0))
    monkeypatch.delenv(WORKERS_ENV)
    assert default_size() == len(os.sched_getaffinity(0))
