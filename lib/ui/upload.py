"""Streamlit glue for "Your own data": upload, reading, profile, target, settings, steps.

Per-learner objects live in ``st.session_state`` (``upload_bytes``, ``upload_result`` and the
``yd_*`` keys). The parsed table is memoised in the learner's session (``yd_parsed``, keyed by
the file's SHA-256 and the reading options), never in a cache shared by the process: a shared
cache kept departed learners' tables (their private data) and their memory for an hour
(``python -m bench soak``: +90 % of the server's memory after three 30 MB uploads had left).
Two learners who upload the same file each parse it.
Every piece of user text (column names, cells, messages quoting them) is shown through
``st.dataframe`` or escaped before it reaches Markdown. The training lab reads this page's
upload through :class:`ParsedUpload` and :class:`PreparedUpload` (``yd_parsed`` /
``yd_prepared``). The evaluation and downloads are in :mod:`lib.ui.own_results`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib.tabular.example import FILE as EXAMPLE_FILE
from lib.tabular.pipeline import PipelineConfig, preprocess
from lib.tabular.preprocess import Prepared
from lib.tabular.profile import Profile, TargetInfo, profile_frame
from lib.tabular.reading import (
    DELIMITER_NAMES,
    ENCODING_LABELS,
    ENCODINGS,
    CsvError,
    CsvResult,
    read_csv_bytes,
)
from lib.tabular.steps import lesson
from lib.tabular.threads import PARALLEL_ROWS
from lib.tabular.words import plural
from lib.text import md_literal
from lib.ui.widgets import code_panel

PREVIEW_ROWS = 50
PROFILE_ROWS = 2_000
HIDDEN_CHOICES = {"none (logistic regression)": (), "16": (16,), "32": (32,), "64, 32": (64, 32)}
BYTES_KEY = "upload_bytes"
RESULT_KEY = "upload_result"
PARSED_KEY, PREPARED_KEY, BUDGET_KEY = "yd_parsed", "yd_prepared", "yd_budget"
# A session may receive this many files, and this many bytes in all (each file is also
# capped by server.maxUploadSize): one tab cannot keep a shared server parsing forever.
SESSION_UPLOADS = 25
SESSION_BYTES = 500 * 1024**2
# Files from this size take about a second or more to read and profile (about 2 s for 12 MB,
# measured here): their steps are shown in a status box while they run.
STATUS_BYTES = 2 * 1024**2
# In the URL, so an instructor's link opens the page with these settings (the file itself
# cannot travel in a link: the learner uploads it).
_URL = {"bind": "query-params"}


@dataclass(frozen=True)
class ParsedUpload:
    """The upload as read and profiled for one set of reading options (``yd_parsed``)."""

    digest: str
    options: tuple  # the reading options, sorted (name, value) pairs
    csv: CsvResult
    profile: Profile

    @property
    def key(self) -> tuple:
        return (self.digest, self.options)


@dataclass(frozen=True)
class PreparedUpload:
    """The upload's target, features and preprocessed split for one configuration
    (``yd_prepared``); ``key`` also holds the frame's shape, names and types."""

    key: tuple
    target: TargetInfo
    features: list[str]
    prepared: Prepared

    @property
    def digest(self) -> str:
        return self.key[0]

    @property
    def config(self) -> PipelineConfig:
        return self.key[-1]


# --- upload and reading --------------------------------------------------------------------


def current_upload() -> tuple[str, bytes, str] | None:
    """Draw the uploader; keep (name, bytes, digest) in session state, release replaced bytes."""
    uploaded = st.file_uploader(
        "Your CSV file",
        type=["csv", "tsv", "txt"],
        key="yd_file",
        help="A table with a header row: one column is the class to predict.",
    )
    if st.button("No file at hand? Use the example student table", key="yd_example"):
        from lib.core.datasets import ASSETS

        _store(EXAMPLE_FILE, (ASSETS / EXAMPLE_FILE).read_bytes(), "example")
    if uploaded is not None:
        stored = st.session_state.get(BYTES_KEY)
        if (stored is None or stored[3] != uploaded.file_id) and _within_budget(uploaded):
            _store(uploaded.name, uploaded.getvalue(), uploaded.file_id)
    elif st.session_state.get(BYTES_KEY) and st.session_state[BYTES_KEY][3] != "example":
        release()
    stored = st.session_state.get(BYTES_KEY)
    return None if stored is None else stored[:3]


def _within_budget(uploaded) -> bool:
    """Count a new upload against the session's budget; False (with an error) beyond it."""
    budget = st.session_state.setdefault(BUDGET_KEY, {"files": set(), "bytes": 0})
    if uploaded.file_id in budget["files"]:
        return True
    files, total = len(budget["files"]) + 1, budget["bytes"] + uploaded.size
    if files > SESSION_UPLOADS or total > SESSION_BYTES:
        st.error(
            f"Upload limit of this session reached: at most {SESSION_UPLOADS} files and "
            f"{SESSION_BYTES // 1024**2} MB in all per session (this file would make "
            f"{plural(files, 'file')}, {total / 1024**2:,.0f} MB). The file was not read. "
            "Close this tab and open the page again to start a new session."
        )
        return False
    budget["files"].add(uploaded.file_id)
    budget["bytes"] = total
    return True


