"""A control that changes only its own section reruns only that section (an st.fragment);
the controls every section depends on (logits, true class, model) rerun the page.

Measured on the wire, as a browser tab sees it: one ``streamlit run`` server, the protocol
client of ``python -m bench class`` (one websocket per tab), and for each change the run that
answered it: a fragment run names its fragment, and sends only that section's elements."""

from __future__ import annotations

import importlib

import pytest

from bench._streamlit_client import Session
from tests.aio import run_async

bench_class = importlib.import_module("bench.class")  # "class" is a keyword: no plain import


@pytest.fixture(scope="module")
def server_url():
    server = bench_class.Server(replicas=1)
    try:
        yield server.start()[0]
    finally:
        server.stop()
        server.cleanup()


def changes(server_url: str, page: str, query: str, steps: list[tuple[str, object]]):
    """Open ``page`` and make each (widget key, value) change; returns the first (full) run
    and the run that answered each change."""

    async def scenario():
        s = Session(server_url, page, query)
        first = await s.open(300)
        answers = []
        for key, value in steps:
            widget = s.widget(key=key)
            assert widget is not None, f"no widget {key} on {page}"
            answers.append(await s.change_and_wait(widget, value, timeout=120))
        exceptions, dropped = s.exceptions, s.dropped
        await s.close()
        return first, answers, exceptions, dropped

    first, answers, exceptions, dropped = run_async(scenario)
    assert exceptions == [] and dropped is None
    assert first.ok and not first.fragment_ids
    return first, answers


def test_softmax_section_controls_rerun_only_their_section(server_url):
    steps = [("sm_temp", 0.5), ("sm_shift", 800.0), ("sm_sz", -3.0), ("sm_z0", 4.0)]
    first, (temp, shift, sz, logit) = changes(server_url, "Softmax_and_Argmax", "", steps)
    for run in (temp, shift, sz):
        assert run.ok and len(run.fragment_ids) == 1
        assert run.deltas < first.deltas / 3  # only the section's own elements
    assert "T = 0.5" in temp.content() and "0.5" not in shift.content()
    assert "fails" not in temp.content() and "even in float64" in shift.content()
    # A logit changes every section: they all run (the page's sections fragment, not a
    # section's), but not the sidebar, the introduction and the quiz.
    assert logit.ok and len(logit.fragment_ids) == 1
    assert logit.fragment_ids[0] not in {r.fragment_ids[0] for r in (temp, shift, sz)}
    assert first.deltas / 2 <= logit.deltas < first.deltas
    assert "cat 0.94 (argmax)" in logit.content() and "cat 0.94" not in first.content()


def test_cross_entropy_section_controls_rerun_only_their_section(server_url):
    steps = [("ce_ls", 0.2), ("ce_batch", 6), ("ce_seed", 3), ("ce_y", "bird")]
    first, (ls, batch, seed, true_class) = changes(
        server_url, "Multiclass_Cross_Entropy", "", steps
    )
    for run in (ls, batch, seed):
        assert run.ok and len(run.fragment_ids) == 1 and run.deltas < first.deltas / 3
    assert "With ε = 0.2" in ls.content() and "/ 6 =" in batch.content()
    # The true class changes every section: all of them run, the sidebar and quiz do not.
    assert true_class.ok and len(true_class.fragment_ids) == 1
    assert true_class.fragment_ids[0] not in {r.fragment_ids[0] for r in (ls, batch, seed)}
    assert first.deltas / 2 <= true_class.deltas < first.deltas
    assert "The true class bird" in true_class.content()


def test_metrics_matrix_and_imbalance_controls_rerun_only_their_sections(server_url):
    steps = [
        ("met_norm", "Row-normalised (recall)"),
        ("met_class", "virginica"),
        ("met_minority", 30),
        ("met_model", "Small MLP (32 ReLU)"),
    ]
    first, (norm, cls, minority, model) = changes(
        server_url, "Metrics_and_Report", "dataset=Iris", steps
    )
    for run in (norm, cls, minority):
        assert run.ok and len(run.fragment_ids) == 1 and run.deltas < first.deltas
    assert norm.fragment_ids == cls.fragment_ids != minority.fragment_ids
    assert "Precision" not in minority.content() and "70 rows" in minority.content()
    assert not model.fragment_ids  # a new model changes everything
