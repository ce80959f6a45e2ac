"""From stored rows to the plain records scoring reads (the bridge between db and evals.scoring)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db import repository
from db.models import CategoryResult, Checkpoint, EvalRun, FinetuneCost
from evals.scoring.records import CheckpointFacts, CostFacts, Evidence, Measurement, PairedTable


class UnknownCheckpoint(LookupError):
    """A checkpoint name that is not in the database; the message suggests near names."""


def find_checkpoint(session: Session, name: str) -> Checkpoint:
    """The stored checkpoint `name`, or UnknownCheckpoint with the nearest names."""
    import difflib

    row = repository.checkpoint_named(session, name)
    if row is not None:
        return row
    names = [c.name for c in repository.all_checkpoints(session)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    if not names:
        hint = " The database has no checkpoints yet: import results first (riskboard import FILE)."
    raise UnknownCheckpoint(f"Unknown checkpoint {name!r}.{hint}")


def measurement_of(result: CategoryResult, run: EvalRun) -> Measurement:
    """A stored result as the record scoring reads."""
    return Measurement(
        checkpoint=run.checkpoint.name,
        benchmark=run.benchmark,
        kind=run.kind,
        metric=result.metric,
        category=result.category,
        taxonomy_id=result.taxonomy_id,
        higher_is_better=result.higher_is_better,
        unit=result.unit,
        k=result.k,
        n=result.n,
        value=result.value,
        stderr=result.stderr,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        scale_min=result.scale_min,
        scale_max=result.scale_max,
        judge=run.judge,
    )


def cost_facts(point: FinetuneCost) -> CostFacts:
    """A stored cost point as a record."""
    return CostFacts(
        step=point.step,
        device=point.device,
        devices=point.devices,
        device_hours=point.device_hours,
        wall_seconds=point.wall_seconds,
        usd_per_device_hour=point.usd_per_device_hour,
        usd=point.usd,
        examples=point.examples,
        tokens=point.tokens,
        epochs=point.epochs,
        dataset=point.dataset,
        training_run=point.training_run,
    )


def checkpoint_facts(row: Checkpoint) -> CheckpointFacts:
    """A stored checkpoint with its cost points as a record."""
    return CheckpointFacts(
        name=row.name,
        kind=row.kind,
        base=row.base.name if row.base is not None else None,
        intent=row.intent or "unknown",
        defense=row.defense,
        method=row.method,
        costs=tuple(cost_facts(point) for point in row.costs),
    )


def latest_measurements(session: Session, checkpoints: list[Checkpoint]) -> list[Measurement]:
    """Each checkpoint's results, keeping only the latest run's number for the same measure."""
    latest: dict[tuple[object, ...], Measurement] = {}
    for result, run in repository.results_of(session, [c.id for c in checkpoints]):
        m = measurement_of(result, run)
        latest[(m.checkpoint, m.benchmark, m.kind, m.metric, m.category)] = m
    return list(latest.values())


def paired_tables(
    session: Session, base: Checkpoint, adapted: list[Checkpoint]
) -> list[PairedTable]:
    """McNemar tables for each adapted checkpoint vs the base on the same benchmark's prompts."""
    runs = repository.runs_with_labels(session, [base.id, *(c.id for c in adapted)])
    base_runs = {run.benchmark: run for run in runs if run.checkpoint_id == base.id}
    tables = []
    for run in runs:
        base_run = base_runs.get(run.benchmark)
        if run.checkpoint_id == base.id or base_run is None:
            continue
        rows = repository.paired_counts(session, base_run.id, run.id)
        tables += [_table(run.checkpoint.name, run.benchmark, row) for row in rows]
        if len(rows) > 1:
            tables.append(_total(run.checkpoint.name, run.benchmark, rows))
    return tables


def _table(checkpoint: str, benchmark: str, row: dict[str, object]) -> PairedTable:
    return PairedTable(
        checkpoint,
        benchmark,
        row["category"],
        row["both_safe"],
        row["base_only"],
        row["adapted_only"],
        row["neither"],
    )  # type: ignore[arg-type]


def _total(checkpoint: str, benchmark: str, rows: list[dict[str, object]]) -> PairedTable:
    cells = ("both_safe", "base_only", "adapted_only", "neither")
    sums = [sum(int(row[cell]) for row in rows) for cell in cells]  # type: ignore[call-overload]
    return PairedTable(checkpoint, benchmark, None, *sums)


def load_evidence(session: Session, base_name: str) -> Evidence:
    """Everything stored about a release candidate: its base, adapted checkpoints and results."""
    base = find_checkpoint(session, base_name)
    adapted = repository.adapted_from(session, base)
    return Evidence(
        base=checkpoint_facts(base),
        adapted=tuple(checkpoint_facts(row) for row in adapted),
        measurements=tuple(latest_measurements(session, [base, *adapted])),
        paired=tuple(paired_tables(session, base, adapted)),
    )
