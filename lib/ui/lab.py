"""Streamlit glue for the training lab: settings widgets, the buttons and the live view.

Where the training runs (see STACK_NOTES "Live training" and :mod:`lib.ui.trainer_host`):

- In a real server, **Play** ships the learner's trainer to a worker process
  (:mod:`lib.lessons.trainer_pool`). The live fragment reruns every :func:`tick_interval`
  seconds and only asks the worker for what is new (history rows; the weights when the map
  is due), then draws: no click waits for training, and every core trains. Pause, +1 batch,
  +1 epoch, Reset and new settings first bring the trainer back (or drop it).
- Under AppTest (``run_every`` timers never fire; its runtime is a mock) and with
  ``CLASSLAB_TRAINER_POOL=0``, the fragment trains a bounded chunk in this process instead:
  ``TRAIN_SECONDS`` per timer tick, ``RERUN_TRAIN_SECONDS`` per full rerun. Same code, same
  curves, bitwise.

Buttons are *outside* the fragments and only change ``st.session_state`` in callbacks (which
run before the script), so the fragments see the new state; a tick that lands after Pause
checks ``RUNNING`` again.
"""

from __future__ import annotations

import math

import pyarrow as pa
import streamlit as st

from lib.core.datasets import DESCRIPTIONS, GENERATED
from lib.core.models import ACTIVATIONS
from lib.core.training import OPTIMIZERS
from lib.lessons import lab as engine
from lib.lessons import lab_script
from lib.plots.regions_png import points_layer, regions_frame
from lib.plots.style import font_size
from lib.plots.training import HEIGHT, confusion_heatmap, curves_spec, decision_regions
from lib.text import md_literal
from lib.ui import trainer_host
from lib.ui import upload as upload_ui
from lib.ui.loaders import cached_dataset
from lib.ui.presenter import PRESENT_HEIGHT, chart, presenting

TICK = 0.11  # s between updates of the live numbers with few trainers (tick_interval): ~9 a second
TICK_CROWDED = 0.29  # … and with many: each learner still sees over 3 updates a second (≤ 3.4)
CROWD = 6  # trainers in the pool from which the server draws the live views less often
REGIONS_EVERY = 2.0  # seconds between decision-region redraws while running (few trainers)
REGIONS_EVERY_CROWDED = 3.0  # … and from CROWD trainers on
CURVES_EVERY = 0.5  # seconds between redraws of the curves while running (few trainers)
CURVES_EVERY_CROWDED = 1.0  # … and from CROWD trainers on
TRAIN_SECONDS = 0.05  # in-process fallback: training per timer tick (a click waits ≤ this)
RERUN_TRAIN_SECONDS = 0.03  # in-process fallback: training in a full-page rerun

LAB, RUNNING, NOTICE, FIGURE = "lab_trainer", "lab_running", "lab_notice", "lab_figure"
REMOTE = "lab_remote"  # the RemoteRun while Play trains in the worker pool
LAYER = "lab_layer"  # (the lab's data, its points drawn once): laid over each live map
UPLOAD = "lab_upload"  # (file, options, preprocessing) → engine.UploadedData
YOUR_DATA = "pages/9_Your_Own_Data.py"

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
# 10: TensorFlow Playground's default batch, so its settings can be reproduced here.
BATCH_SIZES = (1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, 1024, engine.FULL_BATCH)
WEIGHT_DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)
_URL = {"bind": "query-params", "persist_state": "session"}
D = engine.LabSettings()


def _g(value: float) -> str:
    return f"{value:g}"


def _batch_label(b: int) -> str:
    return "full" if b == engine.FULL_BATCH else str(b)


# Select sliders bound to the link, with the spelling each option has there.
_LINK_CHOICES = {
    "lab_lr": (LEARNING_RATES, _g),
    "lab_wd": (WEIGHT_DECAYS, _g),
    "lab_bs": (BATCH_SIZES, _batch_label),
}


# -- the link -------------------------------------------------------------------------------


def equivalent_choice(raw: str, options, label) -> str | None:
    """The option's own spelling of a link value that means the same number, else None.

    >>> [equivalent_choice(v, LEARNING_RATES, _g) for v in ("10.0", "1e1", "10", "0.05")]
    ['10', '10', '10', None]
    """
    try:
        number = float(raw)
    except ValueError:
        return None
    for option in options:
        if math.isfinite(number) and math.isclose(number, option, rel_tol=1e-9):
            return label(option)
    return None


