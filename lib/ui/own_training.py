"""Streamlit glue for step 5 of "Your own data": train live with the training lab's engine
(full-batch L-BFGS for the model without hidden layers, Adam with early stopping for a network
with hidden layers; see :mod:`lib.tabular.fitting`).

The same pattern as the lab (see :mod:`lib.ui.lab`): the buttons only flip session state; while
running, a fragment ticks every ``TICK`` seconds and advances the run for a bounded time, so
other learners keep their share of the server and every widget stays responsive. Pressing
**Train** also trains up to ``FIRST_CHUNK`` seconds right away: most classroom tables are done
by then and the evaluation appears at once. When the run ends (planned epochs, the time budget,
divergence, or **Finish now**) the page evaluates it once, in the script (a status box shows
the step on a large table, where the baseline's fit takes seconds), and keeps the result in
session state.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lib.core.training import single_thread
from lib.lessons.lab import chart_frame
from lib.plots.your_data import curves_with_best
from lib.tabular.pipeline import (
    PipelineConfig,
    PipelineResult,
    TrainingRun,
    evaluate,
    start_training,
    training_code,
)
from lib.tabular.preprocess import Prepared
from lib.tabular.profile import Profile, TargetInfo
from lib.tabular.threads import PARALLEL_ROWS
from lib.tabular.uncertainty import percent_interval, wilson
from lib.tabular.words import plural
from lib.ui import lab as lab_ui
from lib.ui.widgets import code_panel

RUN, RUNNING, RESULT, NOTICE = "yd_run", "yd_running", "upload_result", "yd_notice"
FIRST_CHUNK = 0.5  # seconds of training inside the Train click


@dataclass(frozen=True)
class Job:
    """Everything a training needs, keyed by the file's digest and the learner's settings."""

    digest: str
    config: PipelineConfig
    target: TargetInfo
    features: list[str]
    prepared: Prepared
    profile: Profile

    @property
    def key(self) -> tuple[str, PipelineConfig]:
        return (self.digest, self.config)


def _run_for(job: Job) -> TrainingRun | None:
    stored = st.session_state.get(RUN)
    return stored[1] if stored is not None and stored[0] == job.key else None


def _evaluate(job: Job, run: TrainingRun) -> None:
    """The finished run's evaluation: the network on the test rows, then the scikit-learn
    baseline fitted on the same training rows."""

    def compute():
        with single_thread():
            return evaluate(run, job.target, job.features, job.prepared, job.profile)

    if len(job.prepared.rows_train) < PARALLEL_ROWS:
        result = compute()
    else:
        rows = plural(len(job.prepared.rows_train), "training row")
        with st.status("Evaluating …", expanded=True) as status:
            st.write(f"The trained network on the test rows, then scikit-learn's "
                     f"LogisticRegression fitted on the same {rows} as the baseline.")  # fmt: skip
            result = compute()
            status.update(label="Evaluated", state="complete", expanded=False)
    st.session_state[RESULT] = (job.key, result)


def _train(job: Job) -> None:
    run = _run_for(job)
    if run is None or run.finished:  # first press, or again after a finished run
        run = start_training(job.prepared, job.target.n_classes, job.config)
        st.session_state[RUN] = (job.key, run)
        st.session_state.pop(RESULT, None)
    with single_thread():
        run.advance(FIRST_CHUNK)
    st.session_state[RUNNING] = not run.finished  # a finished run is evaluated by the script


def _pause() -> None:
    st.session_state[RUNNING] = False


def _finish_now(job: Job) -> None:
    run = _run_for(job)
    if run is not None:
        run.stopped_early = True
    st.session_state[RUNNING] = False


def _reset() -> None:
    for key in (RUN, RESULT, NOTICE):
        st.session_state.pop(key, None)
    st.session_state[RUNNING] = False


def training_step(job: Job) -> PipelineResult | None:
    """Buttons and the live view; returns the finished run's evaluation, or None."""
    ss = st.session_state
    stored = ss.get(RUN)
    if stored is not None and stored[0] != job.key:  # the file or a setting changed
        if stored[1].trainer.steps > 0:
            ss[NOTICE] = (
                "The data or the settings changed since the last training, so that model was "
                "discarded: press Train to fit a new one."
            )
        ss.pop(RUN, None)
        ss.pop(RESULT, None)
        ss[RUNNING] = False
    run = _run_for(job)
    if run is None:  # e.g. the file was removed while training ran: nothing can be running
        ss[RUNNING] = False
    running = ss.get(RUNNING, False)
    cols = st.columns(4)
    paused = run is not None and not running and not run.finished and run.trainer.steps > 0
    label = "Resume" if paused else "Train"
    cols[0].button(label, key="yd_train", on_click=_train, args=(job,), disabled=running,
                   type="primary", icon=":material/play_arrow:", width="stretch")  # fmt: skip
    cols[1].button("Pause", key="yd_pause", on_click=_pause, disabled=not running,
                   icon=":material/pause:", width="stretch")  # fmt: skip
    cols[2].button("Finish now", key="yd_finish", on_click=_finish_now, args=(job,),
                   disabled=run is None or run.finished, icon=":material/flag:",
                   help="Stop here and evaluate the current weights.", width="stretch")  # fmt: skip
    cols[3].button("Reset", key="yd_reset", on_click=_reset, disabled=run is None,
                   icon=":material/restart_alt:", width="stretch")  # fmt: skip
    notice = ss.pop(NOTICE, None)
    if notice:
        st.info(notice, icon=":material/restart_alt:")
    if run is None:
        st.info("Press Train to fit the model on the training rows.")
        return None
    code_panel(training_code(run), "The PyTorch code for this training")
    st.fragment(run_every=lab_ui.TICK if running else None)(_live)(job)
    result = ss.get(RESULT)
    if run.finished and (result is None or result[0] != job.key):
        _evaluate(job, run)
        result = ss.get(RESULT)
    return result[1] if result is not None and result[0] == job.key else None


