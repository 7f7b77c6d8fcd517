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
