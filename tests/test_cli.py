"""python -m lib.cli: report, JSON and exit codes."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.tabular.cli import main
from tests.test_pipeline import penguins_like, titanic_like

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def titanic(tmp_path):
    path = tmp_path / "titanic.csv"
    path.write_bytes(titanic_like(300))
    return path


def test_json_output_as_a_subprocess(titanic):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lib.cli",
            str(titanic),
            "--target",
            "Survived",
            "--epochs",
            "50",
            "--seed",
            "3",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    for key in ("test_accuracy", "baseline_accuracy", "n_rows", "n_classes", "classes", "seconds"):
        assert key in summary
    assert summary["n_rows"] == 300
    assert summary["n_classes"] == 2 and summary["classes"] == ["0", "1"]
    assert summary["epochs"] == 50
    assert 0.5 <= summary["test_accuracy"] <= 1


def test_text_report(tmp_path, capsys):
    path = tmp_path / "penguins.csv"
    path.write_bytes(penguins_like())
    assert main([str(path), "--target", "species", "--epochs", "30"]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "Gentoo" in out
    assert "baseline accuracy" in out and "percentage points" in out


@pytest.mark.parametrize(
    "content, target, words",
    [
        (b"", "y", "empty"),
        (gzip.compress(b"a,b\n1,2\n"), "a", "gzip"),
        (b"a,b\n" + b"".join(f"{i * 0.37},{i}\n".encode() for i in range(50)), "a", "regression"),
        (b"a,b\n" + b"1,x\n" * 30, "b", "single class"),
    ],
    ids=["empty", "gzip", "regression", "single-class"],
)
def test_bad_data_exits_2_with_the_message(tmp_path, capsys, content, target, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main([str(path), "--target", target, "--json"]) == 2
    captured = capsys.readouterr()
    assert words in json.loads(captured.out)["error"]
    assert captured.err.startswith("error: ") and words in captured.err
    assert captured.err.count("\n") == 1


def test_missing_file_and_unknown_column(tmp_path, titanic, capsys):
    assert main([str(tmp_path / "nope.csv"), "--target", "y"]) == 2
    assert "Cannot open" in capsys.readouterr().err
    assert main([str(titanic), "--target", "nope"]) == 2
    assert "no column named 'nope'" in capsys.readouterr().err


def test_argument_errors_exit_2(titanic):
    with pytest.raises(SystemExit) as info:
        main([str(titanic)])
    assert info.value.code == 2
    assert main([str(titanic), "--target", "Survived", "--hidden", "x"]) == 2


def test_json_has_intervals_the_paired_test_and_repeats(titanic, capsys):
    """Issue #15.3: every accuracy with its 95 % Wilson interval, the exact McNemar p-value
    against the baseline, and with --repeats mean ± sd over K splits; old keys kept."""
    from lib.tabular.uncertainty import mcnemar_exact, wilson

    assert main([str(titanic), "--target", "Survived", "--json", "--repeats", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in ("test_accuracy", "baseline_accuracy", "difference", "majority_accuracy",
                "macro_f1", "n_test", "warnings", "detected"):  # fmt: skip
        assert key in summary, key
    n = summary["n_test"]
    right = round(summary["test_accuracy"] * n)
    assert summary["test_accuracy_ci"] == list(wilson(right, n))
    base_right = round(summary["baseline_accuracy"] * n)
    assert summary["baseline_accuracy_ci"] == list(wilson(base_right, n))
    assert 0 <= summary["p_value_vs_baseline"] <= 1
    assert summary["repeats"] == 3 and len(summary["repeat_accuracy"]) == 3
    accuracies = summary["repeat_accuracy"]
    assert summary["accuracy_mean"] == pytest.approx(sum(accuracies) / 3)
    import statistics

    assert summary["accuracy_sd"] == pytest.approx(statistics.stdev(accuracies))
    assert summary["baseline_mean"] == pytest.approx(sum(summary["repeat_baseline_accuracy"]) / 3)
    assert summary["repeat_accuracy"][0] == summary["test_accuracy"]  # seed 0 is the main run
    assert mcnemar_exact(0, 0) == 1.0


def test_repeats_alone_means_five(titanic, capsys):
    assert main([str(titanic), "--target", "Survived", "--repeats"]) == 0
    out = capsys.readouterr().out
    assert "over 5 splits (seeds 0…4): mean ± sd" in out
    assert "95% interval" in out and "exact McNemar p" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--seed", "-1"], "--seed must be between 0 and"),
        (["--seed", str(2**64)], "--seed must be between 0 and"),
        (["--seed", "x"], "--seed must be a whole number"),
        (["--max-seconds", "0"], "--max-seconds must be a positive number"),
        (["--max-seconds", "-1"], "--max-seconds must be a positive number"),
        (["--max-seconds", "nan"], "--max-seconds must be a positive number"),
        (["--repeats", "1"], "--repeats must be between 2 and 50"),
    ],
)
def test_bad_arguments_name_the_flag(titanic, capsys, args, words):
    """Issue #17.7: a negative or huge seed and a non-positive time budget are refused with a
    message naming the option (exit 2), not a traceback from numpy or torch."""
    with pytest.raises(SystemExit) as info:
        main([str(titanic), "--target", "Survived", *args])
    assert info.value.code == 2
    assert words in capsys.readouterr().err


def test_class_names_with_terminal_escapes_are_printed_escaped(tmp_path, capsys):
    """Issue #17.8: a class name holding an escape sequence (clear screen, colours) must not
    reach the terminal as one: it is printed as its escape, repr-like."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 300
    x = rng.normal(size=n)
    evil = "\x1b[2J\x1b[31mpwned"
    y = np.where(x > 0, "yes", "no").astype(object)
    y[:6] = evil  # a few rows: the reader refuses a file full of control characters
    df = pd.DataFrame({"x": x, "y": y})
    path = tmp_path / "evil.csv"
    path.write_bytes(df.to_csv(index=False).encode())
    assert main([str(path), "--target", "y"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b[2J\\x1b[31mpwned" in out
    assert main([str(path), "--target", "y", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert evil in summary["classes"]  # JSON keeps the exact name (escaped by JSON itself)
