"""Streamlit glue for "Your own data": upload, settings, profile, steps, training, results.

Per-learner objects live in ``st.session_state`` (``upload_bytes``, ``upload_result`` and the
``yd_*`` keys); parsing is cached with ``st.cache_data`` keyed by the file's SHA-256 and the
reading options, so identical bytes are parsed once and different files never collide.
Every piece of user text (column names, cells, messages quoting them) is shown through
``st.dataframe`` or escaped before it reaches Markdown.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from lib.core import metrics
from lib.tabular.export import model_bytes, predictions_csv, safe_filename, standalone_script
from lib.tabular.pipeline import PipelineConfig, baseline_code, preprocess, read_and_profile
from lib.tabular.profile import Profile
from lib.tabular.reading import DELIMITER_NAMES, ENCODING_LABELS, ENCODINGS, CsvError, CsvResult
from lib.text import md_literal
from lib.ui.widgets import code_panel

PREVIEW_ROWS = 50
PROFILE_ROWS = 2_000
HIDDEN_CHOICES = {"none (logistic regression)": (), "16": (16,), "32": (32,), "64, 32": (64, 32)}
BYTES_KEY = "upload_bytes"
RESULT_KEY = "upload_result"
# In the URL, so an instructor's link opens the page with these settings (the file itself
# cannot travel in a link: the learner uploads it).
_URL = {"bind": "query-params"}


# --- upload and reading --------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4, ttl=3600)
def _cached_read(_data: bytes, digest: str, options: tuple) -> tuple[CsvResult, Profile]:
    """Parse and profile; keyed by the bytes' SHA-256 (``digest``) and the reading options."""
    return read_and_profile(_data, **dict(options))


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

        data = (ASSETS / "students.csv").read_bytes()
        _store("students.csv", data, "example")
    if uploaded is not None:
        stored = st.session_state.get(BYTES_KEY)
        if stored is None or stored[3] != uploaded.file_id:
            _store(uploaded.name, uploaded.getvalue(), uploaded.file_id)
    elif st.session_state.get(BYTES_KEY) and st.session_state[BYTES_KEY][3] != "example":
        release()
    stored = st.session_state.get(BYTES_KEY)
    return None if stored is None else stored[:3]


def _store(name: str, data: bytes, file_id: str) -> None:
    release()
    st.session_state[BYTES_KEY] = (name, data, hashlib.sha256(data).hexdigest(), file_id)


def release() -> None:
    """Forget this learner's upload and everything computed from it."""
    for key in (
        BYTES_KEY,
        RESULT_KEY,
        "yd_parsed",
        "yd_prepared",
        "yd_downloads",
        "yd_run",
        "yd_running",
    ):
        st.session_state.pop(key, None)


def reading_options(detected: CsvResult | None) -> dict:
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
    options = {}
    if enc != "detect":
        options["encoding"] = enc
    if sep != "detect":
        options["delimiter"] = sep
    if dec != "detect":
        options["decimal"] = dec
    if head != "detect":
        options["header"] = head == "yes"
    return options


def read_upload(data: bytes, digest: str, options: dict) -> tuple[CsvResult, Profile] | None:
    """Parsed table for this learner (session memo over the shared byte-keyed cache)."""
    key = (digest, tuple(sorted(options.items())))
    memo = st.session_state.get("yd_parsed")
    if memo is not None and memo[0] == key:
        return memo[1]
    try:
        parsed = _cached_read(data, digest, key[1])
    except CsvError as exc:
        st.error(md_literal(exc))
        return None
    st.session_state["yd_parsed"] = (key, parsed)
    return parsed


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


def show_profile(csv: CsvResult, profile: Profile) -> None:
    a, b = st.columns(2)
    a.metric("Rows", f"{profile.n_rows:,}")
    b.metric("Columns", f"{profile.n_cols:,}")
    table = profile.table()
    st.dataframe(table.head(PROFILE_ROWS), hide_index=True, width="stretch")
    if len(table) > PROFILE_ROWS:
        st.caption(f"First {PROFILE_ROWS:,} of {len(table):,} columns shown.")
    st.caption(
        f"Preview: the first {min(PREVIEW_ROWS, profile.n_rows)} rows (shown as plain text)."
    )
    preview = csv.frame.head(PREVIEW_ROWS).iloc[:, :200].copy()
    preview.columns = [str(c) for c in preview.columns]
    st.dataframe(preview.astype(str), width="stretch")


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
        help="Left out by default: identifiers, free text, dates, constant and empty columns.",
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
        cols[3].number_input("Epochs (0 = automatic)", 0, 5_000, 0, key="yd_epochs", **_URL)
    )
    return {
        "test_size": float(test),
        "seed": seed,
        "hidden": HIDDEN_CHOICES[hidden],
        "epochs": epochs or None,
    }