def canonical_link() -> None:
    """Respell the link's learning rate, weight decay and batch size the way the widgets
    write them (``lab_lr=10.0`` or ``1e1`` → ``10``), so a hand-edited link is honoured.

    Call it before ``page_header``: its link check (``lib.ui.query``) then finds nothing to
    drop; a value that matches no option is still dropped there, with a note saying so.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return
    try:
        with ctx.session_state.query_params() as qp:
            initial, current = qp._initial_query_params, qp._query_params
            changed = False
            for key, (options, label) in _LINK_CHOICES.items():
                values = initial.get(key)
                if not values:
                    continue
                spelt = equivalent_choice(values[-1], options, label)
                if spelt is not None and spelt != values[-1]:
                    initial[key], current[key], changed = [spelt], spelt, True
            if changed:
                qp._send_query_param_msg()
    except Exception:  # noqa: BLE001 - internals moved: the link check still says what it drops
        return


# -- settings -------------------------------------------------------------------------------


def settings_form(controls) -> engine.LabSettings | None:
    """Data, model and optimisation controls (all in the link); None when invalid.

    The learning rate, the one setting that changes while training, is drawn in
    ``controls`` (the key section, beside Play); the others here.
    """
    data_col, model_col, opt_col = st.columns(3)
    with data_col:
        data = _data_controls()
    with model_col:
        model = _model_controls()
    with opt_col:
        optimization = _optimization_controls()
    with controls:
        learning_rate = st.select_slider(
            "Learning rate η",
            LEARNING_RATES,
            D.learning_rate,
            format_func=_g,
            key="lab_lr",
            help="Log scale. Changing it keeps the current weights, also while training.",
            **_URL,
        )
    if data is None:
        return None
    try:
        return engine.LabSettings(
            **data, **model, **optimization, learning_rate=float(learning_rate)
        )
    except ValueError as error:
        st.error(str(error))
        return None


def _data_controls() -> dict | None:
    st.markdown("**Data**")
    data = st.selectbox("Data set", engine.LAB_SOURCES, key="lab_data", **_URL)
    if data == engine.UPLOADED:
        uploaded = _uploaded_caption()
        return None if uploaded is None else {"data": data, "upload": uploaded.key}
    st.caption(DESCRIPTIONS[data])
    chosen = {"data": data}
    if data in GENERATED:
        chosen["points"] = int(
            st.slider("Points", 40, 2000, D.points, 20, key="lab_points", **_URL)
        )
        chosen["noise"] = float(
            st.slider("Noise", 0.0, 1.0, D.noise, 0.05, key="lab_noise", **_URL)
        )
        if data in ("Blobs", "Spiral"):
            chosen["classes"] = int(
                st.slider("Classes", 2, 6, D.classes, key="lab_classes", **_URL)
            )
    chosen["test_size"] = float(
        st.slider("Test split", 0.1, 0.5, D.test_size, 0.05, key="lab_split", **_URL)
    )
    chosen["data_seed"] = int(
        st.number_input("Data seed", 0, 10_000, D.data_seed, key="lab_dseed", **_URL)
    )
    chosen["standardize"] = bool(
        st.toggle(
            "Standardise features",
            D.standardize,
            key="lab_std",
            help="Subtract the training split's mean, divide by its standard deviation.",
            **_URL,
        )
    )
    return chosen


def _model_controls() -> dict:
    st.markdown("**Model**")
    layers = st.slider(
        "Hidden layers",
        0,
        6,
        len(D.hidden),
        key="lab_layers",
        help="0 = logistic regression: one linear layer straight to the logits.",
        **_URL,
    )
    units = st.slider("Units per hidden layer", 1, 64, D.hidden[0], key="lab_units", **_URL)
    activation = st.selectbox("Activation", list(ACTIVATIONS), key="lab_act", **_URL)
    return {"hidden": (int(units),) * int(layers), "activation": activation}


def _optimization_controls() -> dict:
    st.markdown("**Optimisation**")
    optimizer = st.selectbox("Optimizer", OPTIMIZERS, key="lab_opt", **_URL)
    batch = st.select_slider(
        "Batch size",
        BATCH_SIZES,
        D.batch_size,
        format_func=_batch_label,
        key="lab_bs",
        help="1 = the cheat sheet's 'one random point'; full = the whole training set.",
        **_URL,
    )
    decay = st.select_slider(
        "Weight decay", WEIGHT_DECAYS, D.weight_decay, format_func=_g, key="lab_wd", **_URL
    )
    seed = st.number_input(
        "Seed (initial weights, shuffling)", 0, 10_000, D.seed, key="lab_seed", **_URL
    )
    return {
        "optimizer": optimizer,
        "batch_size": int(batch),
        "weight_decay": float(decay),
        "seed": int(seed),
    }


def uploaded_source() -> engine.UploadedData | None:
    """The learner's CSV as uploaded and preprocessed on the Your-own-data page in this
    session (kept in ``UPLOAD``, rebuilt only when the file or its preprocessing changes);
    None when there is none yet."""
    ss = st.session_state
    stored, parsed, prepared = (
        ss.get(upload_ui.BYTES_KEY),
        ss.get("yd_parsed"),
        ss.get("yd_prepared"),
    )
    if stored is None or parsed is None or prepared is None:
        return None
    name, digest = stored[0], stored[2]
    parsed_digest, options, csv = (
        parsed.digest,
        parsed.options,
        parsed.csv,
    )  # upload_ui.ParsedUpload
    target, split = prepared.target, prepared.prepared  # upload_ui.PreparedUpload
    prepared_digest, config = prepared.digest, prepared.config
    if not digest == parsed_digest == prepared_digest:
        return None
    key = (digest, options, config)
    memo = ss.get(UPLOAD)
    if memo is None or memo[0] != key:
        source = engine.uploaded_data(split, target, config, csv, name, f"{digest}|{options!r}")
        memo = ss[UPLOAD] = (key, source)
    return memo[1]


def _uploaded_caption() -> engine.UploadedData | None:
    source = uploaded_source()
    if source is None:
        st.info(
            "Upload a file on the Your own data page first: choose its target and "
            "features there, then come back and train on it here."
        )
        st.page_link(YOUR_DATA, label="Your own data", icon=":material/upload_file:")
        return None
    st.caption(
        f"{md_literal(source.filename)}: {len(source.y_train):,} training and "
        f"{len(source.y_test):,} test rows, {len(source.feature_names):,} features, "
        f"{len(source.class_names)} classes. The split (test share {source.test_size:.0%}, "
        f"seed {source.seed}), imputation, one-hot encoding and standardisation are the ones "
        "from the Your own data page: the lab does not standardise again."
    )
    return source


def _build(settings: engine.LabSettings) -> engine.Lab:
    if settings.data == engine.UPLOADED:
        return engine.build_lab(settings, uploaded=uploaded_source())
    return engine.build_lab(settings, cached_dataset(settings.spec()))


def current_lab(settings: engine.LabSettings) -> engine.Lab:
    """The learner's lab: kept while the settings fit its weights, rebuilt (and said so)
    when they do not; a new learning rate continues from the current weights."""
    ss = st.session_state
    if trainer_host.enabled():
        trainer_host.warm()  # the workers import torch while the learner reads the page
    lab: engine.Lab | None = ss.get(LAB)
    new_signature = engine.signature(settings)
    if lab is None or lab.signature != new_signature:
        if lab is not None and lab.trainer.steps > 0:
            what = ", ".join(engine.changed(lab.signature, new_signature))
            ss[NOTICE] = (
                f"You changed the {what}. The trained weights belong to the old settings, "
                "so the model was reset to epoch 0 with fresh weights from the seed."
            )
        _drop_remote()
        lab = ss[LAB] = _build(settings)
        ss[RUNNING] = False
        ss.pop(FIGURE, None)
    else:
        _change_learning_rate(lab, settings.learning_rate)
    return lab


def _change_learning_rate(lab: engine.Lab, learning_rate: float) -> None:
    run = st.session_state.get(REMOTE)
    if learning_rate == lab.trainer.config.learning_rate:
        return
    if run is not None:
        try:
            trainer_host.set_learning_rate(run, lab, learning_rate)
            return
        except Exception:  # noqa: BLE001 - the worker is gone: continue here
            _bring_back()
    lab.set_learning_rate(learning_rate)


# -- where the trainer is: here, or in a worker --------------------------------------------


def _bring_back() -> None:
    """The trainer back from its worker (kept in ``REMOTE`` until merged, so an interrupted
    run retries); if the worker was lost, the lab goes back to where Play was pressed."""
    ss = st.session_state
    run = ss.get(REMOTE)
    if run is None:
        return
    lab: engine.Lab = ss[LAB]
    try:
        trainer_host.finish(run, lab)
    except Exception:  # noqa: BLE001 - a lost worker must not break the page
        run.restore(lab.trainer)
        lab.rewind_learning_rates()
        ss[RUNNING] = False
        ss[NOTICE] = (
            "The training worker stopped unexpectedly, so the lab went back to epoch "
            f"{lab.trainer.epoch}, where you pressed Play. Press Play to train again."
        )
    ss.pop(REMOTE, None)


def _drop_remote() -> None:
    run = st.session_state.pop(REMOTE, None)
    if run is not None:
        trainer_host.cancel(run)


def tick_interval(current: float | None = None) -> float:
    """Seconds between live-view updates: ``TICK`` (10 a second) while few learners train,
    ``TICK_CROWDED`` from ``CROWD`` trainers on (the pool knows how many), so that drawing
    the views of a whole class leaves the cores to the training. Back to ``TICK`` only below
    ``CROWD - 2`` when ``current`` is already crowded, so the interval does not flap."""
    jobs = trainer_host.active_jobs()
    if current == TICK_CROWDED and jobs > CROWD - 2:
        return TICK_CROWDED
    return TICK_CROWDED if jobs >= CROWD else TICK


# -- buttons: callbacks run before the script, so the fragments see the new state ----------


def _play() -> None:
    ss = st.session_state
    lab: engine.Lab = ss[LAB]
    ss[RUNNING] = not lab.finished
    if ss[RUNNING] and ss.get(REMOTE) is None and trainer_host.enabled():
        ss[REMOTE] = trainer_host.begin(lab)


def _pause() -> None:
    st.session_state[RUNNING] = False
    _bring_back()


def _step_batch() -> None:
    _pause()
    st.session_state[LAB].trainer.run_steps(1)


def _step_epoch() -> None:
    _pause()
    st.session_state[LAB].step_epoch()


def _reset() -> None:
    ss = st.session_state
    ss[RUNNING] = False
    _drop_remote()
    ss[LAB] = _build(ss[LAB].settings)
    ss.pop(FIGURE, None)
    ss.pop(NOTICE, None)


def buttons() -> None:
    ss = st.session_state
    running = ss.get(RUNNING, False)
    steps = ss[LAB].trainer.steps_per_epoch
    wide = {"width": "stretch"}
    play, pause, batch, epoch, reset = st.columns(5)
    play.button(
        "Play",
        key="lab_play",
        on_click=_play,
        disabled=running,
        type="primary",
        icon=":material/play_arrow:",
        **wide,
    )
    pause.button(
        "Pause",
        key="lab_pause",
        on_click=_pause,
        disabled=not running,
        icon=":material/pause:",
        **wide,
    )
    batch.button(
        "+1 batch",
        key="lab_step",
        on_click=_step_batch,
        help="One mini-batch",
        icon=":material/skip_next:",
        **wide,
    )
    epoch.button(
        "+1 epoch",
        key="lab_epoch",
        on_click=_step_epoch,
        help=f"One epoch's worth of mini-batches ({steps} steps), also from mid-epoch",
        icon=":material/fast_forward:",
        **wide,
    )
    reset.button("Reset", key="lab_reset", on_click=_reset, icon=":material/restart_alt:", **wide)
    notice = ss.pop(NOTICE, None)
    if notice:
        st.info(notice, icon=":material/restart_alt:")


def scrub_control() -> int | None:
    """Paused: a slider back through the recorded weights. Returns the epoch shown (one
    whose weights were kept), or None for the live model."""
    ss = st.session_state
    lab: engine.Lab = ss[LAB]
    last = lab.trainer.epoch
    if ss.get(RUNNING, False) or last < 1:
        return None
    value = st.slider(
        "Show the model at epoch",
        0,
        last,
        last,
        help="Scrub back through the recorded weights: the map, the numbers and a marker "
        "on the curves follow.",
    )
    if value == last:
        return None
    shown = engine.recorded_epoch(lab, value)
    if shown != value:
        st.caption(
            f"The weights of {len(lab.trainer.snapshots)} epochs are kept, spread over the run; "
            f"the nearest before {value} is epoch {shown}."
        )
    return shown


# -- the live view -------------------------------------------------------------------------


def live_numbers(scrub: int | None) -> None:
    """The metrics and warnings: a fragment that ticks every :func:`tick_interval` while
    running (it is the one that asks the worker for news)."""
    interval = tick_interval() if st.session_state.get(RUNNING, False) else None
    st.fragment(run_every=interval)(_numbers)(scrub, interval)


def live_curves(scrub: int | None) -> None:
    """The loss and accuracy curves (and, opted in, the norms): a fragment of their own that
    redraws every ``CURVES_EVERY`` s while running. Redrawing a Vega-Lite chart is the
    browser's biggest cost per update; the numbers above tick faster. The norms toggle sits
    outside (a widget in a ticking fragment costs every tick)."""
    interval = None
    if st.session_state.get(RUNNING, False):
        interval = CURVES_EVERY_CROWDED if tick_interval() == TICK_CROWDED else CURVES_EVERY
    curves_box = st.container()
    norms = st.toggle("Weight and gradient norms over time", key="lab_norms", **_URL)
    with curves_box:
        st.fragment(run_every=interval)(_curves)(scrub, norms)


def quiz_refresh() -> float | None:
    """How often the quiz redraws itself while the lab trains (see ``widgets.quiz``): every
    2 s, every 5 s when many train; never when paused."""
    if not st.session_state.get(RUNNING, False):
        return None
    return 5.0 if tick_interval() == TICK_CROWDED else 2.0


def live_map(scrub: int | None) -> None:
    """The decision regions (2-D data) or the test confusion matrix: a fragment of its
    own that redraws only every ``REGIONS_EVERY`` seconds while running (``REGIONS_EVERY_CROWDED``
    when many train): a figure re-sent on every tick would cost the server and re-mount in
    the browser."""
    interval = None
    if st.session_state.get(RUNNING, False):
        crowded = tick_interval() == TICK_CROWDED
        interval = REGIONS_EVERY_CROWDED if crowded else REGIONS_EVERY
    st.fragment(run_every=interval)(_regions)(scrub)


def percent(share: float) -> str:
    """ "87.5%", and "100%" rather than "100.0%", which is too wide for the lab's metric columns."""
    return "100%" if round(share * 1000) == 1000 else f"{share:.1%}"


