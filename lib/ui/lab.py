"""Streamlit glue for the training lab: settings widgets, the buttons and the live fragments.

The pattern (see STACK_NOTES): Play / Pause / Step / Reset are buttons *outside* the
fragments that only flip ``st.session_state``; while running, the training fragment reruns
every ``TICK`` seconds and trains for a bounded ``TRAIN_SECONDS`` per tick (so one learner
cannot starve the others and every other widget stays responsive), and the decision-region
fragment redraws every ``REGIONS_EVERY`` seconds. A full rerun (any other widget, or
AppTest's ``.run()``, where timers never fire) trains one smaller chunk while running.
"""

from __future__ import annotations

import streamlit as st

from lib.core.datasets import DESCRIPTIONS, GENERATED
from lib.core.models import ACTIVATIONS
from lib.core.training import OPTIMIZERS
from lib.lessons import lab as engine
from lib.lessons import lab_script
from lib.plots.regions_png import regions_png
from lib.plots.training import HEIGHT, confusion_heatmap, curves_spec, decision_regions
from lib.text import md_literal
from lib.ui import upload as upload_ui
from lib.ui.loaders import cached_dataset

TICK = 0.15  # seconds between training-fragment reruns while running
TRAIN_SECONDS = 0.05  # training per tick: bounded, so a click waits at most this long
RERUN_TRAIN_SECONDS = 0.03  # training in a full-page rerun while running (keeps widgets snappy)
REGIONS_EVERY = 2.0  # seconds between decision-region redraws while running

LAB, RUNNING, NOTICE, FIGURE = "lab_trainer", "lab_running", "lab_notice", "lab_figure"
UPLOAD = "lab_upload"  # (file, options, preprocessing) → engine.UploadedData
YOUR_DATA = "pages/9_Your_Own_Data.py"

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, engine.FULL_BATCH)
WEIGHT_DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)
_URL = {"bind": "query-params", "persist_state": "session"}
D = engine.LabSettings()


def _batch_label(b: int) -> str:
    return "full" if b == engine.FULL_BATCH else str(b)


def settings_form() -> engine.LabSettings | None:
    """Data, model and optimisation controls (all in the URL); None when invalid."""
    data_col, model_col, opt_col = st.columns(3)
    with data_col:
        st.markdown("**Data**")
        data = st.selectbox("Data set", engine.LAB_SOURCES, key="lab_data", **_URL)
        uploaded = _uploaded_caption() if data == engine.UPLOADED else None
        if data != engine.UPLOADED:
            st.caption(DESCRIPTIONS[data])
        generated = data in GENERATED
        if generated:
            points = st.slider("Points", 40, 2000, D.points, 20, key="lab_points", **_URL)
            noise = st.slider("Noise", 0.0, 1.0, D.noise, 0.05, key="lab_noise", **_URL)
            classes = D.classes
            if data in ("Blobs", "Spiral"):
                classes = st.slider("Classes", 2, 6, D.classes, key="lab_classes", **_URL)
        split, data_seed, standardize = D.test_size, D.data_seed, D.standardize
        if data != engine.UPLOADED:  # the uploaded file comes split and scaled
            split = st.slider("Test split", 0.1, 0.5, D.test_size, 0.05, key="lab_split", **_URL)
            data_seed = st.number_input("Data seed", 0, 10_000, D.data_seed, key="lab_dseed",
                                        **_URL)  # fmt: skip
            standardize = st.toggle(
                "Standardise features", D.standardize, key="lab_std",
                help="Subtract the training split's mean, divide by its standard deviation.",
                **_URL,
            )  # fmt: skip
    with model_col:
        st.markdown("**Model**")
        layers = st.slider(
            "Hidden layers", 0, 6, len(D.hidden), key="lab_layers",
            help="0 = logistic regression: one linear layer straight to the logits.", **_URL,
        )  # fmt: skip
        units = st.slider("Units per hidden layer", 1, 64, D.hidden[0], key="lab_units", **_URL)
        activation = st.selectbox("Activation", list(ACTIVATIONS), key="lab_act", **_URL)
    with opt_col:
        st.markdown("**Optimisation**")
        optimizer = st.selectbox("Optimizer", OPTIMIZERS, key="lab_opt", **_URL)
        lr = st.select_slider(
            "Learning rate", LEARNING_RATES, D.learning_rate, format_func=lambda v: f"{v:g}",
            key="lab_lr", help="Log scale. Changing it keeps the current weights.", **_URL,
        )  # fmt: skip
        batch = st.select_slider(
            "Batch size", BATCH_SIZES, D.batch_size, format_func=_batch_label, key="lab_bs",
            help="1 = the cheat sheet's 'one random point'; full = the whole training set.",
            **_URL,
        )  # fmt: skip
        decay = st.select_slider(
            "Weight decay", WEIGHT_DECAYS, D.weight_decay, format_func=lambda v: f"{v:g}",
            key="lab_wd", **_URL,
        )  # fmt: skip
        seed = st.number_input("Seed (initial weights, shuffling)", 0, 10_000, D.seed,
                               key="lab_seed", **_URL)  # fmt: skip
    if data == engine.UPLOADED and uploaded is None:
        return None
    try:
        return engine.LabSettings(
            data=data, upload=uploaded.key if uploaded is not None else "",
            points=int(points) if generated else D.points,
            noise=float(noise) if generated else D.noise,
            classes=int(classes) if generated else D.classes, test_size=float(split),
            data_seed=int(data_seed), standardize=bool(standardize),
            hidden=(int(units),) * int(layers), activation=activation, optimizer=optimizer,
            learning_rate=float(lr), batch_size=int(batch), weight_decay=float(decay),
            seed=int(seed),
        )  # fmt: skip
    except ValueError as error:
        st.error(str(error))
        return None


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
    (parsed_digest, options), (csv, _profile) = parsed
    prepared_key, (target, _features, split) = prepared
    prepared_digest, config = prepared_key[0], prepared_key[-1]
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
        st.info("Upload a file on the Your own data page first: choose its target and "
                "features there, then come back and train on it here.")  # fmt: skip
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
    lab: engine.Lab | None = ss.get(LAB)
    new_signature = engine.signature(settings)
    if lab is None or lab.signature != new_signature:
        if lab is not None and lab.trainer.steps > 0:
            what = ", ".join(engine.changed(lab.signature, new_signature))
            ss[NOTICE] = (
                f"You changed the {what}. The trained weights belong to the old settings, "
                "so the model was reset to epoch 0 with fresh weights from the seed."
            )
        lab = ss[LAB] = _build(settings)
        ss[RUNNING] = False
        ss.pop(FIGURE, None)
    else:
        lab.set_learning_rate(settings.learning_rate)
    return lab


