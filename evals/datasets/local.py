"""Prompt files a user brings: CSV, JSONL, JSON or YAML with a `prompt` field.

Optional fields: `id` (default: the row's number), `category` (the source's label) and `split`.
Every problem is reported at once as `FILE:LINE: what` (CSV, JSONL) or `FILE[INDEX]: what`
(JSON, YAML), never as a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evals.datasets.records import DatasetError, PromptItem
from evals.importing.records import Problem

SUFFIXES = (".csv", ".jsonl", ".json", ".yaml", ".yml")


def read_prompt_file(path: Path, *, display: str | None = None) -> list[PromptItem]:
    """The prompts of a local file; raises DatasetError listing every problem."""
    name = display or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DatasetError.one(name, f"unsupported file type {suffix or '(none)'}; use .csv, "
                               ".jsonl, .json or .yaml")  # fmt: skip
    rows = _rows(read_text(path, display=name), suffix, name)
    return _items(rows, name)


def read_text(path: Path, *, display: str | None = None) -> str:
    """A UTF-8 text file's content (a BOM is dropped); problems raise DatasetError."""
    name = display or str(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetError.one(name, "no such file") from None
    except IsADirectoryError:
        raise DatasetError.one(name, "is a folder, not a file") from None
    except UnicodeDecodeError as error:
        raise DatasetError.one(name, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise DatasetError.one(name, f"cannot read ({error.strerror})") from None


Row = tuple[str, Any]  # (where, the parsed record or a problem message)


def _rows(text: str, suffix: str, name: str) -> list[Row]:
    """(where, record) pairs of a file, by its format."""
    if suffix == ".csv":
        return list(csv_rows(text, name))
    if suffix == ".jsonl":
        return list(jsonl_rows(text, name))
    return _document_rows(text, suffix, name)


def csv_rows(text: str, name: str) -> Iterator[Row]:
    """CSV records keyed by lowercased header names; the header must name a prompt column."""
    reader = csv.DictReader(io.StringIO(text))
    header = [(column or "").strip().lower() for column in reader.fieldnames or []]
    if "prompt" not in header:
        found = ", ".join(column for column in header if column) or "none"
        raise DatasetError.one(name, f"no 'prompt' column (columns: {found})")
    reader.fieldnames = header
    for record in reader:
        yield f"{name}:{reader.line_num}", {k: v for k, v in record.items() if k}


def jsonl_rows(text: str, name: str) -> Iterator[Row]:
    """One JSON object per non-blank line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{name}:{number}", json.loads(line)
        except json.JSONDecodeError as error:
            yield f"{name}:{number}", f"not JSON ({error.msg})"


def _document_rows(text: str, suffix: str, name: str) -> list[Row]:
    """The records of a JSON or YAML document: a list, or an object with a `prompts` list."""
    try:
        document = json.loads(text) if suffix == ".json" else _yaml(text)
    except ValueError as error:
        kind = "JSON" if suffix == ".json" else "YAML"
        raise DatasetError.one(name, f"not {kind} ({error})") from None
    if isinstance(document, dict) and isinstance(document.get("prompts"), list):
        document = document["prompts"]
    if not isinstance(document, list):
        raise DatasetError.one(
            name, "expected a list of prompts, or an object with a 'prompts' list"
        )
    return [(f"{name}[{index}]", record) for index, record in enumerate(document)]


def _yaml(text: str) -> Any:
    """Parse YAML safely; syntax errors become ValueError."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error).splitlines()[0]) from None


def _items(rows: list[Row], name: str) -> list[PromptItem]:
    """Validated prompt items; every problem collected before raising."""
    problems: list[Problem] = []
    items: list[PromptItem] = []
    seen: dict[str, str] = {}
    for number, (where, record) in enumerate(rows, start=1):
        item = _item(record, number, where, problems)
        if item is None:
            continue
        if item.id in seen:
            problems.append(Problem(where, f"duplicate id {item.id!r} (first at {seen[item.id]})"))
            continue
        seen[item.id] = where
        items.append(item)
    if problems:
        raise DatasetError(problems)
    if not items:
        raise DatasetError.one(name, "no prompts")
    return items


def _item(record: Any, number: int, where: str, problems: list[Problem]) -> PromptItem | None:
    """One record as a PromptItem, or None after noting what is wrong with it."""
    if isinstance(record, str):  # a message from the row reader
        problems.append(Problem(where, record))
        return None
    if not isinstance(record, dict):
        problems.append(Problem(where, "expected an object with a 'prompt'"))
        return None
    record = {str(key).strip().lower(): value for key, value in record.items()}
    prompt = record.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(Problem(where, "missing or empty 'prompt'" if prompt in (None, "")
                                else "'prompt' must be text"))  # fmt: skip
        return None
    fields = {
        key: _text(record.get(key), key, where, problems) for key in ("id", "category", "split")
    }
    return PromptItem(
        id=fields["id"] or str(number),
        prompt=prompt,
        category=fields["category"],
        split=fields["split"],
    )


def _text(value: Any, key: str, where: str, problems: list[Problem]) -> str | None:
    """An optional text field (numbers accepted for ids); empty means absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append(Problem(where, f"'{key}' must be text"))
        return None
    return str(value).strip() or None
