"""The first pass over a garak report: every line but the attempts, which are only recognised.

Attempt lines are by far the most and the largest; telling them by their first bytes keeps this pass
fast and its memory small whatever the size of the report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from evals.importing.formats import SourceFile
from evals.importing.formats._read import pydantic_problems
from evals.importing.records import Problem

SETUP_TYPES = ("start_run setup", "config")
ATTEMPT_LINE = re.compile(rb'^\s*\{\s*"entry_type"\s*:\s*"attempt"')


class EvalEntry(BaseModel):
    """One `eval` row: a detector's verdicts on one probe's outputs."""

    model_config = ConfigDict(extra="ignore")

    probe: str = Field(min_length=1)
    detector: str = Field(min_length=1)
    passed: StrictInt = Field(ge=0)
    total_evaluated: StrictInt | None = Field(default=None, ge=0)
    total: StrictInt | None = Field(default=None, ge=0)  # the name before total_evaluated
    fails: StrictInt | None = Field(default=None, ge=0)
    confidence: float | None = None
    confidence_lower: float | None = Field(default=None, ge=0, le=1)
    confidence_upper: float | None = Field(default=None, ge=0, le=1)
    confidence_method: str | None = None


@dataclass
class Scan:
    """What the first pass found: everything in the report except the attempts."""

    setup: dict[str, Any] = field(default_factory=dict)
    init: dict[str, Any] = field(default_factory=dict)
    completion: dict[str, Any] | None = None
    digest: dict[str, Any] | None = None
    evals: list[tuple[int, EvalEntry]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """garak writes `completion` (or, for an aggregated report, a digest) when a run ends."""
        return self.completion is not None or self.digest is not None


def scan_report(source: SourceFile) -> Scan:
    """The first pass: every line but the attempts, which are only recognised and skipped."""
    scan = Scan()
    seen: dict[tuple[str, str], int] = {}
    source.fp.seek(0)
    for number, raw in enumerate(source.fp, start=1):
        if not raw.strip() or ATTEMPT_LINE.match(raw):
            continue
        where = f"{source.filename}:{number}"
        record = read_line(raw, where, scan.problems)
        if record is not None:
            _take(record, number, where, scan, seen)
    source.fp.seek(0)
    return scan


def read_line(raw: bytes, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    """One line as a JSON object, or None with the problem recorded."""
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        problems.append(Problem(where, f"not UTF-8 text (at byte {error.start} of the line)"))
        return None
    except json.JSONDecodeError as error:
        reason = error.msg.removesuffix(" at")
        what = f"not valid JSON at column {error.colno} ({reason}); a report line cut short?"
        problems.append(Problem(where, what))
        return None
    if not isinstance(record, dict) or not isinstance(record.get("entry_type"), str):
        problems.append(Problem(where, "expected a JSON object with an entry_type"))
        return None
    return record


def _take(
    record: dict[str, Any], number: int, where: str, scan: Scan, seen: dict[tuple[str, str], int]
) -> None:
    entry_type = record["entry_type"]
    if entry_type in SETUP_TYPES:
        scan.setup = record
    elif entry_type == "init":
        scan.init = record
    elif entry_type == "completion":
        scan.completion = record
    elif entry_type == "digest":
        scan.digest = record
    elif entry_type == "eval":
        entry = _eval_entry(record, where, scan)
        if entry is None:
            return
        key = (entry.probe, entry.detector)
        if key in seen:
            what = f"repeats the eval of {key[0]} by {key[1]} at line {seen[key]}"
            scan.problems.append(Problem(where, what))
            return
        seen[key] = number
        problems = _count_problems(entry, where)
        scan.problems += problems
        if not problems:
            scan.evals.append((number, entry))


def _eval_entry(record: dict[str, Any], where: str, scan: Scan) -> EvalEntry | None:
    try:
        entry = EvalEntry.model_validate(record)
    except ValidationError as error:
        scan.problems += pydantic_problems(error, where, sep=".")
        return None
    entry.probe = entry.probe.removeprefix("probes.")
    entry.detector = entry.detector.removeprefix("detectors.").removeprefix("detector.")
    return entry


def evaluated(entry: EvalEntry) -> int | None:
    """How many outputs the detector scored (`total_evaluated`, or `total` in older reports)."""
    return entry.total_evaluated if entry.total_evaluated is not None else entry.total


def _count_problems(entry: EvalEntry, where: str) -> list[Problem]:
    n = evaluated(entry)
    if n is None:
        return [Problem(f"{where}.total_evaluated", "is required")]
    problems = []
    if entry.passed > n:
        problems.append(
            Problem(f"{where}.passed", f"must be ≤ total_evaluated ({entry.passed} > {n})")
        )
    if entry.fails is not None and entry.passed + entry.fails != n:
        problems.append(
            Problem(
                f"{where}.fails",
                f"passed + fails must equal total_evaluated ({entry.passed} + {entry.fails} ≠ {n})",
            )
        )
    low, high = entry.confidence_lower, entry.confidence_upper
    if (low is None) != (high is None):
        problems.append(Problem(f"{where}.confidence_lower", "give both bounds or neither"))
    elif low is not None and high is not None and low > high:
        problems.append(
            Problem(f"{where}.confidence_lower", f"must be ≤ confidence_upper ({low} > {high})")
        )
    return problems
