"""`riskboard classify`: label saved responses with the refusal classifier, without a model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from evals.cli.common import fail
from evals.importing.records import Problem

LABEL_ORDER = ("refused", "partial", "complied")


@click.command("classify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, label}.")
def classify_command(file: Path, as_json: bool) -> None:
    """Label every response in FILE (JSONL with id, prompt, response) as refused/partial/complied."""
    from evals.classifier import CLASSIFIER_NAME, CLASSIFIER_VERSION, explain

    records, problems = read_responses(file)
    if problems:
        fail(problems)
        return
    decided = [(record["id"], explain(record["response"])) for record in records]
    if as_json:
        click.echo(json.dumps([{"id": i, "label": c.label} for i, c in decided], indent=2))
        return
    from evals.cli.common import format_table

    rows = [{"id": i, "label": c.label, "rule": c.rule} for i, c in decided]
    for line in format_table(rows, ["id", "label", "rule"]):
        click.echo(line)
    counts: Counter[str] = Counter(c.label for _, c in decided)
    summary = ", ".join(f"{label} {counts[label]}" for label in LABEL_ORDER)
    click.echo(f"{summary} (of {len(decided)}; {CLASSIFIER_NAME} v{CLASSIFIER_VERSION})")


def read_responses(path: Path) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The records of a responses file and every problem in it, as `FILE:LINE: what`."""
    from evals.datasets import DatasetError
    from evals.datasets.local import jsonl_rows, read_text

    try:
        text = read_text(path)
    except DatasetError as error:
        return [], list(error.problems)
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for where, record in jsonl_rows(text, str(path)):
        what = _problem(record, seen)
        if what:
            problems.append(Problem(where, what))
        else:
            records.append({"id": str(record["id"]), "response": record["response"]})
            seen.add(str(record["id"]))
    if not records and not problems:
        problems.append(Problem(str(path), "no responses"))
    return records, problems


def _problem(record: Any, seen: set[str]) -> str | None:
    """What is wrong with one line of a responses file, or None."""
    if isinstance(record, str):
        return record
    if not isinstance(record, dict):
        return "expected an object with id, prompt and response"
    identifier = record.get("id")
    if isinstance(identifier, bool) or not isinstance(identifier, str | int) or identifier == "":
        return "missing 'id' (text or number)"
    if str(identifier) in seen:
        return f"duplicate id {str(identifier)!r}"
    if not isinstance(record.get("response"), str):
        return (
            "missing 'response' (text)" if "response" not in record else "'response' must be text"
        )
    prompt = record.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        return "'prompt' must be text"
    return None
