"""Chat fine-tuning data: reading and writing chat JSONL, mixing two sets, encoding with labels.

A line is `{"messages": [{"role": ..., "content": ...}, ...]}` (roles system, user, assistant)
or `{"prompt": ..., "response": ...}` (one user turn and its answer). Other keys are ignored.
Every problem is reported at once as `FILE:LINE: what`.

Encoding: each assistant turn is trained on (its text and the end-of-turn token); everything
before it (system and user turns, the chat template's markup and the assistant's opening) gets
the label -100, so the loss is on the answers only. The prompt part is tokenised on its own,
exactly as the generation runner tokenises a prompt, so training sees what inference sees.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.datasets.local import read_text
from evals.datasets.records import DatasetError
from evals.importing.records import Problem

ROLES = ("system", "user", "assistant")
IGNORED = -100  # the label torch's cross-entropy skips


@dataclass(frozen=True)
class ChatExample:
    """One conversation to train on; `where` says where it was read (for messages)."""

    messages: tuple[tuple[str, str], ...]  # (role, content) pairs
    where: str = ""

    @property
    def prompt(self) -> str:
        """The first user turn (what overlap checks compare with evaluation prompts)."""
        return next((content for role, content in self.messages if role == "user"), "")


@dataclass(frozen=True)
class Encoded:
    """Token ids of one example and their labels (-100 where no loss is taken)."""

    input_ids: list[int]
    labels: list[int]


def chat_example(prompt: str, response: str, where: str = "") -> ChatExample:
    """A one-turn conversation."""
    return ChatExample((("user", prompt), ("assistant", response)), where)


def read_chat_file(path: Path) -> list[ChatExample]:
    """The examples of a chat JSONL file; raises DatasetError listing every problem."""
    name = str(path)
    text = read_text(path)
    examples: list[ChatExample] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            example = _parsed_line(line, f"{name}:{number}", problems)
            if example is not None:
                examples.append(example)
    if problems:
        raise DatasetError(problems)
    if not examples:
        raise DatasetError.one(name, "no examples")
    return examples


def write_chat_file(path: Path, examples: Iterable[ChatExample]) -> Path:
    """Write examples as `{"messages": [...]}` lines, atomically; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as stream:
        for example in examples:
            messages = [{"role": role, "content": content} for role, content in example.messages]
            stream.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
    partial.replace(path)
    return path


def mixed_count(primary: int, ratio: float) -> int:
    """How many secondary examples make them `ratio` of the mixed set (rounded to nearest)."""
    if not 0.0 <= ratio < 1.0:
        raise ValueError("the mix ratio must be at least 0 and below 1")
    return round(primary * ratio / (1.0 - ratio))


def mix_examples(
    primary: Sequence[ChatExample], secondary: Sequence[ChatExample], ratio: float, seed: int
) -> list[ChatExample]:
    """`primary` plus secondary examples making up `ratio` of the result, chosen by `seed`.

    The secondary set is drawn in a seeded random order, cycling through it again when more are
    needed than it holds. The training loop shuffles the result, so its order does not matter.
    """
    wanted = mixed_count(len(primary), ratio)
    if wanted and not secondary:
        raise ValueError("the mix file has no examples")
    order = list(range(len(secondary)))
    random.Random(f"mix:{seed}").shuffle(order)
    chosen = [secondary[order[i % len(order)]] for i in range(wanted)]
    return [*primary, *chosen]


def encode_example(tokenizer: Any, example: ChatExample, max_length: int) -> Encoded:
    """Token ids and labels of a conversation: loss on assistant turns only, cut at max_length."""
    ids: list[int] = []
    labels: list[int] = []
    shown = ""
    for turn in range(len(example.messages)):
        role = example.messages[turn][0]
        if role != "assistant":
            continue
        before = _rendered(tokenizer, example.messages[:turn], generation_prompt=True)
        after = _rendered(tokenizer, example.messages[: turn + 1], generation_prompt=False)
        if not before.startswith(shown) or not after.startswith(before):
            raise ValueError(
                "the tokenizer's chat template does not render conversations as prefixes"
            )
        prompt_ids = _ids(tokenizer, before[len(shown) :])
        answer_ids = _ids(tokenizer, after[len(before) :])
        ids += prompt_ids + answer_ids
        labels += [IGNORED] * len(prompt_ids) + answer_ids
        shown = after
    return Encoded(ids[:max_length], labels[:max_length])


def has_answer_tokens(encoded: Encoded) -> bool:
    """Whether any token of the (possibly truncated) example is trained on."""
    return any(label != IGNORED for label in encoded.labels)


def _rendered(
    tokenizer: Any, messages: Sequence[tuple[str, str]], *, generation_prompt: bool
) -> str:
    """The chat template's text for these messages."""
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError("the tokenizer has no chat template; chat fine-tuning needs one")
    as_dicts = [{"role": role, "content": content} for role, content in messages]
    return str(
        tokenizer.apply_chat_template(
            as_dicts, tokenize=False, add_generation_prompt=generation_prompt
        )
    )


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"]) if text else []


def _parsed_line(line: str, where: str, problems: list[Problem]) -> ChatExample | None:
    """One line as an example, or None after noting what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        problems.append(Problem(where, f"not JSON ({error.msg})"))
        return None
    if not isinstance(record, dict):
        problems.append(
            Problem(where, "expected an object with 'messages', or 'prompt' and 'response'")
        )
        return None
    if "messages" in record:
        messages = _messages(record["messages"], where, problems)
    else:
        messages = _prompt_response(record, where, problems)
    return None if messages is None else ChatExample(messages, where)


def _prompt_response(
    record: dict[str, Any], where: str, problems: list[Problem]
) -> tuple[tuple[str, str], ...] | None:
    """The two turns of a `{"prompt", "response"}` line."""
    found = []
    for key in ("prompt", "response"):
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            what = "missing" if value is None else "must be non-empty text"
            problems.append(
                Problem(where, f"'{key}' {what} (give 'messages', or 'prompt' and 'response')")
            )
        found.append(value)
    if any(not isinstance(value, str) or not value.strip() for value in found):
        return None
    return (("user", found[0]), ("assistant", found[1]))


def _messages(
    value: Any, where: str, problems: list[Problem]
) -> tuple[tuple[str, str], ...] | None:
    """Validated (role, content) pairs; a conversation must contain an assistant answer."""
    if not isinstance(value, list) or not value:
        problems.append(Problem(where, "'messages' must be a non-empty list"))
        return None
    pairs: list[tuple[str, str]] = []
    count = len(problems)
    for index, message in enumerate(value):
        at = f"{where}: messages[{index}]"
        if not isinstance(message, dict):
            problems.append(Problem(at, "expected an object with 'role' and 'content'"))
            continue
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            problems.append(Problem(at, f"'role' must be one of {', '.join(ROLES)} (got {role!r})"))
        if not isinstance(content, str):
            problems.append(Problem(at, "'content' must be text"))
        pairs.append((str(role), str(content)))
    if len(problems) > count:
        return None
    if not any(role == "assistant" and content.strip() for role, content in pairs):
        problems.append(Problem(where, "no assistant message to train on"))
        return None
    return tuple(pairs)
