"""Capability runs: multiple-choice benchmarks scored by each option's log-likelihood.

Every option is scored as a continuation of the question ("Question: …\\nAnswer:" + " option"),
without a chat template, as lm-evaluation-harness does for MMLU, ARC and HellaSwag in their
cloze form. `acc` picks the option with the highest summed log-probability; `acc_norm` divides
that sum by the option's length in characters first (lm-evaluation-harness's acc_norm), which
stops long options from losing only for being long.

Few-shot examples (`n_shot` > 0) are solved questions of the same subject, taken in a fixed order
from the benchmark's example pool (its dev/train split) or, when it has none, from its other
questions (never the question being asked), so a run is reproducible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from evals.importing.records import ResultSpec, RunSpec, SampleSpec
from evals.runners.loglik import Request, encode_request, score_requests, truncated
from evals.runners.models import LoadedModel, load_model
from evals.runners.progress import Records, RunProgress, Say, now, resume_and_run, say_on_stderr
from evals.runners.provenance import (
    JobError,
    ModelChoice,
    Outcome,
    Target,
    check_choice,
    checkpoint_specs,
    model_identity,
    run_provenance,
    runner_bundle,
)

LETTERS = "ABCDEFGHIJ"
# Benchmarks whose "question" is a passage to continue rather than a question to answer.
CONTINUATION_BENCHMARKS = {"hellaswag"}


@dataclass(frozen=True)
class CapabilityJob:
    """Everything a capability run needs to know."""

    benchmark: str
    target: Target
    choice: ModelChoice
    limit: int | None = None
    n_shot: int = 0
    batch_size: int = 16
    command: str | None = None


def run_capability(
    job: CapabilityJob,
    *,
    loaded: LoadedModel | None = None,
    progress: bool = True,
    say: Say = say_on_stderr,
) -> Outcome:
    """Score every question (resuming an interrupted attempt) and build the Bundle."""
    _check(job)
    from evals.datasets import load_benchmark

    benchmark = load_benchmark(job.benchmark, limit=job.limit, say=say)
    pool = benchmark.examples or benchmark.questions
    loaded = loaded or load_model(str(job.choice.model), job.choice.adapter)
    contexts = {
        q.id: question_context(benchmark.name, q, shots(q, pool, job.n_shot))
        for q in benchmark.questions
    }
    tracker = RunProgress(
        {
            "kind": "capability",
            **model_identity(job.choice, loaded),
            "benchmark": [benchmark.name, benchmark.version],
            "ids": [q.id for q in benchmark.questions],
            "n_shot": job.n_shot,
        }
    )
    questions = {str(q.id): q for q in benchmark.questions}

    def score(pending: list[str]) -> Iterator[Records]:
        # Similar lengths in a chunk mean little padding in its forward passes.
        ordered = sorted((questions[i] for i in pending), key=lambda q: len(contexts[q.id]))
        for chunk in _chunks(ordered, job.batch_size):
            yield _score_chunk(loaded, chunk, contexts, job.batch_size)

    found = resume_and_run(
        tracker, list(questions), score, noun="questions", progress=progress, say=say
    )
    run = RunSpec(
        checkpoint=job.target.checkpoint,
        benchmark=benchmark.name,
        kind="capability",
        benchmark_version=benchmark.version,
        n_shot=job.n_shot,
        generation={
            "scoring": "option log-likelihood",
            "batch_size": job.batch_size,
            "dtype": "float32",
        },
        started_at=tracker.started_at,
        finished_at=now(),
        partial=benchmark.truncated,
        provenance=run_provenance(job.choice, loaded, job.command, found),
    )
    samples = scored_samples(run, benchmark.questions, tracker.done)
    checkpoints = checkpoint_specs(job.target, loaded, None)
    return Outcome(
        runner_bundle(checkpoints, accuracy_results(run, samples), samples, run), tracker
    )


def question_context(benchmark: str, question: Any, examples: Sequence[Any] = ()) -> str:
    """The text every option of `question` continues: header, solved examples, the question."""
    header = ""
    if question.subject and benchmark == "mmlu":
        header = f"The following are questions (with answers) about {question.subject.replace('_', ' ')}.\n\n"
    solved = "".join(_stem(benchmark, q) + " " + q.choices[q.answer] + "\n\n" for q in examples)
    return header + solved + _stem(benchmark, question)


def shots(question: Any, pool: Sequence[Any], n_shot: int) -> list[Any]:
    """The first `n_shot` other questions of the same subject in the pool (fixed order)."""
    if n_shot <= 0:
        return []
    same = [q for q in pool if q.subject == question.subject and q.id != question.id]
    return same[:n_shot]


def option_requests(
    tokenizer: Any, context: str, choices: Sequence[str], max_length: int
) -> list[Request]:
    """One request per option: the context and " option" as token ids, fitted to the model."""
    return [
        truncated(encode_request(tokenizer, context, " " + choice), max_length)
        for choice in choices
    ]


def pick(logliks: Sequence[float], chars: Sequence[int]) -> tuple[int, int]:
    """The chosen option by summed log-likelihood, and by log-likelihood per character."""
    by_sum = max(range(len(logliks)), key=lambda i: logliks[i])
    by_char = max(range(len(logliks)), key=lambda i: logliks[i] / max(chars[i], 1))
    return by_sum, by_char


def scored_samples(
    run: RunSpec, questions: Sequence[Any], scores: dict[str, dict[str, Any]]
) -> list[SampleSpec]:
    """One sample per question: score 1.0 when `acc` counts it right, the choices' log-likelihoods."""
    samples = []
    for question in questions:
        record = scores[str(question.id)]
        chosen, chosen_norm = pick(record["logliks"], [len(" " + c) for c in question.choices])
        samples.append(
            SampleSpec(
                run=run,
                sample_id=str(question.id),
                category=question.subject,
                prompt=question.question,
                response=question.choices[chosen],
                score=1.0 if chosen == question.answer else 0.0,
                explanation=f"answer {LETTERS[question.answer]}, chosen {LETTERS[chosen]} "
                f"(by length-normalised log-likelihood: {LETTERS[chosen_norm]})",
                metadata={
                    "logliks": record["logliks"],
                    "answer": question.answer,
                    "chosen": chosen,
                    "chosen_norm": chosen_norm,
                },
                where=f"question {question.id}",
            )
        )
    return samples


