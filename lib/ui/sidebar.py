"""The shared sidebar: pick a dataset once and keep it on every page."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from lib.catalog import LESSONS
from lib.core.datasets import DATASET_NAMES, DESCRIPTIONS, GENERATED, Dataset, DatasetSpec
from lib.ui import state
from lib.ui.loaders import cached_dataset
from lib.ui.presenter import link_query
from lib.ui.query import sanitize_query
from lib.ui.upload_release import release_ended_sessions

_SHARED = {"bind": "query-params", "persist_state": "session"}


def dataset_picker(binary_only: bool = False, fallback: str = "Breast cancer") -> Dataset:
    """Draw the dataset controls in the sidebar and return the chosen dataset.

    ``binary_only`` is for lessons about two classes: a multiclass choice is kept (and
    restored on the other pages) but this page shows ``fallback`` and says why.
    """
    sanitize_query()  # app.py draws no header: the link is checked here before the widgets
    sidebar = st.sidebar
    nav = sidebar.container()
    sidebar.header("Dataset")
    name = sidebar.selectbox(
        "Dataset",
        DATASET_NAMES,
        key=state.DATASET_KEY,
        help="Chosen once, kept on every page and in the page's link.",
        **_SHARED,
    )
    sidebar.caption(DESCRIPTIONS[name])
    # The widgets' return values, not st.session_state: on a shared link's first run they
    # already hold the URL's values.
    chosen = {**state.SIDEBAR_DEFAULTS, state.DATASET_KEY: name}
    if name in GENERATED:
        chosen[state.N_SAMPLES_KEY] = sidebar.slider(
            "Points",
            40,
            2000,
            step=20,
            key=state.N_SAMPLES_KEY,
            value=state.SIDEBAR_DEFAULTS[state.N_SAMPLES_KEY],
            **_SHARED,
        )
        chosen[state.NOISE_KEY] = sidebar.slider(
            "Noise",
            0.0,
            1.0,
            step=0.05,
            key=state.NOISE_KEY,
            value=state.SIDEBAR_DEFAULTS[state.NOISE_KEY],
            **_SHARED,
        )
        if name in ("Blobs", "Spiral"):
            chosen[state.N_CLASSES_KEY] = sidebar.slider(
                "Classes",
                2,
                6,
                key=state.N_CLASSES_KEY,
                value=state.SIDEBAR_DEFAULTS[state.N_CLASSES_KEY],
                **_SHARED,
            )
        chosen[state.DATA_SEED_KEY] = sidebar.number_input(
            "Data seed",
            0,
            10_000,
            key=state.DATA_SEED_KEY,
            value=state.SIDEBAR_DEFAULTS[state.DATA_SEED_KEY],
            **_SHARED,
        )
    st.session_state[state.SIDEBAR_CHOICE] = chosen
    with nav:
        _navigation(chosen)
    dataset = cached_dataset(state.spec_from(chosen))
    if binary_only and not dataset.is_binary:
        sidebar.info(
            f"{dataset.name} has {dataset.n_classes} classes and this lesson is about two, "
            f"so it uses {fallback}. Your choice is kept for the other pages."
        )
        dataset = cached_dataset(DatasetSpec(name=fallback))
    sidebar.caption(
        f"{len(dataset.y):,} rows · {dataset.features.shape[1]} features · "
        f"{dataset.n_classes} classes"
    )
    return dataset


def navigation_only(note: str) -> None:
    """For pages that bring their own data: the navigation, and a note instead of the picker.

    The learner's dataset choice is not shown here but kept, and every link carries it.
    """
    with st.sidebar:
        _navigation({**state.SIDEBAR_DEFAULTS, **st.session_state.get(state.SIDEBAR_CHOICE, {})})
        st.caption(note)


def _navigation(chosen: dict) -> None:
    """The learning path in the sidebar, carrying the dataset choice in every link."""
    # Every page draws this, so ended sessions' uploads are freed whatever page is in use
    # (throttled to once every 30 s per server).
    release_ended_sessions()
    query = {k: str(v) for k, v in chosen.items() if v != state.SIDEBAR_DEFAULTS[k]}
    query |= link_query()  # presenter mode (?present=1) follows the learner too
    try:
        st.page_link("app.py", label="Home", icon=":material/home:", query_params=query)
        for lesson in LESSONS:
            st.page_link(lesson.path, label=lesson.title, icon=lesson.icon, query_params=query)
    except StreamlitPageNotFoundError:
        # A page script run on its own (a test opening a link) has no app.py around it.
        return
    st.divider()
