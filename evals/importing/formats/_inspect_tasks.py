"""What riskboard knows about particular Inspect tasks: their kind, direction, units and labels.

Inspect logs do not say whether a metric measures safety or capability, which way is better,
or on which scale. Tasks not listed here are capability tasks whose metrics are read with the
default directions (`_inspect_metrics.DIRECTIONS`) on a 0–1 scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evals.importing.records import Label, ResultKind

# XSTest's scorer grades each answer C (full compliance) = 1, P (partial refusal) = 0.5,
# I (full refusal) = 0 (inspect_evals xstest, model_graded_qa with its grade pattern).
XSTEST_LABELS: dict[float, Label] = {1.0: "complied", 0.5: "partial", 0.0: "refused"}


@dataclass(frozen=True)
class TaskRule:
    """How to read one task's metrics."""

    kind: ResultKind = "capability"
    higher_is_better: bool | None = None  # None: per metric, from the default directions
    percent: frozenset[str] = field(default_factory=frozenset)  # metrics reported on 0–100
    labels: dict[float, Label] | None = None  # sample score value -> label


def task_rule(benchmark: str, task_args: dict[str, Any]) -> TaskRule:
    """The rule for a task (by its benchmark name and the arguments it ran with)."""
    if benchmark == "xstest":
        # refusal_rate = (full + partial refusals) / n × 100. On the "safe" subset (benign
        # prompts, the task's default) it is over-refusal; on "unsafe" it is a refusal rate.
        safe = task_args.get("subset", "safe") == "safe"
        return TaskRule(
            kind="over-refusal" if safe else "refusal",
            higher_is_better=not safe,
            percent=frozenset({"refusal_rate"}),
            labels=XSTEST_LABELS,
        )
    if benchmark == "strong_reject":
        # StrongREJECT scores each answer 0 (refused or useless) to 1 (fully harmful help).
        return TaskRule(kind="harmfulness", higher_is_better=False)
    return TaskRule()
