"""The foundation engine: datasets, models, losses and training, against torch / sklearn."""

import math
import threading

import numpy as np
import pytest
import torch
from torch import nn

from lib.core import activations, losses
from lib.core.datasets import (
    DATASET_NAMES,
    GENERATED,
    DatasetSpec,
    load_dataset,
    numeric_features,
    train_test_split,
)
from lib.core.models import make_model, n_outputs, predict_proba
from lib.core.training import TrainConfig, Trainer

# --- datasets ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_every_dataset_loads_with_consistent_labels(name):
    data = load_dataset(DatasetSpec(name))
    assert len(data.features) == len(data.y) > 0
    assert set(np.unique(data.y)) == set(range(data.n_classes))
    X, columns = numeric_features(data.features)
    assert X.dtype == np.float32 and X.shape == (len(data.y), len(columns))
    assert np.isfinite(X).all()


def test_expected_class_counts():
    assert load_dataset(DatasetSpec("Breast cancer")).class_names == ["benign", "malignant"]
    assert load_dataset(DatasetSpec("Digits")).n_classes == 10
    grades = load_dataset(DatasetSpec("Student grades"))
    assert grades.class_names == ["F", "D", "C", "B", "A"]  # codes 0..4: A→4 … F→0
    assert load_dataset(DatasetSpec("Student accommodation")).class_names == [
        "Rental",
        "Dormitory",
        "With Family",
        "Other",
    ]


def test_breast_cancer_positive_class_is_malignant():
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    data = load_dataset(DatasetSpec("Breast cancer"))
    assert (data.y == 1).sum() == (bunch.target == 0).sum() == 212


@pytest.mark.parametrize("name", GENERATED)
def test_generators_are_seeded_and_sized(name):
    a = load_dataset(DatasetSpec(name, n_samples=101, noise=0.3, n_classes=4, seed=5))
    b = load_dataset(DatasetSpec(name, n_samples=101, noise=0.3, n_classes=4, seed=5))
    c = load_dataset(DatasetSpec(name, n_samples=101, noise=0.3, n_classes=4, seed=6))
    assert len(a.y) == 101 and a.is_2d
    pd_equal = a.features.equals(b.features) and np.array_equal(a.y, b.y)
    assert pd_equal
    assert not a.features.equals(c.features)
    expected_k = 4 if name in ("Blobs", "Spiral") else 2
    assert a.n_classes == expected_k


def test_generator_ignores_global_seed():
    torch.manual_seed(1)
    np.random.seed(1)
    a = load_dataset(DatasetSpec("Moons", seed=3))
    np.random.seed(2)
    b = load_dataset(DatasetSpec("Moons", seed=3))
    assert a.features.equals(b.features)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "Nope"}, "Unknown dataset"),
        ({"name": "Moons", "n_samples": 5}, "n_samples"),
        ({"name": "Spiral", "n_classes": 1}, "n_classes"),
        ({"name": "Blobs", "noise": -1}, "noise"),
    ],
)
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DatasetSpec(**kwargs)


def test_split_is_stratified_and_seeded():
    data = load_dataset(DatasetSpec("Iris"))
    X, _ = numeric_features(data.features)
    Xtr, Xte, ytr, yte = train_test_split(X, data.y, 0.2, seed=1)
    assert len(Xte) == 30 and np.bincount(yte).tolist() == [10, 10, 10]
    again = train_test_split(X, data.y, 0.2, seed=1)
    assert np.array_equal(again[1], Xte)


# --- activations and losses (teaching twins vs torch) ---------------------------------

EXTREME = np.array([-1000.0, -100.0, -40.0, -2.5, 0.0, 2.5, 40.0, 100.0, 1000.0])