def training_seconds() -> float:
    """In-process fallback: how long this run may train: ``TRAIN_SECONDS`` in a timer tick
    that serves only the training fragment; the short ``RERUN_TRAIN_SECONDS`` in a full-page
    rerun; nothing when the tick was merged with another fragment's rerun (a learner
    answered the quiz meanwhile): their click waits for this run, so it should not wait for
    training."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        fragments = get_script_run_ctx().fragment_ids_this_run
    except Exception:  # internal API: if it moves, train the short chunk every time
        return RERUN_TRAIN_SECONDS
    if not fragments:  # a full-page rerun (in AppTest, every run is one)
        return RERUN_TRAIN_SECONDS
    return TRAIN_SECONDS if len(fragments) == 1 else 0.0


def _advance(lab: engine.Lab) -> None:
    """While running: ask the worker for news, or train a bounded chunk here. At the end
    (the epoch limit, divergence) stop and rerun the page, so Play is enabled again."""
    ss = st.session_state
    run = ss.get(REMOTE)
    if run is None and trainer_host.enabled():  # e.g. Play pressed before a worker failed
        run = ss[REMOTE] = trainer_host.begin(lab)
    if run is not None:
        try:
            done = trainer_host.pump(run, lab, weights_every=REGIONS_EVERY / 2)
        except Exception:  # noqa: BLE001 - the worker is gone: back to Play's state
            done = True
    else:
        seconds = training_seconds()
        if seconds:
            lab.trainer.train_for(seconds, max_epochs=engine.MAX_EPOCHS - lab.trainer.epoch)
        done = lab.finished
    if done or lab.finished:
        ss[RUNNING] = False
        _bring_back()
        st.rerun()  # the whole page: stop the timers, re-enable Play


def _numbers(scrub: int | None, interval: float | None) -> None:
    ss = st.session_state
    lab: engine.Lab = ss[LAB]
    if ss.get(RUNNING) and not lab.finished:  # checked again: a tick can land after Pause
        _advance(lab)
        if interval is not None and tick_interval(interval) != interval:
            st.rerun()  # the whole page, to set the fragments' timers to the new intervals
    elif ss.get(REMOTE) is not None:  # an interrupted Pause: finish bringing it back
        _bring_back()
    trainer = lab.trainer
    row = engine.record_at(trainer, trainer.epoch if scrub is None else scrub)
    _metrics(trainer, row)
    if scrub is not None:
        st.caption(
            f"Showing epoch {row.epoch} of {trainer.epoch}: the map, these numbers and the "
            "dotted line on the curves. Move the slider to the end for the latest."
        )
    _training_notes(lab)


def _curves(scrub: int | None, norms_shown: bool) -> None:
    trainer = st.session_state[LAB].trainer
    frame = engine.chart_series(trainer)
    curves(frame, ["train loss", "test loss"], "loss", scrub)
    st.caption("Loss per epoch: training split solid, test split dashed; both falling is learning.")
    curves(frame, ["train accuracy", "test accuracy"], "accuracy", scrub, y_format=".0%")
    st.caption("Share of points classified correctly per epoch, training solid and test dashed.")
    if norms_shown:  # opt-in: a third live chart costs every redraw, server and browser
        curves(frame, ["weight norm", "gradient norm"], "norm", scrub)
        norms = " · ".join(f"{n} ‖W‖ = {v:.3g}" for n, v in engine.layer_norms(trainer.model))
        st.caption(
            f"Now: {norms}. Exploding norms mean too large steps; vanishing "
            "gradients mean learning has stalled."
        )


def _metrics(trainer, row) -> None:
    row1, row2 = st.columns(3), st.columns(3)
    row1[0].metric("Epoch", row.epoch)
    steps = trainer.steps if row.epoch == trainer.epoch else row.steps  # live: also mid-epoch
    row1[1].metric("Optimizer steps", f"{steps:,}")
    row1[2].metric("Train loss", f"{row.train_loss:.4f}")
    row2[0].metric("Test accuracy", percent(row.test_accuracy))
    row2[1].metric("Weight norm ‖θ‖", f"{row.weight_norm:.3g}")
    row2[2].metric("Gradient norm", f"{row.grad_norm:.3g}")


def _training_notes(lab: engine.Lab) -> None:
    trainer = lab.trainer
    if trainer.diverged:
        st.error(trainer.diverged, icon=":material/warning:")
    elif trainer.epoch >= engine.MAX_EPOCHS:
        st.success(f"Stopped at {engine.MAX_EPOCHS:,} epochs. Reset to train again.")
    else:
        warning = engine.loss_warning(trainer.history, trainer.config.learning_rate)
        if warning:
            st.warning(warning, icon=":material/trending_up:")
    running = st.session_state.get(RUNNING, False)
    if not running and trainer.steps_into_epoch:
        st.caption(
            f"Mid-epoch: {trainer.steps_into_epoch} of {trainer.steps_per_epoch} steps into "
            f"epoch {trainer.epoch + 1}. The numbers and curves are those of epoch "
            f"{trainer.epoch}, the last one completed; the map shows the weights now."
        )


def _regions(scrub: int | None) -> None:
    # While a worker trains, the training fragment's polls bring its weights every
    # REGIONS_EVERY / 2 seconds: the map draws those.
    _regions_or_confusion(st.session_state[LAB], scrub)


def curves(series: dict, columns: list[str], title: str, marker=None, y_format=".3~g") -> None:
    """One live chart from :func:`lib.lessons.lab.chart_series`. The data go as an Arrow
    table built from the arrays: Streamlit then skips its pandas → Arrow conversion, which
    cost more than the rest of a tick with ten learners training."""
    # st.vega_lite_chart with a plain spec: st.line_chart's Altair validation costs ~0.2 s.
    data = pa.table({name: series[name] for name in ("epoch", *columns)})
    spec = curves_spec(
        columns, title, marker=marker, font_size=font_size(presenting()), y_format=y_format
    )
    st.vega_lite_chart(data, spec, height=220)


def _regions_or_confusion(lab: engine.Lab, epoch: int | None) -> None:
    """Rebuilt only when the weights shown changed (kept in the session). While training, the
    2-D regions are an image (see :mod:`lib.plots.regions_png`: a plotly figure re-mounts on
    every update and stalls the page); paused, the interactive figure with hover."""
    ss = st.session_state
    trainer = lab.trainer
    d = lab.data
    live_image = d.is_2d and epoch is None and bool(ss.get(RUNNING))
    shown = trainer.epoch if epoch is None else epoch
    key = (id(lab), id(trainer), shown, trainer.steps if epoch is None else -1, live_image)
    cached = ss.get(FIGURE)
    if cached is not None and cached[0] == key:
        figure = cached[1]
    else:
        figure = _map_figure(lab, epoch, shown, live_image)
        ss[FIGURE] = (key, figure)
    if live_image:
        st.markdown(f"**Decision regions at epoch {shown}**")
        st.image(figure, width=PRESENT_HEIGHT if presenting() else "stretch")
        st.caption(
            f"{md_literal(d.feature_names[0])} → right, {md_literal(d.feature_names[1])} → "
            "up. Colour: the predicted class, paler where the model is unsure; filled markers "
            "are training points, open ones test points. Pause to hover over the map."
        )
        return
    chart(figure, key="lab_regions", height=HEIGHT, config={"displayModeBar": False})
    if d.is_2d:
        st.caption(
            "Colour: the predicted class (paler where the model is unsure); filled markers "
            "are training points, open markers test points, one shape per class."
        )
    else:
        st.caption(
            "Rows: the true class; columns: the class the model predicts. The diagonal "
            "counts the test rows it gets right."
        )


def _map_figure(lab: engine.Lab, epoch: int | None, shown: int, live_image: bool):
    d = lab.data
    model = engine.model_at(lab, epoch)
    if not d.is_2d:
        title = f"Test confusion matrix at epoch {shown}"
        return confusion_heatmap(engine.confusion_at(lab, model), d.class_names, title)
    xs, ys, proba = engine.grid_proba(lab, model)
    if live_image:
        return regions_frame(proba, _points(lab, (xs[0], xs[-1], ys[0], ys[-1])))
    return decision_regions(
        xs,
        ys,
        proba,
        d.X_train_raw,
        d.y_train,
        d.X_test_raw,
        d.y_test,
        d.class_names,
        tuple(d.feature_names),
        f"Decision regions at epoch {shown}",
    )


def _points(lab: engine.Lab, bounds) -> object:
    """The lab's points as an image layer, drawn once per data set (kept in the session)."""
    ss = st.session_state
    d = lab.data
    cached = ss.get(LAYER)
    if cached is None or cached[0] is not d:
        bounds = tuple(float(b) for b in bounds)
        layer = points_layer(bounds, d.X_train_raw, d.y_train, d.X_test_raw, d.y_test)
        cached = ss[LAYER] = (d, layer)
    return cached[1]


