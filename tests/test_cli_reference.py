"""docs/cli.md documents every command and option as the code defines them."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.cli import COMMANDS
from evals.cli.reference import render_reference

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_docs_cli_md_is_current(request: pytest.FixtureRequest) -> None:
    text = render_reference()
    if request.config.getoption("--update-golden"):
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == text, (
        "run: pytest --update-golden, then review docs/cli.md"
    )


def test_every_command_is_documented() -> None:
    text = render_reference()
    for name in COMMANDS:
        assert f"## `riskboard {name}" in text, f"riskboard {name} is missing from the reference"
