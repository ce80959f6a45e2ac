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
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from db.engine import make_engine, session_scope
    from db.migrate import upgrade

    try:
        engine = make_engine(db_url)
    except (ArgumentError, NoSuchModuleError) as error:  # not a URL, or an unknown dialect
        fail([f"--db: not a usable database URL ({_first_line(error)})"])
    try:
        try:
            upgrade(engine)
        except OperationalError as error:  # no such folder, server down, wrong password
            fail([f"--db: cannot open the database ({_first_line(error.orig or error)})"])
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def fail(problems: Iterable[object]) -> None:
    """Print one line per problem on stderr and exit with status 1."""
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


def format_table(rows: list[dict[str, Any]], columns: list[str]) -> list[str]:
    """Lines of a plain text table with a header, columns padded to their widest cell."""
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(r[i]) for r in cells)]) for i, column in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for row in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return lines


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def runner_errors() -> tuple[type[Exception], ...]:
    """What a run can raise that the user can fix: shown as one line, no traceback."""
    from evals.runners.endpoint import EndpointError
    from evals.runners.models import ModelError
    from evals.runners.provenance import JobError
    from evals.wheels import WheelError

    return (ModelError, JobError, EndpointError, WheelError)
