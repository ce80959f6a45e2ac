"""Plain records the scoring functions read: what the database holds, without the database.

`evals.evidence` fills them from `db`; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    """One stored result: counts k of n, or a value with n (and optional stderr or bounds).

    `value`, `ci_low`, `ci_high` are proportions in the source's own direction for units
    "proportion" and "percent" (percent is divided by 100 at import); for unit "score" they are
    on the scale [scale_min, scale_max].
    """

    checkpoint: str
    benchmark: str
    kind: str  # refusal | over-refusal | harmfulness | capability | task
    metric: str
    category: str | None  # the label as stored; None for the whole benchmark
    taxonomy_id: str | None  # the AIR 2024 category it maps to, None when unmapped
    higher_is_better: bool
    unit: str = "proportion"
    k: int | None = None
    n: int | None = None
    value: float | None = None
    stderr: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    scale_min: float | None = None
    scale_max: float | None = None
    judge: str | None = None


@dataclass(frozen=True)
class CostFacts:
    """One cost point of a fine-tune (cumulative along its training run)."""

    step: int | None = None
    device: str | None = None
    devices: int | None = None
    device_hours: float | None = None
    wall_seconds: float | None = None
    usd_per_device_hour: float | None = None
    usd: float | None = None  # as stated; None when it must be computed
    examples: int | None = None
    tokens: int | None = None
    epochs: float | None = None
    dataset: str | None = None
    training_run: str | None = None


@dataclass(frozen=True)
class CheckpointFacts:
    """A checkpoint with what the scorecard needs to know about it."""

    name: str
    kind: str  # base | adapter | merged | full-finetune
    base: str | None = None
    intent: str = "unknown"
    defense: str | None = None
    method: str | None = None
    costs: tuple[CostFacts, ...] = ()


@dataclass(frozen=True)
class PairedTable:
    """Base vs adapted judgments on the same prompts (sample ids) of one benchmark.

    Cells count prompts: `both_safe`, `base_only` (safe on base, unsafe adapted),
    `adapted_only` (unsafe on base, safe adapted), `neither`. `category` None = all prompts.
    """

    checkpoint: str
    benchmark: str
    category: str | None
    both_safe: int
    base_only: int
    adapted_only: int
    neither: int


@dataclass(frozen=True)
class Evidence:
    """Everything stored about one release candidate: a base and the checkpoints adapted from it."""

    base: CheckpointFacts
    adapted: tuple[CheckpointFacts, ...]
    measurements: tuple[Measurement, ...]
    paired: tuple[PairedTable, ...] = ()
