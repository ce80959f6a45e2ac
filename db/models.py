"""Typed SQLAlchemy 2 models: raw counts and provenance, never pass/fail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Checkpoint(Base):
    """A model checkpoint: a base, or one adapted from a base (adapter, merged, full fine-tune)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    base_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    family: Mapped[str | None] = mapped_column(String(200))
    params: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(50))
    rank: Mapped[int | None] = mapped_column(Integer)
    alpha: Mapped[float | None] = mapped_column(Float)
    target_modules: Mapped[list[str] | None] = mapped_column(JSON)
    quantization: Mapped[str | None] = mapped_column(String(50))
    intent: Mapped[str] = mapped_column(String(20), default="unknown")
    defense: Mapped[str | None] = mapped_column(String(200))
    citation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    base: Mapped[Checkpoint | None] = relationship(remote_side=[id])
    costs: Mapped[list[FinetuneCost]] = relationship(
        back_populates="checkpoint", order_by="FinetuneCost.step"
    )


class FinetuneCost(Base):
    """One point of a fine-tune's cost meter; points along one training run are cumulative."""

    __tablename__ = "finetune_costs"
    __table_args__ = (UniqueConstraint("checkpoint_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    step: Mapped[int | None] = mapped_column(Integer)
    device: Mapped[str | None] = mapped_column(String(100))
    devices: Mapped[int | None] = mapped_column(Integer)
    device_hours: Mapped[float | None] = mapped_column(Float)
    wall_seconds: Mapped[float | None] = mapped_column(Float)
    usd_per_device_hour: Mapped[float | None] = mapped_column(Float)
    usd: Mapped[float | None] = mapped_column(Float)
    examples: Mapped[int | None] = mapped_column(Integer)
    tokens: Mapped[int | None] = mapped_column(Integer)
    epochs: Mapped[float | None] = mapped_column(Float)
    dataset: Mapped[str | None] = mapped_column(String(300))
    training_run: Mapped[str | None] = mapped_column(String(300), index=True)

    checkpoint: Mapped[Checkpoint] = relationship(back_populates="costs")


class ImportedFile(Base):
    """A file taken in by the import API; its sha256 makes a second import a no-op."""

    __tablename__ = "imported_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str | None] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(30))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    citation: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class EvalRun(Base):
    """One evaluation of one checkpoint on one benchmark, with its provenance."""

    __tablename__ = "eval_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("imported_files.id"), index=True)
    benchmark: Mapped[str] = mapped_column(String(200), index=True)
    benchmark_version: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    judge: Mapped[str | None] = mapped_column(String(200))
    judge_version: Mapped[str | None] = mapped_column(String(100))
    n_shot: Mapped[int | None] = mapped_column(Integer)
    generation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[str | None] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    source_format: Mapped[str] = mapped_column(String(30))
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    taxonomy_version: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    checkpoint: Mapped[Checkpoint] = relationship()
    file: Mapped[ImportedFile | None] = relationship()
    results: Mapped[list[CategoryResult]] = relationship(back_populates="run")


class CategoryResult(Base):
    """One number of a run for one category (None = whole benchmark): counts or value with n."""

    __tablename__ = "category_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(300))
    taxonomy_id: Mapped[str | None] = mapped_column(String(200), index=True)
    metric: Mapped[str] = mapped_column(String(200))
    higher_is_better: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(20), default="proportion")
    k: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    stderr: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    scale_min: Mapped[float | None] = mapped_column(Float)
    scale_max: Mapped[float | None] = mapped_column(Float)
    citation: Mapped[str | None] = mapped_column(Text)

    run: Mapped[EvalRun] = relationship(back_populates="results")


class Sample(Base):
    """One prompt and response of a run with its judgment. Read paginated, never whole."""

    __tablename__ = "samples"
    __table_args__ = (
        UniqueConstraint("run_id", "sample_id"),
        Index("ix_samples_run_label", "run_id", "label"),
        Index("ix_samples_run_category", "run_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"))
    sample_id: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(300))
    taxonomy_id: Mapped[str | None] = mapped_column(String(200))
    prompt: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Review(Base):
    """A reviewer's recorded decision on a scorecard. Append-only."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    policy_name: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(50))
    verdict: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)

    base: Mapped[Checkpoint] = relationship()


@event.listens_for(Session, "before_flush")
def _reviews_append_only(session: Session, _context: object, _instances: object) -> None:
    """A recorded review is evidence: it may be added, never changed or removed."""
    for row in (*session.dirty, *session.deleted):
        if isinstance(row, Review) and session.is_modified(row):
            raise ValueError("reviews are append-only: record a new review instead of changing one")
    for row in session.deleted:
        if isinstance(row, Review):
            raise ValueError("reviews are append-only: they cannot be deleted")
