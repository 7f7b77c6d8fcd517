"""The training lab's pure engine: reproducibility, divergence, live learning-rate changes,
the grid and the standalone script (run for real with ``python``)."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from lib.lessons.lab import (
    LabSettings,
    build_lab,
    changed,
    confusion_at,
    grid_proba,
    history_frame,
    layer_norms,
    model_at,
    prepare_data,
    signature,
    standardizer,
)
from lib.lessons.lab_script import accuracy_line, standalone_script
from lib.plots.training import confusion_heatmap, curves_spec, decision_regions, region_image

MOONS = LabSettings(data="Moons", points=200, hidden=(8, 8), batch_size=16, seed=3)


def train_epochs(settings: LabSettings, epochs: int):
    lab = build_lab(settings)
    for _ in range(epochs):
        lab.trainer.run_epoch()
    return lab


def test_same_seed_gives_bitwise_identical_history():
    a = train_epochs(MOONS, 6).trainer.history
    b = train_epochs(MOONS, 6).trainer.history
    assert [r.as_dict() for r in a] == [r.as_dict() for r in b]
    c = train_epochs(LabSettings(**{**MOONS.__dict__, "seed": 4}), 6).trainer.history
    assert [r.train_loss for r in a] != [r.train_loss for r in c]


def test_identical_history_when_two_trainers_run_concurrently():
    alone = [r.as_dict() for r in train_epochs(MOONS, 8).trainer.history]
    results: dict[int, list] = {}

    def work(i: int) -> None:
        lab = build_lab(MOONS)
        while lab.trainer.epoch < 8:  # small time slices interleave the two threads
            lab.trainer.train_for(0.002, max_epochs=8 - lab.trainer.epoch)
        results[i] = [r.as_dict() for r in lab.trainer.history]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == alone
    assert results[1] == alone


def test_training_learns_a_separable_problem():
    lab = train_epochs(LabSettings(data="Blobs", classes=2, noise=0.0, hidden=()), 10)
    history = lab.trainer.history
    assert history[-1].train_loss < history[0].train_loss / 2
    assert history[-1].test_accuracy == 1.0


def test_divergence_with_lr_10_on_unscaled_data_stops_without_nan():
    settings = LabSettings(
        data="Digits", standardize=False, hidden=(64, 64, 64), learning_rate=10.0, batch_size=32
    )
    lab = train_epochs(settings, 5)
    assert lab.trainer.diverged is not None
    assert "smaller learning rate" in lab.trainer.diverged
    assert lab.finished
    frame = history_frame(lab.trainer)
    assert np.isfinite(frame.to_numpy(dtype=float)).all()
    steps = lab.trainer.steps
    lab.trainer.run_epoch()
    assert lab.trainer.steps == steps  # stopped for good until reset


def test_learning_rate_change_continues_from_current_weights():
    lab = train_epochs(MOONS, 3)
    before = {k: v.clone() for k, v in lab.trainer.model.state_dict().items()}
    steps = lab.trainer.steps
    lab.set_learning_rate(0.01)
    after = lab.trainer.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert lab.trainer.optimizer.param_groups[0]["lr"] == 0.01
    assert lab.lr_changes == {steps: 0.01}
    assert signature(lab.settings) == signature(MOONS)
    lab.trainer.run_epoch()
    assert lab.trainer.epoch == 4


def test_signature_ignores_learning_rate_and_irrelevant_generator_knobs():
    assert signature(MOONS) == signature(LabSettings(**{**MOONS.__dict__, "learning_rate": 3.0}))
    assert signature(MOONS) != signature(LabSettings(**{**MOONS.__dict__, "batch_size": 4}))
    wine = LabSettings(data="Wine")
    assert signature(wine) == signature(LabSettings(data="Wine", points=1000, noise=0.5))
    assert changed(signature(MOONS), signature(LabSettings(**{**MOONS.__dict__, "seed": 9}))) == [
        "seed"
    ]


def test_invalid_settings_raise_value_error():
    with pytest.raises(ValueError):
        LabSettings(hidden=(65,))
    with pytest.raises(ValueError):
        LabSettings(hidden=(4,) * 7)
    with pytest.raises(ValueError):
        LabSettings(data="Nope")
    with pytest.raises(ValueError):
        LabSettings(learning_rate=0)


def test_standardisation_uses_training_statistics_only():
    data = prepare_data(LabSettings(data="Wine"))
    X_train, _, X_test, _ = data.tensors()
    np.testing.assert_allclose(X_train.mean(0).numpy(), 0, atol=1e-5)
    np.testing.assert_allclose(X_train.std(0, unbiased=False).numpy(), 1, atol=1e-4)
    assert abs(float(X_test.mean())) > 1e-4  # the test split is transformed, not refitted
    mean, std = standardizer(data.X_train_raw, enabled=False)
    assert (mean == 0).all() and (std == 1).all()


def test_grid_proba_shape_dtype_and_agreement_with_the_model():
    lab = train_epochs(MOONS, 2)
    xs, ys, proba = grid_proba(lab)
    assert xs.shape == (100,) and ys.shape == (100,) and proba.shape == (100, 100, 2)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    i, j = 17, 63  # proba[i, j] is at (xs[j], ys[i])
    point = lab.data.transform(np.array([[xs[j], ys[i]]]))
    with torch.no_grad():
        p1 = torch.sigmoid(lab.trainer.model(torch.from_numpy(point)))[0, 0].item()
    assert proba[i, j, 1] == pytest.approx(p1, abs=1e-5)
    with pytest.raises(ValueError):
        grid_proba(build_lab(LabSettings(data="Iris")))


def test_scrubbing_back_uses_the_recorded_weights():
    lab = train_epochs(MOONS, 4)
    early = model_at(lab, 1)
    assert all(
        torch.equal(early.state_dict()[k], lab.trainer.snapshots[1][k])
        for k in lab.trainer.snapshots[1]
    )
    assert model_at(lab, None) is lab.trainer.model
    _, _, p_early = grid_proba(lab, early)
    _, _, p_now = grid_proba(lab)
    assert not np.allclose(p_early, p_now)


def test_confusion_matrix_matches_sklearn():
    from sklearn.metrics import confusion_matrix

    lab = train_epochs(LabSettings(data="Iris", hidden=(), learning_rate=0.1), 5)
    with torch.no_grad():
        predicted = lab.trainer.model(lab.trainer.X_test).argmax(1).numpy()
    expected = confusion_matrix(lab.data.y_test, predicted, labels=[0, 1, 2])
    np.testing.assert_array_equal(confusion_at(lab), expected)
    assert confusion_at(lab).sum() == len(lab.data.y_test)


def test_layer_norms_name_every_linear_layer():
    lab = build_lab(MOONS)
    norms = layer_norms(lab.trainer.model)
    assert [n for n, _ in norms] == ["hidden layer 1", "hidden layer 2", "output layer"]
    first = lab.trainer.model[0].weight.detach().norm().item()
    assert norms[0][1] == pytest.approx(first)


def test_figures_are_light_and_colour_blind_safe():
    lab = train_epochs(LabSettings(data="Spiral", classes=3, points=150), 1)
    xs, ys, proba = grid_proba(lab)
    d = lab.data
    fig = decision_regions(xs, ys, proba, d.X_train_raw, d.y_train, d.X_test_raw, d.y_test,
                           d.class_names)  # fmt: skip
    go.Figure(fig.to_dict())  # validates (raises on a wrong property)
    symbols = {t.marker.symbol for t in fig.data if t.type == "scatter"}
    assert len(symbols) == 6  # 3 classes × (filled train, open test)
    assert region_image(proba).shape == (100, 100, 3)
    binary = train_epochs(MOONS, 1)
    xs, ys, proba = grid_proba(binary)
    d = binary.data
    fig = decision_regions(xs, ys, proba, d.X_train_raw, d.y_train, d.X_test_raw, d.y_test,
                           d.class_names)  # fmt: skip
    assert fig.data[0].type == "heatmap" and fig.data[0].z.dtype == np.float32
    go.Figure(fig.to_dict())  # built without validation for speed: it must still be valid
    cm = confusion_heatmap(np.array([[3, 1], [0, 4]]), ["a", "b"])
    assert cm.data[0].z.tolist() == [[3, 1], [0, 4]]
    spec = curves_spec(["train loss", "test loss"], "loss")
    (lines,) = spec["layer"]
    assert lines["transform"][0]["fold"] == ["train loss", "test loss"]
    assert lines["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 3]]  # solid, dashed
    marked = curves_spec(["train loss", "test loss"], "loss", marker=4)
    assert marked["layer"][1]["mark"]["type"] == "rule"


SCRIPT_CASES = [
    MOONS,
    LabSettings(
        data="Spiral",
        classes=3,
        points=180,
        hidden=(16,),
        optimizer="Adam",
        learning_rate=0.01,
        batch_size=0,
        seed=1,
    ),  # fmt: skip
    LabSettings(
        data="Breast cancer",
        standardize=False,
        hidden=(4,),
        activation="Tanh",
        optimizer="SGD + momentum",
        learning_rate=0.001,
        batch_size=32,
        weight_decay=0.001,
    ),  # fmt: skip
]


@pytest.mark.parametrize("settings", SCRIPT_CASES, ids=lambda s: s.data)
def test_generated_script_reproduces_the_final_test_accuracy(settings, tmp_path):
    lab = train_epochs(settings, 3)
    lab.set_learning_rate(settings.learning_rate / 3)  # a live change is replayed too
    lab.trainer.run_epoch()
    lab.trainer.run_epoch()
    lab.trainer.run_steps(2)  # a partial epoch: the script stops at the last completed one
    last = lab.trainer.history[-1]
    assert last.epoch >= 5
    code = standalone_script(lab)
    assert "from lib" not in code and "import lib" not in code
    path = tmp_path / "lab_script.py"
    path.write_text(code)
    out = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert out.returncode == 0, out.stderr
    *_, loss_line, accuracy = out.stdout.strip().splitlines()
    assert accuracy == accuracy_line(last.test_accuracy, last.epoch)
    # Not just the same rounded accuracy: the very same float32 arithmetic.
    assert float(loss_line.split(": ")[1]) == last.test_loss


def test_script_accuracy_line_format():
    assert accuracy_line(0.5, 3) == "final test accuracy after 3 epochs: 0.5000"


# -- the learner's uploaded CSV (preprocessed by lib.tabular.pipeline, passed in as arrays) ---------


def _uploaded(config=None):
    import hashlib

    from lib.core.datasets import ASSETS
    from lib.lessons.lab import uploaded_data
    from lib.tabular.pipeline import PipelineConfig, preprocess, read_and_profile

    data = (ASSETS / "students.csv").read_bytes()
    csv, profile = read_and_profile(data)
    config = config or PipelineConfig(target="Letter_Grade")
    target, _features, prepared = preprocess(csv.frame, profile, config)
    digest = hashlib.sha256(data).hexdigest()
    return (
        data,
        target,
        prepared,
        uploaded_data(prepared, target, config, csv, "my students.csv", digest),
    )


def test_uploaded_csv_trains_on_the_preprocessed_matrices_without_scaling_twice():
    from lib.lessons.lab import UPLOADED
    from lib.tabular.pipeline import PipelineConfig

    _data, target, prepared, source = _uploaded()
    with pytest.raises(ValueError, match="Your own data page first"):
        LabSettings(data=UPLOADED)
    settings = LabSettings(data=UPLOADED, upload=source.key, hidden=(), batch_size=32)
    lab = build_lab(settings, uploaded=source)
    assert lab.data.class_names == list(target.classes) and not lab.data.is_2d
    np.testing.assert_array_equal(lab.trainer.X_train.numpy(), prepared.X_train)  # bit for bit
    np.testing.assert_array_equal(lab.trainer.X_test.numpy(), prepared.X_test)
    np.testing.assert_array_equal(lab.trainer.y_test.numpy(), prepared.y_test)
    # The lab's split / standardisation knobs do not apply; another preprocessing does.
    assert signature(settings) == signature(
        LabSettings(**{**settings.__dict__, "test_size": 0.4, "standardize": False})
    )
    other = _uploaded(PipelineConfig(target="Letter_Grade", seed=1))[3]
    assert other.key != source.key
    moved = LabSettings(**{**settings.__dict__, "upload": other.key})
    assert changed(signature(settings), signature(moved)) == ["uploaded file or its preprocessing"]
    with pytest.raises(ValueError, match="Your own data page first"):
        build_lab(moved, uploaded=source)  # stale matrices are refused, never mixed up
    lab.trainer.run_epoch()
    assert lab.trainer.epoch == 1
    assert confusion_at(lab).sum() == len(prepared.y_test)


def test_uploaded_csv_script_reads_the_file_next_to_it_and_reproduces_the_lab(tmp_path):
    from lib.lessons.lab import UPLOADED
    from lib.lessons.lab_script import script_name

    data, _target, _prepared, source = _uploaded()
    settings = LabSettings(
        data=UPLOADED, upload=source.key, hidden=(8,), optimizer="Adam", learning_rate=0.01,
        batch_size=16, weight_decay=1e-4, seed=2,
    )  # fmt: skip
    lab = build_lab(settings, uploaded=source)
    for _ in range(2):
        lab.trainer.run_epoch()
    lab.set_learning_rate(0.003)
    lab.trainer.run_epoch()
    code = standalone_script(lab)
    assert "from lib" not in code and "import lib" not in code
    assert "train_test_split" not in code  # no second split, no second standardisation
    # Scaled once, by the Your-own-data part; the lab's own standardisation is left out.
    assert "X_train = ((X_train - mean) / std)" not in code
    (tmp_path / source.filename).write_bytes(data)
    assert source.filename == "my_students.csv"  # a safe name inside the code
    (tmp_path / script_name(lab)).write_text(code)
    out = subprocess.run(
        [sys.executable, script_name(lab)], capture_output=True, text=True, cwd=tmp_path,
        timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    *_, loss_line, accuracy = out.stdout.strip().splitlines()
    last = lab.trainer.history[-1]
    assert accuracy == accuracy_line(last.test_accuracy, 3)
    assert float(loss_line.split(": ")[1]) == last.test_loss


def test_chart_frame_thins_long_histories_but_keeps_the_latest_epoch():
    from lib.lessons.lab import chart_frame, history_frame

    lab = build_lab(LabSettings(batch_size=0))  # full batch: one epoch per step
    lab.trainer.run_steps(999)
    full = history_frame(lab.trainer).reset_index()
    assert len(chart_frame(lab.trainer, max_points=2000)) == len(full) == 1000
    thin = chart_frame(lab.trainer, max_points=100)
    assert len(thin) <= 101 and len(thin) >= 50
    assert thin["epoch"].iloc[-1] == full["epoch"].iloc[-1] == 999
    stride = int(thin["epoch"].iloc[1] - thin["epoch"].iloc[0])
    assert stride in (8, 16) and (thin["epoch"].iloc[:-1] % stride == 0).all()
    # the kept rows are the recorded values themselves, not averages
    merged = thin.merge(full, on="epoch", suffixes=("", "_full"))
    assert (merged["train loss"] == merged["train loss_full"]).all()
    # one more step keeps the same sampled epochs (no flicker between ticks)
    lab.trainer.run_steps(1)
    again = chart_frame(lab.trainer, max_points=100)
    assert set(thin["epoch"].iloc[:-1]) <= set(again["epoch"])


def test_regions_png_draws_the_probability_map_and_the_points():
    import io

    from PIL import Image

    from lib.plots.regions_png import regions_png
    from lib.plots.style import OKABE_ITO

    xs = ys = np.linspace(-1, 1, 50, dtype=np.float32)
    gx, _gy = np.meshgrid(xs, ys)
    p1 = (gx > 0).astype(np.float32)  # certain: class 1 right of x = 0, class 0 left
    proba = np.stack([1 - p1, p1], axis=-1)
    X_train = np.array([[-0.5, 0.5]], dtype=np.float32)
    y_train = np.array([1])  # a class-1 point on the class-0 side: its fill shows
    empty = np.zeros((0, 2), dtype=np.float32)
    png = regions_png(xs, ys, proba, X_train, y_train, empty, np.zeros(0, int), size=200)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    assert image.shape == (200, 200, 3)

    def rgb(hex_colour):
        return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])

    blue, orange = rgb(OKABE_ITO[0]), rgb(OKABE_ITO[1])
    left, right = image[20, 20], image[20, 180]  # far from the point and the boundary
    assert np.abs(left - blue).sum() < np.abs(left - orange).sum()
    assert np.abs(right - orange).sum() < np.abs(right - blue).sum()
    # the point at (-0.5, 0.5) → pixel column 50, row 50: filled with the class-1 colour
    assert np.abs(image[50, 50] - orange).sum() < 60


def test_percent_fits_the_metric_columns():
    from lib.ui.lab import percent

    assert [percent(v) for v in (1.0, 0.99951, 0.9994, 0.5, 0.0)] == [
        "100%", "100%", "99.9%", "50.0%", "0.0%"]  # fmt: skip
