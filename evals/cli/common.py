"""What every command shares: the --db option, sessions, and user-facing errors."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    """Adds `--db URL` (default: RISKBOARD_DB_URL, else sqlite:///riskboard.db)."""
    return click.option(
        "--db",
        "db_url",
        default=None,
        metavar="URL",
        help="SQLAlchemy database URL (default: $RISKBOARD_DB_URL, else sqlite:///riskboard.db).",
    )(function)


@contextmanager
def open_session(db_url: str | None) -> Iterator[Session]:
    """A migrated database's session; commits on success, rolls back on any error."""
    from db.engine import make_engine, session_scope
    from db.migrate import upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def fail(problems: Iterable[object]) -> None:
    """Print one line per problem on stderr and exit with status 1."""
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(1)
