"""The one store step: validate a Bundle against the database and write it, all or nothing.

The caller owns the transaction (sessions are opened at the edges): when this raises
`InvalidInput`, the caller rolls back and nothing of the bundle stays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from db import repository
from db.models import CategoryResult, Checkpoint, EvalRun, ImportedFile
from evals.crosswalks import map_category
from evals.importing.checkpoints import (
    check_bases,
    conflicts_with_stored,
    merge_specs,
    write_checkpoints,
)
from evals.importing.checks import check_result, check_sample
from evals.importing.derived import add_label, derived_results
from evals.importing.records import (
    Bundle,
    InvalidInput,
    Problem,
    ResultSpec,
    RunSpec,
    SampleSpec,
)
from evals.taxonomy import TAXONOMY_VERSION

SAMPLE_BATCH = 2000
RISK_KINDS = ("refusal", "harmfulness")  # runs whose categories are risk categories
MAX_REPORTED = 200  # past this many problems, say how many more there are


@dataclass
class ImportReport:
    """What one import did (or why it did nothing)."""

    filename: str | None
    sha256: str | None
    source_format: str
    status: str  # "stored" | "already imported"
    checkpoints: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    runs: int = 0
    results: int = 0
    samples: int = 0
    warnings: list[str] = field(default_factory=list)
    previous_import: str | None = None

    def summary(self) -> str:
        """One line for humans."""
        name = self.filename or "input"
        if self.status == "already imported":
            return f"{name}: already imported ({self.previous_import}); nothing changed"
        new = f", {len(self.created)} new" if self.created else ""
        return (
            f"{name}: stored ({self.source_format}): {len(self.checkpoints)} checkpoints{new}, "
            f"{self.runs} runs, {self.results} results, {self.samples} samples"
        )


def store_bundle(
    session: Session, bundle: Bundle, *, sha256: str | None = None, filename: str | None = None
) -> ImportReport:
    """Validate `bundle` against the database and write it; raises InvalidInput with every problem."""
    repository.lock_for_import(session)
    if sha256 is not None:
        earlier = repository.imported_file(session, sha256)
        if earlier is not None:
            return _already_imported(bundle, sha256, filename, earlier)
    rows, created = _store_checkpoints(session, bundle)
    file_row = _file_row(session, bundle, sha256, filename)
    writer = _RunWriter(session, rows, file_row, bundle.source_format)
    report = ImportReport(filename, sha256, bundle.source_format, "stored", sorted(rows), created)
    problems = writer.write_results(bundle.results)
    problems += writer.write_samples(bundle.samples)
    problems += bundle.late_problems
    _raise_if(problems)
    report.results = len(bundle.results) + writer.write_derived_results()
    report.runs, report.samples = len(writer.runs), writer.sample_count
    report.warnings = list(bundle.warnings) + writer.unmapped_warnings()
    session.flush()
    return report


def _raise_if(problems: list[Problem]) -> None:
    if not problems:
        return
    shown = problems[:MAX_REPORTED]
    if len(problems) > MAX_REPORTED:
        shown.append(Problem("", f"… and {len(problems) - MAX_REPORTED} more problems"))
    raise InvalidInput(shown)


def _already_imported(
    bundle: Bundle, sha256: str, filename: str | None, earlier: ImportedFile
) -> ImportReport:
    when = earlier.imported_at.strftime("%Y-%m-%d %H:%M") if earlier.imported_at else "earlier"
    previous = f"as {earlier.filename or 'a file'} on {when}"
    return ImportReport(
        filename, sha256, bundle.source_format, "already imported", previous_import=previous
    )


def _store_checkpoints(session: Session, bundle: Bundle) -> tuple[dict[str, Checkpoint], list[str]]:
    merged, problems = merge_specs(bundle.checkpoints)
    problems = list(bundle.late_problems) + problems  # what the parser found so far comes first
    referenced = {item.run.checkpoint for item in bundle.results}
    bases = {entry.fields["base"] for entry in merged.values() if "base" in entry.fields}
    stored = repository.checkpoints_named(session, set(merged) | referenced | bases)
    for entry in merged.values():
        if entry.name in stored:
            problems += conflicts_with_stored(entry, stored[entry.name])
    problems += check_bases(merged, stored)
    known = set(merged) | set(stored)
    for result in bundle.results:
        if result.run.checkpoint not in known:
            problems.append(_unknown_checkpoint(result.where, result.run.checkpoint))
        problems += check_result(result)
    _raise_if(problems)
    rows, created, cost_problems = write_checkpoints(session, merged, stored)
    _raise_if(cost_problems)
    return rows, created


def _unknown_checkpoint(where: str, name: str) -> Problem:
    return Problem(
        f"{where}.checkpoint" if where else "checkpoint",
        f"unknown checkpoint {name!r}: declare it under checkpoints (or import it first)",
    )


def _file_row(
    session: Session, bundle: Bundle, sha256: str | None, filename: str | None
) -> ImportedFile | None:
    if sha256 is None:
        return None
    row = ImportedFile(
        sha256=sha256,
        filename=filename,
        source_format=bundle.source_format,
        citation=bundle.citation,
        synthetic=bundle.synthetic,
    )
    session.add(row)
    return row


class _RunWriter:
    """Creates eval runs on first use and writes results and (streamed) samples into them."""

    def __init__(
        self,
        session: Session,
        checkpoints: dict[str, Checkpoint],
        file_row: ImportedFile | None,
        fmt: str,
    ):
        self.session = session
        self.checkpoints = checkpoints
        self.file_row = file_row
        self.source_format = fmt
        self.runs: dict[RunSpec, EvalRun] = {}
        self.with_results: set[RunSpec] = set()
        self.tallies: dict[RunSpec, Counter[tuple[str | None, str]]] = {}
        self.unmapped: set[tuple[str, str]] = set()
        self.sample_count = 0

    def run_for(self, spec: RunSpec) -> EvalRun:
        """The eval run row of `spec`, created on first use."""
        row = self.runs.get(spec)
        if row is None:
            row = EvalRun(
                checkpoint=self.checkpoints[spec.checkpoint],
                file=self.file_row,
                benchmark=spec.benchmark,
                benchmark_version=spec.benchmark_version,
                kind=spec.kind,
                judge=spec.judge,
                judge_version=spec.judge_version,
                n_shot=spec.n_shot,
                generation=spec.generation,
                started_at=spec.started_at,
                finished_at=spec.finished_at,
                partial=spec.partial,
                source_format=self.source_format,
                provenance=spec.provenance,
                taxonomy_version=TAXONOMY_VERSION,
            )
            self.session.add(row)
            self.session.flush()
            self.runs[spec] = row
        return row

    def taxonomy_id(self, label: str | None, run: RunSpec) -> str | None:
        """The AIR category a risk label maps to (None when unmapped; the label is kept verbatim).

        Only runs on harmful prompts carry risk categories: an over-refusal run's categories are
        kinds of benign prompt, a capability run's are subjects.
        """
        if run.kind not in RISK_KINDS:
            return None
        benchmark = run.benchmark
        mapped = map_category(label, benchmark=benchmark)
        if mapped is None:
            return None
        if mapped.taxonomy_id is None:
            self.unmapped.add((benchmark, mapped.label))
        return mapped.taxonomy_id

    def write_results(self, results: list[ResultSpec]) -> list[Problem]:
        """Add every result row; duplicates of (run, category, metric) are problems."""
        seen: dict[tuple[RunSpec, str | None, str], str] = {}
        problems = []
        for result in results:
            key = (result.run, result.category, result.metric)
            if key in seen:
                problems.append(
                    Problem(
                        result.where or "results",
                        f"repeats the result given at {seen[key] or 'an earlier row'}",
                    )
                )
                continue
            seen[key] = result.where
            self.with_results.add(result.run)
            self.session.add(self._result_row(result))
        return problems

    def _result_row(self, result: ResultSpec) -> CategoryResult:
        return CategoryResult(
            run=self.run_for(result.run),
            category=result.category,
            taxonomy_id=self.taxonomy_id(result.category, result.run),
            metric=result.metric,
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
            citation=result.citation,
        )

    def write_samples(self, samples: Iterable[SampleSpec]) -> list[Problem]:
        """Stream samples into the database in batches; every problem is collected."""
        problems: list[Problem] = []
        seen: dict[tuple[RunSpec, str], None] = {}
        batch: list[dict[str, Any]] = []
        for sample in samples:
            sample_problems = check_sample(sample)
            if sample.run.checkpoint not in self.checkpoints:
                sample_problems.append(_unknown_checkpoint(sample.where, sample.run.checkpoint))
            if (sample.run, sample.sample_id) in seen:
                sample_problems.append(
                    Problem(sample.where or "samples", f"repeats sample id {sample.sample_id!r}")
                )
            if sample_problems:
                problems += sample_problems
                continue
            seen[(sample.run, sample.sample_id)] = None
            batch.append(self._sample_row(sample))
            self._tally(sample)
            if len(batch) >= SAMPLE_BATCH and not problems:
                repository.insert_samples(self.session, batch)
                batch = []
        if not problems:
            repository.insert_samples(self.session, batch)
        return problems

    def _sample_row(self, sample: SampleSpec) -> dict[str, Any]:
        self.sample_count += 1
        return {
            "run_id": self.run_for(sample.run).id,
            "sample_id": sample.sample_id,
            "category": sample.category,
            "taxonomy_id": self.taxonomy_id(sample.category, sample.run),
            "prompt": sample.prompt,
            "response": sample.response,
            "label": sample.label,
            "score": sample.score,
            "explanation": sample.explanation,
            "extra": sample.metadata,
        }

    def _tally(self, sample: SampleSpec) -> None:
        if sample.run in self.with_results or sample.label is None:
            return
        add_label(self.tallies.setdefault(sample.run, Counter()), sample.category, sample.label)

    def write_derived_results(self) -> int:
        """Per-category counts for runs whose file gave labelled samples but no results."""
        count = 0
        for spec, tally in self.tallies.items():
            for result in derived_results(spec, tally):
                self.session.add(self._result_row(result))
                count += 1
        return count

    def unmapped_warnings(self) -> list[str]:
        """One warning per category label that maps to no AIR 2024 category."""
        return [
            f"{benchmark}: category {label!r} maps to no AIR 2024 category; kept verbatim (unmapped)"
            for benchmark, label in sorted(self.unmapped)
        ]
