"""Every dataset ClassLab offers, all offline and seeded.

A dataset is a table of features plus a label column. Three families:

* the cheat sheet's own examples, shipped as CSVs in ``assets/``;
* scikit-learn's bundled tables (breast cancer, iris, wine, digits);
* 2-D generators (moons, circles, blobs, XOR, spiral) with noise and a seed.

Every generator draws from its own ``numpy.random.default_rng(seed)`` so two learners
generating data at the same time never disturb each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ASSETS = Path(__file__).resolve().parents[2] / "assets"

GENERATED = ("Moons", "Circles", "Blobs", "XOR", "Spiral")
BUILTIN_TABLES = ("Breast cancer", "Iris", "Wine", "Digits")
SEED_TABLES = ("Student grades", "Student accommodation")
DATASET_NAMES = BUILTIN_TABLES + SEED_TABLES + GENERATED

DESCRIPTIONS = {
    "Breast cancer": "569 tumours, 30 measurements: malignant or benign (binary).",
    "Iris": "150 flowers, 4 measurements, 3 species (multiclass).",
    "Wine": "178 wines, 13 chemical measurements, 3 cultivars (multiclass).",
    "Digits": "1,797 handwritten 8×8 digits, 64 pixels, 10 classes.",
    "Student grades": "The cheat sheet's letter grades A–F, predicted from study habits.",
    "Student accommodation": "The cheat sheet's Rental / Dormitory / With Family / Other.",
    "Moons": "Two interleaving half circles (binary, 2-D).",
    "Circles": "A ring around a disc (binary, 2-D): no straight line separates them.",
    "Blobs": "k Gaussian clusters (2-D).",
    "XOR": "Four quadrants, opposite corners share a class (binary, 2-D).",
    "Spiral": "k interleaved spiral arms (2-D): needs a deep-ish network.",
}


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that determines a dataset: hashable, so it can key a cache or a URL."""

    name: str = "Breast cancer"
    n_samples: int = 300
    noise: float = 0.2
    n_classes: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.name not in DATASET_NAMES:
            raise ValueError(f"Unknown dataset {self.name!r}; choose one of {DATASET_NAMES}.")
        if self.name in GENERATED:
            if not 20 <= self.n_samples <= 20_000:
                raise ValueError(f"n_samples must be between 20 and 20000, got {self.n_samples}.")
            if not 0.0 <= self.noise <= 2.0:
                raise ValueError(f"noise must be between 0 and 2, got {self.noise}.")
            if not 2 <= self.n_classes <= 8:
                raise ValueError(f"n_classes must be between 2 and 8, got {self.n_classes}.")


@dataclass
class Dataset:
    """Features, integer labels and the names behind them.

    ``features`` may hold categorical (text) columns; :func:`numeric_features` one-hot
    encodes them. ``y`` holds codes ``0..K-1`` indexing ``class_names``.
    """

    name: str
    features: pd.DataFrame
    y: np.ndarray
    class_names: list[str]
    target_name: str = "target"
    description: str = ""
    is_2d: bool = False
    spec: DatasetSpec | None = None  # what built it: a hashable cache key for pages

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_binary(self) -> bool:
        return self.n_classes == 2

    @property
    def labels(self) -> pd.Series:
        """The target as readable class names."""
        return pd.Series(np.asarray(self.class_names, dtype=object)[self.y], name=self.target_name)

    def frame(self) -> pd.DataFrame:
        """Features and the readable target in one table."""
        out = self.features.copy()
        out[self.target_name] = self.labels.to_numpy()
        return out