def _live(job: Job) -> None:
    ss = st.session_state
    run = _run_for(job)
    if run is None:  # reset or replaced between the tick's request and now
        return
    if ss.get(RUNNING) and not run.finished:
        seconds = lab_ui.training_seconds()
        if seconds:
            with single_thread():
                run.advance(seconds)
        if run.finished:
            ss[RUNNING] = False
            st.rerun()  # the whole page: stop the timer, evaluate and show the result
    trainer = run.trainer
    last = trainer.history[-1]
    validated = run.validation is not None
    evaluated = "Validation" if validated else "Test"
    n_eval = len(trainer.y_test)
    cols = st.columns(4)
    cols[0].metric("Epoch", f"{trainer.epoch:,} / {run.epochs:,}")
    cols[1].metric("Train loss", f"{last.train_loss:.4f}")
    cols[2].metric(f"{evaluated} accuracy", lab_ui.percent(last.test_accuracy))
    cols[3].metric("Training time", f"{run.seconds:.1f} s")
    right = round(last.test_accuracy * n_eval)
    cols[2].caption(f"95 % interval {percent_interval(wilson(right, n_eval))} "
                    f"({plural(n_eval, evaluated.lower() + ' row')})")  # fmt: skip
    st.progress(min(1.0, trainer.epoch / max(1, run.epochs)))
    if trainer.diverged:
        st.error(trainer.diverged, icon=":material/warning:")
    elif run.finished and trainer.epoch < run.epochs and not run.stopped_early:
        st.caption(_ended(run))
    st.caption(_method(run, job))
    frame = chart_frame(trainer).rename(
        columns={
            "test loss": f"{evaluated.lower()} loss",
            "test accuracy": f"{evaluated.lower()} accuracy",
        }
    )
    best = trainer.best_epoch if validated and trainer.best_state is not None else None
    left, right_col = st.columns(2)
    with left:
        columns = ["train loss", f"{evaluated.lower()} loss"]
        st.vega_lite_chart(
            frame[["epoch", *columns]], curves_with_best(columns, "loss", best), height=220
        )
    with right_col:
        lab_ui.curves(frame, ["train accuracy", f"{evaluated.lower()} accuracy"], "accuracy")


def _ended(run: TrainingRun) -> str:
    trainer = run.trainer
    if trainer.done == "converged":
        return (
            f"Converged after {plural(trainer.epoch, 'epoch')}: an L-BFGS step no longer "
            "lowered the objective, so this is its minimum (the baseline's model)."
        )
    if trainer.done == "stopped early":
        return (
            f"Stopped early at epoch {trainer.epoch:,}: the validation loss had not fallen "
            f"for {plural(run.plan.patience, 'epoch')}. The weights of epoch "
            f"{trainer.best_epoch:,}, where it was lowest, are restored (dashed line)."
        )
    return (
        f"Stopped at the {run.config.max_seconds:g} s training budget after "
        f"{trainer.epoch:,} of {run.epochs:,} epochs."
    )


def _method(run: TrainingRun, job: Job) -> str:
    """How this run trains, in one caption."""
    trainer = run.trainer
    loss = "BCEWithLogitsLoss (1 logit)" if job.target.n_classes == 2 else "CrossEntropyLoss"
    penalty = "plus scikit-learn's C=1 penalty on the weights (‖W‖² / 2n)"
    if run.plan.method == "lbfgs":
        return (
            f"Full-batch L-BFGS: each epoch is one quasi-Newton step over all training "
            f"rows, on {loss} {penalty}: the baseline's objective, so it should reach the "
            "baseline's accuracy. It stops when a step no longer lowers the objective."
        )
    full = trainer.batch_size == len(trainer.y_train)
    batching = "full batches" if full else f"mini-batches of {trainer.batch_size}"
    text = (
        f"Adam on {batching}; {loss} {penalty}; the learning rate drops at 60 % and 85 % "
        "of the epochs."
    )
    if run.validation is not None:
        text += (
            f" Early stopping: {plural(len(trainer.y_test), 'training row')} are held out "
            f"as a validation split (the model trains on the other "
            f"{len(trainer.y_train):,}); training stops {plural(run.plan.patience, 'epoch')} "
            "after the validation loss last fell, and the best epoch's weights are "
            "restored."
        )
    return text
