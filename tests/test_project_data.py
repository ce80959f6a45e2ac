"""The project's own data ships with a wheel, and is found from a checkout or an installed copy."""

from __future__ import annotations

import tomllib
from pathlib import Path

import evals.project_data
from evals.project_data import data_path

ROOT = Path(__file__).resolve().parents[1]
NOT_SHIPPED = {"data/demo/make_synthetic.py"}  # the script that wrote synthetic_release.json


def shipped_files() -> dict[str, str]:
    """Each file pyproject.toml's data-files installs -> the folder it is installed in."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = {}
    for target, patterns in config["tool"]["setuptools"]["data-files"].items():
        for pattern in patterns:
            for path in ROOT.glob(pattern):
                shipped[path.relative_to(ROOT).as_posix()] = target
    return shipped


def test_every_data_file_ships_in_the_wheel_under_share_riskboard():
    shipped = shipped_files()
    every = {p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*") if p.is_file()}
    assert every - NOT_SHIPPED == set(shipped)
    for file, target in shipped.items():
        assert target == "share/riskboard/" + str(Path(file).parent)


def test_a_checkout_reads_its_own_data_and_an_install_reads_the_shared_copy(tmp_path, monkeypatch):
    assert data_path("prompts") == ROOT / "data" / "prompts"
    monkeypatch.setattr(evals.project_data, "CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.setattr(evals.project_data, "INSTALLED", tmp_path / "share")
    assert (
        data_path("studies", "miniature.yaml") == tmp_path / "share" / "studies" / "miniature.yaml"
    )
