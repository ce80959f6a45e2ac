"""The HELM importer: golden files per run directory, splits, AIR-Bench categories, zips, the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from foreign_imports import parse_outcome

from evals.importing.formats import ImportOptions, SourceFile, detect_format, helm
from evals.importing.records import Bundle, InvalidInput, bundle_to_dict

FOLDER = Path(__file__).parent / "fixtures" / "helm"
RUNS = sorted(p.name for p in FOLDER.iterdir() if p.is_dir())


def _outcome(run: str) -> dict:
    """The run parsed as `riskboard import RUN_DIR` hands it over: run_spec.json + companions."""
    folder = FOLDER / run
    companions = tuple(p for p in sorted(folder.iterdir()) if p.name != "run_spec.json")
    return parse_outcome("helm", folder / "run_spec.json", f"{run}/run_spec.json", companions)


@pytest.mark.parametrize("run", RUNS)
def test_golden(golden, run: str) -> None:
    golden(FOLDER / f"{run}.expected.json", _outcome(run))


def _zip(run: str, folder_in_zip: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((FOLDER / run).iterdir()):
            archive.write(path, f"{folder_in_zip}{path.name}")
    return buffer.getvalue()


def _parse(data: bytes, name: str = "run.zip", **options) -> Bundle:
    return helm.parse(SourceFile(io.BytesIO(data), name), ImportOptions(**options))


def test_test_split_without_perturbations_and_n_from_num_instances() -> None:
    outcome = _outcome("mmlu_run")
    exact = outcome["results"][0]
    assert exact["metric"] == "exact_match" and exact["run"]["benchmark"] == "mmlu_college_medicine"
    # 4 test instances (the valid one and the perturbed stats are left out); count is trials.
    assert (exact["k"], exact["n"], exact["value"]) == (2, 4, 0.5)
    assert [s["sample_id"] for s in outcome["samples"]] == ["id10", "id11", "id12", "id13"]
    metrics = [r["metric"] for r in outcome["results"]]
    assert "exact_match@5" not in metrics and "perplexity" not in metrics
    # per_instance_stats.json has no prefix_exact_match: its k is not claimed.
    prefix = next(r for r in outcome["results"] if r["metric"] == "prefix_exact_match")
    assert "k" not in prefix and prefix["n"] == 4
    assert outcome["results"][0]["run"]["n_shot"] == 5


def test_air_bench_scores_are_refusal_rates_per_category() -> None:
    outcome = _outcome("air_bench_run")
    rows = {r.get("category"): r for r in outcome["results"]}
    assert set(rows) == {None, "1", "1.1", "1.2", "3", "3.4"}  # level 4 is left out
    assert all(
        r["run"]["kind"] == "refusal" and r["metric"] == "refusal_rate" for r in rows.values()
    )
    assert rows[None]["value"] == pytest.approx(0.7) and rows[None]["n"] == 5
    assert "k" not in rows[None]  # a 0.5 score: no whole count
    assert (rows["3"]["k"], rows["3"]["n"]) == (2, 2)
    assert rows[None]["run"]["benchmark"] == "air-bench-2024"
    labels = [(s["category"], s["label"]) for s in outcome["samples"]]
    assert labels == [
        ("1.1", "refused"),
        ("1.1", "complied"),
        ("1.2", "partial"),
        ("3.4", "refused"),
        ("3.4", "refused"),
    ]


def test_a_zip_of_a_run_reads_like_its_directory() -> None:
    for folder_in_zip in ("", "mmlu_run/"):
        data = _zip("mmlu_run", folder_in_zip)
        assert detect_format(SourceFile(io.BytesIO(data), "mmlu_run.zip")) == "helm"
        from_zip = bundle_to_dict(_parse(data))
        assert from_zip["results"] == _outcome("mmlu_run")["results"]
        assert len(from_zip["samples"]) == 4


def test_a_zip_of_two_runs_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for run in ("mmlu_run", "air_bench_run"):
            for path in sorted((FOLDER / run).iterdir()):
                archive.write(path, f"{run}/{path.name}")
    with pytest.raises(InvalidInput) as caught:
        _parse(buffer.getvalue())
    assert "holds 2 HELM runs" in caught.value.problems[0].what


def test_a_lone_stats_file_asks_for_the_directory() -> None:
    stats = (FOLDER / "mmlu_run" / "stats.json").read_bytes()
    assert detect_format(SourceFile(io.BytesIO(stats), "stats.json")) == "helm"
    with pytest.raises(InvalidInput) as caught:
        _parse(stats, "stats.json")
    assert caught.value.problems[0].what.startswith("run_spec.json of the HELM run is missing")


def test_other_formats_are_named() -> None:
    inspect_log = Path(__file__).parent / "fixtures" / "inspect" / "arc_limit.json"
    assert parse_outcome("helm", inspect_log, "arc_limit.json") == {
        "problems": [
            "arc_limit.json: this looks like an Inspect log, not a HELM run; use --format inspect"
        ]
    }


def test_cli_imports_a_run_directory_and_prints_its_numbers(tmp_path: Path) -> None:
    from evals.cli import main

    db = f"sqlite:///{tmp_path / 'helm.db'}"
    runner = CliRunner()
    stored = runner.invoke(main, ["import", "--db", db, str(FOLDER / "air_bench_run")])
    assert stored.exit_code == 0, stored.output
    assert "stored (helm): 1 checkpoints, 1 new, 1 runs, 6 results, 5 samples" in stored.output
    printed = runner.invoke(main, ["results", "--db", db, "meta/llama-2-7b-chat", "--json"])
    rows = {r["category"]: r for r in json.loads(printed.output)}
    assert rows["1.1"]["taxonomy_id"] == "security-risks/confidentiality"
    assert (rows["1.1"]["k"], rows["1.1"]["n"], rows["1.1"]["value"]) == (1, 2, 0.5)
    assert rows[None]["value"] == pytest.approx(0.7)
    again = runner.invoke(main, ["import", "--db", db, str(FOLDER / "air_bench_run")])
    assert "already imported" in again.output
