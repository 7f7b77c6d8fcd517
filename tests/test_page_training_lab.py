"""The training lab under AppTest: buttons, live training, divergence, resets, URL state.

AppTest never fires ``run_every`` timers, so while Play is on each ``.run()`` is a full rerun
that trains one bounded chunk (the page does this on purpose).
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

from tests.conftest import charts, metric_values, open_page, texts

PAGE = "pages/8_Training_Lab.py"
SEPARABLE = {"lab_data": "Blobs", "lab_classes": "2", "lab_noise": "0"}


def lab(at):
    return at.session_state["lab_trainer"]


def epoch(at) -> int:
    return int(metric_values(at)["Epoch"])


def history(at) -> list[dict]:
    return [r.as_dict() for r in lab(at).trainer.history]


def notices(at) -> list[str]:
    """Info boxes other than the page's opening challenge."""
    return [i.value for i in at.info if not i.value.startswith("**Try this:**")]


def run_until(at, condition, max_runs: int = 60) -> None:
    for _ in range(max_runs):
        if condition(at):
            return
        at.run()
        assert not at.exception, at.exception
    assert condition(at), "condition not reached"


def test_opens_at_epoch_zero_with_the_output_layer_explained():
    at = open_page(PAGE)
    assert at.title[0].value == "Training lab"
    assert epoch(at) == 0
    assert metric_values(at)["Optimizer steps"] == "0"
    assert "BCEWithLogitsLoss" in texts(at)
    assert at.get("plotly_chart"), "the decision regions are drawn for 2-D data"
    assert at.get("download_button")


def test_step_batch_and_step_epoch():
    at = open_page(PAGE)
    at.button(key="lab_step").click().run()
    assert metric_values(at)["Optimizer steps"] == "1" and epoch(at) == 0
    at.button(key="lab_epoch").click().run()
    assert epoch(at) == 1
    at.button(key="lab_epoch").click().run()
    assert epoch(at) == 2
    steps_per_epoch = lab(at).trainer.steps_per_epoch
    # +1 epoch is a full epoch's worth of steps, also after a mid-epoch stop (#16): it used
    # to only finish the started epoch (2 × steps_per_epoch in all).
    assert metric_values(at)["Optimizer steps"] == str(1 + 2 * steps_per_epoch)
    assert f"1 of {steps_per_epoch} steps into epoch 3" in texts(at)


def test_play_trains_and_lowers_the_loss_pause_stops_reset_restores():
    at = open_page(PAGE, query=SEPARABLE)
    start_loss = float(metric_values(at)["Train loss"])
    at.button(key="lab_play").click().run()
    assert not at.exception
    assert at.session_state["lab_running"] is True
    run_until(at, lambda a: epoch(a) >= 3)
    assert float(metric_values(at)["Train loss"]) < start_loss
    h = history(at)
    assert h[-1]["train_loss"] < h[0]["train_loss"]
    at.button(key="lab_pause").click().run()
    assert at.session_state["lab_running"] is False
    stopped = (epoch(at), metric_values(at)["Optimizer steps"])
    at.run()
    at.run()
    assert (epoch(at), metric_values(at)["Optimizer steps"]) == stopped
    at.button(key="lab_reset").click().run()
    assert epoch(at) == 0 and metric_values(at)["Optimizer steps"] == "0"
    assert len(history(at)) == 1


def test_learning_rate_10_on_a_hard_dataset_ends_in_the_divergence_message():
    at = open_page(
        PAGE,
        query={"lab_data": "Digits", "lab_std": "false", "lab_layers": "3", "lab_units": "64",
               "lab_lr": "10"},
    )  # fmt: skip
    at.button(key="lab_play").click().run()
    run_until(at, lambda a: lab(a).trainer.diverged is not None)
    at.run()
    assert not at.exception
    assert any("diverged" in e.value and "smaller learning rate" in e.value for e in at.error)
    assert at.session_state["lab_running"] is False
    for value in metric_values(at).values():
        assert "nan" not in value.lower() and "inf" not in value.lower()
    for row in history(at):
        assert all(math.isfinite(v) for v in row.values())
    at.button(key="lab_reset").click().run()
    assert not at.error and epoch(at) == 0


def test_two_sessions_with_the_same_seed_have_identical_histories():
    a = open_page(PAGE, query={"lab_seed": "7"})
    b = open_page(PAGE, query={"lab_seed": "7"})
    for at in (a, b):
        at.button(key="lab_play").click().run()
    for _ in range(4):  # interleaved, with time-bounded chunks of different sizes
        a.run()
        b.run()
    for at in (a, b):
        at.button(key="lab_pause").click().run()
    n = min(len(history(a)), len(history(b)))
    assert n >= 2
    assert history(a)[:n] == history(b)[:n]
    c = open_page(PAGE, query={"lab_seed": "8"})
    c.button(key="lab_epoch").click().run()
    assert history(c)[1] != history(a)[1]


