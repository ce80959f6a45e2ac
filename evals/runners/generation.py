"""Batched greedy generation that gives the same answers as generating one prompt at a time.

How: every prompt goes through the chat template and is tokenised on its own; prompts are
sorted by length so a batch holds similar lengths (little padding); each batch is padded on
the left with an attention mask built from the true lengths (the pad token is the eos token in
SmolLM2, so masks cannot be recovered from the ids); decoding is greedy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from evals.runners.progress import progress_bar

Batch = list[tuple[int, str]]  # (index of the prompt in the input, answer)


@dataclass(frozen=True)
class GenerationSettings:
    """How answers are generated; stored with the run (`as_dict`)."""

    max_new_tokens: int = 64
    # 64 beat 32 and 16 on the 2-core machine, with the same answers (bench/README.md).
    batch_size: int = 64

    def as_dict(self) -> dict[str, Any]:
        """The settings as stored in the run's `generation` field."""
        return {
            "decoding": "greedy",
            "temperature": 0,
            "max_new_tokens": self.max_new_tokens,
            "batch_size": self.batch_size,
            "chat_template": True,
            "dtype": "float32",
        }


def chat_input_ids(tokenizer: Any, prompt: str) -> list[int]:
    """The token ids of one user turn with the chat template and the assistant's opening."""
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "user", "content": prompt}]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return list(tokenizer(prompt)["input_ids"])


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, longest first (memory peaks early)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def left_padded(id_lists: Sequence[list[int]], pad_id: int) -> tuple[Any, Any]:
    """input_ids and attention_mask tensors, padded on the left, masks from the true lengths."""
    import torch

    width = max(len(ids) for ids in id_lists)
    ids = [[pad_id] * (width - len(row)) + row for row in id_lists]
    mask = [[0] * (width - len(row)) + [1] * len(row) for row in id_lists]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)


def greedy_config(tokenizer: Any, max_new_tokens: int) -> Any:
    """A GenerationConfig for plain greedy decoding, ignoring whatever the model folder suggests."""
    from transformers import GenerationConfig

    return GenerationConfig(  # type: ignore[no-untyped-call]
        do_sample=False,
        num_beams=1,
        max_new_tokens=max_new_tokens,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )


def generate_ids(
    model: Any, tokenizer: Any, id_lists: Sequence[list[int]], max_new_tokens: int
) -> list[list[int]]:
    """The new token ids of each prompt (cut at eos), for one batch of tokenised prompts."""
    import torch

    input_ids, attention_mask = left_padded(id_lists, tokenizer.pad_token_id)
    with torch.inference_mode():
        output = model.generate(
            input_ids=input_ids,
            attention_mask=attention_mask,
            generation_config=greedy_config(tokenizer, max_new_tokens),
        )
    new_tokens = output[:, input_ids.shape[1] :].tolist()
    return [_until_eos(row, tokenizer.eos_token_id) for row in new_tokens]


def decode(tokenizer: Any, ids: list[int]) -> str:
    """The text of generated ids, special tokens dropped, outer whitespace trimmed."""
    return str(tokenizer.decode(ids, skip_special_tokens=True)).strip()


def generate_batches(
    model: Any, tokenizer: Any, prompts: Sequence[str], settings: GenerationSettings
) -> Iterator[Batch]:
    """Answers batch by batch (length-sorted), each with the index of its prompt."""
    id_lists = [chat_input_ids(tokenizer, prompt) for prompt in prompts]
    for indices in length_sorted_batches([len(ids) for ids in id_lists], settings.batch_size):
        batch_ids = [id_lists[i] for i in indices]
        outputs = generate_ids(model, tokenizer, batch_ids, settings.max_new_tokens)
        yield [(i, decode(tokenizer, out)) for i, out in zip(indices, outputs, strict=True)]


def generate(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    settings: GenerationSettings | None = None,
    *,
    progress: bool = False,
) -> list[str]:
    """Greedy answers to `prompts`, in the input order."""
    settings = settings or GenerationSettings()
    answers: list[str] = [""] * len(prompts)
    with progress_bar(len(prompts), disable=not progress) as bar:
        for batch in generate_batches(model, tokenizer, prompts, settings):
            for index, text in batch:
                answers[index] = text
            bar.update(len(batch))
    return answers


def _until_eos(ids: list[int], eos: int | list[int] | None) -> list[int]:
    """The ids before the first end-of-sequence token (pads after it are eos too)."""
    stops = set(eos) if isinstance(eos, list) else {eos}
    for position, token in enumerate(ids):
        if token in stops:
            return ids[:position]
    return ids
