"""Every session-wide setting with its default, in one place (like playground's state.ts).

Widgets that must survive a page switch use ``persist_state="session"``; widgets worth
sharing in a link use ``bind="query-params"`` with the key below as the URL parameter.
Per-learner objects (models, trainers, uploads) live in ``st.session_state`` under the
``OBJECT_KEYS`` names, never in ``st.cache_resource`` or module globals.
"""

from __future__ import annotations

import streamlit as st

from lib.core.datasets import DatasetSpec

# Sidebar: the dataset picked once and kept on every page (URL parameter names).
DATASET_KEY = "dataset"
N_SAMPLES_KEY = "points"
NOISE_KEY = "noise"
N_CLASSES_KEY = "classes"
DATA_SEED_KEY = "data_seed"

# The learner's sidebar choice, under a key no widget owns so it survives page switches.
SIDEBAR_CHOICE = "_sidebar_choice"

SIDEBAR_DEFAULTS = {
    DATASET_KEY: DatasetSpec().name,
    N_SAMPLES_KEY: DatasetSpec().n_samples,
    NOISE_KEY: DatasetSpec().noise,
    N_CLASSES_KEY: DatasetSpec().n_classes,
    DATA_SEED_KEY: DatasetSpec().seed,
}

# Per-learner objects: documented here so no two pages reuse a name for different things.
OBJECT_KEYS = {
    "lab_trainer": "Training lab: the live Trainer (model, optimizer, history, generator).",
    "lab_signature": "Training lab: the settings the current Trainer was built from.",
    "lab_running": "Training lab: True while Play is on.",
    "upload_bytes": "Your data: the raw bytes of the uploaded file.",
    "upload_result": "Your data: the trained pipeline result for this learner.",
    "yd_parsed": "Your data: (file digest, reading options) → parsed table and profile.",
    "yd_prepared": "Your data: (file digest, …frame shape/names/types…, settings) → target, features and preprocessed split.",
    "yd_downloads": "Your data: model file, script and predictions CSV for the current result.",
    "lab_upload": "Training lab: (file, options, preprocessing) → the uploaded CSV's matrices.",
}


def spec_from(values: dict) -> DatasetSpec:
    """A DatasetSpec from sidebar values keyed like ``SIDEBAR_DEFAULTS``."""
    values = {**SIDEBAR_DEFAULTS, **values}
    return DatasetSpec(
        name=values[DATASET_KEY],
        n_samples=int(values[N_SAMPLES_KEY]),
        noise=float(values[NOISE_KEY]),
        n_classes=int(values[N_CLASSES_KEY]),
        seed=int(values[DATA_SEED_KEY]),
    )


def current_spec() -> DatasetSpec:
    """The dataset chosen in the sidebar (defaults before the sidebar is drawn).

    Call it after ``dataset_picker()``; a page that needs fallbacks should use the returned
    dataset's ``spec`` instead.
    """
    return spec_from(st.session_state.get(SIDEBAR_CHOICE, {}))
