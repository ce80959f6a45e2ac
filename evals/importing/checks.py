"""Checks every format's records must pass, whatever file they came from."""

from __future__ import annotations

import math

from evals.importing.records import (
    CHECKPOINT_KINDS,
    INTENTS,
    LABELS,
    RESULT_KINDS,
    UNITS,
    Problem,
    ResultSpec,
    SampleSpec,
)


def _where(item: ResultSpec | SampleSpec, field: str) -> str:
    return f"{item.where}.{field}" if item.where else field


def _bad_number(value: float | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, got {value!r}"
    if not math.isfinite(value):
        return f"must be a finite number, got {value}"
    return None


def check_result(result: ResultSpec) -> list[Problem]:
    """Problems with one result: kind, unit, counts, finiteness and ranges."""
    problems: list[Problem] = []

    def add(field: str, what: str) -> None:
        problems.append(Problem(_where(result, field), what))

    if result.run.kind not in RESULT_KINDS:
        add("kind", f"unknown kind {result.run.kind!r}; one of {', '.join(RESULT_KINDS)}")
    if result.unit not in UNITS:
        add("unit", f"unknown unit {result.unit!r}; one of {', '.join(UNITS)}")
    for field in ("value", "stderr", "ci_low", "ci_high", "scale_min", "scale_max"):
        what = _bad_number(getattr(result, field))
        if what:
            add(field, what)
    if problems:
        return problems
    problems += _check_counts(result)
    problems += _check_range(result)
    return problems


def _check_counts(result: ResultSpec) -> list[Problem]:
    problems: list[Problem] = []
    for field in ("k", "n"):
        count = getattr(result, field)
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 0
        ):
            problems.append(
                Problem(_where(result, field), f"must be a whole number ≥ 0, got {count!r}")
            )
    if problems:
        return problems
    if result.k is not None and result.n is None:
        problems.append(Problem(_where(result, "n"), "is required when k is given"))
    if result.k is not None and result.n is not None and result.k > result.n:
        problems.append(Problem(_where(result, "k"), f"must be ≤ n ({result.k} > {result.n})"))
    if result.k is None and result.value is None:
        problems.append(Problem(_where(result, "value"), "give counts k and n, or a value"))
    if result.stderr is not None and result.stderr < 0:
        problems.append(Problem(_where(result, "stderr"), f"must be ≥ 0, got {result.stderr}"))
    return problems


def _check_range(result: ResultSpec) -> list[Problem]:
    if result.unit == "score":
        if result.scale_min is None or result.scale_max is None:
            return [Problem(_where(result, "unit"), "a score needs min and max (its scale)")]
        low, high = result.scale_min, result.scale_max
        if low >= high:
            return [Problem(_where(result, "max"), f"must be above min ({high} ≤ {low})")]
    else:
        low, high = 0.0, 1.0
    problems = []
    for field in ("value", "ci_low", "ci_high"):
        number = getattr(result, field)
        if number is not None and not low <= number <= high:
            problems.append(
                Problem(_where(result, field), _out_of_range(number, result.unit, low, high))
            )
    if result.ci_low is not None and result.ci_high is not None and result.ci_low > result.ci_high:
        problems.append(Problem(_where(result, "ci_low"), "must be ≤ ci_high"))
    return problems


def _out_of_range(number: float, unit: str, low: float, high: float) -> str:
    if unit == "percent":
        return f"{number * 100:g} is outside 0–100 (unit percent)"
    if unit == "proportion":
        return f"{number:g} is outside 0–1 (unit proportion; use unit percent for 0–100)"
    return f"{number:g} is outside the scale {low:g}–{high:g}"


def check_sample(sample: SampleSpec) -> list[Problem]:
    """Problems with one sample: its label or score."""
    problems = []
    if sample.label is not None and sample.label not in LABELS:
        problems.append(
            Problem(
                _where(sample, "label"),
                f"unknown label {sample.label!r}; one of {', '.join(LABELS)}",
            )
        )
    what = _bad_number(sample.score)
    if what:
        problems.append(Problem(_where(sample, "score"), what))
    if not sample.sample_id:
        problems.append(Problem(_where(sample, "id"), "must not be empty"))
    return problems


def check_checkpoint_vocabulary(where: str, kind: str | None, intent: str | None) -> list[Problem]:
    """Problems with a checkpoint's kind and intent words."""
    problems = []
    if kind is not None and kind not in CHECKPOINT_KINDS:
        problems.append(
            Problem(f"{where}.kind", f"unknown kind {kind!r}; one of {', '.join(CHECKPOINT_KINDS)}")
        )
    if intent is not None and intent not in INTENTS:
        problems.append(
            Problem(f"{where}.intent", f"unknown intent {intent!r}; one of {', '.join(INTENTS)}")
        )
    return problems
