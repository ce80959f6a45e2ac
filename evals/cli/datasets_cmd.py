"""`riskboard datasets`: the prompt sets and benchmarks riskboard knows, and caching them."""

from __future__ import annotations

import json

import click

from evals.cli.common import fail, format_table


@click.group("datasets")
def datasets_group() -> None:
    """Prompt sets and benchmarks: list them, or download and cache one."""


@datasets_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_command(as_json: bool) -> None:
    """Every known dataset: name, kind, size, version, whether cached, licence."""
    from evals.datasets import list_datasets

    infos = list_datasets()
    if as_json:
        rows = [{**vars(info), "path": str(info.path) if info.path else None} for info in infos]
        click.echo(json.dumps(rows, indent=2))
        return
    rows = [
        {
            "name": info.name, "kind": info.kind, "size": info.size, "version": info.version,
            "cached": "yes" if info.cached else "no", "license": info.license,
        }
        for info in infos
    ]  # fmt: skip
    for line in format_table(rows, ["name", "kind", "size", "version", "cached", "license"]):
        click.echo(line)


@datasets_group.command("fetch")
@click.argument("name")
def fetch_command(name: str) -> None:
    """Download (once), check and cache dataset NAME; print the file it is read from."""
    from evals.datasets import DatasetError, fetch

    try:
        path = fetch(name, say=lambda message: click.echo(f"{name}: {message}", err=True))
    except DatasetError as error:
        fail(problem if problem.where else f"datasets fetch: {problem.what}"
             for problem in error.problems)  # fmt: skip
        return
    click.echo(str(path))
