"""`riskboard import`: validate and store result files, one transaction per file."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import IO, Any

import click

from evals.cli.common import db_option, fail
from evals.importing.formats import FORMAT_MODULES, SNIFF_BYTES, is_companion


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *FORMAT_MODULES]),
    default="auto",
    show_default=True,
    help="Input format; auto-detected by default.",
)
@click.option("--checkpoint", help="Checkpoint name, for formats whose files do not say it.")
@click.option("--base", help="Base checkpoint of --checkpoint (makes it an adapted checkpoint).")
@click.option(
    "--kind",
    type=click.Choice(["refusal", "over-refusal", "harmfulness", "capability", "task"]),
    help="What the file's runs measure, for formats that cannot say (Inspect, HELM tasks).",
)
@click.option("--classify", is_flag=True, help="Label samples that have a response but no label.")
@click.option("--allow-partial", is_flag=True, help="Accept runs the file marks as unfinished.")
@db_option
def import_command(
    paths: tuple[Path, ...],
    fmt: str,
    checkpoint: str | None,
    base: str | None,
    kind: str | None,
    classify: bool,
    allow_partial: bool,
    db_url: str | None,
) -> None:
    """Validate and store result files (native JSON, CSV, or another harness's output).

    Files that only accompany another (lm-eval samples, HarmBench behaviours) are given with it;
    a directory (a HELM run) is one input. Problems print as `where: what`; nothing of a file
    with problems is stored.
    """
    options = {
        "format": fmt,
        "checkpoint": checkpoint,
        "base": base,
        "kind": kind,
        "classify": classify,
        "allow_partial": allow_partial,
    }
    primaries, companions = group_inputs(paths)
    failed = False
    for primary in primaries:
        failed |= not _import_one(primary, companions, options, db_url)
    if failed:
        fail([])


def _import_one(
    primary: Path, companions: list[Path], options: dict[str, Any], db_url: str | None
) -> bool:
    from evals.cli.common import open_session
    from evals.importing import InvalidInput, import_file

    main_file, extra = _expand(primary, companions)
    with contextlib.ExitStack() as stack:
        fp = stack.enter_context(main_file.open("rb"))
        streams: dict[str, IO[bytes]] = {str(p): stack.enter_context(p.open("rb")) for p in extra}
        try:
            with open_session(db_url) as session:
                report = import_file(
                    session, fp, filename=str(primary), companions=streams, **options
                )
        except InvalidInput as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            return False
    click.echo(report.summary())
    for warning in report.warnings:
        click.echo(f"  warning: {warning}", err=True)
    return True


def group_inputs(paths: tuple[Path, ...]) -> tuple[list[Path], list[Path]]:
    """Split the paths into files to import and files that accompany them."""
    primaries, companions = [], []
    for path in paths:
        (companions if _is_companion(path) else primaries).append(path)
    if not primaries:
        primaries, companions = companions, []
    return primaries, companions


def _is_companion(path: Path) -> bool:
    if path.is_dir():
        return False
    with path.open("rb") as fp:
        return is_companion(fp.read(SNIFF_BYTES), path.name)


def _expand(primary: Path, companions: list[Path]) -> tuple[Path, list[Path]]:
    """A directory (a HELM run) becomes its run_spec.json with the other files as companions."""
    if not primary.is_dir():
        return primary, companions
    files = sorted(p for p in primary.iterdir() if p.is_file())
    main = primary / "run_spec.json"
    if main not in files:
        return (files[0] if files else primary), files[1:]
    return main, [p for p in files if p != main] + companions