def _store(name: str, data: bytes, file_id: str) -> None:
    release()
    st.session_state[BYTES_KEY] = (name, data, hashlib.sha256(data).hexdigest(), file_id)


def release() -> None:
    """Forget this learner's upload and everything computed from it."""
    for key in (BYTES_KEY, RESULT_KEY, PARSED_KEY, PREPARED_KEY, "yd_downloads", "yd_run",
                "yd_running", "yd_repeats"):  # fmt: skip
        st.session_state.pop(key, None)


def session_lost_notice() -> None:
    """With no upload in this session but the page's settings in the link: the server may
    have restarted (or the session expired) since the learner uploaded and trained."""
    settings = sorted(k for k in st.query_params if k.startswith("yd_"))
    if not settings:
        return
    st.info(
        "This page's link carries settings ("
        + ", ".join(md_literal(k.removeprefix("yd_")) for k in settings)
        + ") but no file is loaded in this session. If you had uploaded a file and trained a "
        "model here, the server was restarted or your session expired, and both were lost: "
        "the server keeps neither. Upload the same file again (or use the example) and "
        "press **Train**: the settings in the link are restored as they were.",
        icon=":material/history:",
    )


def reading_options() -> dict:
    """The override widgets; each defaults to "detect"."""
    with st.expander(
        "Reading settings (detected automatically; override if the table looks wrong)"
    ):
        cols = st.columns(4)
        enc = cols[0].selectbox(
            "Encoding",
            ["detect", *ENCODINGS],
            key="yd_enc",
            **_URL,
            format_func=lambda e: ENCODING_LABELS.get(e, e),
        )
        sep = cols[1].selectbox(
            "Separator",
            ["detect", *DELIMITER_NAMES],
            key="yd_sep",
            **_URL,
            format_func=lambda d: DELIMITER_NAMES.get(d, d),
        )
        dec = cols[2].selectbox("Decimal mark", ["detect", ".", ","], key="yd_dec", **_URL)
        head = cols[3].selectbox("Header row", ["detect", "yes", "no"], key="yd_head", **_URL)
    chosen = {"encoding": enc, "delimiter": sep, "decimal": dec}
    options = {k: v for k, v in chosen.items() if v != "detect"}
    if head != "detect":
        options["header"] = head == "yes"
    return options


def read_upload(data: bytes, digest: str, options: dict) -> ParsedUpload | None:
    """Parsed and profiled table for this learner, memoised in the session; big files show
    their steps in a status box while they run."""
    key = (digest, tuple(sorted(options.items())))
    memo = st.session_state.get(PARSED_KEY)
    if memo is not None and memo.key == key:
        return memo
    try:
        if len(data) >= STATUS_BYTES:
            csv, profile = _read_with_status(data, options)
        else:
            csv = read_csv_bytes(data, **options)
            profile = profile_frame(csv.frame)
    except CsvError as exc:
        st.error(md_literal(exc))
        return None
    parsed = st.session_state[PARSED_KEY] = ParsedUpload(digest, key[1], csv, profile)
    return parsed


def _read_with_status(data: bytes, options: dict) -> tuple[CsvResult, Profile]:
    start = time.perf_counter()
    with st.status(f"Reading {len(data) / 1024**2:,.1f} MB …", expanded=True) as status:
        st.write("1. Reading: the encoding, separator, decimal mark and header are detected, "
                 "then every line is parsed.")  # fmt: skip
        try:
            csv = read_csv_bytes(data, **options)
        except CsvError:
            status.update(label="The file could not be read", state="error", expanded=False)
            raise
        st.write(f"2. Profiling {plural(csv.frame.shape[1], 'column')} of "
                 f"{plural(len(csv.frame), 'row')}: types, missing and distinct values.")  # fmt: skip
        profile = profile_frame(csv.frame)
        status.update(
            label=f"Read and profiled in {time.perf_counter() - start:.1f} s",
            state="complete",
            expanded=False,
        )
    return csv, profile


def show_detected(csv: CsvResult) -> None:
    st.caption(
        f"Detected: {ENCODING_LABELS.get(csv.encoding, csv.encoding)} · separator "
        f"{csv.delimiter_name} · decimal mark “{csv.decimal}” · header row "
        f"{'yes' if csv.header else 'no (columns named column_1, column_2, …)'}"
    )
    for warning in csv.warnings:
        st.warning(md_literal(warning))
    code_panel("import pandas as pd\n" + csv.read_csv_code(), "The pandas code that reads it")


# --- profile and target --------------------------------------------------------------------


