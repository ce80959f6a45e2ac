"""The CSV form of the native format: one row per aggregate result (CONTRACT.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._read import decode_text, pydantic_problems, read_limited
from evals.importing.formats.native import (
    KNOWN_KEYS,
    CheckpointIn,
    ResultIn,
    _checkpoint,
    _result,
    _run,
)
from evals.importing.records import Bundle, InvalidInput, Problem

NAME = "csv"
DESCRIPTION = (
    "CSV of aggregate results, one row per result (checkpoint, base, kind_of_checkpoint, …)"
)

REQUIRED = ("checkpoint", "benchmark", "kind", "metric")
COLUMNS = (
    "checkpoint", "base", "kind_of_checkpoint", "benchmark", "kind", "metric", "higher_is_better",
    "category", "k", "n", "value", "unit", "stderr", "ci_low", "ci_high", "min", "max", "judge",
    "judge_version", "benchmark_version", "n_shot", "citation",
)  # fmt: skip
INTEGERS = ("k", "n", "n_shot")
FLOATS = ("value", "stderr", "ci_low", "ci_high", "min", "max")


def sniff(head: bytes, filename: str) -> bool:
    """A header line naming at least the required columns."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    return all(column in first for column in REQUIRED) and "," in first


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Every row validated like a native result; every problem reported by line and column."""
    text = decode_text(read_limited(source), source.filename)
    reader = csv.DictReader(io.StringIO(text))
    problems = _header_problems(reader.fieldnames or [], source.filename)
    if problems:
        raise InvalidInput(problems)
    bundle = Bundle(source_format=NAME)
    for line, row in enumerate(reader, start=2):
        where = f"{source.filename}:{line}"
        problems += _add_row(bundle, row, where, options)
    if problems:
        raise InvalidInput(problems)
    if not bundle.results:
        raise InvalidInput([Problem(source.filename, "no rows after the header")])
    return bundle


def _header_problems(header: list[str], filename: str) -> list[Problem]:
    problems = [
        Problem(filename, f"missing column {name!r}") for name in REQUIRED if name not in header
    ]
    for name in header:
        if name not in COLUMNS:
            problems.append(
                Problem(filename, f"unknown column {name!r}; columns: {', '.join(COLUMNS)}")
            )
    return problems


def _add_row(
    bundle: Bundle, row: dict[str, Any], where: str, options: ImportOptions
) -> list[Problem]:
    if None in row:
        return [Problem(where, "more values than columns")]
    values = {
        key: value.strip()
        for key, value in row.items()
        if value is not None and value.strip() != ""
    }
    problems, result_fields = _typed(values, where)
    if problems:  # a value that is not even a number: further checks would only echo it
        return problems
    if options.checkpoint and "checkpoint" not in result_fields:
        result_fields["checkpoint"] = options.checkpoint
    checkpoint_fields = {
        "name": values.get("checkpoint") or options.checkpoint,
        "base": values.pop("base", None) or options.base,
        "kind": values.pop("kind_of_checkpoint", None),
    }
    result_fields.pop("base", None)
    result_fields.pop("kind_of_checkpoint", None)
    try:
        checkpoint = CheckpointIn.model_validate({k: v for k, v in checkpoint_fields.items() if v})
        result = ResultIn.model_validate(result_fields)
    except ValidationError as error:
        return pydantic_problems(error, where, None, KNOWN_KEYS, sep=".")
    bundle.checkpoints.append(_checkpoint(checkpoint, where))
    bundle.results.append(_result(result, _run(result, None), where))
    return []


def _typed(values: dict[str, str], where: str) -> tuple[list[Problem], dict[str, Any]]:
    problems = []
    typed: dict[str, Any] = {}
    for key, text in values.items():
        try:
            typed[key] = _convert(key, text)
        except ValueError as error:
            problems.append(Problem(f"{where}.{key}", str(error)))
    return problems, typed


def _convert(key: str, text: str) -> Any:
    if key in INTEGERS:
        if not text.lstrip("-").isdigit():
            raise ValueError(f"must be a whole number, got {text!r}")
        return int(text)
    if key in FLOATS:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"must be a number, got {text!r}") from None
    if key == "higher_is_better":
        lowered = text.lower()
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"must be true or false, got {text!r}")
        return lowered in ("true", "1", "yes")
    return text