# -- buttons: callbacks run before the script, so the fragment sees the new state ----------


def _play() -> None:
    st.session_state[RUNNING] = not st.session_state[LAB].finished


def _pause() -> None:
    st.session_state[RUNNING] = False


def _step_batch() -> None:
    st.session_state[RUNNING] = False
    st.session_state[LAB].trainer.run_steps(1)


def _step_epoch() -> None:
    st.session_state[RUNNING] = False
    st.session_state[LAB].trainer.run_epoch()


def _reset() -> None:
    ss = st.session_state
    ss[RUNNING] = False
    ss[LAB] = _build(ss[LAB].settings)
    ss.pop(FIGURE, None)
    ss.pop(NOTICE, None)


def buttons() -> None:
    running = st.session_state.get(RUNNING, False)
    cols = st.columns(5)
    cols[0].button("Play", key="lab_play", on_click=_play, disabled=running, type="primary",
                   icon=":material/play_arrow:", width="stretch")  # fmt: skip
    cols[1].button("Pause", key="lab_pause", on_click=_pause, disabled=not running,
                   icon=":material/pause:", width="stretch")  # fmt: skip
    cols[2].button("+1 batch", key="lab_step", on_click=_step_batch, help="Step: one mini-batch",
                   icon=":material/skip_next:", width="stretch")  # fmt: skip
    cols[3].button("+1 epoch", key="lab_epoch", on_click=_step_epoch, help="Step: one epoch",
                   icon=":material/fast_forward:", width="stretch")  # fmt: skip
    cols[4].button("Reset", key="lab_reset", on_click=_reset, icon=":material/restart_alt:",
                   width="stretch")  # fmt: skip
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(notice, icon=":material/restart_alt:")


# -- the live view -------------------------------------------------------------------------


def live_view() -> None:
    """Two fragments side by side: the training one ticks every ``TICK`` (train a bounded
    chunk, metrics, curves); the decision regions / confusion matrix one only every
    ``REGIONS_EVERY`` seconds, so the heavy plotly figure is neither rebuilt nor re-sent on
    every tick (plotly re-mounts on each update)."""
    running = st.session_state.get(RUNNING, False)
    left, right = st.columns(2)
    with left:
        st.fragment(run_every=TICK if running else None)(_training)()
    with right:
        st.fragment(run_every=REGIONS_EVERY if running else None)(_regions)()


def percent(share: float) -> str:
    """ "87.5%", and "100%" rather than "100.0%", which is too wide for the lab's metric columns."""
    return "100%" if round(share * 1000) == 1000 else f"{share:.1%}"


