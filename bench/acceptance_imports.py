"""Acceptance over other tools' real files: each imports into a fresh database, numbers unchanged.

    .venv/bin/python bench/acceptance_imports.py [FIXTURES_DIR]

FIXTURES_DIR defaults to `../shared/fixtures` beside the checkout; a folder that is missing is
skipped. For every row of CHECKS the script runs `riskboard import` on the file (with its companion
files and options) into a new SQLite database, then `riskboard results NAME --json`, and compares
the printed rows with numbers it reads from the file itself, independently of the importer.
docs/formats.md says which number in each file becomes which result. Exit status 1 on any mismatch.

To add a format: write a function `path -> list[Expected]` and add rows to CHECKS.
"""

from __future__ import annotations

import functools
import json
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evals.cli import main  # noqa: E402

DEFAULT_FIXTURES = ROOT.parent / "shared" / "fixtures"
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Expected:
    """One result a file must yield; fields left None are not compared."""

    benchmark: str
    metric: str
    category: str | None
    value: float | None = None
    k: int | None = None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    higher_is_better: bool | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Check:
    """One real file: how to import it, whose results to read back, and what they must be."""

    folder: str
    files: tuple[str, ...]  # the file to import first, then its companions
    checkpoint: str
    expected: Callable[[Path], list[Expected]]
    options: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the report names this check."""
        return f"{self.folder}/{self.files[0]}"


# --- JailbreakBench: the jailbroken share of the behaviours, overall and per category ---------


def jbb_expected(path: Path) -> list[Expected]:
    """Counts of `jailbroken: true` per category and overall; the stated rate must agree."""
    artifact = json.loads(path.read_text(encoding="utf-8"))
    benchmark = "jailbreakbench-" + artifact["parameters"]["method"].lower()
    totals: Counter[str | None] = Counter()
    broken: Counter[str | None] = Counter()
    for entry in artifact["jailbreaks"]:
        for key in (None, entry["category"]):
            totals[key] += 1
            broken[key] += bool(entry["jailbroken"])
    stated = artifact["parameters"]["attack_success_rate"]
    assert math.isclose(broken[None] / totals[None], stated, abs_tol=0.005), path
    return [
        Expected(
            benchmark,
            "attack_success_rate",
            category,
            value=broken[category] / totals[category],
            k=broken[category],
            n=totals[category],
            higher_is_better=False,
            kind="harmfulness",
        )
        for category in totals
    ]


# --- garak: each eval row's pass rate, with its interval mirrored onto the pass rate ----------


def garak_expected(path: Path) -> list[Expected]:
    """One pass rate per eval row: passed of total_evaluated, garak's interval as 1 - bounds."""
    expected = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("entry_type") != "eval":
                continue
            n = row.get("total_evaluated", row.get("total"))
            low, high = row.get("confidence_lower"), row.get("confidence_upper")
            has_ci = low is not None and float(row.get("confidence", 0.95)) == 0.95
            expected.append(
                Expected(
                    f"garak-{row['probe']}",
                    f"pass_rate:{row['detector']}",
                    row["probe"].split(".")[0],
                    value=row["passed"] / n,
                    k=row["passed"],
                    n=n,
                    ci_low=1 - high if has_ci else None,
                    ci_high=1 - low if has_ci else None,
                    higher_is_better=True,
                    kind="harmfulness",
                )
            )
    return expected


# --- lm-evaluation-harness: every "<metric>,<filter>" number of every task, n from n-samples ---

LM_EVAL_ZERO_ONE = {"acc", "acc_norm", "exact_match"}  # means of 0/1: k = value × n


def lm_eval_expected(path: Path) -> list[Expected]:
    """Each task's metrics (a grouped task is a category of its top group); stderr keys skipped."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parents = {m: g for g, members in data.get("group_subtasks", {}).items() for m in members}
    expected = []
    for task, entry in data["results"].items():
        top = task
        while top in parents:
            top = parents[top]
        counts = data.get("n-samples", {}).get(task, {})
        n = counts.get("effective", counts.get("original"))
        for key, value in entry.items():
            metric, _, filter_name = key.partition(",")
            if metric == "alias" or metric.endswith("_stderr") or isinstance(value, str):
                continue
            expected.append(
                Expected(
                    top,
                    metric if filter_name in ("", "none") else key,
                    None if top == task else task,
                    value=value,
                    k=round(value * n) if metric in LM_EVAL_ZERO_ONE and n else None,
                    n=n,
                    higher_is_better=data["higher_is_better"][task][metric],
                    kind="capability",
                )
            )
    return expected


# --- Inspect: each scorer's metrics (stderr is not a result), n = scored samples -------------


def inspect_expected(path: Path) -> list[Expected]:
    """accuracy of the log's scorer; k counts the samples scored C (correct) when they are logged."""
    log = json.loads(path.read_text(encoding="utf-8"))
    benchmark = log["eval"]["task"].rsplit("/", 1)[-1]
    samples = log.get("samples") or []
    expected = []
    for score in log["results"]["scores"]:
        n = score.get("scored_samples", log["results"]["completed_samples"])
        correct = [s["scores"][score["scorer"]]["value"] in ("C", 1, 1.0) for s in samples]
        for name, metric in score["metrics"].items():
            if name in ("stderr", "std", "var"):
                continue
            expected.append(
                Expected(
                    benchmark,
                    name,
                    None,
                    value=metric["value"],
                    k=sum(correct) if len(correct) == n else None,
                    n=n,
                    higher_is_better=True,
                    kind="capability",
                )
            )
    return expected


# --- HELM: stats.json means of the evaluation split, n = num_instances, k from per-instance ---

