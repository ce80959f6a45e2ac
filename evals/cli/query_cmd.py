"""`riskboard checkpoints` and `riskboard results`: what the database holds."""

from __future__ import annotations

import json
from typing import Any

import click

from evals.cli.common import db_option, fail, format_table


@click.command("checkpoints")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@db_option
def checkpoints_command(as_json: bool, db_url: str | None) -> None:
    """List checkpoints with their kind, base and fine-tuning cost."""
    from evals.cli.common import open_session
    from evals.reports import checkpoint_rows

    with open_session(db_url) as session:
        rows = checkpoint_rows(session)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo("No checkpoints yet. Import results with: riskboard import FILE")
    else:
        _print(rows, ["name", "kind", "base", "intent", "method", "usd", "device_hours"])


@click.command("results")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@db_option
def results_command(name: str, as_json: bool, db_url: str | None) -> None:
    """Every stored result of checkpoint NAME, with 95% intervals."""
    from evals.cli.common import open_session
    from evals.evidence import UnknownCheckpoint
    from evals.reports import result_rows

    try:
        with open_session(db_url) as session:
            rows = result_rows(session, name)
    except UnknownCheckpoint as error:
        fail([f"results: {error.args[0]}"])
        return
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo(f"{name}: no results stored yet")
    else:
        _print(
            rows,
            ["benchmark", "kind", "metric", "category", "value", "ci_low", "ci_high", "k", "n"],
        )


def _print(rows: list[dict[str, Any]], columns: list[str]) -> None:
    for line in format_table(rows, columns):
        click.echo(line)
