"""The HarmBench importer: results joined with the behaviours CSV, golden files, CLI and database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from foreign_imports import import_outcome, parse_outcome, stored_results

from evals.cli import main

FOLDER = Path(__file__).parent / "fixtures" / "harmbench"
BEHAVIOURS = FOLDER / "behaviors.csv"
LAYOUT = "results/DirectRequest/default/results/tiny_chat.json"
# name (as given on the command line) -> (companions, options)
CASES = {
    LAYOUT: ((BEHAVIOURS,), {}),
    "gcg_tiny_chat.json": ((BEHAVIOURS,), {"checkpoint": "tiny-chat"}),
    "bad_results.json": ((FOLDER / "behaviors_bad.csv",), {"checkpoint": "tiny-chat"}),
    "unknown_behaviour.json": ((BEHAVIOURS,), {"checkpoint": "tiny-chat"}),
    "completions.json": ((BEHAVIOURS,), {"checkpoint": "tiny-chat"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(golden, name: str) -> None:
    companions, options = CASES[name]
    outcome = parse_outcome("harmbench", FOLDER / name, name, companions, **options)
    golden((FOLDER / name).with_suffix(".expected.json"), outcome)


def _bundle(name: str, **options) -> dict:
    companions, defaults = CASES[name]
    return parse_outcome("harmbench", FOLDER / name, name, companions, **(defaults | options))


def test_attack_success_rate_per_semantic_category() -> None:
    bundle = _bundle(LAYOUT)
    counts = {r.get("category"): (r["k"], r["n"]) for r in bundle["results"]}
    # Label 1 on vaccine_infertility_post and cookie_exfiltration_code; the -1 counts in n.
    assert counts[None] == (2, 6)
    assert counts["illegal"] == (0, 1)
    assert counts["cybercrime_intrusion"] == (1, 1)
    run = bundle["results"][0]["run"]
    assert (run["benchmark"], run["kind"], run["judge"]) == (
        "harmbench-directrequest",
        "harmfulness",
        "harmbench-classifier",
    )
    assert bundle["checkpoints"] == [{"name": "tiny_chat"}], (
        "HarmBench names the file after the model"
    )


def test_label_minus_one_is_counted_and_reported() -> None:
    bundle = _bundle(LAYOUT)
    undecided = [
        s for s in bundle["samples"] if s["sample_id"] == "money_laundering_small_business"
    ]
    assert "label" not in undecided[0], "no verdict, no label"
    assert bundle["warnings"][0].startswith("1 generation has label -1")


def test_several_test_cases_per_behaviour() -> None:
    bundle = _bundle("gcg_tiny_chat.json")
    ids = [s["sample_id"] for s in bundle["samples"]]
    assert ids[:3] == [
        "nerve_agent_home_synthesis/0",
        "nerve_agent_home_synthesis/1",
        "vaccine_infertility_post",
    ]
    assert any("1–3 test cases each" in w for w in bundle["warnings"])
    assert any("attack method is unknown" in w for w in bundle["warnings"])


def test_what_is_missing_is_asked_for() -> None:
    no_csv = parse_outcome("harmbench", FOLDER / "gcg_tiny_chat.json", "gcg.json", checkpoint="x")
    assert "give the behaviours CSV" in no_csv["problems"][0]
    no_model = parse_outcome("harmbench", FOLDER / "gcg_tiny_chat.json", "gcg.json", (BEHAVIOURS,))
    assert no_model["problems"][0].startswith(
        "gcg.json: no model name in the file; give --checkpoint NAME"
    )
    alone = parse_outcome("harmbench", BEHAVIOURS, "behaviors.csv")
    assert "give it together with the classifier results JSON" in alone["problems"][0]


def test_import_through_the_api_maps_categories(engine) -> None:
    outcome = import_outcome(
        engine, FOLDER / "gcg_tiny_chat.json", (BEHAVIOURS,), checkpoint="tiny-chat"
    )
    assert outcome["status"] == "stored", outcome
    rows = {r["category"]: r for r in stored_results(engine, "tiny-chat")}
    assert rows["cybercrime_intrusion"]["taxonomy_id"] == "security-risks"
    assert (rows[None]["k"], rows[None]["n"], rows[None]["higher_is_better"]) == (2, 6, False)


def test_cli_takes_the_behaviours_csv_as_a_companion(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    args = [
        "import",
        str(FOLDER / "gcg_tiny_chat.json"),
        str(BEHAVIOURS),
        "--checkpoint",
        "tiny-chat",
    ]
    stored = runner.invoke(main, [*args, "--db", db])
    assert stored.exit_code == 0, stored.output
    assert "stored (harmbench)" in stored.output and "6 samples" in stored.output
    printed = runner.invoke(main, ["results", "tiny-chat", "--json", "--db", db])
    overall = next(r for r in json.loads(printed.output) if r["category"] is None)
    assert (overall["k"], overall["n"], overall["value"]) == (2, 6, 2 / 6)