def show_profile(csv: CsvResult, profile: Profile):
    """The row and column counts, a slot for the profile table (filled by
    :func:`fill_profile` once the target is known, so the target is not ticked as a feature)
    and the preview."""
    a, b = st.columns(2)
    a.metric("Rows", f"{profile.n_rows:,}")
    b.metric("Columns", f"{profile.n_cols:,}")
    slot = st.container()
    st.caption(
        f"Preview: the first {plural(min(PREVIEW_ROWS, profile.n_rows), 'row')} (shown as plain "
        "text)."
    )
    preview = csv.frame.head(PREVIEW_ROWS).iloc[:, :200].copy()
    preview.columns = [str(c) for c in preview.columns]
    st.dataframe(preview.astype(str), width="stretch")
    return slot


def fill_profile(slot, profile: Profile, target: str | None) -> None:
    table = profile.table(target)
    with slot:
        st.dataframe(table.head(PROFILE_ROWS), hide_index=True, width="stretch")
        if len(table) > PROFILE_ROWS:
            st.caption(f"First {PROFILE_ROWS:,} of {len(table):,} columns shown.")


def choose_target(profile: Profile) -> str:
    names = [c.name for c in profile.columns]
    suggested = profile.target_suggestions
    order = suggested + [n for n in names if n not in suggested]
    if suggested:
        st.caption("Suggested (2–20 classes): " + ", ".join(md_literal(s) for s in suggested[:8]))
    else:
        st.warning("No column has 2–20 classes; pick one anyway and see why it cannot be a target.")
    return st.selectbox("Column to predict (the target)", order, key="yd_target", **_URL)


def choose_features(profile: Profile, target: str) -> list[str]:
    options = [c.name for c in profile.columns if c.name != target]
    default = profile.default_features(target)
    chosen = st.multiselect(
        "Feature columns",
        options,
        default=default,
        key=f"yd_feat_{hashlib.md5(target.encode()).hexdigest()[:8]}",
        help="Left out by default: identifiers, free text, constant and empty columns. Dates "
        "become numbers (year, month, weekday).",
    )
    excluded = profile.excluded(target)
    if excluded:
        st.caption("Left out by default, and why:")
        st.dataframe(
            pd.DataFrame({"column": list(excluded), "why": list(excluded.values())}),
            hide_index=True,
            width="stretch",
        )
    return chosen


def training_settings() -> dict:
    cols = st.columns(4)
    test = cols[0].slider("Test share", 0.1, 0.5, 0.25, 0.05, key="yd_test", **_URL)
    seed = int(cols[1].number_input("Seed", 0, 10_000, 0, key="yd_seed", **_URL))
    hidden = cols[2].selectbox("Hidden layers", list(HIDDEN_CHOICES), key="yd_hidden", **_URL)
    epochs = int(
        cols[3].number_input("Epochs (0 = automatic)", 0, 5_000, 0, key="yd_epochs", **_URL,
                             help="Automatic: until the loss stops falling (the model without "
                             "hidden layers), or early stopping on a validation split.")
    )  # fmt: skip
    return {
        "test_size": float(test),
        "seed": seed,
        "hidden": HIDDEN_CHOICES[hidden],
        "epochs": epochs or None,
    }


# --- preprocessing steps -------------------------------------------------------------------


def prepared_for(
    csv: CsvResult, profile: Profile, digest: str, config: PipelineConfig
) -> PreparedUpload:
    # The reading options (separator, decimal, header) change the frame without changing the
    # file's bytes, so the frame's shape, names and types are part of the key too.
    frame = csv.frame
    key = (digest, frame.shape, tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)),
           config)  # fmt: skip
    memo = st.session_state.get(PREPARED_KEY)
    if memo is not None and memo.key == key:
        return memo
    if len(frame) >= PARALLEL_ROWS:
        with st.status(f"Preparing {plural(len(frame), 'row')} …", expanded=True) as status:
            st.write("Label-encoding the target, splitting, then fitting each column's "
                     "treatment on the training rows and transforming both sets.")  # fmt: skip
            try:
                target, features, prepared = preprocess(frame, profile, config)
            except ValueError:
                status.update(label="The settings cannot be used", state="error")
                raise
            status.update(label="Prepared", state="complete", expanded=False)
    else:
        target, features, prepared = preprocess(frame, profile, config)
    found = st.session_state[PREPARED_KEY] = PreparedUpload(key, target, features, prepared)
    return found


def show_steps(prepared: Prepared) -> None:
    """Each step with its table, warnings (the target's notes are the first step's), lesson
    link and code."""
    for i, step in enumerate(prepared.steps, start=1):
        st.markdown(f"**{i}. {step.title}**: {md_literal(step.text)}")
        if step.table is not None:
            st.dataframe(step.table.astype(str), hide_index=True, width="stretch")
        for warning in step.warnings:
            st.warning(md_literal(warning))
        if step.lesson:
            st.page_link(step.lesson, label="The lesson behind this step", icon=":material/school:")
        code_panel(step.code, "The pandas / scikit-learn code")


def training_lab_link() -> None:
    st.page_link(lesson("Training_Lab"), label="Training lab", icon=":material/science:")
