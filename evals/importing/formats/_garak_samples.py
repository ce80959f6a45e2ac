"""The second pass over a garak report: each scored output of each attempt as a sample.

It runs while the store step consumes `bundle.samples`, reading one line at a time; problems found
here go to `bundle.late_problems` and still roll the whole import back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from evals.importing.formats import SourceFile
from evals.importing.formats._garak_scan import ATTEMPT_LINE, read_line
from evals.importing.records import Bundle, Label, Problem, RunSpec, SampleSpec

# garak writes every attempt twice: as sent (status 1) and as scored (status 2). Half the lines
# are thus skipped without parsing when the status shows near the start, as garak writes it.
SENT_ONLY = re.compile(rb'"status"\s*:\s*1\s*[,}]')
STATUS_WITHIN = 512


def stream_samples(
    source: SourceFile,
    runs: dict[str, RunSpec],
    categories: dict[str, list[str]],
    threshold: float,
    bundle: Bundle,
) -> Iterator[SampleSpec]:
    """Each scored output of each attempt whose probe has a run, read line by line."""
    unscored = 0
    source.fp.seek(0)
    for number, raw in enumerate(source.fp, start=1):
        if not _may_be_attempt(raw) or SENT_ONLY.search(raw, 0, STATUS_WITHIN):
            continue
        where = f"{source.filename}:{number}"
        record = read_line(raw, where, bundle.late_problems)
        if record is None or record["entry_type"] != "attempt" or record.get("status") == 1:
            continue  # status 1: the attempt as sent; it is written again, scored, as status 2
        probe = str(record.get("probe_classname", "")).removeprefix("probes.")
        if probe not in runs:
            unscored += 1
            continue
        attempt = Attempt(record, where, threshold)
        yield from attempt.samples(runs[probe], categories[probe][0], bundle.late_problems)
    if unscored:
        bundle.warnings.append(
            f"{unscored} attempts belong to probes without an eval entry and are not stored"
        )


def _may_be_attempt(raw: bytes) -> bool:
    return bool(ATTEMPT_LINE.match(raw)) or (b'"attempt"' in raw and b'"entry_type"' in raw)


class Attempt:
    """One scored attempt: a prompt, its outputs, and each detector's score per output."""

    def __init__(self, record: dict[str, Any], where: str, threshold: float):
        self.record = record
        self.where = where
        self.threshold = threshold

    def samples(self, run: RunSpec, category: str, problems: list[Problem]) -> Iterator[SampleSpec]:
        """One sample per output; problems with the attempt's shape are recorded instead."""
        outputs = self.record.get("outputs") or []
        detectors = self.record.get("detector_results") or {}
        if not isinstance(outputs, list) or not isinstance(detectors, dict):
            problems.append(
                Problem(self.where, "outputs must be a list and detector_results an object")
            )
            return
        prompt = prompt_text(self.record.get("prompt"))
        for index, output in enumerate(outputs):
            scores = self._scores(detectors, index, problems)
            if scores is None:
                return
            yield self._sample(run, category, prompt, output, index, len(outputs), scores)

    def _scores(
        self, detectors: dict[str, Any], index: int, problems: list[Problem]
    ) -> dict[str, float | None] | None:
        scores: dict[str, float | None] = {}
        for detector, values in detectors.items():
            value = values[index] if isinstance(values, list) and index < len(values) else None
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                problems.append(
                    Problem(
                        f"{self.where}.detector_results.{detector}[{index}]",
                        f"not a score: {value!r}",
                    )
                )
                return None
            scores[detector.removeprefix("detectors.").removeprefix("detector.")] = value
        return scores

    def _sample(
        self,
        run: RunSpec,
        category: str,
        prompt: str | None,
        output: Any,
        index: int,
        count: int,
        scores: dict[str, float | None],
    ) -> SampleSpec:
        seq = self.record.get("seq", self.record.get("uuid"))
        known = [score for score in scores.values() if score is not None]
        return SampleSpec(
            run=run,
            sample_id=str(seq) if count == 1 else f"{seq}/{index}",
            category=category,
            prompt=prompt,
            response=output_text(output),
            label=self._label(known),
            score=max(known) if known else None,
            explanation=self._explanation(scores),
            metadata=self._metadata(index, scores),
            where=self.where,
        )

    def _label(self, scores: list[float]) -> Label | None:
        """A hit by any detector is unsafe ("complied"); no hit at all is safe ("refused")."""
        if not scores:
            return None
        return "complied" if max(scores) >= self.threshold else "refused"

    def _explanation(self, scores: dict[str, float | None]) -> str:
        listed = "; ".join(
            f"{name} {'none' if s is None else f'{s:g}'}" for name, s in scores.items()
        )
        return f"garak detector scores (a hit at ≥ {self.threshold:g}): {listed or 'none'}"

    def _metadata(self, index: int, scores: dict[str, float | None]) -> dict[str, Any]:
        notes = self.record.get("notes")
        triggers = notes.get("triggers") if isinstance(notes, dict) else None
        values = {
            "attempt": self.record.get("uuid"),
            "seq": self.record.get("seq"),
            "output": index,
            "goal": self.record.get("goal"),
            "detector_results": scores,
            "triggers": triggers,
        }
        return {key: value for key, value in values.items() if value is not None}


def prompt_text(prompt: Any) -> str | None:
    """The prompt as text: a plain string (older garak), or a conversation's turns."""
    if prompt is None or isinstance(prompt, str):
        return prompt
    turns = prompt.get("turns") if isinstance(prompt, dict) else None
    if not isinstance(turns, list):
        return json.dumps(prompt, ensure_ascii=False)
    texts = [
        (turn.get("role"), output_text(turn.get("content")))
        for turn in turns
        if isinstance(turn, dict)
    ]
    if len(texts) == 1:
        return texts[0][1]
    return "\n\n".join(f"{role}: {text}" for role, text in texts)


def output_text(output: Any) -> str | None:
    """A message's text: a plain string (older garak) or a {"text": ...} message."""
    if output is None or isinstance(output, str):
        return output
    if isinstance(output, dict):
        text = output.get("text")
        return text if isinstance(text, str) or text is None else str(text)
    return str(output)
