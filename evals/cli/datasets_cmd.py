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
@click.argument("names", metavar="NAME...", nargs=-1, required=True)
def fetch_command(names: tuple[str, ...]) -> None:
    """Download (once), check and cache each dataset NAME; print the file each is read from.

    Every name is tried; the command fails at the end if any of them failed.
    """
    from evals.datasets import DatasetError, fetch

    problems = []
    for name in names:
        try:
            path = fetch(
                name, say=lambda message, name=name: click.echo(f"{name}: {message}", err=True)
            )
        except DatasetError as error:
            problems += [problem if problem.where else f"datasets fetch: {problem.what}"
                         for problem in error.problems]  # fmt: skip
            continue
        click.echo(f"{name}: {path}" if len(names) > 1 else str(path))
    if problems:
        fail(problems)