def test_invalidating_change_says_so_and_resets_learning_rate_change_continues():
    at = open_page(PAGE)
    at.button(key="lab_epoch").click().run()
    at.button(key="lab_epoch").click().run()
    assert epoch(at) == 2
    at.select_slider(key="lab_lr").set_value(0.01).run()
    assert epoch(at) == 2 and not notices(at)  # same weights, new step size
    assert lab(at).trainer.optimizer.param_groups[0]["lr"] == 0.01
    at.button(key="lab_epoch").click().run()
    assert epoch(at) == 3
    assert "LR_CHANGES = {" in at.get("code")[-1].value
    at.slider(key="lab_units").set_value(16).run()
    assert epoch(at) == 0
    assert any("hidden layers" in i.value and "reset" in i.value for i in at.info)
    at.run()
    assert not notices(at)  # said once


def test_url_restores_the_experiment():
    at = open_page(
        PAGE,
        query={"lab_data": "Spiral", "lab_classes": "4", "lab_opt": "Adam", "lab_lr": "0.01",
               "lab_bs": "full", "lab_layers": "2", "lab_units": "32", "lab_act": "Tanh"},
    )  # fmt: skip
    s = lab(at).settings
    assert (s.data, s.classes, s.optimizer, s.learning_rate) == ("Spiral", 4, "Adam", 0.01)
    assert s.batch_size == 0 and s.hidden == (32, 32) and s.activation == "Tanh"
    assert lab(at).data.n_classes == 4
    assert "4 output logits" in texts(at) and "CrossEntropyLoss" in texts(at)


