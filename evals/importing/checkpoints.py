"""Checkpoints of a bundle merged with each other and with the database, conflicts reported."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from db import repository
from db.models import Checkpoint, FinetuneCost
from evals.importing.checks import check_checkpoint_vocabulary
from evals.importing.records import CheckpointSpec, CostPoint, Problem

# Fields whose differing values are a conflict. `citation` is a note: the first one stays.
COMPARED = (
    "kind",
    "base",
    "family",
    "params",
    "source",
    "revision",
    "method",
    "rank",
    "alpha",
    "target_modules",
    "quantization",
    "intent",
    "defense",
)


@dataclass
class MergedCheckpoint:
    """What a bundle says about one checkpoint name, gathered from all its mentions."""

    name: str
    where: str
    fields: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it was said
    costs: list[tuple[str, CostPoint]] = field(default_factory=list)


def _spec_fields(spec: CheckpointSpec) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": spec.kind,
        "base": spec.base,
        "family": spec.family,
        "params": spec.params,
        "source": spec.source,
        "revision": spec.revision,
        "intent": None if spec.intent == "unknown" else spec.intent,
        "defense": spec.defense,
        "citation": spec.citation,
    }
    if spec.adaptation is not None:
        adaptation = asdict(spec.adaptation)
        if adaptation["target_modules"] is not None:
            adaptation["target_modules"] = list(adaptation["target_modules"])
        values.update(adaptation)
    return {key: value for key, value in values.items() if value is not None}


def merge_specs(specs: list[CheckpointSpec]) -> tuple[dict[str, MergedCheckpoint], list[Problem]]:
    """Fold the bundle's checkpoint specs by name; two different values for one field is a problem."""
    merged: dict[str, MergedCheckpoint] = {}
    problems: list[Problem] = []
    for spec in specs:
        where = spec.where or f"checkpoint {spec.name!r}"
        problems += check_checkpoint_vocabulary(where, spec.kind, spec.intent)
        entry = merged.setdefault(spec.name, MergedCheckpoint(spec.name, where))
        for key, value in _spec_fields(spec).items():
            if key in entry.fields and entry.fields[key] != value and key in COMPARED:
                problems.append(
                    Problem(
                        f"{where}.{key}",
                        f"{value!r} conflicts with {entry.fields[key]!r} given at {entry.sources[key]}",
                    )
                )
            entry.fields.setdefault(key, value)
            entry.sources.setdefault(key, where)
        entry.costs += [(f"{where}.finetune[{i}]", point) for i, point in enumerate(spec.finetune)]
    return merged, problems


def _stored_fields(row: Checkpoint) -> dict[str, Any]:
    values = {key: getattr(row, key) for key in COMPARED if key not in ("base", "intent")}
    values["base"] = row.base.name if row.base is not None else None
    values["intent"] = None if row.intent == "unknown" else row.intent
    return {key: value for key, value in values.items() if value is not None}


def conflicts_with_stored(entry: MergedCheckpoint, row: Checkpoint) -> list[Problem]:
    """Problems where the file and the stored checkpoint give different values."""
    stored = _stored_fields(row)
    problems = []
    for key in COMPARED:
        if key in entry.fields and key in stored and entry.fields[key] != stored[key]:
            problems.append(
                Problem(
                    f"{entry.sources[key]}.{key}",
                    f"conflicts with the stored checkpoint {entry.name!r}: "
                    f"stored {stored[key]!r}, this file {entry.fields[key]!r}",
                )
            )
    return problems


def check_bases(
    merged: dict[str, MergedCheckpoint], stored: dict[str, Checkpoint]
) -> list[Problem]:
    """Every non-base checkpoint names a base that exists in the file or the database."""
    problems = []
    for entry in merged.values():
        row = stored.get(entry.name)
        kind = entry.fields.get("kind") or (row.kind if row else None) or _default_kind(entry)
        base = entry.fields.get("base") or (row.base.name if row and row.base else None)
        if kind != "base" and not base:
            problems.append(
                Problem(f"{entry.where}.base", f"a checkpoint of kind {kind!r} must name its base")
            )
        elif kind == "base" and base:
            problems.append(
                Problem(f"{entry.where}.kind", f"a base checkpoint cannot have a base ({base!r})")
            )
        elif "base" in entry.fields and base not in merged and base not in stored:
            # only a base this file names can be missing: a stored checkpoint's base is stored
            problems.append(
                Problem(
                    f"{entry.where}.base",
                    f"no checkpoint named {base!r} in this file or the database",
                )
            )
        elif base == entry.name:
            problems.append(Problem(f"{entry.where}.base", "a checkpoint cannot be its own base"))
    return problems


def _default_kind(entry: MergedCheckpoint) -> str:
    return "adapter" if entry.fields.get("base") else "base"


def write_checkpoints(
    session: Session, merged: dict[str, MergedCheckpoint], stored: dict[str, Checkpoint]
) -> tuple[dict[str, Checkpoint], list[str], list[Problem]]:
    """Create new checkpoints, fill unset fields of stored ones, add cost points.

    Returns the rows by name, the names created, and cost-point conflicts.
    """
    rows = dict(stored)
    created = []
    for entry in _bases_first(merged):
        row = rows.get(entry.name)
        if row is None:
            row = Checkpoint(name=entry.name, kind=entry.fields.get("kind") or _default_kind(entry))
            session.add(row)
            rows[entry.name] = row
            created.append(entry.name)
        _fill(row, entry, rows)
    session.flush()
    problems = []
    for entry in merged.values():
        problems += _write_costs(session, rows[entry.name], entry)
    return rows, created, problems


def _bases_first(merged: dict[str, MergedCheckpoint]) -> list[MergedCheckpoint]:
    """Entries ordered so that a base is handled before the checkpoints adapted from it."""
    ordered: list[MergedCheckpoint] = []
    seen: set[str] = set()

    def visit(entry: MergedCheckpoint) -> None:
        if entry.name in seen:
            return
        seen.add(entry.name)
        base = entry.fields.get("base")
        if base in merged:
            visit(merged[base])
        ordered.append(entry)

    for entry in merged.values():
        visit(entry)
    return ordered


def _fill(row: Checkpoint, entry: MergedCheckpoint, rows: dict[str, Checkpoint]) -> None:
    for key, value in entry.fields.items():
        if key == "base":
            if row.base is None:
                row.base = rows[value]
        elif key == "intent":
            if row.intent in (None, "unknown"):
                row.intent = value
        elif getattr(row, key) is None:
            setattr(row, key, value)
    if row.intent is None:
        row.intent = "unknown"


COST_FIELDS = tuple(CostPoint.__dataclass_fields__)


def _write_costs(session: Session, row: Checkpoint, entry: MergedCheckpoint) -> list[Problem]:
    by_step = {point.step: point for point in repository.cost_points(session, row)}
    problems = []
    for where, point in entry.costs:
        values = asdict(point)
        existing = by_step.get(point.step)
        if existing is None:
            new = FinetuneCost(checkpoint=row, **values)
            session.add(new)
            by_step[point.step] = new
            continue
        for key in COST_FIELDS:
            old = getattr(existing, key)
            if values[key] is not None and old is not None and values[key] != old:
                problems.append(
                    Problem(
                        f"{where}.{key}",
                        f"conflicts with the stored cost point at step {point.step} of {row.name!r}: "
                        f"stored {old!r}, this file {values[key]!r}",
                    )
                )
            elif old is None and values[key] is not None:
                setattr(existing, key, values[key])
    return problems
