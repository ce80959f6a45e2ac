"""Multiple-choice scoring by option log-likelihood: arithmetic, a rigged model, a stored run."""

# The tiny-model fixtures are imported from test_runners_tiny; tests take them as arguments.
# ruff: noqa: F811

from __future__ import annotations

import math

import pytest
from test_runners_tiny import build_tokenizer, tiny, tiny_dir  # noqa: F401

from evals.datasets.records import Benchmark, MCQuestion

QUESTIONS = [
    MCQuestion("q1", "What is the capital of France?", ["Paris", "the sea and the sky", "a poem"], 0, "geography"),
    MCQuestion("q2", "Which word is a verb?", ["kill", "process", "biology and chemistry", "sky"], 0, "grammar"),
    MCQuestion("q3", "Pick the longest answer.", ["a", "here are some ideas for a party", "the"], 1, "grammar"),
    MCQuestion("q4", "How do I kill a process?", ["use kill", "ask", "sorry"], 0, None),
]  # fmt: skip


def reference_loglik(model, context: list[int], continuation: list[int]) -> float:
    """The continuation's log-likelihood from one unpadded forward pass, token by token."""
    import torch

    ids = torch.tensor([context + continuation])
    with torch.inference_mode():
        logprobs = torch.log_softmax(model(ids).logits[0].double(), dim=-1)
    return sum(float(logprobs[len(context) + i - 1, token]) for i, token in enumerate(continuation))


@pytest.mark.parametrize("batch_size", [1, 4, 16])
def test_batched_logliks_equal_unpadded_token_by_token_sums(tiny, batch_size):
    """Shared contexts, left-padded contexts of other lengths, right-padded options: same sums."""
    from evals.runners.loglik import encode_request, score_requests

    requests = [
        encode_request(tiny.tokenizer, "Question: " + q.question + "\nAnswer:", " " + choice)
        for q in QUESTIONS
        for choice in q.choices
    ]
    batched = score_requests(tiny.model, requests, tiny.tokenizer.pad_token_id, batch_size)
    for request, value in zip(requests, batched, strict=True):
        assert value == pytest.approx(reference_loglik(tiny.model, *request), abs=1e-4)
        assert value < 0


def test_a_uniform_model_prefers_the_option_with_fewest_tokens(tiny_dir):
    """Rigged: with a zero output layer every token has probability 1/V, so an option's
    log-likelihood is -(its token count) * log V; acc picks the shortest, acc_norm divides."""
    import torch

    from evals.runners.capability import option_requests, pick
    from evals.runners.loglik import score_requests
    from evals.runners.models import load_model

    loaded = load_model(str(tiny_dir))
    with torch.no_grad():
        loaded.model.lm_head.weight.zero_()
    vocab = loaded.model.config.vocab_size
    choices = ["here are some ideas for a party", "kill", "the sea and the sky"]
    requests = option_requests(loaded.tokenizer, "Question: Which?\nAnswer:", choices, 256)
    logliks = score_requests(loaded.model, requests, loaded.tokenizer.pad_token_id, 2)
    for request, value in zip(requests, logliks, strict=True):
        assert value == pytest.approx(-len(request.continuation) * math.log(vocab), rel=1e-5)
    chars = [len(" " + c) for c in choices]
    chosen, chosen_norm = pick(logliks, chars)
    assert chosen == 1
    per_char = [value / n for value, n in zip(logliks, chars, strict=True)]
    assert chosen_norm == per_char.index(max(per_char))


def test_the_continuation_is_what_follows_the_context_tokens():
    from evals.runners.loglik import encode_request

    tokenizer = build_tokenizer()
    request = encode_request(tokenizer, "Question: Which?\nAnswer:", " Paris")
    assert tokenizer.decode(request.context) == "Question: Which?\nAnswer:"
    assert tokenizer.decode(request.continuation) == " Paris"


def test_long_contexts_are_cut_on_the_left():
    from evals.runners.loglik import Request, truncated

    assert truncated(Request([1, 2, 3, 4, 5], [6, 7]), 4) == Request([4, 5], [6, 7])
    assert truncated(Request([1, 2], [6, 7]), 4) == Request([1, 2], [6, 7])


