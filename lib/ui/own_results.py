"""Streamlit glue for steps 6 and 7 of "Your own data": the evaluation (with 95 % intervals,
the paired test against the baseline, what the result means, repeated splits) and the
downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import metrics
from lib.plots.your_data import repeat_strip
from lib.tabular import uncertainty
from lib.tabular.export import model_bytes, predictions_csv, safe_filename, standalone_script
from lib.tabular.pipeline import REPEAT_MAX_ROWS, PipelineConfig, baseline_code, repeat_splits
from lib.tabular.profile import Profile
from lib.tabular.reading import CsvResult
from lib.tabular.steps import lesson
from lib.tabular.words import plural
from lib.text import md_literal
from lib.ui.widgets import code_panel

REPEATS = 5
REPEATS_KEY = "yd_repeats"


def interval_caption(column, interval: tuple[float, float], n: int) -> None:
    column.caption(f"95 % interval {uncertainty.percent_interval(interval)} "
                   f"({plural(n, 'test row')})")  # fmt: skip


def show_results(result) -> None:
    """Accuracies with their intervals, the paired comparison, the diagnosis, the report."""
    n = result.n_test
    a, b, c = st.columns(3)
    a.metric("Test accuracy (your network)", f"{result.accuracy:.1%}")
    interval_caption(a, result.accuracy_ci, n)
    b.metric("Baseline: scikit-learn LogisticRegression", f"{result.baseline_accuracy:.1%}")
    interval_caption(b, result.baseline_ci, n)
    c.metric("Difference", f"{100 * (result.accuracy - result.baseline_accuracy):+.1f} pp")
    only_net, only_base, p = result.versus_baseline
    c.caption(f"exact McNemar p = {p:.2g} (same test rows)")
    st.markdown(md_literal(uncertainty.comparison_sentence(only_net, only_base, p)))
    majority, share = result.majority
    st.caption(
        f"Always answering the most frequent class, “{md_literal(majority)}”, would score "
        f"{share:.1%} (95 % interval {uncertainty.percent_interval(result.majority_ci)}): the "
        "floor any model must beat."
    )
    for finding in result.diagnosis():
        st.warning(md_literal(finding.message), icon=":material/troubleshoot:")
    code_panel(baseline_code(result.config.seed), "The baseline's scikit-learn code")
    report = pd.DataFrame({k: v for k, v in result.report.items() if isinstance(v, dict)}).T
    st.markdown("**Classification report** (test rows)")
    report.index = [str(i) for i in report.index]
    st.dataframe(report.round(3), width="stretch")
    st.page_link(lesson("Metrics_and_Report"), label="How to read this report",
                 icon=":material/school:")  # fmt: skip
    st.markdown("**Confusion matrix** (rows: true class, columns: predicted)")
    classes = [str(c) for c in result.classes]
    st.dataframe(pd.DataFrame(result.confusion, index=classes, columns=classes), width="stretch")
    if result.n_classes == 2:
        threshold_view(result)


def threshold_view(result) -> None:
    positive = result.classes[1]
    st.markdown(f"**Decision threshold** for the positive class “{md_literal(positive)}”")
    thr = st.slider("Threshold", 0.01, 0.99, 0.5, 0.01, key="yd_thr", bind="query-params")
    y_test = result.prepared.y_test
    m = metrics.threshold_metrics(y_test, result.proba_test[:, 1], thr)
    cols = st.columns(4)
    for col, name in zip(cols, ("accuracy", "precision", "recall", "f1"), strict=True):
        col.metric(name.capitalize(), f"{m[name]:.1%}")
    interval_caption(cols[0], uncertainty.wilson(int(m["tp"] + m["tn"]), len(y_test)), len(y_test))
    st.caption(f"At {thr:.2f}: TN {m['tn']} · FP {m['fp']} · FN {m['fn']} · TP {m['tp']}")
    st.page_link(lesson("Decision_Threshold"), label="The threshold lesson",
                 icon=":material/school:")  # fmt: skip


def repeats_view(csv: CsvResult, profile: Profile, config: PipelineConfig, key) -> None:
    """For small tables: train on several seeded splits and show the spread."""
    if len(csv.frame) >= REPEAT_MAX_ROWS:
        return
    st.markdown(
        f"**How much does the split matter?** On a table this small the test rows are few, so "
        f"one split's accuracy is noisy. Train again on {REPEATS} different splits (seeds "
        f"{config.seed}–{config.seed + REPEATS - 1}) and see the spread."
    )
    stored = st.session_state.get(REPEATS_KEY)
    if st.button(f"Repeat over {REPEATS} splits", key="yd_repeat", icon=":material/repeat:"):
        with st.status(f"Training on {REPEATS} splits …", expanded=True) as status:
            try:
                summary = repeat_splits(csv.frame, profile, config, REPEATS,
                                        on_split=_split_done)  # fmt: skip
            except ValueError as exc:
                status.update(label="The splits could not be trained", state="error")
                st.error(md_literal(exc))
                return
            status.update(label=f"Trained on {REPEATS} splits", state="complete",
                          expanded=False)  # fmt: skip
        stored = st.session_state[REPEATS_KEY] = (key, summary)
    if stored is None or stored[0] != key:
        return
    show_repeats(stored[1])


def _split_done(i: int, seed: int, result) -> None:
    st.write(f"{i}. Split with seed {seed}: network {result.accuracy:.1%}, "
             f"baseline {result.baseline_accuracy:.1%} test accuracy.")  # fmt: skip


def show_repeats(summary: uncertainty.RepeatSummary) -> None:
    d = summary.as_dict()
    table = pd.DataFrame(
        {
            "accuracy (mean ± sd)": [f"{d['accuracy_mean']:.1%} ± {d['accuracy_sd']:.1%}",
                                     f"{d['baseline_mean']:.1%} ± {d['baseline_sd']:.1%}"],
            "macro-F1 (mean ± sd)": [f"{d['macro_f1_mean']:.3f} ± {d['macro_f1_sd']:.3f}",
                                     f"{d['baseline_macro_f1_mean']:.3f} ± "
                                     f"{d['baseline_macro_f1_sd']:.3f}"],
        },
        index=["your network", "baseline (LogisticRegression)"],
    )  # fmt: skip
    st.dataframe(table, width="stretch")
    st.plotly_chart(repeat_strip(summary.seeds, summary.accuracy, summary.baseline_accuracy),
                    key="yd_repeat_chart")  # fmt: skip
    st.caption(
        f"Each dot is one split's test accuracy; the bar is the mean ± one standard deviation "
        f"over the {summary.k} splits. A difference between the two smaller than their spread "
        "is not a difference you can rely on."
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
    a.download_button("Model (.pt)", cache["model"], "classlab_model.pt",
                      "application/octet-stream", key="yd_dl_model")  # fmt: skip
    b.download_button(
        "Script (.py)", cache["script"], "train_classlab.py", "text/x-python", key="yd_dl_script"
    )
    c.download_button("Test predictions (.csv)", cache["predictions"], "test_predictions.csv",
                      "text/csv", key="yd_dl_pred")  # fmt: skip
    code_panel(
        "import torch\n"
        "payload = torch.load('classlab_model.pt', weights_only=True)\n"
        "print(payload['classes'], payload['preprocessor']['feature_names'][:5])\n"
        "# or: from lib.tabular.export import load_model, predict_frame",
        "Load the model file",
    )
