"""The dashboard's only door to the database: cached reads, the upload import, reviews.

The database URL is read here, at the edge (RISKBOARD_DB_URL, else the default file), and every
cached value is keyed by it. Reads are cached for a minute, so results imported from the CLI
show up within that; an upload or a review clears the caches at once.
"""

from __future__ import annotations

import functools
import hmac
import io
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session

from dashboard.frames import overview_frame
from dashboard.uploads import Outcome, Upload, UploadGroup, group_uploads
from db import repository
from db.engine import make_engine, resolve_url, session_scope
from db.migrate import upgrade
from db.models import Review
from evals.evidence import find_checkpoint, load_evidence
from evals.scoring.policy import Policy, load_policy, parse_policy
from evals.scoring.records import Evidence
from evals.scoring.scorecard import Scorecard, build_scorecard

TTL_SECONDS = 60
UPLOAD_TOKEN_VAR = "RISKBOARD_UPLOAD_TOKEN"  # set by the operator; read here, at the edge
R = TypeVar("R")


def db_url() -> str:
    """The database this dashboard shows: RISKBOARD_DB_URL, else ./riskboard.db."""
    return resolve_url()


def database_label() -> str:
    """The database URL with any password hidden, for the page footer."""
    return make_url(db_url()).render_as_string(hide_password=True)


@st.cache_resource(show_spinner=False, on_release=lambda engine: engine.dispose())
def _engine(url: str) -> Engine:
    """One engine per database URL, migrated once (a fresh file works straight away)."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


@contextmanager
def _session(url: str, *, write: bool = False) -> Iterator[Session]:
    """A session on `url`: read-only (no write lock) unless `write`; commits when the block ends."""
    with session_scope(_engine(url), read_only=not write) as session:
        yield session


def per_database(func: Callable[..., R]) -> Callable[..., R]:
    """Cache `func(url, ...)` for TTL_SECONDS; callers leave out `url` (the current database's)."""
    cached = st.cache_data(ttl=TTL_SECONDS, show_spinner=False)(func)

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> R:
        return cached(db_url(), *args, **kwargs)

    return call


def clear_caches(*, engines: bool = False) -> None:
    """Forget every cached read (after an upload or a review); `engines` also closes connections."""
    st.cache_data.clear()
    if engines:
        st.cache_resource.clear()


def category_names() -> dict[str, str]:
    """Display names of the taxonomy's categories, by id."""
    from evals.reports import category_names as names

    return names()


@per_database
def candidate_names(url: str) -> list[str]:
    """Release candidates: base checkpoints and anything other checkpoints were adapted from."""
    with _session(url) as session:
        return [row.name for row in repository.release_candidates(session)]


@per_database
def checkpoint_table(url: str) -> pd.DataFrame:
    """Every checkpoint with kind, base, adaptation and fine-tune cost."""
    from evals.reports import checkpoint_rows

    with _session(url) as session:
        return pd.DataFrame(checkpoint_rows(session))


@per_database
def evidence(url: str, base: str) -> Evidence:
    """Everything stored about one release candidate."""
    with _session(url) as session:
        return load_evidence(session, base)


def policy_of(policy_text: str | None) -> Policy:
    """The bundled default policy (None) or one given as YAML text; raises PolicyError."""
    return load_policy() if policy_text is None else parse_policy(policy_text)


@per_database
def scorecard(url: str, base: str, policy_text: str | None = None) -> Scorecard:
    """The candidate's scorecard under the default policy or the given policy YAML."""
    return build_scorecard(evidence(base), policy_of(policy_text), category_names())


@per_database
def overview(url: str, policy_text: str | None = None) -> pd.DataFrame:
    """Every candidate's verdict and cost to break, cheapest break first."""
    cards = [
        (scorecard(name, policy_text), len(evidence(name).adapted)) for name in candidate_names()
    ]
    return overview_frame(cards)


@per_database
def reviews(url: str, base: str) -> list[dict[str, Any]]:
    """Recorded reviews of a candidate, newest first."""
    with _session(url) as session:
        rows = repository.reviews_of(session, find_checkpoint(session, base))
        return [
            {
                "when": row.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "reviewer": row.reviewer,
                "verdict": row.verdict,
                "policy": f"{row.policy_name} {row.policy_version}",
                "note": row.note or "",
            }
            for row in rows
        ]


def record_review(base: str, reviewer: str, verdict: str, note: str, policy: Policy) -> None:
    """Append a reviewer's decision on a candidate's scorecard (reviews are never changed)."""
    with _session(db_url(), write=True) as session:
        review = Review(
            base_id=find_checkpoint(session, base).id,
            reviewer=reviewer,
            policy_name=policy.name,
            policy_version=policy.version,
            verdict=verdict,
            note=note or None,
        )
        repository.add_review(session, review)
    clear_caches()


@per_database
def sample_facets(url: str) -> dict[str, list[str]]:
    """The checkpoints, benchmarks, categories and labels that samples have."""
    with _session(url) as session:
        return repository.sample_facets(session)


@per_database
def sample_count(url: str, filters: Mapping[str, str | None]) -> int:
    """How many samples match the filters (checkpoint, benchmark, category, label)."""
    with _session(url) as session:
        return repository.count_samples(session, repository.SampleFilter(**filters))


@per_database
def sample_page(
    url: str, filters: Mapping[str, str | None], offset: int, limit: int
) -> list[dict[str, Any]]:
    """One page of matching samples, read with OFFSET/LIMIT in SQL."""
    with _session(url) as session:
        where = repository.SampleFilter(**filters)
        return repository.samples_page(session, where, offset=offset, limit=limit)


def upload_token_required() -> bool:
    """Whether the operator set RISKBOARD_UPLOAD_TOKEN (then uploads must give it)."""
    return bool(os.environ.get(UPLOAD_TOKEN_VAR))


def upload_token_accepted(given: str) -> bool:
    """True when no token is required, or `given` is the operator's token."""
    expected = os.environ.get(UPLOAD_TOKEN_VAR)
    return not expected or hmac.compare_digest(given.encode(), expected.encode())


def import_uploads(
    files: list[Upload],
    *,
    fmt: str = "auto",
    checkpoint: str | None = None,
    base: str | None = None,
    kind: str | None = None,
) -> list[Outcome]:
    """Import uploaded files through the one import API, one transaction per file."""
    options = {"format": fmt, "checkpoint": checkpoint, "base": base, "kind": kind}
    outcomes = [_import_group(group, options) for group in group_uploads(files)]
    if any(outcome.status == "stored" for outcome in outcomes):
        clear_caches()
    return outcomes


def _import_group(group: UploadGroup, options: dict[str, Any]) -> Outcome:
    """Import one file with its companions; every problem is reported and nothing is stored."""
    from evals.importing import InvalidInput, import_file

    name = group.primary.name
    companions = {c.name: io.BytesIO(c.data) for c in group.companions}
    try:
        with _session(db_url(), write=True) as session:
            report = import_file(
                session, io.BytesIO(group.primary.data), filename=name, companions=companions,
                **options,
            )  # fmt: skip
    except InvalidInput as error:
        return Outcome(name, "failed", problems=tuple(str(p) for p in error.problems))
    return Outcome(name, report.status, report.summary(), tuple(report.warnings))
