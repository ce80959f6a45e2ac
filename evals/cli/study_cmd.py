"""`riskboard study run STUDY.yaml`: run a whole study, skipping what the database holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from evals.cli.common import db_option, fail
from evals.project_data import data_path

MINIATURE = data_path("studies", "miniature.yaml")


@click.group("study")
def study_group() -> None:
    """Studies: one YAML file describing a model, its alignment, fine-tuning arms and evaluations."""


@study_group.command("run")
@click.argument("study_file", metavar="STUDY.yaml", type=click.Path(path_type=Path))
@click.option("--only", metavar="STEP", help="Run one step: baseline, align, or an arm's name.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Folder for models, adapters and data (overrides the file's out).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@db_option
def run_command(
    study_file: Path, only: str | None, out: Path | None, quiet: bool, db_url: str | None
) -> None:
    """Run every step of STUDY.yaml (docs/studies.md) and store checkpoints, costs and results."""
    report = run_study_file(study_file, db_url, only=only, out=out, progress=not quiet)
    echo_timings(report)


def run_miniature_study(db_url: str) -> None:
    """`riskboard demo --measure`: run data/studies/miniature.yaml into the demo database."""
    click.echo(f"running the miniature study ({MINIATURE.name}; about 20 minutes on 2 CPU cores)")
    echo_timings(run_study_file(MINIATURE, db_url))


def echo_timings(report: Any) -> None:
    """What a study measured, how long each step took, and the total."""
    for line in report.lines:
        click.echo(line)
    for step, seconds in report.timings.items():
        click.echo(f"{step}: {seconds:.0f} s")
    click.echo(f"total: {sum(report.timings.values()):.0f} s")


@study_group.command("check")
@click.argument("study_file", metavar="STUDY.yaml", type=click.Path(path_type=Path))
def check_command(study_file: Path) -> None:
    """Validate STUDY.yaml without running anything."""
    from evals.importing import InvalidInput
    from evals.runners.study import validate_study

    try:
        spec = validate_study(study_file)
    except InvalidInput as error:
        fail(error.problems)
        return
    click.echo(f"{study_file}: valid; steps: {', '.join(spec.steps())}")


def run_study_file(
    study_file: Path, db_url: str | None, *, only: str | None = None, out: Path | None = None,
    progress: bool = True,
) -> Any:  # fmt: skip
    """Validate and run a study into the database at `db_url`; problems end the command."""
    from evals.cli.common import open_session, runner_errors
    from evals.importing import InvalidInput
    from evals.runners.storage import RunnerDatabase
    from evals.runners.study import run_study, validate_study

    try:
        spec = validate_study(study_file)
        return run_study(
            spec,
            RunnerDatabase(lambda: open_session(db_url)),
            only=only,
            out=out,
            progress=progress,
        )
    except InvalidInput as error:
        fail(error.problems)
    except runner_errors() as error:
        fail([str(error)])
    raise AssertionError("unreachable")  # fail() exits
