"""The storage layer: migrations match the models, concurrent imports lose nothing, reviews append only."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from db.engine import make_engine, resolve_url, session_scope
from db.migrate import current_revision, pending_changes, upgrade
from db.models import Checkpoint, EvalRun, Review
from db.repository import add_review, reviews_of
from evals.importing import import_file


def test_models_and_migrations_agree(engine) -> None:
    assert pending_changes(engine) == [], (
        "run: alembic revision --autogenerate (see docs/development.md)"
    )


def test_upgrade_is_idempotent(engine) -> None:
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before is not None


def test_drift_is_detected(engine) -> None:
    """The drift check can fail: a column the models do not know is reported."""
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE reviews ADD COLUMN stray INTEGER"))
    assert pending_changes(engine)


def test_url_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("RISKBOARD_DB_URL", "sqlite:///elsewhere.db")
    assert resolve_url(None) == "sqlite:///elsewhere.db"
    assert resolve_url("sqlite:///given.db") == "sqlite:///given.db"
    monkeypatch.delenv("RISKBOARD_DB_URL")
    assert resolve_url(None) == "sqlite:///riskboard.db"


def _file(i: int) -> bytes:
    """A file that re-declares the shared base (read-then-write) and adds its own adapter."""
    return json.dumps(
        {
            "riskboard": "1",
            "checkpoints": [
                {"name": "shared-base", "kind": "base", "family": "F"},
                {"name": f"adapter-{i}", "kind": "adapter", "base": "shared-base"},
            ],
            "results": [
                {
                    "checkpoint": f"adapter-{i}",
                    "benchmark": "b",
                    "kind": "refusal",
                    "metric": "r",
                    "k": i % 40,
                    "n": 40,
                }
            ],
        }
    ).encode()


def test_concurrent_imports_lose_nothing(db_url) -> None:
    upgrade(make_engine(db_url))

    def one(i: int) -> str:
        engine = make_engine(db_url)
        try:
            with session_scope(engine) as session:
                return import_file(session, io.BytesIO(_file(i)), filename=f"f{i}.json").status
        finally:
            engine.dispose()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(one, range(24)))
    assert statuses == ["stored"] * 24
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Checkpoint.id))) == 25
        assert session.scalar(select(func.count(EvalRun.id))) == 24
    engine.dispose()


def test_concurrent_imports_from_processes(db_url, tmp_path) -> None:
    """Separate processes (as two `riskboard import` commands would be) on one database."""
    upgrade(make_engine(db_url))
    paths = []
    for i in range(6):
        path = tmp_path / f"p{i}.json"
        path.write_bytes(_file(100 + i))
        paths.append(path)
    command = [sys.executable, "-m", "evals.cli", "import", "--db", db_url]
    procs = [
        subprocess.Popen([*command, str(p)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for p in paths
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 6, outputs
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Checkpoint.id))) == 7
    engine.dispose()


def test_reviews_are_append_only(engine) -> None:
    with session_scope(engine) as session:
        base = Checkpoint(name="cand", kind="base", intent="unknown")
        session.add(base)
        session.flush()
        add_review(
            session,
            Review(
                base_id=base.id,
                reviewer="ana",
                policy_name="p",
                policy_version="1",
                verdict="ready",
            ),
        )
        add_review(
            session,
            Review(
                base_id=base.id,
                reviewer="bo",
                policy_name="p",
                policy_version="1",
                verdict="not ready",
            ),
        )
    with session_scope(engine) as session:
        base = session.scalar(select(Checkpoint).where(Checkpoint.name == "cand"))
        reviews = reviews_of(session, base)
        assert [r.reviewer for r in reviews] == ["bo", "ana"]
        reviews[0].note = "edited"
        with pytest.raises(ValueError, match="append-only"):
            session.flush()
        session.rollback()
        session.delete(reviews[1])
        with pytest.raises(ValueError, match="append-only"):
            session.flush()
        session.rollback()


def test_read_only_sessions_take_no_write_lock(engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock up front is SQLite's BEGIN IMMEDIATE")
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with session_scope(engine, read_only=True) as session:
        session.scalar(select(func.count(Checkpoint.id)))
    with session_scope(engine) as session:
        session.scalar(select(func.count(Checkpoint.id)))
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_csv_checkpoint_option_fills_empty_cells(engine) -> None:
    csv_text = b"checkpoint,benchmark,kind,metric,k,n\n,advbench,refusal,refusal_rate,40,52\n"
    with session_scope(engine) as session:
        report = import_file(session, io.BytesIO(csv_text), filename="s.csv", checkpoint="my-base")
    assert report.status == "stored" and report.checkpoints == ["my-base"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgres://x/y",
            "--db: not a usable database URL (Can't load plugin: sqlalchemy.dialects:postgres)",
        ),
        (
            "nonsense",
            "--db: not a usable database URL (Could not parse SQLAlchemy URL from given URL string)",
        ),
        (
            "sqlite:////no/such/folder/x.db",
            "--db: cannot open the database (unable to open database file)",
        ),
    ],
)
def test_a_bad_db_url_is_one_line_on_every_command(url, message) -> None:
    from click.testing import CliRunner

    from evals.cli import main

    done = CliRunner().invoke(main, ["checkpoints", "--db", url])
    assert (done.exit_code, done.stderr) == (1, message + "\n")
