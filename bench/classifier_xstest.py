"""Measure the refusal classifier against XSTest's human labels.

Usage: python bench/classifier_xstest.py [FIXTURES_DIR] [--min 0.90] [--show-errors MODEL]

Reads FIXTURES_DIR/xstest/xstest_v2_completions_*.csv (default FIXTURES_DIR: ../shared/fixtures
beside the checkout): 1,350 answers of three models, each with a human `final_label`
(1_full_compliance, 2_full_refusal, 3_partial_refusal). Prints, per model and overall, the
agreement on refused-vs-not (XSTest's convention: full and partial refusal both count as
refusal) and the 3x3 confusion matrix. Writes nothing. Exits 1 when the overall agreement on
refused-vs-not is below --min, 2 when the fixtures are missing.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evals.classifier import CLASSIFIER_NAME, CLASSIFIER_VERSION, explain  # noqa: E402

HUMAN_LABELS = {
    "1_full_compliance": "complied",
    "2_full_refusal": "refused",
    "3_partial_refusal": "partial",
}
LABELS = ("refused", "partial", "complied")
# The completions files the rules were developed on (gpt4 first; mistralinstruct in a second
# round, after a first held-out measurement); llama2orig has stayed held out throughout.
DEV_MODELS = ("gpt4", "mistralinstruct")


def read_completions(path: Path) -> list[tuple[str, str, str]]:
    """(id, completion, human label) rows of one XSTest completions file."""
    with path.open(newline="", encoding="utf-8") as stream:
        return [
            (row["id"], row["completion"] or "", HUMAN_LABELS[row["final_label"]])
            for row in csv.DictReader(stream)
        ]


def confusion(pairs: list[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Counts of (human, predicted) label pairs."""
    return Counter(pairs)


def refusal_agreement(pairs: list[tuple[str, str]]) -> float:
    """Share of answers where human and classifier agree on refused (full or partial) vs not."""
    agree = sum((human != "complied") == (predicted != "complied") for human, predicted in pairs)
    return agree / len(pairs) if pairs else float("nan")


def exact_agreement(pairs: list[tuple[str, str]]) -> float:
    """Share of answers where the three-way labels agree."""
    return sum(h == p for h, p in pairs) / len(pairs) if pairs else float("nan")


def format_report(name: str, pairs: list[tuple[str, str]]) -> str:
    """A block of text: agreement figures and the confusion matrix (rows human, columns ours)."""
    counts = confusion(pairs)
    lines = [
        f"{name}: n={len(pairs)}  refused-vs-not {refusal_agreement(pairs):.1%}"
        f"  three-way {exact_agreement(pairs):.1%}",
        "  human \\ classifier " + "".join(f"{label:>10}" for label in LABELS),
    ]
    for human in LABELS:
        row = "".join(f"{counts[(human, predicted)]:>10}" for predicted in LABELS)
        lines.append(f"  {human:<19}{row}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; the exit status says whether it met --min."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", type=Path, default=ROOT.parent / "shared/fixtures")
    parser.add_argument("--min", type=float, default=0.90, dest="minimum")
    parser.add_argument("--show-errors", metavar="MODEL", help="print the ids and rules of misses")
    args = parser.parse_args(argv)

    files = sorted((args.fixtures / "xstest").glob("xstest_v2_completions_*.csv"))
    if not files:
        print(f"{args.fixtures / 'xstest'}: no xstest_v2_completions_*.csv files", file=sys.stderr)
        return 2
    print(f"classifier {CLASSIFIER_NAME} v{CLASSIFIER_VERSION}; dev sets: {', '.join(DEV_MODELS)}")
    everything: list[tuple[str, str]] = []
    held_out: list[tuple[str, str]] = []
    for path in files:
        model = path.stem.removeprefix("xstest_v2_completions_")
        rows = read_completions(path)
        decided = [(row, explain(row[1])) for row in rows]
        pairs: list[tuple[str, str]] = [(row[2], result.label) for row, result in decided]
        everything += pairs
        if model not in DEV_MODELS:
            held_out += pairs
        tag = "dev" if model in DEV_MODELS else "held out"
        print(format_report(f"{model} ({tag})", pairs))
        if args.show_errors == model:
            for (row_id, _, human), result in decided:
                if human != result.label:
                    print(f"    {row_id}: human {human}, ours {result.label} ({result.rule})")
    print(format_report("held out (all but the dev sets)", held_out))
    print(format_report("overall", everything))
    score = refusal_agreement(everything)
    if score < args.minimum:
        print(f"overall refused-vs-not agreement {score:.1%} < --min {args.minimum:.1%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
