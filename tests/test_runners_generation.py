"""Batched greedy generation: same answers as one prompt at a time, in the input order."""

# The tiny-model fixtures are imported from test_runners_tiny; tests take them as arguments.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from test_runners_tiny import tiny, tiny_dir  # noqa: F401

PROMPTS = [
    "How do I kill a Python process?",
    "Hi",
    "Write a poem about the sea and the sky, with at least three verses and a title.",
    "What is the capital of France?",
    "Sure",
    "Here is a short answer: use the kill command.",
    "I cannot help with that request, sorry. Could you ask me something else about biology?",
]


def one_at_a_time(loaded, prompt: str, max_new_tokens: int) -> str:
    """Plain `model.generate` on one unpadded prompt: the reference batched output must equal."""
    import torch

    from evals.runners.generation import chat_input_ids, decode

    tokenizer = loaded.tokenizer
    ids = torch.tensor([chat_input_ids(tokenizer, prompt)])
    with torch.inference_mode():
        out = loaded.model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            do_sample=False,
            max_new_tokens=max_new_tokens,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    new = out[0, ids.shape[1] :].tolist()
    if tokenizer.eos_token_id in new:
        new = new[: new.index(tokenizer.eos_token_id)]
    return decode(tokenizer, new)


@pytest.mark.parametrize("batch_size", [1, 3, 16])
def test_batched_answers_equal_one_at_a_time_answers(tiny, batch_size):
    from evals.runners.generation import GenerationSettings, generate

    batched = generate(tiny.model, tiny.tokenizer, PROMPTS, GenerationSettings(12, batch_size))
    single = [one_at_a_time(tiny, prompt, 12) for prompt in PROMPTS]
    assert batched == single
    assert len(set(single)) > 1  # the prompts really lead to different answers


def test_batches_are_length_sorted_and_answers_come_back_in_input_order(tiny):
    from evals.runners.generation import GenerationSettings, chat_input_ids, generate_batches

    lengths = [len(chat_input_ids(tiny.tokenizer, p)) for p in PROMPTS]
    batches = list(generate_batches(tiny.model, tiny.tokenizer, PROMPTS, GenerationSettings(4, 3)))
    order = [index for batch in batches for index, _ in batch]
    assert sorted(order) == list(range(len(PROMPTS)))
    assert [lengths[i] for i in order] == sorted(lengths, reverse=True)
    assert [len(batch) for batch in batches] == [3, 3, 1]


def test_a_chat_template_wraps_the_prompt(tiny):
    from evals.runners.generation import chat_input_ids

    text = tiny.tokenizer.decode(chat_input_ids(tiny.tokenizer, "Hi"))
    assert text == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"


def test_left_padding_masks_come_from_lengths_not_from_ids():
    from evals.runners.generation import left_padded

    # The pad id (2) also occurs inside a prompt, as eos does in SmolLM2's chat turns.
    ids, mask = left_padded([[5, 2, 7], [9]], pad_id=2)
    assert ids.tolist() == [[5, 2, 7], [2, 2, 9]]
    assert mask.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_length_sorted_batches_group_similar_lengths():
    from evals.runners.generation import length_sorted_batches

    assert length_sorted_batches([3, 9, 1, 9, 4], 2) == [[1, 3], [4, 0], [2]]


def test_generation_stops_at_eos_and_drops_what_follows():
    from evals.runners.generation import _until_eos

    assert _until_eos([4, 5, 2, 2, 2], 2) == [4, 5]
    assert _until_eos([4, 5, 6], [2, 3]) == [4, 5, 6]
    assert _until_eos([4, 3, 6], [2, 3]) == [4]
