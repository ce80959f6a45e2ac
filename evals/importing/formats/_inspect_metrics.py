"""One Inspect scorer's metrics dict read into result rows: values, stderr, groups, direction.

`stderr` (or `bootstrap_stderr`) is the standard error of the scorer's main metric (accuracy,
else mean, else its only metric); `std` and `var` describe spread and are not results. A
metrics dict with an "all" entry comes from `grouped()`: the other keys are groups, named
`<group>_<metric>` by recent Inspect versions and `<group>` by older ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

from evals.importing.formats._inspect_tasks import TaskRule
from evals.importing.records import Unit

STDERR_LIKE = ("stderr", "bootstrap_stderr")
SPREAD = ("std", "var")
SAMPLE_MEANS = ("accuracy", "mean")  # metrics that are the mean of the sample values
DIRECTIONS = {
    **dict.fromkeys(("accuracy", "mean", "f1", "f_score", "precision", "recall"), True),
    **dict.fromkeys(("exact", "correct", "correct_given_attempted"), True),
    **dict.fromkeys(("incorrect", "error_rate"), False),
}
_UNIQUE_SUFFIX = re.compile(r"\d+$")  # Inspect appends 2, 3... to repeated metric names


class _Metric(Protocol):
    value: float | None


@dataclass(frozen=True)
class MetricRow:
    """One number of a scorer, ready to become a result."""

    key: str  # the key in the log's metrics dict
    metric: str
    category: str | None
    value: float
    stderr: float | None
    unit: Unit
    higher_is_better: bool
    counts_samples: bool  # the mean of sample values: k can be counted from the samples


def score_rows(
    metrics: dict[str, Any], rule: TaskRule, label: str | None
) -> tuple[list[MetricRow], list[str]]:
    """Rows for one scorer's metrics, and a note for each metric that could not be stored."""
    values = {key: metric.value for key, metric in metrics.items()}
    grouped = "all" in values
    inner = _inner_metric(values) if grouped else None
    stderrs: dict[str | None, float | None] = {}
    candidates: list[tuple[str, str, str | None, float | None]] = []
    for key, value in values.items():
        category, metric = _split_group(key, inner) if grouped else (None, key)
        if metric in STDERR_LIKE:
            stderrs.setdefault(category, value)
        elif metric not in SPREAD:
            candidates.append((key, metric, category, value))
    plain = {(metric, category) for key, metric, category, _ in candidates if key != "all"}
    candidates = [c for c in candidates if not (c[0] == "all" and (c[1], None) in plain)]
    main = _main_metric([c[1] for c in candidates if c[2] is None])
    rows, skipped = [], []
    for key, metric, category, value in candidates:
        stderr = stderrs.get(category) if metric == (main if category is None else inner) else None
        row, why = _row(key, metric, category, value, stderr, rule, label)
        if row is not None:
            rows.append(row)
        else:
            skipped.append(f"{key}: not stored: {why}")
    return rows, skipped


def _inner_metric(values: dict[str, float | None]) -> str:
    """The metric a grouped() dict holds: the suffix its keys share, else accuracy."""
    for known in (*SAMPLE_MEANS, *DIRECTIONS):
        if any(key.endswith(f"_{known}") for key in values):
            return known
    return "accuracy"


def _split_group(key: str, inner: str | None) -> tuple[str | None, str]:
    if key == "all":
        return None, inner or "accuracy"
    if key in STDERR_LIKE or key in SPREAD:
        return None, key
    for metric in (*STDERR_LIKE, *SPREAD, inner or "accuracy"):
        if key.endswith(f"_{metric}"):
            return key[: -len(metric) - 1], metric
    return key, inner or "accuracy"


def _main_metric(names: list[str]) -> str | None:
    for name in SAMPLE_MEANS:
        if name in names:
            return name
    return names[0] if len(names) == 1 else None


def _row(
    key: str,
    metric: str,
    category: str | None,
    value: float | None,
    stderr: float | None,
    rule: TaskRule,
    label: str | None,
) -> tuple[MetricRow | None, str]:
    base = _UNIQUE_SUFFIX.sub("", metric)
    higher = rule.higher_is_better if rule.higher_is_better is not None else DIRECTIONS.get(base)
    if value is None or not math.isfinite(value):
        return None, "is not a finite number"
    if higher is None:
        return None, "riskboard does not know whether higher is better for this metric"
    scale, unit = (100.0, "percent") if base in rule.percent else (1.0, "proportion")
    if not 0 <= value <= scale:
        return None, f"{value:g} is outside 0–{scale:g}, and riskboard does not know its scale"
    if stderr is not None and not math.isfinite(stderr):
        stderr = None
    return (
        MetricRow(
            key=key,
            metric=f"{label}/{metric}" if label else metric,
            category=category,
            value=value / scale,
            stderr=None if stderr is None else stderr / scale,
            unit=unit,  # type: ignore[arg-type]
            higher_is_better=higher,
            counts_samples=base in SAMPLE_MEANS,
        ),
        "",
    )
