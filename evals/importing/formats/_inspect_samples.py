"""Inspect samples: score values as numbers, samples as SampleSpecs, and exact counts from them.

Score values may be letters (C correct = 1, P partial = 0.5, I incorrect = 0, N no answer = 0,
as Inspect's own value_to_float reads them), booleans, numbers, numeric strings, or dicts and
lists (kept in metadata, not scored).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from evals.importing.records import Label, Problem, RunSpec, SampleSpec

LETTERS = {"C": 1.0, "P": 0.5, "I": 0.0, "N": 0.0}
WORDS = {"yes": 1.0, "true": 1.0, "no": 0.0, "false": 0.0}


def score_value(value: Any) -> float | None:
    """A score value as a number, the way Inspect's value_to_float reads it (None if it cannot)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in LETTERS and len(text) == 1:
            return LETTERS[text.upper()]
        if text.lower() in WORDS:
            return WORDS[text.lower()]
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


@dataclass
class Tally:
    """Sample scores of one scorer: how many, their sum, whether all were 0 or 1; per group too."""

    count: int = 0
    total: float = 0.0
    binary: bool = True
    groups: dict[str, Tally] = field(default_factory=dict)

    def add(self, value: float | None, group: str | None) -> None:
        """Count one sample's value (a missing value makes the counts inexact)."""
        self.count += 1
        if value is None or value not in (0.0, 1.0):
            self.binary = False
        self.total += value or 0.0
        if group is not None:
            self.groups.setdefault(group, Tally()).add(value, None)

    def k(self, n: int | None, value: float) -> int | None:
        """Successes, when every sample scored 0 or 1 and they are the n the value is over."""
        if not self.binary or not n or self.count != n:
            return None
        k = round(self.total)
        return k if abs(k / n - value) < 1e-9 else None


def tally(samples: Iterable[tuple[str, Any]], scorer: str, group_key: str | None) -> Tally:
    """The scores one scorer gave across the samples (first epoch only)."""
    counted = Tally()
    for _, sample in samples:
        if not isinstance(sample, dict) or sample.get("epoch", 1) not in (1, None):
            continue
        score = (sample.get("scores") or {}).get(scorer)
        value = score_value(score.get("value")) if isinstance(score, dict) else None
        counted.add(value, _group(sample, group_key))
    return counted


def _group(sample: dict[str, Any], group_key: str | None) -> str | None:
    metadata = sample.get("metadata")
    if group_key is None or not isinstance(metadata, dict) or group_key not in metadata:
        return None
    return str(metadata[group_key])


def stream_samples(
    samples: Iterable[tuple[str, Any]],
    run: RunSpec,
    scorer: str | None,
    group_key: str | None,
    labels: dict[float, Label] | None,
    late_problems: list[Problem],
) -> Iterator[SampleSpec]:
    """Each sample as a SampleSpec of `run`, judged by `scorer`; malformed ones become problems."""
    for where, sample in samples:
        if not isinstance(sample, dict) or sample.get("id") is None:
            late_problems.append(Problem(where, "not an Inspect sample (an object with an id)"))
            continue
        yield _sample(where, sample, run, scorer, group_key, labels)


def _sample(
    where: str,
    sample: dict[str, Any],
    run: RunSpec,
    scorer: str | None,
    group_key: str | None,
    labels: dict[float, Label] | None,
) -> SampleSpec:
    scores = sample.get("scores") or {}
    score = scores.get(scorer) if scorer else None
    score = score if isinstance(score, dict) else {}
    value = score_value(score.get("value"))
    epoch = sample.get("epoch")
    return SampleSpec(
        run=run,
        sample_id=str(sample["id"]) + (f"#{epoch}" if epoch not in (None, 1) else ""),
        category=_group(sample, group_key),
        prompt=_text(sample.get("input")),
        response=_response(sample),
        label=labels.get(value) if labels and value is not None else None,
        score=value,
        explanation=score.get("explanation") if isinstance(score.get("explanation"), str) else None,
        metadata={
            "target": sample.get("target"),
            "answer": score.get("answer"),
            "value": score.get("value"),
            "other_scores": {
                name: other.get("value")
                for name, other in scores.items()
                if name != scorer and isinstance(other, dict)
            },
            "metadata": sample.get("metadata") or {},
        },  # fmt: skip
        where=where,
    )


def _text(content: Any) -> str | None:
    """Text of a message content, a list of content parts, or a list of chat messages."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [_part_text(part) for part in content]
        text = "\n\n".join(part for part in parts if part)
        return text or None
    return None


def _part_text(part: Any) -> str | None:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return None
    if "role" in part:  # a chat message
        return _text(part.get("content"))
    return part.get("text") if part.get("type", "text") == "text" else None


def _response(sample: dict[str, Any]) -> str | None:
    """The model's final answer: the output's first choice, else the last assistant message."""
    output = sample.get("output")
    choices = output.get("choices") if isinstance(output, dict) else None
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
        if isinstance(message, dict):
            return _text(message.get("content"))
    messages = sample.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "assistant":
                return _text(message.get("content"))
    return None
