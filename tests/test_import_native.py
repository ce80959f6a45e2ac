"""Golden tests of the native JSON and CSV importers, through the one import API into a real database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import session_scope
from db.models import CategoryResult, Checkpoint, EvalRun, FinetuneCost, Sample
from evals.importing import InvalidInput, import_file
from evals.reports import checkpoint_rows, result_rows

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    p for folder in ("native", "csv") for p in (FIXTURES / folder).iterdir() if p.suffix in (".json", ".csv")
    and not p.name.endswith(".expected.json")
)  # fmt: skip
PRE_IMPORTS = {
    "adapter_of_stored.json": ["conflict_a.json"],
    # names a stored merged checkpoint whose base is not in the file: that base exists already
    "adapter_of_stored_merged.json": ["merged_stored.json"],
    "conflict_b.json": ["conflict_a.json"],
}


def _import(engine, path: Path, **options) -> dict:
    """Import one file in its own transaction; the outcome as JSON-ready data."""
    try:
        with session_scope(engine) as session, path.open("rb") as fp:
            report = import_file(session, fp, filename=path.name, **options)
        return {"status": report.status, "summary": report.summary(), "warnings": report.warnings}
    except InvalidInput as error:
        return {"status": "rejected", "problems": [str(p) for p in error.problems]}


def _stored(engine) -> dict:
    with session_scope(engine) as session:
        checkpoints = checkpoint_rows(session)
        results = {c["name"]: result_rows(session, c["name"]) for c in checkpoints}
        samples = session.scalar(select(func.count(Sample.id)))
    for rows in results.values():
        for row in rows:
            row.pop("run")
    return {"checkpoints": checkpoints, "results": results, "samples": samples}


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(engine, golden, path: Path) -> None:
    for earlier in PRE_IMPORTS.get(path.name, []):
        assert _import(engine, path.parent / earlier)["status"] == "stored"
    outcome = _import(engine, path)
    outcome["stored"] = _stored(engine)
    golden(path.with_suffix(".expected.json"), outcome)


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_good_file_stores_everything(engine) -> None:
    outcome = _import(engine, FIXTURES / "native" / "good.json")
    assert outcome["status"] == "stored"
    assert (_count(engine, Checkpoint), _count(engine, CategoryResult), _count(engine, Sample)) == (
        2,
        6,
        2,
    )
    assert _count(engine, FinetuneCost) == 2


def test_same_file_twice_is_a_no_op(engine) -> None:
    path = FIXTURES / "native" / "good.json"
    _import(engine, path)
    second = _import(engine, path)
    assert second["status"] == "already imported"
    assert "already imported" in second["summary"]
    assert _count(engine, EvalRun) == 5


def test_nothing_stored_when_any_problem(engine) -> None:
    outcome = _import(engine, FIXTURES / "native" / "bad_many.json")
    assert outcome["status"] == "rejected"
    assert len(outcome["problems"]) >= 8, "every problem is reported, not the first"
    assert _count(engine, Checkpoint) == 0 and _count(engine, CategoryResult) == 0


def test_problem_in_a_late_sample_rolls_back_everything(engine) -> None:
    data = json.loads((FIXTURES / "native" / "good.json").read_text())
    data["samples"].append(dict(data["samples"][0]))  # a repeated sample id, found while streaming
    outcome = _import_bytes(engine, json.dumps(data).encode(), "late.json")
    assert outcome["status"] == "rejected"
    assert any("repeats sample id" in p for p in outcome["problems"])
    assert _count(engine, Checkpoint) == 0 and _count(engine, Sample) == 0


def _import_bytes(engine, data: bytes, name: str, **options) -> dict:
    try:
        with session_scope(engine) as session:
            report = import_file(session, io.BytesIO(data), filename=name, **options)
        return {"status": report.status, "summary": report.summary()}
    except InvalidInput as error:
        return {"status": "rejected", "problems": [str(p) for p in error.problems]}


def test_conflicting_redefinition_names_both_values(engine) -> None:
    _import(engine, FIXTURES / "native" / "conflict_a.json")
    outcome = _import(engine, FIXTURES / "native" / "conflict_b.json")
    assert outcome["status"] == "rejected"
    (problem,) = outcome["problems"]
    assert "'Llama 2'" in problem and "'Llama-2'" in problem and "family" in problem


def test_tens_of_megabytes_import(engine) -> None:
    samples = [
        {"checkpoint": "big", "benchmark": "b", "id": str(i), "category": "privacy",
         "prompt": "p" * 200, "response": "I can't help with that. " * 8, "label": "refused"}
        for i in range(60_000)
    ]  # fmt: skip
    data = json.dumps(
        {"riskboard": "1", "checkpoints": [{"name": "big"}], "samples": samples}
    ).encode()
    assert len(data) > 20 * 1024 * 1024
    outcome = _import_bytes(engine, data, "big.json")
    assert outcome["status"] == "stored", outcome
    assert _count(engine, Sample) == 60_000


def test_unknown_format_name_is_reported(engine) -> None:
    outcome = _import_bytes(engine, b'{"riskboard": "1"}', "x.json", format="yaml")
    assert outcome["problems"] == [
        "x.json: unknown format 'yaml'; one of auto, native, csv, lm-eval, inspect, helm, harmbench, jbb, garak"
    ]


def test_samples_without_results_are_counted_per_category(engine) -> None:
    _import(engine, FIXTURES / "native" / "samples_only.json")
    with session_scope(engine) as session:
        rows = {
            (r["benchmark"], r["category"]): (r["k"], r["n"]) for r in result_rows(session, "solo")
        }
    assert rows[("riskboard-harmful", None)] == (1, 3)  # a partial refusal is not counted as safe
    assert rows[("riskboard-harmful", "privacy")] == (1, 2)
    assert rows[("riskboard-benign", None)] == (1, 2)


def test_kind_given_by_the_user_overrides_the_file(engine) -> None:
    data = json.loads((FIXTURES / "native" / "good.json").read_text())
    data["results"] = [r for r in data["results"] if r["benchmark"] == "mmlu"]
    data["samples"] = []
    _import_bytes(engine, json.dumps(data).encode(), "kind.json", kind="task")
    with session_scope(engine) as session:
        assert {r["kind"] for r in result_rows(session, "tiny-chat")} == {"task"}


def test_only_safety_runs_map_categories(engine) -> None:
    data = {
        "riskboard": "1",
        "checkpoints": [{"name": "c"}],
        "results": [
            {"checkpoint": "c", "benchmark": "mmlu", "kind": "capability", "metric": "acc",
             "category": "privacy", "k": 1, "n": 2},
            {"checkpoint": "c", "benchmark": "b", "kind": "refusal", "metric": "r",
             "category": "privacy", "k": 1, "n": 2},
        ],
    }  # fmt: skip
    _import_bytes(engine, json.dumps(data).encode(), "subjects.json")
    with session_scope(engine) as session:
        mapped = {r["kind"]: r["taxonomy_id"] for r in result_rows(session, "c")}
    assert mapped == {"capability": None, "refusal": "privacy"}