def vega_specs(at) -> list[dict]:
    """The Vega-Lite specs of the live curves, as the browser receives them."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_scrub_back_shows_that_epochs_map_numbers_and_a_marker():
    at = open_page(PAGE)
    for _ in range(3):
        at.button(key="lab_epoch").click().run()
    scrub = next(s for s in at.slider if s.label == "Show the model at epoch")
    assert scrub.value == 3
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title == "Decision regions at epoch 3"
    assert all(len(spec["layer"]) == 1 for spec in vega_specs(at))  # no marker at the latest
    scrub.set_value(1).run()
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title == "Decision regions at epoch 1"
    # The numbers follow the map (#16: they stayed at epoch 3) …
    row = history(at)[1]
    shown = metric_values(at)
    assert shown["Epoch"] == "1" and shown["Optimizer steps"] == f"{row['steps']:,}"
    assert shown["Train loss"] == f"{row['train_loss']:.4f}"
    assert "Showing epoch 1 of 3" in texts(at)
    # … and each curve marks the epoch shown.
    for spec in vega_specs(at):
        (rule,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
        assert rule["data"]["values"] == [{"epoch": 1}]


def test_tabular_data_shows_the_test_confusion_matrix():
    at = open_page(PAGE, query={"lab_data": "Iris"})
    at.button(key="lab_epoch").click().run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == "Test confusion matrix at epoch 1"
    z = spec["data"][0]["z"]
    if isinstance(z, dict):  # plotly's typed-array encoding
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
    assert int(np.sum(z)) == len(lab(at).data.y_test)


# -- the learner's own CSV, uploaded and preprocessed on the Your-own-data page -------------

UPLOADED = "Your uploaded CSV"


def test_uploaded_csv_source_explains_where_to_upload_first():
    at = open_page(PAGE)
    at.selectbox(key="lab_data").set_value(UPLOADED).run()
    assert not at.exception, at.exception
    assert "Upload a file on the Your own data page first" in texts(at)
    assert [link.proto.page for link in at.main.get("page_link")] == ["Your_Own_Data"]
    assert not at.metric, "nothing trains before a file is uploaded"


def test_trains_on_the_uploaded_and_preprocessed_csv():
    at = open_page("pages/9_Your_Own_Data.py")
    at.button(key="yd_example").click().run()  # the example table, preprocessed on that page
    assert not at.exception, at.exception
    found = at.session_state["yd_prepared"]  # lib.ui.upload.PreparedUpload
    target, prepared = found.target, found.prepared
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.selectbox(key="lab_data").set_value(UPLOADED).run()
    assert not at.exception, at.exception
    shown_keys = {w.key for w in [*at.slider, *at.number_input, *at.toggle]}
    assert not shown_keys & {"lab_split", "lab_dseed", "lab_std"}, (
        "split/scaling come with the file"
    )
    assert "does not standardise again" in texts(at)
    data = lab(at).data
    assert data.class_names == list(target.classes)
    np.testing.assert_array_equal(lab(at).trainer.X_train.numpy(), prepared.X_train)
    assert epoch(at) == 0
    at.button(key="lab_step").click().run()
    assert not at.exception, at.exception
    assert metric_values(at)["Optimizer steps"] == "1"
    at.button(key="lab_epoch").click().run()
    assert not at.exception, at.exception
    assert epoch(at) == 1
    # tabular: the test confusion matrix over the file's classes, not decision regions
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == "Test confusion matrix at epoch 1"
    z = spec["data"][0]["z"]
    if isinstance(z, dict):  # plotly's typed-array encoding
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
    assert int(np.sum(z)) == len(prepared.y_test)
    assert list(spec["data"][0]["x"]) == list(target.classes)
    assert "student_outcomes.csv" in texts(at)  # the code panel names the file the script expects
    (code,) = [c.value for c in at.code if "SETTINGS = json.loads" in c.value]
    assert 'else "student_outcomes.csv"' in code and "train_test_split" not in code


def test_learning_rate_10_with_sgd_warns_that_the_loss_went_up():
    at = open_page(PAGE, query={"lab_lr": "10"})
    assert not [w for w in at.warning if "training loss" in w.value]
    for _ in range(6):
        at.button(key="lab_epoch").click().run()
    h = history(at)
    assert h[-1]["train_loss"] > 1.5 * h[0]["train_loss"] and lab(at).trainer.diverged is None
    (warning,) = [w.value for w in at.warning if "training loss" in w.value]
    assert "went **up**" in warning and "smaller learning rate" in warning


def test_a_sensible_learning_rate_gets_no_warning():
    at = open_page(PAGE)
    for _ in range(8):
        at.button(key="lab_epoch").click().run()
    assert not [w for w in at.warning if "training loss" in w.value]


def test_equivalent_spellings_of_the_learning_rate_in_a_link_are_accepted():
    for spelt in ("10", "10.0", "1e1", "1E+1"):
        at = open_page(PAGE, query={"lab_lr": spelt})
        assert lab(at).settings.learning_rate == 10.0, spelt
        assert at.select_slider(key="lab_lr").value == 10.0
        assert not at.toast, spelt
    at = open_page(PAGE, query={"lab_bs": "10.0", "lab_wd": "1e-3"})
    assert (lab(at).settings.batch_size, lab(at).settings.weight_decay) == (10, 1e-3)


def test_a_learning_rate_the_lab_does_not_offer_is_named_as_ignored():
    at = open_page(PAGE, query={"lab_lr": "0.05"})
    assert lab(at).settings.learning_rate == 0.1
    notes = [t.value.replace("\\", "") for t in at.toast]  # Markdown escapes removed
    assert any("lab_lr" in note and "(0.05)" in note and "using 0.1" in note for note in notes)


def test_while_playing_the_script_is_offered_for_the_epoch_paused_at():
    at = open_page(PAGE, query=SEPARABLE)
    at.button(key="lab_play").click().run()
    run_until(at, lambda a: epoch(a) >= 2)
    (download,) = at.get("download_button")
    assert download.proto.disabled  # no stale script while the epochs move on
    assert "script is written for the epoch you stop at" in texts(at)
    assert "after 0 epochs" not in texts(at)
    at.button(key="lab_pause").click().run()
    n = epoch(at)
    (download,) = at.get("download_button")
    assert not download.proto.disabled
    accuracy = float(metric_values(at)["Test accuracy"].rstrip("%")) / 100
    assert f"final test accuracy after {n} epochs: {accuracy:.3f}" in texts(at)
    (code,) = [c.value for c in at.code if "EPOCHS = " in c.value]
    assert f"\nEPOCHS = {n}\n" in code


def test_curves_label_whole_epochs_and_text_is_large_enough():
    at = open_page(PAGE)  # epoch 0 only: the axis once read "0.000000"
    specs = vega_specs(at)
    assert len(specs) == 2
    for spec in specs:
        x = spec["layer"][0]["encoding"]["x"]
        assert x["axis"]["format"] == "d" and x["axis"]["tickMinStep"] == 1
        for part in ("axis", "legend"):
            assert spec["config"][part]["labelFontSize"] >= 14
            assert spec["config"][part]["titleFontSize"] >= 14
    (regions,) = charts(at)
    assert regions["layout"]["font"]["size"] >= 14
    assert regions["layout"]["xaxis"]["tickfont"]["size"] >= 14
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Loss per epoch") for c in captions)
    assert any(c.startswith("Share of points classified correctly") for c in captions)
    assert any("filled markers" in c for c in captions)


def test_the_page_opens_with_a_challenge_and_the_key_section_first():
    at = open_page(PAGE)
    first_info = at.info[0].value
    assert first_info.startswith("**Try this:**") and "**Look for:**" in first_info
    assert "learning rate to 10" in first_info
    assert at.select_slider(key="lab_lr").label == "Learning rate η"


def test_class_names_from_an_uploaded_csv_are_shown_as_text_in_the_lab():
    classes = ("<b>K1</b>", '<a href="https://e.vil/k">K2</a>')
    rows = ["x1,x2,label"] + [
        f"{(i % 7) * 0.3 + 2 * (i % 2)},{(i % 5) * 0.2 - (i % 2)},{classes[i % 2]}"
        for i in range(120)
    ]
    at = open_page("pages/9_Your_Own_Data.py")
    data = ("\n".join(rows) + "\n").encode()
    at.file_uploader[0].set_value(("k.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    at.selectbox(key="lab_data").set_value("Your uploaded CSV").run()
    at.button(key="lab_epoch").click().run()
    assert not at.exception, at.exception
    (confusion,) = charts(at)
    shown = json.dumps(confusion)
    assert "<b>" not in shown and "<a " not in shown
    assert "&lt;b&gt;K1&lt;/b&gt;" in confusion["data"][0]["x"]
