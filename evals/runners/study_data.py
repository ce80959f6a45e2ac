"""A study's training sets, built at study time into `<out>/data/<name>.jsonl` (chat JSONL).

- `file`: a chat JSONL file, used as is.
- `refusals_for`: requests from prompt sets, each paired with one of the study's refusal
  templates (chosen by a hash of the seed and the prompt's id, so the pairing is fixed and varied).
  The only harmful text in any training set is the request; the answer is always a refusal.
- `answers_to`: prompts answered by the study's own model (greedy), so alignment training keeps
  what the model already does on ordinary requests. Answers the refusal classifier does not label
  "complied" are dropped (training on them would teach over-refusal), and an answer cut off by
  the token limit is trimmed back to its last full sentence. They are cached: built once per
  model, prompts and token limit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.datasets.local import read_text
from evals.datasets.records import DatasetError, PromptItem
from evals.project_data import data_path
from evals.runners.chat_data import ChatExample, chat_example, read_chat_file, write_chat_file
from evals.runners.progress import Say
from evals.runners.provenance import JobError
from evals.runners.study_spec import DataSpec, StudySpec

DEFAULT_TEMPLATES = data_path("studies", "refusals.txt")
SENTENCE_END = re.compile(r"[.!?](?=[\s\"')\]]|$)")


def read_templates(path: Path) -> list[str]:
    """Refusal templates: one per non-blank line, `#` lines are comments; DatasetError if none."""
    lines = read_text(path).splitlines()
    templates = [
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    ]
    if not templates:
        raise DatasetError.one(str(path), "no refusal templates (one per line; # starts a comment)")
    return templates


def refusal_examples(items: list[PromptItem], templates: list[str], seed: int) -> list[ChatExample]:
    """Each request paired with a refusal template chosen by a hash of seed and prompt id."""
    examples = []
    for item in items:
        digest = hashlib.sha256(f"{seed}:{item.id}".encode()).hexdigest()
        refusal = templates[int(digest, 16) % len(templates)]
        examples.append(chat_example(item.prompt, refusal, f"refusal for {item.id}"))
    return examples


def prompt_items(spec: StudySpec, sources: list[str], limit: int | None) -> list[PromptItem]:
    """The prompts of several prompt sets (each cut to `limit`, balanced over categories)."""
    from evals.datasets import load_prompts

    items: list[PromptItem] = []
    for source in sources:
        items += load_prompts(spec.path(source), limit=limit).items
    return items


def training_prompts(spec: StudySpec, name: str) -> list[str]:
    """The user prompts of a training set, known before it is built (for overlap checks)."""
    data = spec.data[name]
    if data.file is not None:
        return [example.prompt for example in read_chat_file(Path(spec.path(data.file)))]
    sources = data.refusals_for or data.answers_to or []
    return [item.prompt for item in prompt_items(spec, sources, data.limit)]


def usable_answer(text: str) -> str | None:
    """An own answer fit to train on: complied, non-empty, trimmed to its last full sentence."""
    from evals.classifier import classify

    text = text.strip()
    if not text or classify(text) != "complied":
        return None
    if SENTENCE_END.search(text[-1]):
        return text
    # Cut off by the token limit: end at the last full sentence, unless that loses most of it.
    ends = [match.end() for match in SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends and ends[-1] > 0.4 * len(text) else text


def own_answers(
    loaded: Any, items: list[PromptItem], max_new_tokens: int, say: Say, progress: bool = True
) -> list[ChatExample]:
    """The model's own greedy answers to `items`, those fit to train on (see usable_answer)."""
    from evals.runners.generation import GenerationSettings, generate

    answers = generate(loaded.model, loaded.tokenizer, [item.prompt for item in items],
                       GenerationSettings(max_new_tokens=max_new_tokens), progress=progress)  # fmt: skip
    examples = []
    for item, answer in zip(items, answers, strict=True):
        kept = usable_answer(answer)
        if kept is not None:
            examples.append(chat_example(item.prompt, kept, f"own answer to {item.id}"))
    if not examples:
        raise JobError(
            f"own answers: none of the model's {len(items)} answers is usable (all empty or refusals)"
        )
    dropped = len(items) - len(examples)
    say(f"own answers: kept {len(examples)} of {len(items)} ({dropped} refused, partial or empty)")
    return examples


def build_training_set(
    spec: StudySpec, name: str, out: Path, model: Callable[[], Any], say: Say, progress: bool = True
) -> Path:
    """The chat JSONL file of training set `name`, built (or found cached) under `out`/data."""
    data = spec.data[name]
    if data.file is not None:
        return Path(spec.path(data.file))
    target = out / "data" / f"{name}.jsonl"
    if data.refusals_for is not None:
        templates = read_templates(
            Path(spec.path(data.templates)) if data.templates else DEFAULT_TEMPLATES
        )
        items = prompt_items(spec, data.refusals_for, data.limit)
        return write_chat_file(target, refusal_examples(items, templates, spec.seed))
    return _own_answers_file(spec, data, target, model, say, progress)


def _own_answers_file(
    spec: StudySpec,
    data: DataSpec,
    target: Path,
    model: Callable[[], Any],
    say: Say,
    progress: bool,
) -> Path:
    """Answers to `answers_to` by the study's model, generated once and reused while unchanged."""
    items = prompt_items(spec, data.answers_to or [], data.limit)
    key = {
        "model": spec.model,
        "prompts": [[i.id, i.prompt] for i in items],
        "max_new_tokens": data.max_new_tokens,
    }
    stamp = target.with_suffix(".key.json")
    if (
        target.is_file()
        and stamp.is_file()
        and json.loads(stamp.read_text(encoding="utf-8")) == key
    ):
        return target
    say(f"generating the model's own answers to {len(items)} prompts for {target.stem}")
    write_chat_file(target, own_answers(model(), items, data.max_new_tokens, say, progress))
    stamp.write_text(json.dumps(key), encoding="utf-8")
    return target