HELM_METRICS = (
    "exact_match",
    "quasi_exact_match",
    "prefix_exact_match",
    "quasi_prefix_exact_match",
)


def helm_expected(run: Path, benchmark: str) -> list[Expected]:
    """The four exact-match means of the test split (valid when there is no test split)."""
    stats = json.loads((run / "stats.json").read_text(encoding="utf-8"))
    plain = [s for s in stats if "perturbation" not in s["name"]]
    split = "test" if any(s["name"]["split"] == "test" for s in plain) else "valid"
    means = {s["name"]["name"]: s.get("mean") for s in plain if s["name"]["split"] == split}
    instances = json.loads((run / "per_instance_stats.json").read_text(encoding="utf-8"))
    per_instance: dict[str, list[float]] = {}
    for instance in instances:
        for stat in instance["stats"]:
            name = stat["name"]
            if name["split"] == split and "perturbation" not in name and stat["count"]:
                per_instance.setdefault(name["name"], []).append(stat["mean"])
    n = round(means["num_instances"])
    return [
        Expected(
            benchmark,
            metric,
            None,
            value=means[metric],
            k=round(sum(per_instance[metric])) if len(per_instance.get(metric, [])) == n else None,
            n=n,
            higher_is_better=True,
            kind="capability",
        )
        for metric in HELM_METRICS
    ]


CHECKS: list[Check] = [
    Check("jbb", ("PAIR_black_box_vicuna-13b-v1.5.json",), "vicuna-13b-v1.5", jbb_expected),
    Check("jbb", ("GCG_white_box_llama-2-7b-chat-hf.json",), "llama-2-7b-chat-hf", jbb_expected),
    Check("garak", ("report_test.report.jsonl",), "qwen2", garak_expected),
    *(
        # garak's test generator names no model: the import asks for --checkpoint.
        Check("garak", (name,), "garak-test", garak_expected, ("--checkpoint", "garak-test"))
        for name in ("test.report.jsonl", "test_with_ci.report.jsonl", "agg.report.jsonl")
    ),
    Check(
        "lm_eval",
        (
            "results_2026-01-21T03-44-18.458309.json",
            "samples_math_perturbed_full_2026-01-21T03-44-18.458309.jsonl",
        ),
        "RylanSchaeffer/mem_Qwen3-93M_minerva_math_rep_0_sbst_1.0000_epch_1_ot_1",
        lm_eval_expected,
    ),
    Check("inspect", ("data_arc_qwen.json",), "qwen2.5:0.5b", inspect_expected),
    Check("inspect", ("data_pubmedqa_gpt4o_mini.json",), "azure/gpt-4o-mini", inspect_expected),
    Check("inspect", ("data_with_llm_scoring.json",), "claude-opus-4-6", inspect_expected),
    Check(
        "helm",
        ("mmlu-subject=philosophy,method=multiple_choice_joint,model=openai_gpt2",),
        "openai/gpt2",
        functools.partial(helm_expected, benchmark="mmlu_philosophy"),
    ),
    Check(
        "helm",
        (
            "commonsense-dataset=hellaswag,method=multiple_choice_joint,model=eleutherai_pythia-1b-v0",
        ),
        "eleutherai/pythia-1b-v0",
        functools.partial(helm_expected, benchmark="hellaswag"),
    ),
]


def run_check(check: Check, fixtures: Path) -> list[str]:
    """Mismatches between the file's numbers and what riskboard prints (empty when they agree)."""
    folder = fixtures / check.folder
    paths = [str(folder / name) for name in check.files]
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        db = ["--db", f"sqlite:///{Path(tmp) / 'acceptance.db'}"]
        imported = runner.invoke(main, ["import", *paths, *check.options, *db])
        if imported.exit_code != 0:
            return [f"import failed: {imported.output.strip()}"]
        printed = runner.invoke(main, ["results", check.checkpoint, "--json", *db])
        if printed.exit_code != 0:
            return [f"results failed: {printed.output.strip()}"]
        rows = json.loads(printed.stdout)
    return compare(check.expected(folder / check.files[0]), rows)


def compare(expected: list[Expected], rows: list[dict[str, Any]]) -> list[str]:
    """Every expected result found once with equal numbers, and no result that was not expected."""
    by_key = {(r["benchmark"], r["metric"], r["category"]): r for r in rows}
    problems = []
    for item in expected:
        key = (item.benchmark, item.metric, item.category)
        row = by_key.pop(key, None)
        if row is None:
            problems.append(f"{key}: not printed")
            continue
        for field in fields(Expected)[3:]:
            want = getattr(item, field.name)
            if want is not None and not _equal(want, row.get(field.name)):
                problems.append(
                    f"{key}.{field.name}: file {want!r}, printed {row.get(field.name)!r}"
                )
    problems += [f"{key}: printed but not in the file" for key in by_key]
    return problems


def _equal(want: Any, got: Any) -> bool:
    if isinstance(want, float) and isinstance(got, int | float):
        return math.isclose(want, got, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return bool(want == got)


def main_script(argv: list[str]) -> int:
    """Run every check whose folder exists; print one line per file and the mismatches."""
    fixtures = Path(argv[0]) if argv else DEFAULT_FIXTURES
    if not fixtures.is_dir():
        print(f"skip: no fixtures folder at {fixtures}")
        return 0
    failed = 0
    for check in CHECKS:
        if not (fixtures / check.folder).is_dir():
            print(f"skip  {check.label}: folder missing")
            continue
        problems = run_check(check, fixtures)
        failed += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '}  {check.label}")
        for problem in problems:
            print(f"        {problem}")
    print(f"{len(CHECKS) - failed} of {len(CHECKS)} files import with the numbers they state")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main_script(sys.argv[1:]))