def code_section(lab: engine.Lab) -> None:
    """The standalone script for exactly this configuration, shown and downloadable.

    While Play runs, the page's fragments move on but this section is drawn once: it then
    says so, and the script is offered at Pause, for the epoch paused at.
    """
    if st.session_state.get(RUNNING, False):
        st.info(
            "Training is running. The script is written for the epoch you stop at: press "
            "**Pause**, then download it or read it here. It will print that epoch's test "
            "accuracy.",
            icon=":material/pause_circle:",
        )
        st.download_button(
            "Download the script (.py)",
            "",
            lab_script.script_name(lab),
            disabled=True,
            icon=":material/download:",
            help="Pause first: the script is for the epoch you pause at.",
        )
        return
    code = lab_script.standalone_script(lab)
    last = lab.trainer.history[-1]
    if lab.uploaded is not None:
        name = md_literal(lab.uploaded.filename)
        st.info(
            f"This script expects your CSV file **{name}** next to it (or its path as the "
            "first argument): it reads and preprocesses it as the Your own data page did, "
            "then trains with the lab's model and optimizer settings.",
            icon=":material/description:",
        )
    needs = "torch, numpy, pandas" if lab.uploaded is not None else "torch, numpy, scikit-learn"
    st.markdown(
        f"Runs on its own ({needs}) and prints "
        f"`{lab_script.accuracy_line(last.test_accuracy, last.epoch)}`, as the lab shows now."
    )
    st.download_button(
        "Download the script (.py)",
        code,
        lab_script.script_name(lab),
        mime="text/x-python",
        icon=":material/download:",
        on_click="ignore",
    )
    with st.expander("Show the script", expanded=False):
        st.code(code, language="python")
