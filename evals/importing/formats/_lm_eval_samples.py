"""lm-eval `samples_<task>_<date>.jsonl` files, streamed one line at a time into SampleSpecs.

A line is one document of one task under one filter: `doc_id`, `doc`, `target`, `arguments`
(the requests sent), `resps` / `filtered_resps` (what the model returned), `filter`, `metrics`
(names) and each metric's value. The document itself (`doc`) is not kept: it can be large and
the prompt already carries it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from evals.importing.records import Problem, RunSpec, SampleSpec


@dataclass(frozen=True)
class SampleFile:
    """A samples file given with a results file, and the task it holds."""

    name: str
    fp: IO[bytes]
    task: str


def stream_samples(
    files: list[SampleFile],
    runs: dict[str, tuple[RunSpec, str | None]],
    late_problems: list[Problem],
) -> Iterator[SampleSpec]:
    """Every line of every file as a sample of its task's run; bad lines become late problems."""
    for file in files:
        run, category = runs[file.task]
        file.fp.seek(0)
        for number, raw in enumerate(file.fp, start=1):
            if not raw.strip():
                continue
            where = f"{file.name}:{number}"
            line = _json_line(raw, where, late_problems)
            if line is not None:
                yield _sample(line, run, category, file.task, where)


def _json_line(raw: bytes, where: str, late_problems: list[Problem]) -> dict[str, Any] | None:
    try:
        line = json.loads(raw)
    except UnicodeDecodeError:
        late_problems.append(Problem(where, "not UTF-8 text; save the file as UTF-8"))
        return None
    except ValueError as error:
        late_problems.append(Problem(where, f"not valid JSON ({error})"))
        return None
    if not isinstance(line, dict) or "doc_id" not in line:
        late_problems.append(Problem(where, "not an lm-eval sample (an object with doc_id)"))
        return None
    return line


def _sample(
    line: dict[str, Any], run: RunSpec, category: str | None, task: str, where: str
) -> SampleSpec:
    filter_name = line.get("filter")
    metrics = {name: _finite(line.get(name)) for name in line.get("metrics") or []}
    return SampleSpec(
        run=run,
        sample_id=_sample_id(line["doc_id"], task if category else None, filter_name),
        category=category,
        prompt=_prompt(line.get("arguments")),
        response=_response(line.get("arguments"), line.get("filtered_resps")),
        score=_score(metrics),
        metadata={
            "task": task,
            "doc_id": line["doc_id"],
            "filter": filter_name,
            "target": line.get("target"),
            "metrics": metrics,
        },
        where=where,
    )


def _sample_id(doc_id: Any, task: str | None, filter_name: Any) -> str:
    """Unique within the run: a grouped task's documents share ids, and so do filters."""
    parts = [task] if task else []
    parts.append(str(doc_id))
    if filter_name not in (None, "none"):
        parts.append(str(filter_name))
    return ":".join(parts)


def _requests(arguments: Any) -> list[list[Any]]:
    """The request arguments as lists: 0.4 `{"gen_args_0": {"arg_0": ...}}` or `[[...]]`."""
    if isinstance(arguments, dict):
        ordered = sorted(arguments.items(), key=lambda item: _index(item[0]))
        return [
            [value for _, value in sorted(args.items(), key=lambda item: _index(item[0]))]
            for _, args in ordered
            if isinstance(args, dict)
        ]
    if isinstance(arguments, list):
        return [list(args) if isinstance(args, list | tuple) else [args] for args in arguments]
    return []


def _index(key: str) -> int:
    digits = key.rsplit("_", 1)[-1]
    return int(digits) if digits.isdigit() else 0


def _prompt(arguments: Any) -> str | None:
    requests = _requests(arguments)
    if requests and requests[0] and isinstance(requests[0][0], str):
        return requests[0][0]
    return None


def _response(arguments: Any, filtered: Any) -> str | None:
    """Generated text; for a multiple-choice task, the continuation with the best log-likelihood."""
    if not isinstance(filtered, list) or not filtered:
        return None
    first = filtered[0]
    if isinstance(first, list) and first and isinstance(first[0], str):
        first = first[0]  # several repeats: the first one
    if isinstance(first, str):
        return first
    scores = [item[0] if isinstance(item, list) and item else item for item in filtered]
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in scores):
        return None
    best = max(range(len(scores)), key=lambda i: scores[i])
    requests = _requests(arguments)
    continuation = requests[best][1] if best < len(requests) and len(requests[best]) > 1 else None
    return continuation.strip() if isinstance(continuation, str) else None


def _finite(value: Any) -> Any:
    """NaN and infinities become None: JSON columns (PostgreSQL) do not accept them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _score(metrics: dict[str, Any]) -> float | None:
    """The first metric's value for this document (lm-eval lists the task's metrics in order)."""
    for value in metrics.values():
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return float(value)
        return None
    return None
