"""The "Your own data" pipeline without a browser.

    python -m lib.cli FILE --target COLUMN [--epochs N] [--seed S] [--json]

Prints the classification report and the comparison with scikit-learn's
``LogisticRegression`` on the same split; ``--json`` prints one JSON object instead.
Bad data exits with status 2 and the same one-line message the page shows.
"""

from __future__ import annotations

import argparse
import json
import sys

from lib.core import metrics
from lib.runtime import use_small_pages
from lib.tabular.pipeline import PipelineConfig, run
from lib.tabular.profile import profile_frame
from lib.tabular.reading import read_csv_file

EXIT_BAD_DATA = 2


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
        "--seed", type=int, default=0, help="seed for the split, initialisation and shuffling"
    )
    parser.add_argument(
        "--hidden", default="", help="hidden layer sizes, e.g. 32 or 64,32 (default: none)"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120.0,
        help="stop training after this many seconds (default 120; the page uses 10)",
    )
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
        result = run(csv.frame, profile_frame(csv.frame), config)
    except ValueError as exc:  # CsvError is a ValueError
        message = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else "The data cannot be used."
        )
        if args.json:
            print(json.dumps({"error": message}))
        print(f"error: {message}", file=sys.stderr)
        return EXIT_BAD_DATA
    summary = result.summary()
    summary["file"] = str(args.file)
    summary["detected"] = csv.settings()
    summary["warnings"] = csv.warnings + summary["warnings"]
    if args.json:
        print(json.dumps(summary))
        return 0
    print(
        f"{args.file}: {summary['n_rows']:,} rows with a target, {summary['n_features']} input "
        f"columns after preprocessing, {summary['n_classes']} classes"
    )
    print(
        f"detected: encoding {csv.encoding}, separator {csv.delimiter_name}, decimal "
        f"{csv.decimal!r}, header {'yes' if csv.header else 'no'}"
    )
    for warning in summary["warnings"]:
        print(f"warning: {warning}")
    print()
    print(f"PyTorch model ({summary['epochs']} epochs) on {summary['n_test']:,} test rows:")
    print(metrics.format_report(result.report, digits=3))
    print(f"test accuracy      {result.accuracy:.4f}")
    print(
        f"baseline accuracy  {result.baseline_accuracy:.4f}  (scikit-learn LogisticRegression, same split)"
    )
    print(
        f"difference         {100 * (result.accuracy - result.baseline_accuracy):+.2f} percentage points"
    )
    majority, share = result.majority
    print(f"always {majority!r:<11} {share:.4f}  (the most frequent class: the floor to beat)")
    print(f"seconds            {result.seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
