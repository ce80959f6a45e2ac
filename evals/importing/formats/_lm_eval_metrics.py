"""One lm-eval results entry read into results: metric keys, direction, unit, n and exact counts.

Keys are `<metric>,<filter>` (0.4.x) or plain `<metric>` (0.3); `<metric>_stderr` beside them is
the metric's standard error, possibly the string "N/A". Direction comes from the file's
`higher_is_better`, else from the table below; a metric without a known direction or scale is
not stored (with a warning), because riskboard never guesses which way a number is good.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from evals.importing.records import Problem, ResultSpec, RunSpec, Unit

NOT_METRICS = {"alias", "name", "sample_len", "sample_count", "samples", " "}

# Direction of common lm-eval metrics, for files (0.3) that do not say it themselves.
KNOWN_DIRECTIONS = {
    **dict.fromkeys(
        ("acc", "acc_norm", "acc_mutual_info", "exact_match", "em", "f1", "mc1", "mc2", "mcc"),
        True,
    ),
    **dict.fromkeys(("contains", "bleu", "chrf", "bleu_max", "bleu_acc"), True),
    **dict.fromkeys(("rouge1_max", "rouge2_max", "rougeL_max", "rouge1_acc", "rouge2_acc"), True),
    **dict.fromkeys(("rougeL_acc", "pass@1", "pass_at_1"), True),
    **dict.fromkeys(("ter", "brier_score"), False),
}
# Mean of a 0/1 score per document: value × n is a whole count of successes.
BINARY = {"acc", "acc_norm", "acc_mutual_info", "exact_match", "em", "mc1", "contains"}
BINARY |= {"bleu_acc", "rouge1_acc", "rouge2_acc", "rougeL_acc"}
# sacrebleu and TruthfulQA's ROUGE report on a 0–100 scale.
PERCENT_SCALE = {"bleu", "chrf", "ter", "bleu_max", "rouge1_max", "rouge2_max", "rougeL_max"}
UNBOUNDED = {"perplexity", "ppl", "word_perplexity", "byte_perplexity", "bits_per_byte"}

WHY_UNBOUNDED = "has no upper bound (riskboard stores rates and scores on a known scale)"
WHY_DIRECTION = "the file does not say whether higher is better, and riskboard does not know"
WHY_SCALE = "is outside 0–1 and riskboard does not know its scale"
WHY_NOT_FINITE = "is not a finite number"


@dataclass
class EntryMetrics:
    """The results of one task or group, and what could not be read or stored."""

    results: list[ResultSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (metric key, why)


def read_entry(
    entry: dict[str, Any],
    directions: dict[str, bool | None],
    n: int | None,
    where: str,
    run: RunSpec,
    category: str | None,
    *,
    is_group: bool = False,
) -> EntryMetrics:
    """Every metric of one entry as a ResultSpec of `run` (category None for the run itself).

    A group's counts are left to `group_count`: value × n being whole proves nothing for a
    group whose value is an unweighted mean of its tasks.
    """
    out = EntryMetrics()
    for key, raw in entry.items():
        metric, filter_name = split_key(key)
        if metric in NOT_METRICS or metric.endswith("_stderr") or raw is None or raw == "N/A":
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            out.problems.append(Problem(f"{where}.{key}", f"must be a number, got {raw!r}"))
            continue
        higher = directions.get(metric)
        if higher is None:
            higher = KNOWN_DIRECTIONS.get(metric)
        why, unit, scale = _placement(metric, float(raw), higher)
        if why:
            out.skipped.append((key, why))
            continue
        stderr = _stderr(entry, metric, filter_name, f"{where}.{key}", out.problems)
        value = float(raw) / scale
        out.results.append(
            ResultSpec(
                run=run,
                metric=metric if filter_name in (None, "none") else f"{metric},{filter_name}",
                category=category,
                higher_is_better=bool(higher),
                unit=unit,
                k=None if is_group else exact_count(metric, value, n),
                n=n,
                value=value,
                stderr=None if stderr is None else stderr / scale,
                where=f"{where}.{key}",
            )
        )
    return out


def split_key(key: str) -> tuple[str, str | None]:
    """`acc,none` -> ("acc", "none"); an 0.3 key `acc` -> ("acc", None)."""
    metric, sep, filter_name = key.partition(",")
    return metric, (filter_name if sep else None)


def _placement(metric: str, value: float, higher: bool | None) -> tuple[str | None, Unit, float]:
    """Why the metric cannot be stored, or its unit and the divisor that makes it a proportion."""
    if not math.isfinite(value):
        return WHY_NOT_FINITE, "proportion", 1.0
    if metric in UNBOUNDED:
        return WHY_UNBOUNDED, "proportion", 1.0
    if higher is None:
        return WHY_DIRECTION, "proportion", 1.0
    if metric in PERCENT_SCALE:
        return (None if 0 <= value <= 100 else WHY_SCALE), "percent", 100.0
    return (None if 0 <= value <= 1 else WHY_SCALE), "proportion", 1.0


def _stderr(
    entry: dict[str, Any], metric: str, filter_name: str | None, where: str, problems: list[Problem]
) -> float | None:
    key = f"{metric}_stderr" + (f",{filter_name}" if filter_name is not None else "")
    raw = entry.get(key)
    if raw is None or raw == "N/A":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        problems.append(
            Problem(where.rsplit(".", 1)[0] + f".{key}", f"must be a number, got {raw!r}")
        )
        return None
    return float(raw) if math.isfinite(raw) else None


def exact_count(metric: str, value: float, n: int | None) -> int | None:
    """Successes k when the metric is a mean of 0/1 scores and value × n is whole, else None."""
    if metric not in BINARY or n is None:
        return None
    k = round(value * n)
    return k if abs(value * n - k) < 1e-6 else None


def group_count(value: float, n: int | None, member_counts: list[int | None]) -> int | None:
    """A group's k: the sum of its tasks' k, when they are all known and give the group's value."""
    if n is None or not member_counts or any(k is None for k in member_counts):
        return None
    k = sum(k for k in member_counts if k is not None)
    return k if k <= n and abs(k / n - value) < 1e-9 else None


def skipped_warnings(skipped: dict[tuple[str, str], list[str]]) -> list[str]:
    """One warning per (metric, reason), naming the tasks it concerned."""
    warnings = []
    for (key, why), tasks in sorted(skipped.items()):
        shown = ", ".join(tasks[:3]) + (f" and {len(tasks) - 3} more" if len(tasks) > 3 else "")
        warnings.append(f"{key} ({shown}): not stored: {why}")
    return warnings
