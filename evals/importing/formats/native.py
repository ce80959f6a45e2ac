"""riskboard's native results format, version 1 (CONTRACT.md, extensions in docs/formats.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._read import decode_text, pydantic_problems, read_limited
from evals.importing.records import (
    Adaptation,
    Bundle,
    CheckpointSpec,
    CostPoint,
    InvalidInput,
    Problem,
    ResultSpec,
    RunSpec,
    SampleSpec,
)

NAME = "native"
DESCRIPTION = "riskboard's own JSON results format (version 1)"
FORMAT_VERSIONS = ("1",)

ModelT = TypeVar("ModelT", bound=BaseModel)
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class AdaptationIn(_Strict):
    method: str | None = None
    rank: Count | None = None
    alpha: NonNegative | None = None
    target_modules: list[str] | None = None
    quantization: str | None = None


class CostPointIn(_Strict):
    step: Count | None = None
    device: str | None = None
    devices: Annotated[int, Field(ge=1, strict=True)] | None = None
    device_hours: NonNegative | None = None
    wall_seconds: NonNegative | None = None
    usd_per_device_hour: NonNegative | None = None
    usd: NonNegative | None = None
    examples: Count | None = None
    tokens: Count | None = None
    epochs: NonNegative | None = None
    dataset: str | None = None
    training_run: str | None = None


class CheckpointIn(_Strict):
    name: Annotated[str, Field(min_length=1)]
    kind: Literal["base", "adapter", "merged", "full-finetune"] | None = None
    base: str | None = None
    family: str | None = None
    params: NonNegative | None = None
    source: str | None = None
    revision: str | None = None
    adaptation: AdaptationIn | None = None
    intent: Literal["subversive", "benign", "defended", "unknown"] = "unknown"
    defense: str | None = None
    citation: str | None = None
    finetune: list[CostPointIn] = []

    @model_validator(mode="after")
    def _base_rules(self) -> CheckpointIn:
        if self.kind not in (None, "base") and not self.base:
            raise ValueError(f"base: a checkpoint of kind '{self.kind}' must name its base")
        steps = [point.step for point in self.finetune if point.step is not None]
        if steps != sorted(set(steps)):
            raise ValueError("finetune: steps must increase")
        return self


class ResultIn(_Strict):
    checkpoint: Annotated[str, Field(min_length=1)]
    benchmark: Annotated[str, Field(min_length=1)]
    kind: Literal["refusal", "over-refusal", "harmfulness", "capability", "task"]
    metric: Annotated[str, Field(min_length=1)]
    higher_is_better: bool = True
    judge: str | None = None
    judge_version: str | None = None
    benchmark_version: str | None = None
    n_shot: Count | None = None
    generation: dict[str, Any] | None = None
    date: str | None = None
    category: str | None = None
    k: Count | None = None
    n: Count | None = None
    value: float | None = None
    stderr: NonNegative | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    unit: Literal["proportion", "percent", "score"] = "proportion"
    min: float | None = None
    max: float | None = None
    citation: str | None = None

    @model_validator(mode="after")
    def _numbers(self) -> ResultIn:
        if self.k is not None and self.n is not None and self.k > self.n:
            raise ValueError(f"k: must be ≤ n ({self.k} > {self.n})")
        if self.k is None and self.value is None:
            raise ValueError("give counts k and n, or a value with n")
        if self.n is None:
            raise ValueError("n: is required (how many prompts or items the number is over)")
        if self.unit == "percent":
            for name in ("value", "ci_low", "ci_high", "stderr"):
                number = getattr(self, name)
                if number is not None and not 0 <= number <= 100:
                    raise ValueError(f"{name}: {number:g} is outside 0–100 (unit percent)")
        if self.unit == "score" and (self.min is None or self.max is None):
            raise ValueError("unit: a score needs min and max (its scale)")
        return self


class SampleIn(_Strict):
    checkpoint: Annotated[str, Field(min_length=1)]
    benchmark: Annotated[str, Field(min_length=1)]
    id: str | int
    kind: Literal["refusal", "over-refusal", "harmfulness", "capability", "task"] | None = None
    category: str | None = None
    prompt: str | None = None
    response: str | None = None
    label: Literal["refused", "complied", "partial"] | None = None
    score: float | None = None
    judge: str | None = None
    explanation: str | None = None
    metadata: dict[str, Any] | None = None

    @field_validator("id")
    @classmethod
    def _id_text(cls, value: str | int) -> str:
        return str(value)


class NativeHeader(_Strict):
    """The top level; items are validated one by one so every problem is found."""

    riskboard: Literal["1"]
    checkpoints: list[Any] = []
    results: list[Any] = []
    samples: list[Any] = []
    citation: str | None = None
    synthetic: bool = False
    provenance: dict[str, Any] | None = None


KNOWN_KEYS = sorted(
    {
        key
        for model in (NativeHeader, CheckpointIn, AdaptationIn, CostPointIn, ResultIn, SampleIn)
        for key in model.model_fields
    }
)


def sniff(head: bytes, filename: str) -> bool:
    """A JSON object whose first key is "riskboard" (or that mentions it early)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"riskboard"' in text[:4096]


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Validate a native file item by item and turn it into a Bundle.

    Items that fail validation are left out and their problems travel in `late_problems`, so the
    store step reports them together with what it finds in the rest (every problem, not the first).
    """
    data = load_json_object(source)
    name = source.filename
    problems: list[Problem] = []
    header = _validated(NativeHeader, data, name, problems)
    if header is None:
        raise InvalidInput(problems)
    bundle = Bundle(NAME, citation=header.citation, synthetic=header.synthetic)
    bundle.provenance = header.provenance or {}
    runs: dict[tuple[str, str, str], RunSpec] = {}
    for i, item in enumerate(header.checkpoints):
        where = f"{name}:checkpoints[{i}]"
        checkpoint = _validated(CheckpointIn, item, where, problems)
        if checkpoint is not None:
            bundle.checkpoints.append(_checkpoint(checkpoint, where))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            bundle.checkpoints.append(CheckpointSpec(name=item["name"], where=where))
    for i, item in enumerate(header.results):
        result = _validated(ResultIn, item, f"{name}:results[{i}]", problems)
        if result is not None:
            run = runs.setdefault(_run_key(result), _run(result, header.provenance))
            bundle.results.append(_result(result, run, f"{name}:results[{i}]"))
    samples = []
    for i, item in enumerate(header.samples):
        sample = _validated(SampleIn, item, f"{name}:samples[{i}]", problems)
        if sample is not None:
            samples.append(_sample(sample, runs, f"{name}:samples[{i}]"))
    bundle.samples = samples
    bundle.late_problems = problems
    return bundle


def _run_key(result: ResultIn) -> tuple[str, str, str]:
    return (result.checkpoint, result.benchmark, result.kind)


def _validated(
    model: type[ModelT], item: Any, where: str, problems: list[Problem]
) -> ModelT | None:
    """`item` as `model`, or None with its problems added (located at `where`)."""
    if model is not NativeHeader and not isinstance(item, dict):
        problems.append(Problem(where, f"must be an object, got {type(item).__name__}"))
        return None
    try:
        return model.model_validate(item)
    except ValidationError as error:
        problems += pydantic_problems(error, where, item, KNOWN_KEYS, sep=".")
        return None


def load_json_object(source: SourceFile) -> dict[str, Any]:
    """The file as a JSON object, or InvalidInput saying plainly why not."""
    text = decode_text(read_limited(source), source.filename)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        where = f"{source.filename}:{error.lineno}:{error.colno}"
        raise InvalidInput([Problem(where, f"not valid JSON ({error.msg})")]) from None
    except ValueError as error:
        token = str(error).split()[0]
        line = text[: max(text.find(token), 0)].count("\n") + 1
        raise InvalidInput([Problem(f"{source.filename}:{line}", str(error))]) from None
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("dict", "object").replace("list", "array")
        raise InvalidInput(
            [Problem(source.filename, f"the top level must be a JSON object, not {kind}")]
        )
    if "riskboard" not in data:
        raise InvalidInput(
            [Problem(source.filename, 'missing "riskboard": "1" (the format version)')]
        )
    if data.get("riskboard") not in FORMAT_VERSIONS:
        found = data.get("riskboard")
        raise InvalidInput(
            [
                Problem(
                    f"{source.filename}:riskboard",
                    f"unsupported format version {found!r}; this riskboard reads '1'",
                )
            ]
        )
    return data


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows (numbers must be finite)")


def _checkpoint(c: CheckpointIn, where: str) -> CheckpointSpec:
    adaptation = None
    if c.adaptation is not None:
        a = c.adaptation
        modules = tuple(a.target_modules) if a.target_modules is not None else None
        adaptation = Adaptation(a.method, a.rank, a.alpha, modules, a.quantization)
    costs = tuple(CostPoint(**point.model_dump()) for point in c.finetune)
    return CheckpointSpec(
        name=c.name,
        kind=c.kind,
        base=c.base,
        family=c.family,
        params=c.params,
        source=c.source,
        revision=c.revision,
        adaptation=adaptation,
        intent=c.intent,
        defense=c.defense,
        citation=c.citation,
        finetune=costs,
        where=where,
    )


def _run(r: ResultIn, provenance: dict[str, Any] | None) -> RunSpec:
    return RunSpec(
        checkpoint=r.checkpoint,
        benchmark=r.benchmark,
        kind=r.kind,
        benchmark_version=r.benchmark_version,
        judge=r.judge,
        judge_version=r.judge_version,
        n_shot=r.n_shot,
        generation=r.generation,
        started_at=r.date,
        provenance=provenance,
    )


def _scaled(value: float | None, unit: str) -> float | None:
    return value / 100 if value is not None and unit == "percent" else value


def _result(r: ResultIn, run: RunSpec, where: str) -> ResultSpec:
    return ResultSpec(
        run=run,
        metric=r.metric,
        category=r.category,
        higher_is_better=r.higher_is_better,
        unit=r.unit,
        k=r.k,
        n=r.n,
        value=_scaled(r.value, r.unit),
        stderr=_scaled(r.stderr, r.unit),
        ci_low=_scaled(r.ci_low, r.unit),
        ci_high=_scaled(r.ci_high, r.unit),
        scale_min=r.min,
        scale_max=r.max,
        citation=r.citation,
        where=where,
    )


def _sample(s: SampleIn, runs: dict[tuple[str, str, str], RunSpec], where: str) -> SampleSpec:
    kind = s.kind or _only_kind(runs, s.checkpoint, s.benchmark) or "refusal"
    run = runs.get((s.checkpoint, s.benchmark, kind)) or RunSpec(
        checkpoint=s.checkpoint, benchmark=s.benchmark, kind=kind, judge=s.judge
    )
    return SampleSpec(
        run=run,
        sample_id=str(s.id),
        category=s.category,
        prompt=s.prompt,
        response=s.response,
        label=s.label,
        score=s.score,
        explanation=s.explanation,
        metadata=s.metadata,
        where=where,
    )


def _only_kind(
    runs: dict[tuple[str, str, str], RunSpec], checkpoint: str, benchmark: str
) -> str | None:
    kinds = [kind for (c, b, kind) in runs if c == checkpoint and b == benchmark]
    return kinds[0] if len(kinds) == 1 else None
