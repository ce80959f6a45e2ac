"""`riskboard scorecard`: the release-readiness scorecard of a base checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import click

from evals.cli.common import db_option, fail

FORMATS = ("text", "json", "markdown", "html", "pdf")


@click.command("scorecard")
@click.argument("base")
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="A policy YAML file (default: the shipped policy).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format (pdf needs --out).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write to this file instead of the terminal."
)
@db_option
def scorecard_command(
    base: str, policy_path: Path | None, fmt: str, out: Path | None, db_url: str | None
) -> None:
    """The scorecard of BASE and the checkpoints adapted from it, under a policy."""
    from evals.cli.common import open_session
    from evals.evidence import UnknownCheckpoint
    from evals.reports import scorecard_for
    from evals.scoring.policy import PolicyError, load_policy

    if fmt == "pdf" and out is None:
        fail(["scorecard: --format pdf writes a file: give --out FILE.pdf"])
    try:
        policy = load_policy(policy_path) if policy_path else None
        with open_session(db_url) as session:
            card = scorecard_for(session, base, policy)
    except PolicyError as error:
        fail(error.problems)
        return
    except UnknownCheckpoint as error:
        fail([f"scorecard: {error.args[0]}"])
        return
    rendered = _render(card, fmt)
    if out is None:
        click.echo(rendered)
        return
    if isinstance(rendered, bytes):
        out.write_bytes(rendered)
    else:
        out.write_text(rendered, encoding="utf-8")
    click.echo(f"wrote {out} ({card.verdict})")


def _render(card, fmt: str) -> str | bytes:  # type: ignore[no-untyped-def]
    from evals.scoring import render
    from evals.scoring.pdf import render_pdf

    if fmt == "json":
        return json.dumps(card.to_dict(), indent=2)
    if fmt == "pdf":
        return render_pdf(card)
    return {
        "text": render.render_text,
        "markdown": render.render_markdown,
        "html": render.render_html,
    }[fmt](card)