def test_sigmoid_matches_torch_without_overflow():
    ours = activations.sigmoid(EXTREME)
    theirs = torch.sigmoid(torch.tensor(EXTREME, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    assert round(float(activations.sigmoid(2.5)), 3) == 0.924
    np.testing.assert_allclose(
        activations.sigmoid_naive([-5.0, 0.0, 5.0]),
        torch.sigmoid(torch.tensor([-5.0, 0.0, 5.0], dtype=torch.float64)),
    )


def test_sigmoid_derivative_matches_autograd():
    x = torch.tensor(EXTREME[1:-1], requires_grad=True, dtype=torch.float64)
    torch.sigmoid(x).sum().backward()
    np.testing.assert_allclose(
        activations.sigmoid_derivative(EXTREME[1:-1]), x.grad.numpy(), atol=1e-15
    )


def test_softmax_matches_torch_with_extremes_and_temperature():
    z = np.array([[0.9, 0.8, 0.4], [1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0]])
    for temperature in (0.5, 1.0, 3.0):
        theirs = torch.softmax(torch.tensor(z) / temperature, dim=1).numpy()
        np.testing.assert_allclose(
            activations.softmax(z, axis=1, temperature=temperature), theirs, atol=1e-15
        )
    np.testing.assert_allclose(
        activations.log_softmax(z, axis=1),
        torch.log_softmax(torch.tensor(z), dim=1).numpy(),
        atol=1e-12,
    )
    assert np.round(activations.softmax([0.9, 0.8, 0.4]), 2).tolist() == [0.4, 0.36, 0.24]


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_twins_match_torch(y):
    logits = torch.tensor(EXTREME, dtype=torch.float64)
    targets = torch.full_like(logits, y)
    theirs = nn.BCEWithLogitsLoss(reduction="none")(logits, targets).numpy()
    np.testing.assert_allclose(losses.bce_with_logits(EXTREME, y), theirs, rtol=1e-12, atol=1e-15)
    p = torch.sigmoid(logits)
    clamped = nn.BCELoss(reduction="none")(p, targets).numpy()
    np.testing.assert_allclose(losses.bce_clamped(p.numpy(), y), clamped, rtol=1e-12)
    moderate = np.array([0.1, 0.5, 0.924])
    np.testing.assert_allclose(
        losses.bce_naive(moderate, y),
        nn.BCELoss(reduction="none")(
            torch.tensor(moderate), torch.full((3,), y, dtype=torch.float64)
        ).numpy(),
    )


def test_saturated_logit_clamps_bce_but_not_bce_with_logits():
    z = torch.tensor([40.0], dtype=torch.float64, requires_grad=True)
    clamped = nn.BCELoss()(torch.sigmoid(z), torch.zeros(1, dtype=torch.float64))
    clamped.backward()
    assert clamped.item() == 100.0 and z.grad.item() == 0.0
    exact = losses.bce_with_logits(40.0, 0.0)
    assert exact == pytest.approx(40.0, rel=1e-12)


def test_cross_entropy_twins_match_torch():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (6, 4))
    z[0] = [1000.0, -1000.0, 0.0, 5.0]
    t = rng.integers(0, 4, 6)
    theirs = nn.CrossEntropyLoss(reduction="none")(torch.tensor(z), torch.tensor(t)).numpy()
    np.testing.assert_allclose(losses.cross_entropy(z, t), theirs, rtol=1e-12)
    assert np.isfinite(losses.cross_entropy(z, t)).all()
    zt = torch.tensor(z, requires_grad=True)
    nn.CrossEntropyLoss()(zt, torch.tensor(t)).backward()
    np.testing.assert_allclose(losses.cross_entropy_grad(z, t), zt.grad.numpy(), atol=1e-12)
    assert losses.cross_entropy_naive(z[1], t[1]) == pytest.approx(theirs[1])


@pytest.mark.parametrize(
    "z",
    [[100.0, -100.0, 0.0], [-100.0, -100.0, -99.0], [100.0, 100.0], [0.9, 0.8, 0.4]],
)
def test_textbook_twins_match_torch_at_plus_minus_100(z):
    """The _naive (textbook) formulas are exact, without nan or inf, for logits up to ±100."""
    zt = torch.tensor(z, dtype=torch.float64)
    naive = activations.softmax_naive(z)
    assert np.isfinite(naive).all()
    np.testing.assert_allclose(naive, torch.softmax(zt, dim=0).numpy(), rtol=1e-12, atol=1e-300)
    for y in range(len(z)):
        theirs = nn.CrossEntropyLoss()(zt[None], torch.tensor([y])).item()
        ours = losses.cross_entropy_naive(z, y)
        assert np.isfinite(ours) and ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
        assert losses.cross_entropy([z], [y])[0] == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_textbook_twins_break_quietly_where_float64_overflows():
    # e^1000 is inf in float64: the textbook formulas give nan (no warning, no exception),
    # the stable ones stay exact. The lessons show both side by side.
    assert np.isnan(activations.softmax_naive([1000.0, 0.0])[0])
    assert not np.isfinite(losses.cross_entropy_naive([1000.0, 0.0], 1))
    assert losses.cross_entropy([[1000.0, 0.0]], [1])[0] == pytest.approx(1000.0)
    with pytest.raises(ValueError, match="targets must lie in 0..1"):
        losses.cross_entropy_grad([[1.0, 2.0]], [2])


# --- models -----------------------------------------------------------------------------


def test_model_output_shapes_and_logits():
    assert n_outputs(2) == 1 and n_outputs(5) == 5
    binary = make_model(3, 2, hidden=(4, 4), activation="Tanh", seed=0)
    assert binary(torch.zeros(7, 3)).shape == (7, 1)
    proba = predict_proba(binary, torch.randn(7, 3, generator=torch.Generator().manual_seed(0)))
    assert proba.shape == (7, 2) and torch.allclose(proba.sum(1), torch.ones(7))
    assert not any(isinstance(m, (nn.Sigmoid, nn.Softmax)) for m in list(binary)[-1:])


def test_model_init_is_seeded_and_matches_default_distribution():
    a, b, c = (make_model(30, 3, hidden=(64,), seed=s) for s in (1, 1, 2))
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(next(a.parameters()), next(c.parameters()))
    bound = 1 / math.sqrt(30)
    assert next(a.parameters()).abs().max() <= bound


@pytest.mark.parametrize("kwargs", [{"n_classes": 1}, {"hidden": (0,)}, {"activation": "gelu"}])
def test_bad_model_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        make_model(**{"n_features": 2, "n_classes": 2, **kwargs})


# --- training ---------------------------------------------------------------------------


def moons_split(seed=0, n=200):
    data = load_dataset(DatasetSpec("Moons", n_samples=n, noise=0.1, seed=seed))
    X, _ = numeric_features(data.features)
    Xtr, Xte, ytr, yte = train_test_split(X, data.y, 0.25, seed=seed)
    return [torch.tensor(a) for a in (Xtr, ytr, Xte, yte)]


def make_trainer(config, hidden=(16,), seed=0):
    Xtr, ytr, Xte, yte = moons_split()
    return Trainer(make_model(2, 2, hidden, seed=seed), Xtr, ytr, Xte, yte, 2, config)


def losses_of(trainer):
    return [r.train_loss for r in trainer.history]


@pytest.mark.parametrize("optimizer", ["SGD", "SGD + momentum", "Adam"])
def test_training_lowers_loss(optimizer):
    trainer = make_trainer(TrainConfig(optimizer=optimizer, learning_rate=0.05, batch_size=16))
    for _ in range(15):
        trainer.run_epoch()
    assert trainer.epoch == 15 and trainer.steps == 15 * math.ceil(150 / 16)
    assert losses_of(trainer)[-1] < losses_of(trainer)[0] * 0.8
    assert trainer.history[-1].train_accuracy > 0.8


def test_trainer_matches_a_hand_written_loop():
    """Same init, same shuffling generator → the engine is exactly a plain PyTorch loop."""
    config = TrainConfig(
        optimizer="SGD + momentum", learning_rate=0.1, batch_size=10, weight_decay=1e-3, seed=4
    )
    trainer = make_trainer(config, seed=3)
    for _ in range(3):
        trainer.run_epoch()
    Xtr, ytr, _, _ = moons_split()
    model = make_model(2, 2, (16,), seed=3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    g = torch.Generator().manual_seed(4)
    loss_fn = nn.BCEWithLogitsLoss()
    order = torch.randperm(len(Xtr), generator=g)
    for _ in range(3):
        for i in range(0, len(Xtr), 10):
            idx = order[i : i + 10]
            opt.zero_grad()
            loss_fn(model(Xtr[idx]), ytr[idx].float().unsqueeze(1)).backward()
            opt.step()
        order = torch.randperm(len(Xtr), generator=g)
    for pa, pb in zip(trainer.model.parameters(), model.parameters(), strict=True):
        assert torch.equal(pa, pb)


@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_batch_sizes_from_one_to_full(batch_size):
    trainer = make_trainer(TrainConfig(batch_size=batch_size, learning_rate=0.05))
    trainer.run_epoch()
    assert trainer.steps == math.ceil(150 / min(batch_size, 150))


def test_same_seed_gives_bitwise_identical_curves_even_concurrently():
    config = TrainConfig(optimizer="Adam", learning_rate=0.01, batch_size=8, seed=9)
    reference = make_trainer(config)
    for _ in range(5):
        reference.run_epoch()
    results = {}

    def train(name, seed):
        torch.manual_seed(seed)  # another learner touching the global RNG must not matter
        t = make_trainer(TrainConfig(**{**config.__dict__, "seed": seed}))
        for _ in range(5):
            t.run_epoch()
        results[name] = losses_of(t)

    threads = [
        threading.Thread(target=train, args=(f"t{i}", 9 if i % 2 == 0 else 10)) for i in range(4)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results["t0"] == results["t2"] == losses_of(reference)
    assert results["t1"] == results["t3"] != losses_of(reference)


def test_divergence_stops_with_a_message_and_no_nan():
    data = load_dataset(DatasetSpec("Breast cancer"))
    X, _ = numeric_features(data.features)  # unscaled: values up to ~4000
    Xtr, Xte, ytr, yte = (torch.tensor(a) for a in train_test_split(X, data.y, 0.25, seed=0))
    trainer = Trainer(
        make_model(30, 2, (32, 32), seed=0),
        Xtr,
        ytr,
        Xte,
        yte,
        2,
        TrainConfig(optimizer="SGD + momentum", learning_rate=10.0, batch_size=32),
    )
    for _ in range(30):
        trainer.run_epoch()
        if trainer.diverged:
            break
    assert trainer.diverged and "smaller learning rate" in trainer.diverged
    for record in trainer.history:
        assert all(math.isfinite(v) for v in record.as_dict().values())
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
    steps = trainer.steps
    assert trainer.step() is None and trainer.steps == steps  # stays stopped


def test_learning_rate_change_continues_from_current_weights():
    trainer = make_trainer(TrainConfig(learning_rate=0.1, batch_size=16))
    trainer.run_epoch()
    before = [p.clone() for p in trainer.model.parameters()]
    trainer.set_learning_rate(0.01)
    assert trainer.epoch == 1 and trainer.optimizer.param_groups[0]["lr"] == 0.01
    for a, b in zip(before, trainer.model.parameters(), strict=True):
        assert torch.equal(a, b)
    trainer.run_epoch()
    assert trainer.epoch == 2


def test_train_for_is_bounded_and_snapshots_replay():
    trainer = make_trainer(TrainConfig(batch_size=4))
    steps = trainer.train_for(0.05)
    assert steps >= 1
    trainer.train_for(10, max_epochs=2)
    assert trainer.epoch >= 2
    replay = trainer.weights_at(0)
    first = trainer.snapshots[0]
    for name, value in replay.state_dict().items():
        assert torch.equal(value, first[name])


@pytest.mark.parametrize(
    "kwargs",
    [{"optimizer": "RMSprop"}, {"learning_rate": 0}, {"batch_size": 0}, {"weight_decay": -1}],
)
def test_bad_train_configs_are_refused(kwargs):
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)


def test_shipped_student_table_is_reproducible_from_its_generator():
    # assets/students.csv is generated, not hand-edited: make_students() must rebuild it.
    import pandas as pd

    from lib.core.datasets import make_students, read_students

    pd.testing.assert_frame_equal(make_students(), read_students(), check_dtype=False)


def test_trainer_keeps_column_major_features_row_major_and_trains_the_same():
    """Preprocessing writes features column by column (a transposed array); the Trainer
    keeps a row-major copy, so a mini-batch gathers whole rows, and learns exactly what it
    learns from row-major input."""
    rng = np.random.default_rng(3)
    columns = rng.normal(size=(5, 600)).astype(np.float32)  # (features × rows), as prepare
    X_f = torch.from_numpy(columns.T)  # rows × features, column-major
    assert not X_f.is_contiguous()
    y = torch.from_numpy((columns[0] + columns[1] > 0).astype(np.int64))
    config = TrainConfig(optimizer="Adam", learning_rate=0.05, batch_size=64, seed=1)

    def trained(X):
        trainer = Trainer(make_model(5, 2, seed=0), X, y, X[:100], y[:100], 2, config)
        trainer.run_epoch()
        trainer.run_epoch()
        return trainer

    from_f, from_c = trained(X_f), trained(X_f.contiguous())
    assert from_f.X_train.is_contiguous() and from_f.X_test.is_contiguous()
    for a, b in zip(from_f.model.parameters(), from_c.model.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert [h.train_loss for h in from_f.history] == [h.train_loss for h in from_c.history]
