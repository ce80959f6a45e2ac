"""Reading input files safely: size limits, UTF-8, and pydantic errors as `where: what`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from evals.importing.formats import SourceFile
from evals.importing.records import InvalidInput, Problem

MAX_IN_MEMORY_BYTES = 512 * 1024 * 1024  # formats parsed whole; streamed formats have no limit


def read_limited(source: SourceFile, limit: int = MAX_IN_MEMORY_BYTES) -> bytes:
    """The whole file, or InvalidInput when it is larger than `limit` bytes."""
    source.fp.seek(0)
    data = source.fp.read(limit + 1)
    source.fp.seek(0)
    if len(data) > limit:
        raise InvalidInput(
            [
                Problem(
                    source.filename,
                    f"the file is larger than {limit // (1024 * 1024)} MB; split it into several files",
                )
            ]
        )
    if not data.strip():
        raise InvalidInput([Problem(source.filename, "the file is empty")])
    return data


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or InvalidInput naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1].hex()
        raise InvalidInput(
            [
                Problem(
                    f"{filename}:{line}",
                    f"not UTF-8 text (byte 0x{bad} at offset {error.start}); save the file as UTF-8",
                )
            ]
        ) from None


def location(loc: Iterable[Any]) -> str:
    """A pydantic location as `results[3].n`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_FIELD_PREFIX = re.compile(r"^(\w+): (.*)$", re.S)


def pydantic_problems(
    error: ValidationError,
    filename: str,
    data: Any = None,
    known_keys: Iterable[str] = (),
    sep: str = ":",
) -> list[Problem]:
    """Every validation error as a Problem; unknown keys suggest the nearest known key."""
    problems = []
    for item in error.errors():
        where = location(part for part in item["loc"] if not _is_union_tag(part))
        message = item["msg"].removeprefix("Value error, ")
        match = _FIELD_PREFIX.match(message)
        if item["type"] == "value_error" and match:
            where, message = f"{where}.{match[1]}" if where else match[1], match[2]
        elif item["type"] == "extra_forbidden":
            message = _unknown_key_message(str(item["loc"][-1]), known_keys)
        elif item["type"] == "missing":
            message = "is required"
        elif item["type"] in FRIENDLY:
            message = FRIENDLY[item["type"]](item)
        problems.append(Problem(f"{filename}{sep}{where}" if where else filename, message))
    return problems


FRIENDLY = {
    "greater_than_equal": lambda e: f"must be ≥ {e['ctx']['ge']}, got {e['input']!r}",
    "greater_than": lambda e: f"must be > {e['ctx']['gt']}, got {e['input']!r}",
    "literal_error": lambda e: f"must be one of {e['ctx']['expected']}, got {e['input']!r}",
    "finite_number": lambda e: f"must be a finite number, got {e['input']!r}",
    "string_too_short": lambda e: "must not be empty",
    "bool_type": lambda e: f"must be true or false, got {e['input']!r}",
    "bool_parsing": lambda e: f"must be true or false, got {e['input']!r}",
    "int_type": lambda e: f"must be a whole number, got {e['input']!r}",
    "float_type": lambda e: f"must be a number, got {e['input']!r}",
    "string_type": lambda e: f"must be text, got {e['input']!r}",
}


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float"})


def _unknown_key_message(key: str, known_keys: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known_keys), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r} (typos must not pass silently){hint}"
