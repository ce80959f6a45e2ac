"""Engines and sessions: the one place that reads RISKBOARD_DB_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///riskboard.db"
ENV_VAR = "RISKBOARD_DB_URL"
READ_ONLY = "riskboard_read_only"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: the one given, else RISKBOARD_DB_URL, else ./riskboard.db."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url`; SQLite files get WAL and immediate (write-locking) transactions."""
    resolved = resolve_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(resolved, connect_args={"timeout": 60})
        _configure_sqlite(engine)
        return engine
    return create_engine(resolved, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so read-then-write imports never lose updates."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # Readers (the dashboard) must not queue behind writers: only writes lock up front.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends cleanly and rolls back otherwise.

    `read_only` sessions take no write lock on SQLite, so pages never wait behind an import.
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    factory = sessionmaker(bind, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgres(engine: Engine) -> bool:
    """True when the engine talks to PostgreSQL (it needs an explicit lock for read-then-write)."""
    return engine.dialect.name == "postgresql"
