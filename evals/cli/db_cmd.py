"""`riskboard db`: database maintenance."""

from __future__ import annotations

import click

from evals.cli.common import db_option


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@db_option
def upgrade_command(db_url: str | None) -> None:
    """Apply every migration (creates the database when it does not exist)."""
    from db.engine import make_engine
    from db.migrate import current_revision, upgrade

    engine = make_engine(db_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    engine.dispose()
    if before == after:
        click.echo(f"{url}: already at revision {after}")
    else:
        click.echo(f"{url}: upgraded from {before or 'empty'} to {after}")


@db_group.command("check")
@db_option
def check_command(db_url: str | None) -> None:
    """Exit 1 when the models and the migrations disagree (for CI)."""
    from db.engine import make_engine
    from db.migrate import pending_changes, upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    changes = pending_changes(engine)
    engine.dispose()
    if changes:
        for change in changes:
            click.echo(f"models differ from migrations: {change}", err=True)
        raise SystemExit(1)
    click.echo("models and migrations agree")
