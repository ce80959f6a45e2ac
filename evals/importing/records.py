"""The normalised records every importer produces and the one store step consumes.

Each format's parser (native JSON, CSV, lm-eval, Inspect, HELM, HarmBench, JailbreakBench,
garak, and the runners) turns its input into a `Bundle`. `evals.importing.store` validates a
bundle against the database and writes it in one transaction. Nothing here touches a file or
a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

CheckpointKind = Literal["base", "adapter", "merged", "full-finetune"]
Intent = Literal["subversive", "benign", "defended", "unknown"]
ResultKind = Literal["refusal", "over-refusal", "harmfulness", "capability", "task"]
Unit = Literal["proportion", "percent", "score"]
Label = Literal["refused", "complied", "partial"]

CHECKPOINT_KINDS: tuple[str, ...] = ("base", "adapter", "merged", "full-finetune")
INTENTS: tuple[str, ...] = ("subversive", "benign", "defended", "unknown")
RESULT_KINDS: tuple[str, ...] = ("refusal", "over-refusal", "harmfulness", "capability", "task")
UNITS: tuple[str, ...] = ("proportion", "percent", "score")
LABELS: tuple[str, ...] = ("refused", "complied", "partial")


@dataclass(frozen=True)
class Adaptation:
    """How an adapted checkpoint was made from its base."""

    method: str | None = None  # "lora", "qlora", "full", ...
    rank: int | None = None
    alpha: float | None = None
    target_modules: tuple[str, ...] | None = None
    quantization: str | None = None


@dataclass(frozen=True)
class CostPoint:
    """One point on a fine-tuning run's cost meter. `usd` is as stated; see scoring.cost."""

    step: int | None = None
    device: str | None = None
    devices: int | None = None
    device_hours: float | None = None
    wall_seconds: float | None = None
    usd_per_device_hour: float | None = None
    usd: float | None = None
    examples: int | None = None
    tokens: int | None = None
    epochs: float | None = None
    dataset: str | None = None
    training_run: str | None = None  # groups points of one run across checkpoints


@dataclass(frozen=True)
class CheckpointSpec:
    """A checkpoint as a file describes it; None means "not said", never "empty"."""

    name: str
    kind: CheckpointKind | None = None
    base: str | None = None
    family: str | None = None
    params: float | None = None
    source: str | None = None
    revision: str | None = None
    adaptation: Adaptation | None = None
    intent: Intent | None = None
    defense: str | None = None
    citation: str | None = None
    finetune: tuple[CostPoint, ...] = ()
    where: str = field(default="", compare=False)  # e.g. "checkpoints[2]", for problem messages


@dataclass(frozen=True)
class RunSpec:
    """What identifies one evaluation run inside a bundle: results and samples point at it."""

    checkpoint: str
    benchmark: str
    kind: ResultKind
    benchmark_version: str | None = None
    judge: str | None = None
    judge_version: str | None = None
    n_shot: int | None = None
    generation: dict[str, Any] | None = field(default=None, compare=False)
    started_at: str | None = None
    finished_at: str | None = None
    partial: bool = False
    provenance: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ResultSpec:
    """One number of a run: counts k of n, or a value with n and optional stderr/bounds.

    Values are stored in the source's own direction (`higher_is_better` says which way) and,
    for unit "percent", already divided by 100 by the parser that read them.
    """

    run: RunSpec
    metric: str
    category: str | None = None
    higher_is_better: bool = True
    unit: Unit = "proportion"
    k: int | None = None
    n: int | None = None
    value: float | None = None
    stderr: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    scale_min: float | None = None
    scale_max: float | None = None
    citation: str | None = None
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class SampleSpec:
    """One prompt/response of a run with its judgment (a label, or a score)."""

    run: RunSpec
    sample_id: str
    category: str | None = None
    prompt: str | None = None
    response: str | None = None
    label: Label | None = None
    score: float | None = None
    explanation: str | None = None
    metadata: dict[str, Any] | None = field(default=None, compare=False)
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class Problem:
    """A fixable problem in an input, reported as `where: what`."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


class InvalidInput(Exception):
    """Raised by parsers and the store step with every problem found, never only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Bundle:
    """Everything one input file (or one runner invocation) contributes."""

    source_format: str
    checkpoints: list[CheckpointSpec] = field(default_factory=list)
    results: list[ResultSpec] = field(default_factory=list)
    # A list, or a generator for big files: the store step streams it into the database inside
    # the import's transaction and rolls everything back if any sample has a problem.
    samples: Iterable[SampleSpec] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    citation: str | None = None
    synthetic: bool = False
    warnings: list[str] = field(default_factory=list)
    # Problems a streaming parser finds while `samples` is consumed; the store step reports them.
    late_problems: list[Problem] = field(default_factory=list)


def bundle_to_dict(bundle: Bundle) -> dict[str, Any]:
    """A JSON-ready view of a bundle (samples materialised), for golden files and debugging."""
    from dataclasses import asdict

    def run_key(run: RunSpec) -> dict[str, Any]:
        return {k: v for k, v in asdict(run).items() if v not in (None, False)}

    def strip(item: Any) -> dict[str, Any]:
        data = asdict(item)
        data.pop("where", None)
        if "run" in data:
            data["run"] = run_key(item.run)
        return {k: v for k, v in data.items() if v not in (None, (), [])}

    return {
        "source_format": bundle.source_format,
        "citation": bundle.citation,
        "synthetic": bundle.synthetic,
        "provenance": bundle.provenance,
        "checkpoints": [strip(c) for c in bundle.checkpoints],
        "results": [strip(r) for r in bundle.results],
        "samples": [strip(s) for s in bundle.samples],
        "warnings": list(bundle.warnings),
        "late_problems": [str(p) for p in bundle.late_problems],
    }
