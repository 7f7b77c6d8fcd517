"""Cached loaders: deterministic data keyed by exact inputs (``st.cache_data`` returns copies)."""

from __future__ import annotations

import streamlit as st

from lib.core.datasets import Dataset, DatasetSpec, load_dataset


@st.cache_data(show_spinner=False, max_entries=64)
def cached_dataset(spec: DatasetSpec) -> Dataset:
    """The dataset for a spec; generated or read once per distinct spec per process."""
    return load_dataset(spec)
