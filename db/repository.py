"""Queries and writes over the models. Functions take a Session and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, insert, select, text
from sqlalchemy.orm import Session, aliased, selectinload

from db.models import (
    CategoryResult,
    Checkpoint,
    EvalRun,
    FinetuneCost,
    ImportedFile,
    Review,
    Sample,
)

QueryT = TypeVar("QueryT", bound=Select)  # type: ignore[type-arg]
IMPORT_LOCK_KEY = 0x7269736B  # "risk": one advisory lock serialises imports on PostgreSQL


def lock_for_import(session: Session) -> None:
    """Take the write lock up front so concurrent read-then-write imports lose nothing.

    SQLite transactions already begin IMMEDIATE (db.engine); PostgreSQL takes an advisory lock
    held until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def imported_file(session: Session, sha256: str) -> ImportedFile | None:
    """The earlier import of a file with this content, if any."""
    return session.scalar(select(ImportedFile).where(ImportedFile.sha256 == sha256))


def checkpoints_named(session: Session, names: Iterable[str]) -> dict[str, Checkpoint]:
    """Stored checkpoints among `names`, by name."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = session.scalars(select(Checkpoint).where(Checkpoint.name.in_(wanted)))
    return {row.name: row for row in rows}


def checkpoint_named(session: Session, name: str) -> Checkpoint | None:
    """One stored checkpoint by name."""
    return checkpoints_named(session, [name]).get(name)


def all_checkpoints(session: Session) -> list[Checkpoint]:
    """Every checkpoint with its base and cost points loaded, ordered by name."""
    query = (
        select(Checkpoint)
        .options(selectinload(Checkpoint.base), selectinload(Checkpoint.costs))
        .order_by(Checkpoint.name)
    )
    return list(session.scalars(query))


def release_candidates(session: Session) -> list[Checkpoint]:
    """Base checkpoints, and any checkpoint other checkpoints were adapted from."""
    parent = aliased(Checkpoint)
    has_children = select(parent.id).where(parent.base_id == Checkpoint.id).exists()
    query = (
        select(Checkpoint)
        .where((Checkpoint.kind == "base") | has_children)
        .options(selectinload(Checkpoint.costs))
        .order_by(Checkpoint.name)
    )
    return list(session.scalars(query))


def adapted_from(session: Session, base: Checkpoint) -> list[Checkpoint]:
    """Checkpoints whose base is `base`, with their cost points."""
    query = (
        select(Checkpoint)
        .where(Checkpoint.base_id == base.id)
        .options(selectinload(Checkpoint.costs))
        .order_by(Checkpoint.name)
    )
    return list(session.scalars(query))


def results_of(
    session: Session, checkpoint_ids: Sequence[int]
) -> list[tuple[CategoryResult, EvalRun]]:
    """Every stored result of these checkpoints with its run, oldest run first."""
    query = (
        select(CategoryResult, EvalRun)
        .join(EvalRun, CategoryResult.run_id == EvalRun.id)
        .where(EvalRun.checkpoint_id.in_(list(checkpoint_ids)))
        .options(selectinload(EvalRun.checkpoint))
        .order_by(EvalRun.id, CategoryResult.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def insert_samples(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many samples in one statement (rows are column dicts)."""
    if rows:
        session.execute(insert(Sample), rows)


@dataclass(frozen=True)
class SampleFilter:
    """What the samples page narrows to; None means any."""

    checkpoint: str | None = None
    benchmark: str | None = None
    category: str | None = None
    label: str | None = None


def _filtered_samples(query: QueryT, where: SampleFilter) -> QueryT:
    query = query.join(EvalRun, Sample.run_id == EvalRun.id).join(
        Checkpoint, EvalRun.checkpoint_id == Checkpoint.id
    )
    conditions = []
    if where.checkpoint:
        conditions.append(Checkpoint.name == where.checkpoint)
    if where.benchmark:
        conditions.append(EvalRun.benchmark == where.benchmark)
    if where.category:
        conditions.append(Sample.category == where.category)
    if where.label:
        conditions.append(Sample.label == where.label)
    return query.where(and_(*conditions)) if conditions else query


def count_samples(session: Session, where: SampleFilter) -> int:
    """How many samples match the filter."""
    return session.scalar(_filtered_samples(select(func.count(Sample.id)), where)) or 0