def numeric_features(features: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """One-hot encode the text columns and return a float32 matrix and its column names."""
    categorical = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    encoded = pd.get_dummies(features, columns=categorical, dtype=np.float32)
    return encoded.to_numpy(dtype=np.float32), [str(c) for c in encoded.columns]


def load_dataset(spec: DatasetSpec) -> Dataset:
    """Build the dataset a spec describes.

    >>> load_dataset(DatasetSpec("Iris")).n_classes
    3
    """
    if spec.name in GENERATED:
        dataset = _generate(spec)
    elif spec.name in SEED_TABLES:
        dataset = _seed_table(spec.name)
    else:
        dataset = _sklearn_table(spec.name)
    dataset.spec = spec
    return dataset


# --- scikit-learn's bundled tables -------------------------------------------------------


def _sklearn_table(name: str) -> Dataset:
    from sklearn import datasets as skd

    loader = {
        "Breast cancer": skd.load_breast_cancer,
        "Iris": skd.load_iris,
        "Wine": skd.load_wine,
        "Digits": skd.load_digits,
    }[name]
    bunch = loader()
    columns = [str(c) for c in bunch.feature_names]
    features = pd.DataFrame(bunch.data, columns=columns)
    class_names = [str(c) for c in bunch.target_names]
    y = np.asarray(bunch.target, dtype=np.int64)
    if name == "Breast cancer":
        # scikit-learn codes malignant as 0; the lesson's "positive" (1) is the disease.
        y = 1 - y
        class_names = ["benign", "malignant"]
    if name == "Digits":
        class_names = [str(d) for d in range(10)]
    target = {
        "Breast cancer": "diagnosis",
        "Iris": "species",
        "Wine": "cultivar",
        "Digits": "digit",
    }[name]
    return Dataset(name, features, y, class_names, target, DESCRIPTIONS[name])


# --- the cheat sheet's examples ----------------------------------------------------------

GRADE_ORDER = ["F", "D", "C", "B", "A"]  # code 0..4, as in the seed: A→4 … F→0
ACCOMMODATIONS = ["Rental", "Dormitory", "With Family", "Other"]


def read_students() -> pd.DataFrame:
    """The shipped student table (``assets/students.csv``)."""
    return pd.read_csv(ASSETS / "students.csv")


def read_accommodation_example() -> pd.DataFrame:
    """The cheat sheet's four-row one-hot example, exactly as printed."""
    return pd.read_csv(ASSETS / "accommodation.csv")


def _seed_table(name: str) -> Dataset:
    students = read_students()
    target = "Letter_Grade" if name == "Student grades" else "Accommodation"
    classes = GRADE_ORDER if target == "Letter_Grade" else ACCOMMODATIONS
    features = students.drop(columns=["Student_ID", target])
    codes = {c: i for i, c in enumerate(classes)}
    y = students[target].map(codes).to_numpy(dtype=np.int64)
    return Dataset(name, features, y, list(classes), target, DESCRIPTIONS[name])


def make_students(n: int = 240, seed: int = 7) -> pd.DataFrame:
    """Generate the student table shipped in ``assets/students.csv`` (kept for provenance)."""
    rng = np.random.default_rng(seed)
    hours = rng.gamma(3.0, 3.0, n).round(1)
    attendance = np.clip(rng.normal(82, 12, n), 30, 100).round(0)
    distance = rng.gamma(2.0, 4.0, n).round(1)
    budget = rng.normal(900, 250, n).clip(200, 2000).round(-1)
    age = rng.integers(18, 30, n)
    logits = np.stack(
        [
            0.002 * budget - 0.08 * distance + 0.12 * (age - 18) - 0.5,  # Rental
            1.5 - 0.08 * (age - 18) + 0.0015 * budget,  # Dormitory
            0.25 * distance - 0.001 * budget,  # With Family
            np.full(n, 1.2),  # Other
        ],
        axis=1,
    )
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    accommodation = [ACCOMMODATIONS[rng.choice(4, p=row)] for row in p]
    score = 0.35 * hours + 0.06 * attendance + rng.normal(0, 1.2, n)
    cut = np.quantile(score, [0.1, 0.25, 0.5, 0.78])
    grade = np.asarray(GRADE_ORDER)[np.searchsorted(cut, score)]
    return pd.DataFrame(
        {
            "Student_ID": np.arange(1, n + 1),
            "Age": age,
            "Hours_Studied": hours,
            "Attendance_Pct": attendance,
            "Distance_km": distance,
            "Monthly_Budget": budget,
            "Accommodation": accommodation,
            "Letter_Grade": grade,
        }
    )


# --- 2-D generators --------------------------------------------------------------------


def _generate(spec: DatasetSpec) -> Dataset:
    rng = np.random.default_rng(spec.seed)
    n, noise = spec.n_samples, spec.noise
    k = spec.n_classes if spec.name in ("Blobs", "Spiral") else 2
    X, y = {
        "Moons": _moons,
        "Circles": _circles,
        "Blobs": _blobs,
        "XOR": _xor,
        "Spiral": _spiral,
    }[spec.name](rng, n, noise, k)
    features = pd.DataFrame(X.astype(np.float32), columns=["x1", "x2"])
    names = [f"class {i}" for i in range(k)]
    return Dataset(
        spec.name, features, y.astype(np.int64), names, "class", DESCRIPTIONS[spec.name], True
    )


def _split_counts(n: int, k: int) -> np.ndarray:
    counts = np.full(k, n // k)
    counts[: n % k] += 1
    return counts


def _moons(rng, n, noise, k):
    n0, n1 = _split_counts(n, 2)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    X = np.vstack(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
        ]
    )
    X = X + rng.normal(0, noise * 0.5, X.shape)
    return X, np.repeat([0, 1], [n0, n1])


def _circles(rng, n, noise, k):
    n0, n1 = _split_counts(n, 2)
    t0 = rng.uniform(0, 2 * np.pi, n0)
    t1 = rng.uniform(0, 2 * np.pi, n1)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = 0.45 * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.vstack([outer, inner]) + rng.normal(0, noise * 0.3, (n, 2))
    return X, np.repeat([0, 1], [n0, n1])


def _blobs(rng, n, noise, k):
    counts = _split_counts(n, k)
    angles = 2 * np.pi * np.arange(k) / k
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    X = np.vstack(
        [c + rng.normal(0, 0.3 + noise, (m, 2)) for c, m in zip(centres, counts, strict=True)]
    )
    return X, np.repeat(np.arange(k), counts)


def _xor(rng, n, noise, k):
    X = rng.uniform(-1, 1, (n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64)
    return X + rng.normal(0, noise * 0.3, X.shape), y


def _spiral(rng, n, noise, k):
    counts = _split_counts(n, k)
    parts, labels = [], []
    for arm, m in enumerate(counts):
        r = np.linspace(0.05, 1.0, m)
        t = 1.75 * r * 2 * np.pi + 2 * np.pi * arm / k
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        parts.append(pts + rng.normal(0, noise * 0.1, pts.shape))
        labels.append(np.full(m, arm))
    return np.vstack(parts), np.concatenate(labels)


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_size: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified split with its own seed (falls back to a plain split when a class is tiny)."""
    from sklearn.model_selection import train_test_split as sk_split

    if not 0.05 <= test_size <= 0.9:
        raise ValueError(f"test_size must be between 0.05 and 0.9, got {test_size}.")
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    return sk_split(X, y, test_size=test_size, random_state=seed, stratify=stratify)


def standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale both splits with the training split's mean and std (a constant column keeps std 1)."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std
