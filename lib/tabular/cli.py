"""The "Your own data" pipeline without a browser.

    python -m lib.cli FILE --target COLUMN [--epochs N] [--seed S] [--repeats [K]] [--json]

Prints the classification report and the comparison with scikit-learn's
``LogisticRegression`` on the same split: each accuracy with its 95 % Wilson interval, and the
exact McNemar test of the two on the same test rows. ``--repeats K`` (K = 5 when given
alone) trains on K seeded splits and reports mean ± sd. ``--json`` prints one JSON object
instead. Bad data exits with status 2 and the same one-line message the page shows.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from lib.core import metrics
from lib.runtime import use_small_pages
from lib.tabular.pipeline import MAX_SEED, PipelineConfig, repeat_splits, run
from lib.tabular.profile import profile_frame
from lib.tabular.reading import read_csv_file
from lib.tabular.uncertainty import comparison_sentence, percent_interval
from lib.tabular.words import plural, terminal_safe

EXIT_BAD_DATA = 2
DEFAULT_REPEATS = 5


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"--seed must be between 0 and {MAX_SEED}, got {value}")
    return value


def _max_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--max-seconds must be a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"--max-seconds must be a positive number of seconds, got {text}"
        )
    return value


def _repeats(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--repeats must be a whole number, got {text!r}"
        ) from None
    if not 2 <= value <= 50:
        raise argparse.ArgumentTypeError(f"--repeats must be between 2 and 50, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.cli",
        description="Train and evaluate a PyTorch classifier on a CSV file, beside a "
        "scikit-learn LogisticRegression baseline.",
    )
    parser.add_argument("file", help="the CSV file")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs (default: automatic)"
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help=f"seed for the split, initialisation and shuffling (0–{MAX_SEED})",
    )
    parser.add_argument(
        "--hidden", default="", help="hidden layer sizes, e.g. 32 or 64,32 (default: none)"
    )
    parser.add_argument(
        "--max-seconds",
        type=_max_seconds,
        default=120.0,
        help="stop training after this many seconds (default 120; the page uses 10)",
    )
    parser.add_argument(
        "--repeats", type=_repeats, nargs="?", const=DEFAULT_REPEATS, default=None, metavar="K",
        help=f"also train on K seeded splits and report mean ± sd (K = {DEFAULT_REPEATS} "
        "when given alone)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def parse_hidden(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(" ", "").split(",") if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"--hidden must be comma-separated whole numbers, got {text!r}.") from None
    if any(not 1 <= s <= 1024 for s in sizes):
        raise ValueError(f"hidden layer sizes must be between 1 and 1024, got {text!r}.")
    return sizes


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_small_pages()  # this process reads, profiles and prepares the whole file
    try:
        config = PipelineConfig(
            target=args.target,
            seed=args.seed,
            epochs=args.epochs,
            hidden=parse_hidden(args.hidden),
            max_seconds=args.max_seconds,
        )
        csv = read_csv_file(args.file)
        profile = profile_frame(csv.frame)
        result = run(csv.frame, profile, config)
        repeated = repeat_splits(csv.frame, profile, config, args.repeats) if args.repeats else None
    except ValueError as exc:  # CsvError is a ValueError
        message = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else "The data cannot be used."
        )
        if args.json:
            print(json.dumps({"error": message}))
        print(f"error: {terminal_safe(message)}", file=sys.stderr)
        return EXIT_BAD_DATA
    summary = result.summary()
    summary["file"] = str(args.file)
    summary["detected"] = csv.settings()
    summary["warnings"] = csv.warnings + summary["warnings"]
    if repeated is not None:
        summary.update(repeated.as_dict())
    if args.json:
        print(json.dumps(summary))
        return 0
    for line in report_lines(args.file, csv, result, summary, repeated):
        print(terminal_safe(line))
    return 0


def report_lines(file, csv, result, summary: dict, repeated=None) -> list[str]:
    """The text report, one line each (the caller makes every line safe for a terminal)."""
    lines = [
        f"{file}: {plural(summary['n_rows'], 'row')} with a target, "
        f"{plural(summary['n_features'], 'input column')} after preprocessing, "
        f"{summary['n_classes']} classes",
        f"detected: encoding {csv.encoding}, separator {csv.delimiter_name}, decimal "
        f"{csv.decimal!r}, header {'yes' if csv.header else 'no'}",
        *(f"warning: {w}" for w in summary["warnings"]),
        "",
        f"PyTorch model ({plural(summary['epochs'], 'epoch')}"
        f"{', ' + result.stopped if result.stopped else ''}) on "
        f"{plural(summary['n_test'], 'test row')}:",
    ]
    report = {terminal_safe(k): v for k, v in result.report.items()}
    lines += metrics.format_report(report, digits=3).splitlines()
    majority, share = result.majority
    b, c, p = result.versus_baseline
    lines += [
        f"test accuracy      {result.accuracy:.4f}  95% interval {percent_interval(result.accuracy_ci)}",
        f"baseline accuracy  {result.baseline_accuracy:.4f}  95% interval "
        f"{percent_interval(result.baseline_ci)}  (scikit-learn LogisticRegression, same split)",
        f"difference         {100 * (result.accuracy - result.baseline_accuracy):+.2f} percentage "
        f"points; exact McNemar p = {p:.3g} ({b} vs {c} rows only one got right)",
        f"always {majority!r:<11} {share:.4f}  (the most frequent class: the floor to beat)",
        comparison_sentence(b, c, p),
        *(f"diagnosis ({d.kind}): {d.message}" for d in result.diagnosis()),
    ]
    if repeated is not None:
        lines += _repeat_lines(repeated)
    lines.append(f"seconds            {result.seconds:.2f}")
    return lines


def _repeat_lines(repeated) -> list[str]:
    d = repeated.as_dict()
    return [
        "",
        f"over {repeated.k} splits (seeds {repeated.seeds[0]}…{repeated.seeds[-1]}): mean ± sd",
        f"  network   accuracy {d['accuracy_mean']:.4f} ± {d['accuracy_sd']:.4f}   macro-F1 "
        f"{d['macro_f1_mean']:.4f} ± {d['macro_f1_sd']:.4f}",
        f"  baseline  accuracy {d['baseline_mean']:.4f} ± {d['baseline_sd']:.4f}   macro-F1 "
        f"{d['baseline_macro_f1_mean']:.4f} ± {d['baseline_macro_f1_sd']:.4f}",
    ]


if __name__ == "__main__":
    sys.exit(main())
