"""What fine-tuning and studies read from and write to the database, one transaction per call.

The caller (a CLI command, a test) hands in how to open a session, so sessions stay opened at
the edges.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from evals.importing.records import Bundle

SessionFactory = Callable[[], AbstractContextManager[Any]]


class RunnerDatabase:
    """Stores bundles and answers "is this stored yet?" questions."""

    def __init__(self, session: SessionFactory):
        self.session = session

    def store(self, bundle: Bundle) -> Any:
        """Store a bundle in its own transaction (what is stored stays stored); its ImportReport."""
        from evals.importing import store_bundle

        with self.session() as session:
            return store_bundle(session, bundle)

    def has_checkpoint(self, name: str) -> bool:
        """Whether a checkpoint of that name is stored."""
        from db import repository

        with self.session() as session:
            return repository.checkpoint_named(session, name) is not None

    def stored_runs(self, checkpoint: str) -> set[tuple[str, str]]:
        """(kind, benchmark) of every evaluation run stored for `checkpoint`."""
        from db import repository

        with self.session() as session:
            row = repository.checkpoint_named(session, checkpoint)
            if row is None:
                return set()
            return {
                (run.kind, run.benchmark) for _, run in repository.results_of(session, [row.id])
            }
