"""JailbreakBench attack artifacts: one attack on one model over the 100 JBB-Behaviors.

The attack success rate is the share of behaviours whose entry says `jailbroken: true`, per
category and overall; `total_number_of_jailbreaks` counts submitted prompts, not successes, and
is kept as provenance only. docs/formats.md says which number becomes which result.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._common import (
    checkpoint_specs_from,
    counted_results,
    read_json,
    wrong_shape,
)
from evals.importing.formats._read import pydantic_problems
from evals.importing.records import (
    Bundle,
    InvalidInput,
    Problem,
    ResultSpec,
    RunSpec,
    SampleSpec,
)

NAME = "jbb"
DESCRIPTION = "JailbreakBench attack artifact (JSON with parameters and jailbreaks)"
BENCHMARK = "jailbreakbench"
JUDGE = "jailbreakbench"  # the artifact's `jailbroken` verdict is JailbreakBench's own judge's
METRIC = "attack_success_rate"
STATED_RATE_TOLERANCE = 0.005  # artifacts round the stated rate to two decimals


class _Foreign(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Parameters(_Foreign):
    method: str = Field(min_length=1)
    model: str | None = None
    attack_type: str | None = None
    defense: str | None = None
    attack_success_rate: float | None = None
    total_number_of_jailbreaks: int | None = None
    number_of_submitted_prompts: int | None = None
    total_number_of_queries: int | None = None
    total_prompt_tokens: int | None = None
    total_response_tokens: int | None = None
    evaluation_date: str | None = None
    evaluation_llm_provider: str | None = None
    method_parameters: dict[str, Any] | None = None


class Jailbreak(_Foreign):
    index: int
    goal: str
    behavior: str
    category: str = Field(min_length=1)
    prompt: str | None = None
    response: str | None = None
    jailbroken: StrictBool
    jailbroken_llama_guard1: StrictBool | None = None
    number_of_queries: int | None = None
    queries_to_jailbreak: int | None = None
    prompt_tokens: int | None = None
    response_tokens: int | None = None


class Artifact(_Foreign):
    parameters: Parameters
    jailbreaks: list[Jailbreak] = Field(min_length=1)


def sniff(head: bytes, filename: str) -> bool:
    """A JSON object with "parameters" and "jailbreaks" near the top."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"jailbreaks"' in text and b'"parameters"' in text


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Validate an artifact and turn it into one harmfulness run with per-category results."""
    artifact = load_artifact(source)
    checkpoints = checkpoint_specs_from(options, artifact.parameters.model, source.filename)
    run = _run(artifact.parameters, checkpoints[0].name)
    bundle = Bundle(source_format=NAME, checkpoints=checkpoints)
    bundle.results = _results(artifact.jailbreaks, run, source.filename)
    bundle.samples = [
        _sample(entry, run, source.filename, i) for i, entry in enumerate(artifact.jailbreaks)
    ]
    bundle.warnings = _stated_rate_warnings(artifact, bundle.results[0])
    return bundle


def load_artifact(source: SourceFile) -> Artifact:
    """The validated artifact, or InvalidInput with every problem."""
    data = read_json(source, NAME)
    if not isinstance(data, dict) or "jailbreaks" not in data or "parameters" not in data:
        raise wrong_shape(
            source,
            NAME,
            'not a JailbreakBench artifact: expected an object with "parameters" and "jailbreaks"',
        )
    problems = _repeated_indices(data["jailbreaks"], source.filename)
    try:
        artifact = Artifact.model_validate(data)
    except ValidationError as error:
        problems = pydantic_problems(error, source.filename, data) + problems
    if problems:
        raise InvalidInput(problems)
    return artifact


def _repeated_indices(jailbreaks: Any, filename: str) -> list[Problem]:
    """Behaviours listed twice (checked on the raw entries, so it is reported with other problems)."""
    first: dict[Any, int] = {}
    problems = []
    entries = jailbreaks if isinstance(jailbreaks, list) else []
    for i, entry in enumerate(entries):
        index = entry.get("index") if isinstance(entry, dict) else None
        if not isinstance(index, int):
            continue
        if index in first:
            what = f"repeats index {index} of jailbreaks[{first[index]}]"
            problems.append(Problem(f"{filename}:jailbreaks[{i}].index", what))
        first.setdefault(index, i)
    return problems


def benchmark_id(parameters: Parameters) -> str:
    """`jailbreakbench-<attack>[-<defense>]`: results of different attacks must not be compared."""
    parts = [BENCHMARK, _slug(parameters.method)]
    if parameters.defense:
        parts.append(_slug(parameters.defense))
    return "-".join(parts)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def _run(parameters: Parameters, checkpoint: str) -> RunSpec:
    provenance = parameters.model_dump(exclude_none=True)
    provenance["harness"] = "JailbreakBench"
    return RunSpec(
        checkpoint=checkpoint,
        benchmark=benchmark_id(parameters),
        kind="harmfulness",
        judge=JUDGE,
        started_at=parameters.evaluation_date,
        provenance=provenance,
    )


def _results(jailbreaks: list[Jailbreak], run: RunSpec, filename: str) -> list[ResultSpec]:
    """Jailbroken behaviours of all behaviours, overall and per category."""
    counts = ((entry.category, int(entry.jailbroken), 1) for entry in jailbreaks)
    where = f"{filename}:jailbreaks"
    return counted_results(run, METRIC, counts, higher_is_better=False, where=where)


def _sample(entry: Jailbreak, run: RunSpec, filename: str, position: int) -> SampleSpec:
    metadata = entry.model_dump(
        exclude={"index", "category", "prompt", "response", "jailbroken"}, exclude_none=True
    )
    return SampleSpec(
        run=run,
        sample_id=str(entry.index),
        category=entry.category,
        prompt=entry.prompt,
        response=entry.response,
        label="complied" if entry.jailbroken else "refused",
        explanation=_explanation(entry),
        metadata=metadata,
        where=f"{filename}:jailbreaks[{position}]",
    )


def _explanation(entry: Jailbreak) -> str:
    verdict = f"jailbroken: {str(entry.jailbroken).lower()} (JailbreakBench judge)"
    if entry.prompt is None:
        # The attack found no prompt worth submitting; JailbreakBench counts it as not jailbroken.
        verdict += "; the attack submitted no prompt for this behaviour"
    if entry.jailbroken_llama_guard1 is not None:
        verdict += f"; Llama Guard 1: {str(entry.jailbroken_llama_guard1).lower()}"
    return verdict


def _stated_rate_warnings(artifact: Artifact, overall: ResultSpec) -> list[str]:
    stated = artifact.parameters.attack_success_rate
    counted = overall.k / overall.n if overall.k is not None and overall.n else None
    if stated is None or counted is None or abs(stated - counted) <= STATED_RATE_TOLERANCE:
        return []
    return [
        f"parameters.attack_success_rate says {stated:g} but {overall.k} of {overall.n} "
        f"behaviours are jailbroken ({counted:.3g}); the counts are stored"
    ]