def training_seconds() -> float:
    """How long this run may train: ``TRAIN_SECONDS`` in a timer tick that serves only the
    training fragment; the short ``RERUN_TRAIN_SECONDS`` in a full-page rerun; nothing when
    the tick was merged with another fragment's rerun (a learner answered the quiz
    meanwhile): their click waits for this run, so it should not wait for training."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        fragments = get_script_run_ctx().fragment_ids_this_run
    except Exception:  # internal API: if it moves, train the short chunk every time
        return RERUN_TRAIN_SECONDS
    if not fragments:  # a full-page rerun (in AppTest, every run is one)
        return RERUN_TRAIN_SECONDS
    return TRAIN_SECONDS if len(fragments) == 1 else 0.0


def _training() -> None:
    ss = st.session_state
    lab: engine.Lab = ss[LAB]
    trainer = lab.trainer
    if ss.get(RUNNING) and not lab.finished:  # checked again: a tick can land after Pause
        seconds = training_seconds()
        if seconds:
            trainer.train_for(seconds)
        if lab.finished:
            ss[RUNNING] = False
            st.rerun()  # the whole page: stop the timers, re-enable Play
    last = trainer.history[-1]
    row1, row2 = st.columns(3), st.columns(3)
    row1[0].metric("Epoch", trainer.epoch)
    row1[1].metric("Optimizer steps", f"{trainer.steps:,}")
    row1[2].metric("Train loss", f"{last.train_loss:.4f}")
    row2[0].metric("Test accuracy", percent(last.test_accuracy))
    row2[1].metric("Weight norm ‖θ‖", f"{last.weight_norm:.3g}")
    row2[2].metric("Gradient norm", f"{last.grad_norm:.3g}")
    if trainer.diverged:
        st.error(trainer.diverged, icon=":material/warning:")
    elif trainer.epoch >= engine.MAX_EPOCHS:
        st.success(f"Stopped at {engine.MAX_EPOCHS:,} epochs. Reset to train again.")
    frame = engine.chart_frame(trainer)
    curves(frame, ["train loss", "test loss"], "loss")
    curves(frame, ["train accuracy", "test accuracy"], "accuracy")
    # Opt-in: a third live chart costs every tick, in the server and in the browser.
    if st.toggle("Weight and gradient norms over time", key="lab_norms", **_URL):
        curves(frame, ["weight norm", "gradient norm"], "norm")
        norms = " · ".join(f"{n} ‖W‖ = {v:.3g}" for n, v in engine.layer_norms(trainer.model))
        st.caption(f"Now: {norms}. Exploding norms mean too large steps; vanishing "
                   "gradients mean learning has stalled.")  # fmt: skip


def _regions() -> None:
    ss = st.session_state
    lab: engine.Lab = ss[LAB]
    running = ss.get(RUNNING, False)
    epoch = None
    if not running and lab.trainer.epoch >= 1:
        epoch = st.slider("Show the model at epoch", 0, lab.trainer.epoch, lab.trainer.epoch,
                          help="Scrub back through the recorded weights.")  # fmt: skip
    _regions_or_confusion(lab, epoch)


def curves(frame, columns: list[str], title: str) -> None:
    # st.vega_lite_chart with a plain spec: st.line_chart's Altair validation costs ~0.2 s.
    st.vega_lite_chart(frame[["epoch", *columns]], curves_spec(columns, title), height=220)


def _regions_or_confusion(lab: engine.Lab, epoch: int | None) -> None:
    """Rebuilt only when the weights shown changed (kept in the session). While training, the
    2-D regions are a PNG (see :mod:`lib.plots.regions_png`: a plotly figure re-mounts on every
    update and stalls the page); paused, the interactive figure with hover."""
    ss = st.session_state
    trainer = lab.trainer
    d = lab.data
    live_image = d.is_2d and epoch is None and bool(ss.get(RUNNING))
    shown = trainer.epoch if epoch is None else engine.recorded_epoch(lab, epoch)
    key = (id(lab), shown, trainer.steps if epoch is None else -1, live_image)
    cached = ss.get(FIGURE)
    if cached is not None and cached[0] == key:
        figure = cached[1]
    else:
        model = engine.model_at(lab, epoch)
        if d.is_2d:
            xs, ys, proba = engine.grid_proba(lab, model)
            if live_image:
                figure = regions_png(xs, ys, proba, d.X_train_raw, d.y_train, d.X_test_raw,
                                     d.y_test)  # fmt: skip
            else:
                figure = decision_regions(
                    xs, ys, proba, d.X_train_raw, d.y_train, d.X_test_raw, d.y_test,
                    d.class_names, tuple(d.feature_names), f"Decision regions at epoch {shown}",
                )  # fmt: skip
        else:
            title = f"Test confusion matrix at epoch {shown}"
            figure = confusion_heatmap(engine.confusion_at(lab, model), d.class_names, title)
        ss[FIGURE] = (key, figure)
    if live_image:
        st.markdown(f"**Decision regions at epoch {shown}**")
        st.image(figure, width="stretch")
        st.caption(
            f"{d.feature_names[0]} → right, {d.feature_names[1]} → up. Colour: the predicted "
            "class, paler where the model is unsure. Pause to hover over the map."
        )
    else:
        st.plotly_chart(figure, key="lab_regions", height=HEIGHT,
                        config={"displayModeBar": False})  # fmt: skip
    if d.is_2d:
        st.caption("Filled markers: training points; open markers: test points.")


def code_section(lab: engine.Lab) -> None:
    """The standalone script for exactly this configuration, shown and downloadable."""
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
    st.download_button("Download the script (.py)", code, lab_script.script_name(lab),
                       mime="text/x-python", icon=":material/download:", on_click="ignore")  # fmt: skip
    with st.expander("Show the script", expanded=False):
        st.code(code, language="python")
