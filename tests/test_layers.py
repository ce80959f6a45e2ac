"""The layer rules of DESIGN.md, checked: no torch on import, and the import-linter contracts hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "peft")


@pytest.mark.parametrize(
    "module",
    [
        "db",
        "evals",
        "dashboard",
        "evals.cli",
        "evals.importing",
        "evals.scoring",
        "evals.runners",
        "evals.reports",
    ],
)
def test_import_never_loads_torch(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "", f"importing {module} loaded {loaded.stdout.strip()}"


def test_cli_help_lists_commands_without_torch() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from evals.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); print(r.output);"
        "print('HEAVY:' + ','.join(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert "import" in out and "scorecard" in out
    assert out.strip().endswith("HEAVY:")


def test_layer_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