# --- preprocessing steps -------------------------------------------------------------------


def prepared_for(csv: CsvResult, profile: Profile, digest: str, config: PipelineConfig):
    # The reading options (separator, decimal, header) change the frame without changing the
    # file's bytes, so the frame's shape, names and types are part of the key too.
    frame = csv.frame
    key = (
        digest,
        frame.shape,
        tuple(map(str, frame.columns)),
        tuple(map(str, frame.dtypes)),
        config,
    )
    memo = st.session_state.get("yd_prepared")
    if memo is not None and memo[0] == key:
        return memo[1]
    prepared = preprocess(csv.frame, profile, config)
    st.session_state["yd_prepared"] = (key, prepared)
    return prepared


def show_steps(prepared) -> None:
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


# --- training and results ------------------------------------------------------------------


def show_results(result) -> None:
    a, b, c = st.columns(3)
    a.metric("Test accuracy (your network)", f"{result.accuracy:.1%}")
    b.metric("Baseline: scikit-learn LogisticRegression", f"{result.baseline_accuracy:.1%}")
    c.metric("Difference", f"{100 * (result.accuracy - result.baseline_accuracy):+.1f} pp")
    majority, share = result.majority
    st.caption(
        f"Always answering the most frequent class, “{md_literal(majority)}”, would score "
        f"{share:.1%}: the floor any model must beat."
    )
    if result.accuracy <= share + 0.005:
        st.warning(
            f"Your network scores no better than always answering “{md_literal(majority)}”. "
            "With imbalanced classes accuracy hides this: read the recall of the rare "
            "classes in the report below (and try more epochs or a lower threshold)."
        )
    code_panel(baseline_code(result.config.seed), "The baseline's scikit-learn code")
    report = pd.DataFrame({k: v for k, v in result.report.items() if isinstance(v, dict)}).T
    st.markdown("**Classification report** (test rows)")
    report.index = [str(i) for i in report.index]
    st.dataframe(report.round(3), width="stretch")
    st.page_link(
        "pages/7_Metrics_and_Report.py", label="How to read this report", icon=":material/school:"
    )
    st.markdown("**Confusion matrix** (rows: true class, columns: predicted)")
    classes = [str(c) for c in result.classes]
    st.dataframe(pd.DataFrame(result.confusion, index=classes, columns=classes), width="stretch")
    if result.n_classes == 2:
        threshold_view(result)


def threshold_view(result) -> None:
    positive = result.classes[1]
    st.markdown(f"**Decision threshold** for the positive class “{md_literal(positive)}”")
    thr = st.slider("Threshold", 0.01, 0.99, 0.5, 0.01, key="yd_thr", **_URL)
    m = metrics.threshold_metrics(result.prepared.y_test, result.proba_test[:, 1], thr)
    cols = st.columns(4)
    for col, name in zip(cols, ("accuracy", "precision", "recall", "f1"), strict=True):
        col.metric(name.capitalize(), f"{m[name]:.1%}")
    st.caption(f"At {thr:.2f}: TN {m['tn']} · FP {m['fp']} · FN {m['fn']} · TP {m['tp']}")
    st.page_link(
        "pages/3_Decision_Threshold.py", label="The threshold lesson", icon=":material/school:"
    )


def downloads(result, csv: CsvResult, name: str) -> None:
    cache = st.session_state.setdefault("yd_downloads", {})
    key = id(result)
    if cache.get("key") != key:
        cache.clear()
        cache["key"] = key
        cache["model"] = model_bytes(result, csv)
        cache["script"] = standalone_script(result, csv, safe_filename(name)).encode()
        cache["predictions"] = predictions_csv(result, csv.frame)
    a, b, c = st.columns(3)
    a.download_button(
        "Model (.pt)",
        cache["model"],
        "classlab_model.pt",
        "application/octet-stream",
        key="yd_dl_model",
    )
    b.download_button(
        "Script (.py)", cache["script"], "train_classlab.py", "text/x-python", key="yd_dl_script"
    )
    c.download_button(
        "Test predictions (.csv)",
        cache["predictions"],
        "test_predictions.csv",
        "text/csv",
        key="yd_dl_pred",
    )
    code_panel(
        "import torch\n"
        "payload = torch.load('classlab_model.pt', weights_only=True)\n"
        "print(payload['classes'], payload['preprocessor']['feature_names'][:5])\n"
        "# or: from lib.tabular.export import load_model, predict_frame",
        "Load the model file",
    )
