"""Your own data, step 5: live training with Train / Pause / Resume / Finish now / Reset.

Under AppTest the fragment's timer never fires; every ``.run()`` while running advances the
training by one bounded chunk, as a full-page rerun does in the browser.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.tabular.pipeline import PipelineConfig, preprocess, read_and_profile, start_training
from tests.conftest import metric_values, texts
from tests.test_page_your_data import train_to_the_end, upload

EPOCHS = 5_000  # far more than one bounded chunk trains


def _table(n: int = 300, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    label = np.where(x1 + 0.5 * x2 + rng.normal(scale=0.3, size=n) > 0, "pass", "fail")
    frame = pd.DataFrame({"x1": x1.round(3), "x2": x2.round(3), "label": label})
    return frame.to_csv(index=False).encode()


def epoch_of(at) -> int:
    value = next(m.value for m in at.metric if m.label == "Epoch")
    done, planned = value.replace(",", "").split(" / ")
    assert int(planned) == EPOCHS
    return int(done)


def start_live(at):
    at.number_input(key="yd_epochs").set_value(EPOCHS).run()
    at.button(key="yd_train").click().run()
    assert not at.exception, at.exception
    return at


def test_train_runs_live_then_pause_stops_and_resume_continues():
    at = start_live(upload(_table()))
    assert at.session_state["yd_running"] is True
    assert at.button(key="yd_train").disabled and not at.button(key="yd_pause").disabled
    assert at.button(key="yd_train").label == "Train"  # "Resume" only once paused
    assert "upload_result" not in at.session_state  # no evaluation before the end
    panel = next(c.value for c in at.code if "optimizer.step(closure)" in c.value)
    assert "BCEWithLogitsLoss" in panel and f"range({EPOCHS})" in panel  # this run's loop
    assert "LBFGS" in panel  # the default model: full-batch L-BFGS
    first = epoch_of(at)
    assert 0 < first < EPOCHS
    at.run()
    second = epoch_of(at)
    assert second > first  # every rerun while running trains one more chunk
    at.button(key="yd_pause").click().run()
    paused = epoch_of(at)
    at.run()
    assert epoch_of(at) == paused  # paused means paused
    assert at.button(key="yd_train").label == "Resume"
    at.button(key="yd_train").click().run()
    assert epoch_of(at) > paused  # resumed from the same weights, not from epoch 0
    assert not at.exception


def test_finish_now_evaluates_the_current_weights_and_reset_forgets_them():
    at = start_live(upload(_table()))
    at.button(key="yd_finish").click().run()
    assert not at.exception
    assert at.session_state["yd_running"] is False
    key, result = at.session_state["upload_result"]
    assert result.epochs == epoch_of(at) < EPOCHS
    values = metric_values(at)
    assert values["Test accuracy (your network)"] == f"{result.accuracy:.1%}"
    assert result.accuracy > 0.8  # a nearly linear boundary, well learned after a chunk
    assert "**Classification report** (test rows)" in texts(at)  # the results section
    at.button(key="yd_reset").click().run()
    assert "upload_result" not in at.session_state and "yd_run" not in at.session_state
    assert "Press Train" in texts(at)


def test_changing_a_setting_discards_the_model_and_says_so():
    at = start_live(upload(_table()))
    at.button(key="yd_pause").click().run()
    at.number_input(key="yd_seed").set_value(3).run()
    assert not at.exception
    assert "settings changed" in texts(at)
    assert "yd_run" not in at.session_state
    assert at.button(key="yd_train").label == "Train"


def test_live_training_ends_with_the_weights_of_the_one_go_pipeline():
    data = _table(200, seed=1)
    at = upload(data)
    train_to_the_end(at)
    _, result = at.session_state["upload_result"]
    # The same run, advanced in one go without Streamlit: identical weights and accuracy.
    csv, profile = read_and_profile(data)
    config = at.session_state["upload_result"][0][1]
    assert isinstance(config, PipelineConfig)
    target, _features, prepared = preprocess(csv.frame, profile, config)
    run = start_training(prepared, target.n_classes, config)
    while not run.finished:
        run.advance(10.0)
    for mine, theirs in zip(run.trainer.model.state_dict().values(),
                            result.model.state_dict().values(), strict=True):  # fmt: skip
        assert (mine == theirs).all()
    assert run.trainer.epoch == result.epochs


def test_a_shared_link_sets_the_page_settings_and_a_bad_value_is_ignored():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT
    from tests.test_page_your_data import PAGE

    def open_page(page, query):  # the link's query, inside the multipage app (page links)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        for key, value in query.items():
            at.query_params[key] = value
        return at.switch_page(page).run()

    query = {"yd_seed": "5", "yd_hidden": "16", "yd_epochs": "40", "yd_test": "0.3",
             "yd_target": "x1", "yd_thr": "0.7"}  # fmt: skip
    at = open_page(PAGE, query=query)
    at.file_uploader[0].set_value(("data.csv", _table(), "text/csv")).run()
    assert not at.exception, at.exception
    assert at.number_input(key="yd_seed").value == 5
    assert at.selectbox(key="yd_hidden").value == "16"
    assert at.number_input(key="yd_epochs").value == 40
    assert at.slider(key="yd_test").value == 0.3
    assert at.selectbox(key="yd_target").value == "x1"  # refused below: numbers, not classes
    at = open_page(PAGE, query={"yd_target": "no such column", "yd_seed": "5"})
    at.file_uploader[0].set_value(("data.csv", _table(), "text/csv")).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="yd_target").value == "label"  # the suggestion, not a crash
    train_to_the_end(at)
    assert at.slider(key="yd_thr").value == 0.5  # not in this link: the default


def test_removing_the_file_while_training_then_uploading_again_can_train():
    at = start_live(upload(_table()))
    assert at.session_state["yd_running"] is True
    at.file_uploader[0].set_value(None).run()  # the learner removes the file mid-training
    assert not at.exception
    assert "yd_run" not in at.session_state
    at.file_uploader[0].set_value(("data.csv", _table(seed=4), "text/csv")).run()
    assert not at.exception
    assert not at.button(key="yd_train").disabled  # no stale "running" state
    assert "Press Train" in texts(at)


def test_a_model_no_better_than_the_majority_class_is_called_out():
    """Pure-noise features, 95 % of one class: the network can only learn "always 'normal'";
    the page says so instead of celebrating 95 % accuracy."""
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["label"] = np.where(rng.random(n) < 0.95, "normal", "fraud")
    at = train_to_the_end(upload(df.to_csv(index=False).encode()))
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Always answering the most frequent class, “normal”" in captions
    result = at.session_state["upload_result"][1]
    assert [d.kind for d in result.diagnosis()] == ["no signal", "imbalance"]
    shown = " ".join(str(w.value) for w in at.warning).replace("\\", "")
    assert "does better than always answering “normal”" in shown
    assert "threshold" in shown  # two classes: the threshold can help


def test_hidden_layers_train_with_early_stopping_shown_on_the_loss_curve():
    """A network with hidden layers and automatic epochs holds out a validation split; the
    loss chart marks the best epoch, whose weights are restored for the evaluation."""
    import json

    at = upload(_table(400, seed=2))
    at.selectbox(key="yd_hidden").set_value("16").run()
    train_to_the_end(at)
    result = at.session_state["upload_result"][1]
    assert result.method == "adam" and result.n_validation > 0
    assert result.best_epoch is not None
    shown = texts(at)
    assert "Early stopping" in shown and "validation split" in shown
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    rules = [
        (spec, layer)
        for spec in specs
        for layer in spec.get("layer", [])
        if isinstance(layer.get("mark"), dict) and layer["mark"].get("type") == "rule"
    ]
    ((loss, rule),) = rules
    assert rule["data"]["values"][0]["epoch"] == result.best_epoch
    assert "validation loss" in json.dumps(loss)
    assert next(m.label for m in at.metric if "accuracy" in m.label) == "Validation accuracy"


def test_evaluating_a_large_table_shows_its_step_in_a_status_box(monkeypatch):
    """The baseline's fit on a large table takes seconds: the page says what runs meanwhile,
    whether the run ended by itself or by Finish now. Small tables need no box."""
    import lib.ui.own_training as own_training

    small = train_to_the_end(upload(_table()))
    assert not [s for s in small.get("status") if s.label == "Evaluated"]
    monkeypatch.setattr(own_training, "PARALLEL_ROWS", 100)
    at = train_to_the_end(upload(_table()))
    assert not at.exception, at.exception
    (status,) = [s for s in at.get("status") if s.label == "Evaluated"]
    assert type(status.proto).State.Name(status.proto.state) == "COMPLETE"
    assert "LogisticRegression fitted on the same 225 training rows" in texts(at)
    assert "upload_result" in at.session_state
    stopped = start_live(upload(_table()))
    stopped.button(key="yd_finish").click().run()
    assert [s for s in stopped.get("status") if s.label == "Evaluated"]
    assert "**Classification report** (test rows)" in texts(stopped)
