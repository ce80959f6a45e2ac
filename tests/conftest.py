"""Shared test fixtures: migrated databases (SQLite or the server in RISKBOARD_TEST_DB_URL) and golden files."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected files of golden tests instead of comparing (review the diff)",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare `actual` (JSON-ready) with the golden file at `path`, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(path: Path, actual: Any) -> None:
        text = json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
        if update or not path.exists():
            if not update:
                pytest.fail(f"{path} does not exist: run pytest --update-golden and review it")
            path.write_text(text, encoding="utf-8")
            return
        expected = json.loads(path.read_text(encoding="utf-8"))
        assert json.loads(text) == expected, f"{path} differs (pytest --update-golden rewrites it)"

    return check


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the server in RISKBOARD_TEST_DB_URL."""
    import os

    server = os.environ.get("RISKBOARD_TEST_DB_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    from sqlalchemy import create_engine, make_url, text

    name = f"rb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str):
    """An engine on a database migrated to head (by migrating, never create_all)."""
    from db.engine import make_engine
    from db.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session on the migrated test database; committed at the end of the test when it passes."""
    from db.engine import session_scope

    with session_scope(engine) as session:
        yield session
