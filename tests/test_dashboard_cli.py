"""`riskboard serve` and `riskboard demo` (the demo database is built for real; serving is in
tests/test_browser.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evals.cli import main
from evals.cli.serve_cmd import DEMO_FILE, dashboard_app, demo_files, streamlit_command


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def checkpoints_in(url: str) -> list[str]:
    from db import repository
    from db.engine import make_engine, session_scope

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return [c.name for c in repository.all_checkpoints(session)]
    finally:
        engine.dispose()


def test_demo_builds_a_fresh_database_from_every_demo_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RISKBOARD_DB_URL", f"sqlite:///{tmp_path / 'never-touched.db'}")
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [p.name for p in demo_files()]
    assert all("stored" in line for line in lines[:-1])
    url = f"sqlite:///{tmp_path / DEMO_FILE}"
    assert lines[-1] == f"demo database ready: {url}"
    first = checkpoints_in(url)
    assert "demo-base-1b" in first and "llama-2-70b-chat" in first
    assert not (tmp_path / "never-touched.db").exists()  # RISKBOARD_DB_URL is not the demo's

    again = run("demo", "--no-serve")  # recreated, so stored again rather than "already imported"
    assert again.exit_code == 0 and "already imported" not in again.output
    assert checkpoints_in(url) == first


def test_demo_fills_an_empty_database_given_with_db_and_refuses_one_with_data(db_url: str):
    result = run("demo", "--no-serve", "--db", db_url)
    assert result.exit_code == 0, result.output
    held = len(checkpoints_in(db_url))
    assert held > 0

    refused = CliRunner().invoke(main, ["demo", "--no-serve", "--db", db_url])
    assert refused.exit_code == 1
    message = refused.output.strip()
    assert f"already holds {held} checkpoints; the demo fills only an empty database" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1


def test_serve_reports_an_unreachable_database_in_one_line():
    result = CliRunner().invoke(
        main, ["serve", "--db", "postgresql+psycopg://someone:secret@127.0.0.1:1/nothing"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("--db postgresql+psycopg://someone:***@127.0.0.1:1/nothing: ")
    assert "cannot open the database" in result.output and "secret" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_runs_the_dashboard_headless_without_usage_statistics():
    app = dashboard_app()
    assert app.name == "app.py" and (app.parent / "views" / "overview.py").is_file()
    command = streamlit_command(app, 8765, "0.0.0.0")
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(app)]
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {
        "--server.port": "8765",
        "--server.address": "0.0.0.0",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",
    }


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_help_names_the_options(command: str):
    result = run(command, "--help")
    assert result.exit_code == 0
    for option in ("--port", "--host", "--db"):
        assert option in result.output
