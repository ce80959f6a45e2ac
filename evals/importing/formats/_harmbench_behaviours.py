"""HarmBench's behaviours CSV: the companion file that gives each BehaviorID its categories."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import IO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.importing.formats import SourceFile
from evals.importing.formats._read import decode_text, pydantic_problems, read_limited
from evals.importing.records import InvalidInput, Problem

BEHAVIOUR_COLUMNS = ("BehaviorID", "SemanticCategory")


class Behaviour(BaseModel):
    """One row of the behaviours CSV; only BehaviorID and SemanticCategory are required."""

    model_config = ConfigDict(extra="ignore")

    BehaviorID: str = Field(min_length=1)
    SemanticCategory: str = Field(min_length=1)
    Behavior: str | None = None
    FunctionalCategory: str | None = None
    Tags: str | None = None


def is_companion(head: bytes, filename: str) -> bool:
    """A HarmBench behaviours CSV: it only accompanies a results file."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    return all(column in first for column in BEHAVIOUR_COLUMNS) and "," in first


def load_behaviours(
    source: SourceFile, problems: list[Problem]
) -> tuple[str, dict[str, Behaviour]]:
    """The behaviours CSV among the companions: its name, and its valid rows by BehaviorID."""
    found = [(name, fp) for name, fp in source.companions.items() if is_companion(_head(fp), name)]
    if not found:
        raise InvalidInput(
            [
                Problem(
                    source.filename,
                    "HarmBench results name behaviours only by id; give the behaviours CSV "
                    "they were computed with (e.g. harmbench_behaviors_text_all.csv) with it",
                )
            ]
        )
    if len(found) > 1:
        names = ", ".join(name for name, _ in found)
        raise InvalidInput(
            [Problem(source.filename, f"several behaviours CSVs given ({names}); give one")]
        )
    name, fp = found[0]
    return name, _read_behaviours(SourceFile(fp, name), problems)


def _head(fp: IO[bytes]) -> bytes:
    return SourceFile(fp, "").head()


def _read_behaviours(source: SourceFile, problems: list[Problem]) -> dict[str, Behaviour]:
    text = decode_text(read_limited(source), source.filename)
    reader = csv.DictReader(io.StringIO(text))
    behaviours: dict[str, Behaviour] = {}
    first_line: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        where = f"{source.filename}:{line}"
        try:
            behaviour = Behaviour.model_validate(row)
        except ValidationError as error:
            problems += pydantic_problems(error, where, sep=".")
            continue
        if behaviour.BehaviorID in behaviours:
            what = f"repeats BehaviorID {behaviour.BehaviorID!r} of line {first_line[behaviour.BehaviorID]}"
            problems.append(Problem(where, what))
            continue
        behaviours[behaviour.BehaviorID] = behaviour
        first_line[behaviour.BehaviorID] = line
    return behaviours


def unknown_behaviours(
    results: Mapping[str, object],
    behaviours: dict[str, Behaviour],
    filename: str,
    csv_name: str,
) -> list[Problem]:
    """A problem for each BehaviorID of the results that the CSV does not have."""
    return [
        Problem(
            f"{filename}:{behaviour_id}",
            f"no behaviour with this BehaviorID in {csv_name}; give the CSV the results were computed with",
        )
        for behaviour_id in results
        if behaviour_id not in behaviours
    ]


def behaviour_tags(behaviour: Behaviour) -> list[str]:
    """The behaviour's Tags cell as a list ("hash_check, lyrics" -> two tags)."""
    return [tag.strip() for tag in (behaviour.Tags or "").split(",") if tag.strip()]
