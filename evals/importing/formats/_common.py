"""What several foreign-format parsers share: JSON reading, checkpoint naming, wrong-format hints."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from evals.importing.formats import ImportOptions, SourceFile, detect_format
from evals.importing.formats._read import decode_text, read_limited
from evals.importing.records import (
    CheckpointKind,
    CheckpointSpec,
    InvalidInput,
    Problem,
    ResultSpec,
    RunSpec,
)

# How messages name each format ("this looks like a garak report, not an lm-eval results file").
FORMAT_TITLES = {
    "native": "a riskboard native JSON file",
    "csv": "a riskboard results CSV",
    "lm-eval": "an lm-eval results file",
    "inspect": "an Inspect log",
    "helm": "a HELM run",
    "harmbench": "a HarmBench results file",
    "jbb": "a JailbreakBench artifact",
    "garak": "a garak report",
}


def read_json(source: SourceFile, expected: str | None = None) -> Any:
    """The whole file as JSON, or InvalidInput saying plainly why not.

    With `expected` (the caller's format name), a file that is not JSON but looks like another
    format (a garak JSONL report, a CSV) is named as that format instead.
    """
    text = decode_text(read_limited(source), source.filename)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        hint = other_format_problem(source, expected) if expected else None
        where = f"{source.filename}:{error.lineno}:{error.colno}"
        raise InvalidInput([hint or Problem(where, f"not valid JSON ({error.msg})")]) from None


def json_kind(value: Any) -> str:
    """The JSON name of a value's type, for messages ("object", "array", "string", ...)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def other_format_problem(source: SourceFile, expected: str) -> Problem | None:
    """A problem naming the format the file looks like, when it is not `expected`, else None."""
    detected = detect_format(source)
    if detected is None or detected == expected:
        return None
    looks, wanted = (FORMAT_TITLES.get(name, f"a {name} file") for name in (detected, expected))
    return Problem(
        source.filename, f"this looks like {looks}, not {wanted}; use --format {detected}"
    )


def wrong_shape(source: SourceFile, expected: str, what: str) -> InvalidInput:
    """InvalidInput for a file of the wrong shape: which format it looks like, else `what`."""
    hint = other_format_problem(source, expected)
    return InvalidInput([hint or Problem(source.filename, what)])


def checkpoint_specs_from(
    options: ImportOptions, model_name: str | None, filename: str, *, source: str | None = None
) -> list[CheckpointSpec]:
    """The checkpoint(s) a file's results belong to: --checkpoint wins, else the file's model name.

    `--base` makes it a checkpoint adapted from that base. Raises InvalidInput when neither the
    file nor the options name a model.
    """
    name = options.checkpoint or model_name
    if not name:
        raise InvalidInput([Problem(filename, "no model name in the file; give --checkpoint NAME")])
    return [CheckpointSpec(name=name, base=options.base, source=source, where=filename)]


def adapted_checkpoint_specs(
    options: ImportOptions,
    adapter: str,
    base: str,
    filename: str,
    *,
    kind: CheckpointKind = "adapter",
    base_fields: dict[str, Any] | None = None,
) -> list[CheckpointSpec]:
    """An adapted checkpoint and its base, both named by the file (lm-eval `peft=`, vLLM LoRA).

    --checkpoint and --base rename them (the file's ids stay as their `source`). A base given
    with --base is only referred to, never created, so a mistyped name is reported by the store.
    """
    name = options.checkpoint or adapter
    base_name = options.base or base
    adapted = CheckpointSpec(name=name, kind=kind, base=base_name, source=adapter, where=filename)
    if options.base:
        return [adapted]
    return [adapted, CheckpointSpec(name=base, source=base, where=filename, **(base_fields or {}))]


def counted_results(
    run: RunSpec,
    metric: str,
    counts: Iterable[tuple[str, int, int]],
    *,
    higher_is_better: bool,
    where: str,
) -> list[ResultSpec]:
    """k of n over all items (category None), then per category in the order first seen.

    `counts` gives (category, k, n) per item: a behaviour with its judged test cases, say.
    """
    totals: Counter[str | None] = Counter()
    hits: Counter[str | None] = Counter()
    for category, k, n in counts:
        for key in dict.fromkeys((None, category)):  # an item without category counts once
            totals[key] += n
            hits[key] += k
    return [
        ResultSpec(
            run=run,
            metric=metric,
            category=category,
            higher_is_better=higher_is_better,
            k=hits[category],
            n=totals[category],
            where=f"{where}[category={category}]" if category is not None else where,
        )
        for category in totals
    ]
