"""`riskboard serve` and `riskboard demo`: start the dashboard, or build the demo database first.

The dashboard is a Streamlit app (`dashboard/app.py`) run in a child process with
RISKBOARD_DB_URL set to the database chosen here; the database is migrated before it starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path

import click

from evals.cli import require_runners
from evals.cli.common import db_option, fail
from evals.project_data import data_path

DEFAULT_PORT = 8501
DEFAULT_HOST = "localhost"
DEMO_FILE = "riskboard-demo.db"
DEMO_DATA = data_path("demo")


def dashboard_app() -> Path:
    """The dashboard's entry script, located without importing it (evals never imports dashboard)."""
    spec = find_spec("dashboard")
    if spec is None or spec.origin is None:
        fail(["serve: the dashboard package is not installed next to evals"])
    return Path(str(spec.origin)).parent / "app.py"


def streamlit_command(app: Path, port: int, host: str) -> list[str]:
    """The command line that serves the app headless, without usage statistics or developer menus."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
    ]  # fmt: skip


def shown(url: str) -> str:
    """A database URL for messages, password hidden."""
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def migrate(url: str) -> None:
    """Bring the database to the latest schema; an unreachable database is a user error."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.engine import make_engine
    from db.migrate import upgrade

    try:
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        fail([f"--db {shown(url)}: cannot open the database ({reason})"])


def run_dashboard(url: str, port: int, host: str) -> int:
    """Run Streamlit on the app until it stops; Ctrl+C and SIGTERM stop it cleanly."""
    from db.engine import ENV_VAR

    command = streamlit_command(dashboard_app(), port, host)
    click.echo(f"riskboard dashboard: http://{host}:{port}  (database {shown(url)}; Ctrl+C stops)")
    process = subprocess.Popen(command, env={**os.environ, ENV_VAR: url})
    # A service manager stops us with SIGTERM: pass it on so Streamlit is never left behind.
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        # Ctrl+C reached Streamlit too (same terminal); give it time to shut down.
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            return process.wait()


@click.command("serve")
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; 0.0.0.0 serves the whole network (a team server).",
)
@db_option
def serve_command(port: int, host: str, db_url: str | None) -> None:
    """Start the dashboard on a database (migrated first)."""
    from db.engine import resolve_url

    url = resolve_url(db_url)
    migrate(url)
    sys.exit(run_dashboard(url, port, host))


def demo_files(folder: Path = DEMO_DATA) -> list[Path]:
    """The demo's native result files, in name order."""
    files = sorted(folder.glob("*.json"))
    if not files:
        fail(
            [
                f"demo: no demo data in {folder} (install riskboard from a checkout: pip install -e .)"
            ]
        )
    return files


def fresh_sqlite(path: Path) -> str:
    """Delete a SQLite file (with its WAL files) so the demo starts from nothing; its URL."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def stored_checkpoints(url: str) -> int:
    """How many checkpoints a (migrated) database holds."""
    from db import repository
    from db.engine import make_engine, session_scope

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return len(repository.all_checkpoints(session))
    finally:
        engine.dispose()


def build_demo(url: str, files: Iterable[Path]) -> list[str]:
    """Import every demo file through the one import API, one transaction each; their summaries."""
    from db.engine import make_engine, session_scope
    from evals.importing import InvalidInput, import_file

    engine = make_engine(url)
    summaries = []
    try:
        for path in files:
            with path.open("rb") as fp, session_scope(engine) as session:
                try:
                    report = import_file(session, fp, filename=path.name)
                except InvalidInput as error:
                    fail([f"demo data {path.name}: {problem}" for problem in error.problems])
            summaries.append(report.summary())
    finally:
        engine.dispose()
    return summaries


def demo_database(db_url: str | None) -> str:
    """The demo's database: a recreated riskboard-demo.db, or an empty one given with --db."""
    default = Path.cwd() / DEMO_FILE
    if db_url is None or db_url in (f"sqlite:///{DEMO_FILE}", f"sqlite:///{default}"):
        url = fresh_sqlite(default)
        migrate(url)
        return url
    migrate(db_url)
    held = stored_checkpoints(db_url)
    if held:
        fail(
            [
                f"--db {shown(db_url)}: already holds {held} checkpoints; the demo fills only an "
                f"empty database (leave out --db to use a fresh {DEMO_FILE})"
            ]
        )
    return db_url


@click.command("demo")
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port to listen on.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--no-serve", is_flag=True, help="Only build the demo database.")
@click.option(
    "--measure",
    is_flag=True,
    help="Also run the miniature study (data/studies/miniature.yaml) on the embedded model into "
    "the demo database: ~20 minutes on 2 CPU cores (docs/studies.md).",
)
@click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help=f"An empty database to fill (default: ./{DEMO_FILE}, recreated each time).",
)
def demo_command(port: int, host: str, no_serve: bool, measure: bool, db_url: str | None) -> None:
    """Build a fresh demo database from the bundled data and start the dashboard on it.

    The demo holds published numbers (Qi et al. 2023, Lermen et al. 2023) and a clearly marked
    synthetic release with per-prompt labels. RISKBOARD_DB_URL is ignored here on purpose: the
    demo never writes into a database you did not name.
    """
    if measure:
        require_runners("demo --measure")  # before the demo database is built, not after
    url = demo_database(db_url)
    for summary in build_demo(url, demo_files()):
        click.echo(summary)
    if measure:
        from evals.cli.study_cmd import run_miniature_study

        run_miniature_study(url)
    click.echo(f"demo database ready: {shown(url)}")
    if not no_serve:
        sys.exit(run_dashboard(url, port, host))
