"""HELM statistics: the run's `stats.json` and `per_instance_stats.json`, read for one split.

A stat's `count` in stats.json counts trials, not instances: the instance count is the
`num_instances` stat's mean. Stats with a `perturbation` (robustness, fairness variants) or a
`sub_split` describe other slices of the data and are left out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MetricNameIn(_Lenient):
    name: str
    split: str | None = None
    sub_split: str | None = None
    perturbation: dict[str, Any] | None = None


class StatIn(_Lenient):
    name: MetricNameIn
    count: int = 0
    sum: float = 0.0
    mean: float | None = None

    def average(self) -> float | None:
        """The mean HELM reports (sum / count when the mean is not written)."""
        if self.mean is not None:
            return self.mean
        return self.sum / self.count if self.count else None


class InstanceStatsIn(_Lenient):
    instance_id: str
    train_trial_index: int = 0
    stats: list[StatIn] = []


# Direction of the HELM metrics riskboard stores (all on a 0–1 scale).
DIRECTIONS = {
    **dict.fromkeys(("exact_match", "quasi_exact_match", "prefix_exact_match"), True),
    **dict.fromkeys(("quasi_prefix_exact_match", "f1_score", "rouge_l", "bleu_1", "bleu_4"), True),
    **dict.fromkeys(("math_equiv", "math_equiv_chain_of_thought", "ifeval_strict_accuracy"), True),
    "air_score": True,
}
# AIR-Bench 2024: air_category_<l2>_score and air_category_<l2>_<l3>_score (level 4 is left out).
AIR_CATEGORY = re.compile(r"^air_category_(\d+)(?:_(\d+))?_score$")


def plain(stat: StatIn, split: str) -> bool:
    """A stat of `split` over the data as it is (no perturbation, no sub-split)."""
    name = stat.name
    return name.split == split and name.perturbation is None and name.sub_split is None


def eval_split(stats: list[StatIn]) -> str | None:
    """The split HELM reports: test when the run has it, else valid, else the first one."""
    splits = [s.name.split for s in stats if s.name.perturbation is None and s.name.split]
    for split in ("test", "valid"):
        if split in splits:
            return split
    return splits[0] if splits else None


def air_category(metric: str) -> str | None:
    """`air_category_1_2_score` -> "1.2" (AIR-Bench's own category code)."""
    match = AIR_CATEGORY.match(metric)
    if match is None:
        return None
    return match[1] if match[2] is None else f"{match[1]}.{match[2]}"


@dataclass
class InstanceValues:
    """Per-instance values of each metric in one split (first train trial only)."""

    values: dict[str, list[float]] = field(default_factory=dict)
    by_instance: dict[str, dict[str, float]] = field(default_factory=dict)
    several_trials: bool = False

    def k(self, metric: str, n: int | None) -> int | None:
        """Successes, when every instance scored 0 or 1 and there are n of them."""
        values = self.values.get(metric)
        if self.several_trials or not values or len(values) != n:
            return None
        if any(v not in (0.0, 1.0) for v in values):
            return None
        return round(sum(values))

    def stderr(self, metric: str) -> float | None:
        """The standard error of the mean over instances (None below two instances)."""
        values = self.values.get(metric) or []
        if self.several_trials or len(values) < 2:
            return None
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
        return math.sqrt(variance / len(values))

    def count(self, metric: str) -> int | None:
        values = self.values.get(metric)
        return len(values) if values else None


def instance_values(instances: list[InstanceStatsIn], split: str) -> InstanceValues:
    """Collect the per-instance values of `split`."""
    out = InstanceValues()
    for instance in instances:
        if instance.train_trial_index != 0:
            out.several_trials = True
            continue
        for stat in instance.stats:
            value = stat.average()
            if plain(stat, split) and value is not None and math.isfinite(value):
                out.values.setdefault(stat.name.name, []).append(value)
                out.by_instance.setdefault(instance.instance_id, {})[stat.name.name] = value
    return out
