"""Stored data as plain rows for the CLI's listings (and anyone who wants JSON)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db import repository
from evals.evidence import checkpoint_facts, find_checkpoint, load_evidence, measurement_of
from evals.scoring import cost
from evals.scoring.policy import Policy, load_policy
from evals.scoring.rates import rate_of
from evals.scoring.scorecard import Scorecard, build_scorecard


def checkpoint_rows(session: Session) -> list[dict[str, Any]]:
    """One row per checkpoint: kind, base, adaptation and its (latest) fine-tuning cost."""
    rows = []
    for row in repository.all_checkpoints(session):
        facts = checkpoint_facts(row)
        spent = cost.checkpoint_cost(facts)
        rows.append(
            {
                "name": row.name,
                "kind": row.kind,
                "base": facts.base,
                "family": row.family,
                "params": row.params,
                "source": row.source,
                "method": row.method,
                "rank": row.rank,
                "quantization": row.quantization,
                "intent": row.intent,
                "defense": row.defense,
                "usd": spent.usd,
                "device_hours": spent.device_hours,
                "citation": row.citation,
            }
        )
    return rows


def result_rows(session: Session, name: str) -> list[dict[str, Any]]:
    """Every stored result of one checkpoint, values and 95% intervals in the source's direction."""
    checkpoint = find_checkpoint(session, name)
    rows = []
    for result, run in repository.results_of(session, [checkpoint.id]):
        rate = rate_of(measurement_of(result, run))
        rows.append(
            {
                "benchmark": run.benchmark,
                "kind": run.kind,
                "metric": result.metric,
                "category": result.category,
                "taxonomy_id": result.taxonomy_id,
                "value": rate.value,
                "ci_low": rate.low,
                "ci_high": rate.high,
                "k": result.k,
                "n": result.n,
                "stderr": result.stderr,
                "unit": result.unit,
                "higher_is_better": result.higher_is_better,
                "judge": run.judge,
                "run": run.id,
                "source_format": run.source_format,
                "partial": run.partial,
            }
        )
    return rows


def category_names() -> dict[str, str]:
    """Display names of every taxonomy category, by id."""
    from evals import taxonomy

    return {c.id: c.name for c in taxonomy.categories()}


def scorecard_for(session: Session, base_name: str, policy: Policy | None = None) -> Scorecard:
    """The release-readiness scorecard of a stored base checkpoint under a policy (default: shipped)."""
    evidence = load_evidence(session, base_name)
    return build_scorecard(evidence, policy or load_policy(), category_names())