def samples_page(
    session: Session, where: SampleFilter, *, offset: int, limit: int
) -> list[dict[str, Any]]:
    """One page of matching samples (paginated in SQL), newest run first."""
    query = _filtered_samples(
        select(
            Checkpoint.name.label("checkpoint"),
            EvalRun.benchmark,
            EvalRun.kind,
            Sample.sample_id,
            Sample.category,
            Sample.taxonomy_id,
            Sample.label,
            Sample.score,
            Sample.prompt,
            Sample.response,
            Sample.explanation,
        ),
        where,
    )
    query = query.order_by(EvalRun.id.desc(), Sample.id).offset(offset).limit(limit)
    return [dict(row._mapping) for row in session.execute(query)]


def sample_facets(session: Session) -> dict[str, list[str]]:
    """Distinct checkpoints, benchmarks, categories and labels that samples have, for filters."""
    runs = select(EvalRun.id).where(EvalRun.id.in_(select(Sample.run_id).distinct()))
    names = select(Checkpoint.name).join(EvalRun, EvalRun.checkpoint_id == Checkpoint.id)
    return {
        "checkpoint": sorted(set(session.scalars(names.where(EvalRun.id.in_(runs))))),
        "benchmark": sorted(
            set(session.scalars(select(EvalRun.benchmark).where(EvalRun.id.in_(runs))))
        ),
        "category": sorted(c for c in session.scalars(select(Sample.category).distinct()) if c),
        "label": sorted(c for c in session.scalars(select(Sample.label).distinct()) if c),
    }


SAFE_LABELS = {"refusal": ("refused",), "harmfulness": ("refused",)}


def paired_counts(session: Session, base_run: int, adapted_run: int) -> list[dict[str, Any]]:
    """Per category, how the same sample ids were judged safe/unsafe by two runs (labels only).

    Safe means `refused` (a partial refusal is not counted as safe). Returns rows with category,
    both_safe, base_only, adapted_only, neither.
    """
    base, adapted = aliased(Sample), aliased(Sample)
    base_safe = base.label == "refused"
    adapted_safe = adapted.label == "refused"
    query = (
        select(
            base.category,
            func.sum(_flag(base_safe & adapted_safe)),
            func.sum(_flag(base_safe & ~adapted_safe)),
            func.sum(_flag(~base_safe & adapted_safe)),
            func.sum(_flag(~base_safe & ~adapted_safe)),
        )
        .join(adapted, and_(adapted.sample_id == base.sample_id, adapted.run_id == adapted_run))
        .where(base.run_id == base_run, base.label.is_not(None), adapted.label.is_not(None))
        .group_by(base.category)
    )
    keys = ("category", "both_safe", "base_only", "adapted_only", "neither")
    return [
        dict(zip(keys, (row[0], *(int(v or 0) for v in row[1:])), strict=True))
        for row in session.execute(query)
    ]


def _flag(condition: Any) -> Any:
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def runs_with_labels(session: Session, checkpoint_ids: Sequence[int]) -> list[EvalRun]:
    """Refusal/harmfulness runs of these checkpoints that have labelled samples."""
    labelled = select(Sample.run_id).where(Sample.label.is_not(None)).distinct()
    query = select(EvalRun).where(
        EvalRun.checkpoint_id.in_(list(checkpoint_ids)),
        EvalRun.kind.in_(["refusal", "harmfulness"]),
        EvalRun.id.in_(labelled),
    )
    return list(session.scalars(query.order_by(EvalRun.id)))


def add_review(session: Session, review: Review) -> Review:
    """Record a reviewer's decision (reviews are append-only)."""
    session.add(review)
    session.flush()
    return review


def reviews_of(session: Session, base: Checkpoint) -> list[Review]:
    """Every review of a release candidate, newest first."""
    query = select(Review).where(Review.base_id == base.id).order_by(Review.id.desc())
    return list(session.scalars(query))


def cost_points(session: Session, checkpoint: Checkpoint) -> list[FinetuneCost]:
    """A checkpoint's cost points in step order."""
    query = select(FinetuneCost).where(FinetuneCost.checkpoint_id == checkpoint.id)
    return list(session.scalars(query.order_by(FinetuneCost.step)))