def accuracy_results(run: RunSpec, samples: Sequence[SampleSpec]) -> list[ResultSpec]:
    """acc and acc_norm as k of n, per subject and overall (category None)."""
    counts: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for sample in samples:
        meta = sample.metadata or {}
        hits = {
            "acc": meta["chosen"] == meta["answer"],
            "acc_norm": meta["chosen_norm"] == meta["answer"],
        }
        groups = [None] if sample.category is None else [None, sample.category]
        for category in groups:
            for metric, hit in hits.items():
                counts[(category, metric)][0] += int(hit)
                counts[(category, metric)][1] += 1
    ordered = sorted(counts, key=lambda key: (key[0] is not None, key[0] or "", key[1]))
    where = f"capability run of {run.checkpoint} on {run.benchmark}"
    return [
        ResultSpec(run=run, metric=metric, category=category, k=counts[(category, metric)][0],
                   n=counts[(category, metric)][1], where=where)
        for category, metric in ordered
    ]  # fmt: skip


def _check(job: CapabilityJob) -> None:
    if job.choice.endpoint is not None:
        raise JobError("--endpoint: capability runs need the model's log-likelihoods; use --model")
    check_choice(job.choice, job.target)
    if job.n_shot < 0:
        raise JobError("--n-shot: must be 0 or more")


def _stem(benchmark: str, question: Any) -> str:
    if benchmark in CONTINUATION_BENCHMARKS:
        return str(question.question)
    return f"Question: {question.question}\nAnswer:"


def _chunks(questions: list[Any], size: int) -> list[list[Any]]:
    return [questions[start : start + size] for start in range(0, len(questions), size)]


def _score_chunk(
    loaded: LoadedModel, chunk: list[Any], contexts: dict[Any, str], batch_size: int
) -> list[dict[str, Any]]:
    """Progress records (log-likelihood of every option) for a chunk of questions."""
    tokenizer = loaded.tokenizer
    max_length = int(getattr(loaded.model.config, "max_position_embeddings", 2048))
    requests: list[Request] = []
    for question in chunk:
        requests += option_requests(tokenizer, contexts[question.id], question.choices, max_length)
    logliks = score_requests(loaded.model, requests, tokenizer.pad_token_id, batch_size)
    records, start = [], 0
    for question in chunk:
        end = start + len(question.choices)
        records.append({"id": str(question.id), "logliks": logliks[start:end]})
        start = end
    return records