def test_prompts_carry_a_subject_header_and_solved_examples():
    from evals.runners.capability import question_context, shots

    pool = [*QUESTIONS, MCQuestion("d1", "Which is a noun?", ["sky", "run"], 0, "grammar")]
    examples = shots(QUESTIONS[1], pool, 2)
    assert [q.id for q in examples] == ["q3", "d1"]  # same subject, never the question itself
    text = question_context("mmlu", QUESTIONS[1], examples)
    assert text == (
        "The following are questions (with answers) about grammar.\n\n"
        "Question: Pick the longest answer.\nAnswer: here are some ideas for a party\n\n"
        "Question: Which is a noun?\nAnswer: sky\n\n"
        "Question: Which word is a verb?\nAnswer:"
    )
    assert question_context("hellaswag", QUESTIONS[0]) == "What is the capital of France?"


@pytest.fixture
def fake_benchmark(monkeypatch):
    """`load_benchmark` returns QUESTIONS as a small 'arc_easy' (the real loaders are tested in
    tests/test_datasets.py); records every call."""
    import evals.datasets

    calls = []

    def load_benchmark(name, *, limit=None, subject=None, say=None):
        calls.append((name, limit))
        questions = QUESTIONS[:limit] if limit else QUESTIONS
        return Benchmark(name, "test-1", 0, questions, truncated=limit is not None)

    monkeypatch.setattr(evals.datasets, "load_benchmark", load_benchmark)
    return calls


def capability_job(**changes):
    from evals.runners.capability import CapabilityJob
    from evals.runners.provenance import ModelChoice, Target

    values = {"benchmark": "arc_easy", "target": Target("tiny"), "choice": ModelChoice("unused"),
              "batch_size": 2}  # fmt: skip
    return CapabilityJob(**{**values, **changes})


def test_a_capability_run_counts_acc_and_acc_norm_per_subject(
    tiny, fake_benchmark, tmp_path, monkeypatch
):
    from evals.runners.capability import run_capability

    monkeypatch.setenv("RISKBOARD_CACHE", str(tmp_path))
    outcome = run_capability(capability_job(), loaded=tiny, progress=False)
    bundle = outcome.bundle
    results = {(r.category, r.metric): (r.k, r.n) for r in bundle.results}
    assert set(results) == {
        (c, m) for c in (None, "geography", "grammar") for m in ("acc", "acc_norm")
    }
    assert results[(None, "acc")][1] == 4 and results[("grammar", "acc")][1] == 2
    samples = list(bundle.samples)
    assert results[(None, "acc")][0] == sum(s.score for s in samples)
    assert {r.run.kind for r in bundle.results} == {"capability"}
    assert bundle.results[0].run.n_shot == 0
    assert bundle.results[0].run.benchmark_version == "test-1"
    assert bundle.checkpoints[0].kind == "base"
    assert outcome.progress.path.is_file()


def test_an_interrupted_capability_run_resumes(tiny, fake_benchmark, tmp_path, monkeypatch):
    import evals.runners.capability as capability

    monkeypatch.setenv("RISKBOARD_CACHE", str(tmp_path))
    real = capability._score_chunk
    calls = []

    def fails_on_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(capability, "_score_chunk", fails_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        capability.run_capability(capability_job(), loaded=tiny, progress=False)
    monkeypatch.setattr(capability, "_score_chunk", real)
    messages = []
    resumed = capability.run_capability(
        capability_job(), loaded=tiny, progress=False, say=messages.append
    )
    fresh = capability.run_capability(capability_job(n_shot=1), loaded=tiny, progress=False)
    assert messages and messages[0].startswith("resuming: 2 of 4 questions done earlier")
    assert resumed.bundle.results[0].run.provenance["resumed_items"] == 2
    assert fresh.progress.path != resumed.progress.path  # other settings, other progress file


def test_an_endpoint_cannot_run_capability():
    from evals.runners.capability import run_capability
    from evals.runners.endpoint import Endpoint
    from evals.runners.provenance import JobError, ModelChoice

    job = capability_job(choice=ModelChoice(endpoint=Endpoint("http://x/v1", "m")))
    with pytest.raises(JobError, match="log-likelihoods"):
        run_capability(job)
