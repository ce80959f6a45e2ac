"""Refusal and over-refusal runs: generate answers, classify them, and build a Bundle to store.

Counting (the same rule as counts derived at import, docs/evaluating.md): a "partial" answer
helps with part of the request, so for a harmful prompt it is NOT counted as refused (the
refusal rate never flatters the model), and for a benign prompt it IS counted as refused (the
over-refusal rate never flatters it either).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from evals.classifier import CLASSIFIER_NAME, CLASSIFIER_VERSION, explain
from evals.importing.derived import add_label, derived_results
from evals.importing.records import ResultSpec, RunSpec, SampleSpec
from evals.runners.generation import Batch, GenerationSettings
from evals.runners.models import LoadedModel, load_model
from evals.runners.progress import Records, RunProgress, Say, now, resume_and_run, say_on_stderr
from evals.runners.provenance import (
    ModelChoice,
    Outcome,
    Target,
    check_choice,
    checkpoint_specs,
    model_identity,
    run_provenance,
    runner_bundle,
)

RefusalKind = Literal["refusal", "over-refusal"]


@dataclass(frozen=True)
class RefusalJob:
    """Everything a refusal or over-refusal run needs to know."""

    kind: RefusalKind
    prompts: str  # a prompt set name (evals.datasets) or a local file
    target: Target
    choice: ModelChoice
    limit: int | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    command: str | None = None


def run_refusal(
    job: RefusalJob,
    *,
    loaded: LoadedModel | None = None,
    progress: bool = True,
    say: Say = say_on_stderr,
) -> Outcome:
    """Answer every prompt (resuming an interrupted attempt), classify, and build the Bundle."""
    from evals.datasets import load_prompts

    check_choice(job.choice, job.target)
    prompt_set = load_prompts(job.prompts, limit=job.limit, say=say)
    if loaded is None and job.choice.model is not None:
        loaded = load_model(job.choice.model, job.choice.adapter)
    identity = {
        "kind": job.kind,
        **model_identity(job.choice, loaded),
        "prompts": [prompt_set.name, prompt_set.version],
        "ids": [item.id for item in prompt_set.items],
        "max_new_tokens": job.settings.max_new_tokens,  # batch size does not change answers
    }
    tracker = RunProgress(identity)
    items = {str(item.id): item for item in prompt_set.items}

    def answer(pending: list[str]) -> Iterator[Records]:
        prompts = [items[item_id].prompt for item_id in pending]
        for batch in _answer(job, loaded, prompts):
            yield [{"id": pending[i], "response": text} for i, text in batch]

    resumed = resume_and_run(
        tracker, list(items), answer, noun="prompts", progress=progress, say=say
    )
    run = RunSpec(
        checkpoint=job.target.checkpoint,
        benchmark=prompt_set.name,
        kind=job.kind,
        benchmark_version=prompt_set.version,
        judge=CLASSIFIER_NAME,
        judge_version=CLASSIFIER_VERSION,
        generation=job.settings.as_dict() if loaded is not None else _endpoint_settings(job),
        started_at=tracker.started_at,
        finished_at=now(),
        partial=prompt_set.truncated,
        provenance=run_provenance(job.choice, loaded, job.command, resumed),
    )
    samples = labelled_samples(run, prompt_set.items, tracker.done)
    checkpoints = checkpoint_specs(job.target, loaded, job.choice.endpoint)
    return Outcome(runner_bundle(checkpoints, counted_results(run, samples), samples, run), tracker)


def labelled_samples(
    run: RunSpec, items: list[Any], answers: dict[str, dict[str, Any]]
) -> list[SampleSpec]:
    """One sample per prompt with its answer, label and the classifier rule that decided it."""
    samples = []
    for item in items:
        response = answers[str(item.id)]["response"]
        verdict = explain(response)
        samples.append(
            SampleSpec(
                run=run,
                sample_id=str(item.id),
                category=item.category,
                prompt=item.prompt,
                response=response,
                label=verdict.label,
                explanation=f"rule: {verdict.rule}",
                where=f"sample {item.id}",
            )
        )
    return samples


def counted_results(run: RunSpec, samples: list[SampleSpec]) -> list[ResultSpec]:
    """k of n per category and overall (category None), counting as the module docstring says."""
    tally: Counter[tuple[str | None, str]] = Counter()
    for sample in samples:
        assert sample.label is not None
        add_label(tally, sample.category, sample.label)
    return derived_results(
        run, tally, where=f"{run.kind} run of {run.checkpoint} on {run.benchmark}"
    )


def _answer(job: RefusalJob, loaded: LoadedModel | None, prompts: list[str]) -> Iterator[Batch]:
    """Answers batch by batch, from the local model or the endpoint."""
    if loaded is not None:
        from evals.runners.generation import generate_batches

        return generate_batches(loaded.model, loaded.tokenizer, prompts, job.settings)
    from evals.runners.endpoint import endpoint_batches

    assert job.choice.endpoint is not None
    return endpoint_batches(job.choice.endpoint, prompts, job.settings)


def _endpoint_settings(job: RefusalJob) -> dict[str, Any]:
    """Generation settings of an endpoint run: the server applies its own chat template."""
    settings = job.settings.as_dict()
    settings.update(dtype=None, chat_template="server's")
    return settings
