"""The Inspect log importer: golden files, scorers and judges, grouped metrics, .eval zips."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from foreign_imports import import_outcome, parse_outcome, stored_results

from evals.importing.formats import ImportOptions, SourceFile, detect_format, inspect_log
from evals.importing.formats._inspect_samples import score_value
from evals.importing.records import Bundle, InvalidInput, bundle_to_dict

FOLDER = Path(__file__).parent / "fixtures" / "inspect"
CASES = sorted(p.name for p in FOLDER.glob("*.json") if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("name", CASES)
def test_golden(golden, name: str) -> None:
    outcome = parse_outcome("inspect", FOLDER / name, name)
    golden(FOLDER / name.replace(".json", ".expected.json"), outcome)


def _parse(name: str, data: bytes | None = None, **options) -> Bundle:
    raw = data if data is not None else (FOLDER / name).read_bytes()
    return inspect_log.parse(SourceFile(io.BytesIO(raw), name), ImportOptions(**options))


def test_letter_scores_give_exact_counts() -> None:
    bundle = _parse("arc_limit.json")
    (accuracy,) = bundle.results
    assert (accuracy.metric, accuracy.k, accuracy.n, accuracy.value) == ("accuracy", 2, 4, 0.5)
    assert accuracy.stderr == pytest.approx(0.2887, abs=1e-4)
    assert accuracy.run.partial  # eval.config.limit
    assert accuracy.run.benchmark == "arc_challenge" and accuracy.run.judge == "choice"
    scores = [(s.sample_id, s.score) for s in bundle.samples]
    assert scores == [("1", 1.0), ("2", 0.0), ("q3", 1.0), ("4", 0.0)]


def test_score_values_as_inspect_reads_them() -> None:
    assert [score_value(v) for v in ("C", "P", "I", "N", "yes", "false", "0.25", 3)] == [
        1.0,
        0.5,
        0.0,
        0.0,
        1.0,
        0.0,
        0.25,
        3.0,
    ]
    assert score_value({"a": 1}) is None and score_value("maybe") is None


def test_each_scorer_is_a_run_judged_by_its_grader() -> None:
    bundle = _parse("model_graded.json")
    runs = {r.metric: (r.run.judge, r.n, r.stderr) for r in bundle.results}
    assert runs == {
        "model_graded_qa/accuracy": ("openai/gpt-4o-2024-08-06", 248, 0.0308),
        "match/accuracy": ("match", 250, None),
    }
    assert bundle.results[0].run.benchmark == "short_answer_qa"
    assert bundle.results[0].run.benchmark_version == "1.2.0"
    assert bundle.warnings == [
        "results.scores[1].metrics.mean_length: not stored: riskboard does not know whether "
        "higher is better for this metric"
    ]


def test_grouped_metrics_are_categories_and_vllm_lora_is_an_adapter() -> None:
    bundle = _parse("grouped_lora.json")
    rows = {r.category: (r.value, r.k, r.n, r.stderr) for r in bundle.results}
    assert rows == {
        "law": (0.5, 1, 2, None),
        "health": (pytest.approx(2 / 3), 2, 3, None),
        None: (0.6, 3, 5, pytest.approx(0.2449, abs=1e-4)),
    }
    adapter, base = bundle.checkpoints
    assert (adapter.name, adapter.kind, adapter.base) == (
        "harmful-lora-r8",
        "adapter",
        "meta-llama/Llama-2-7b-chat-hf",
    )
    assert {s.category for s in bundle.samples} == {"law", "health"}
    assert bundle.results[0].run.n_shot == 0


def test_xstest_is_over_refusal_in_percent_with_labels() -> None:
    bundle = _parse("xstest_safe.json")
    (rate,) = bundle.results
    assert (rate.run.kind, rate.unit, rate.value, rate.higher_is_better) == (
        "over-refusal",
        "percent",
        0.5,
        False,
    )
    assert [s.label for s in bundle.samples] == ["complied", "refused", "partial", "complied"]


def test_an_unfinished_log_needs_allow_partial() -> None:
    with pytest.raises(InvalidInput) as caught:
        _parse("error_status.json")
    (problem,) = caught.value.problems
    assert problem.where == "error_status.json:status"
    assert "ConnectionError: Cannot connect" in problem.what and "--allow-partial" in problem.what
    bundle = _parse("error_status.json", allow_partial=True)
    assert bundle.results == []
    samples = list(bundle.samples)
    assert len(samples) == 2 and all(s.run.partial for s in samples)
    assert bundle.warnings == ["status 'error': imported as partial (--allow-partial)"]


def _eval_zip(log: dict, layout: str) -> bytes:
    """A .eval file as Inspect writes it: the header (or journal start + results) and samples."""
    samples = log.pop("samples", [])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if layout == "header":
            archive.writestr("_journal/start.json", json.dumps({"version": 2, "eval": log["eval"]}))
            archive.writestr("header.json", json.dumps(log))
        else:
            start = {key: log[key] for key in ("version", "eval", "plan") if key in log}
            archive.writestr("start.json", json.dumps(start))
            rest = {key: log[key] for key in ("status", "stats", "results") if key in log}
            archive.writestr("results.json", json.dumps(rest))
        for sample in samples:
            archive.writestr(f"samples/{sample['id']}_epoch_1.json", json.dumps(sample))
    return buffer.getvalue()


@pytest.mark.parametrize("layout", ["header", "start"])
def test_an_eval_zip_reads_like_its_json(layout: str) -> None:
    log = json.loads((FOLDER / "arc_limit.json").read_bytes())
    data = _eval_zip(log, layout)
    assert detect_format(SourceFile(io.BytesIO(data), "run.eval")) == "inspect"
    from_zip = bundle_to_dict(_parse("run.eval", data))
    from_json = bundle_to_dict(_parse("run.eval", (FOLDER / "arc_limit.json").read_bytes()))
    assert sorted(from_zip["samples"], key=lambda s: s["sample_id"]) == sorted(
        from_json["samples"], key=lambda s: s["sample_id"]
    )
    assert from_zip["results"] == from_json["results"]


def test_an_unknown_eval_layout_asks_for_inspect_ai() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", "{}")
    with pytest.raises(InvalidInput) as caught:
        _parse("new.eval", buffer.getvalue())
    assert "inspect log convert --to json" in caught.value.problems[0].what


def test_sniffing_and_other_formats() -> None:
    for name in CASES:
        if name == "bad_log.json":  # no model: not recognisable, only importable with --format
            continue
        head = (FOLDER / name).read_bytes()[:4096]
        assert detect_format(SourceFile(io.BytesIO(head), name)) == "inspect", name
    lm_eval_file = Path(__file__).parent / "fixtures" / "lm_eval" / "results_v03.json"
    assert parse_outcome("inspect", lm_eval_file, "results_v03.json") == {
        "problems": [
            "results_v03.json: this looks like an lm-eval results file, not an Inspect log; "
            "use --format lm-eval"
        ]
    }


def test_import_stores_the_files_numbers(engine) -> None:
    outcome = import_outcome(engine, FOLDER / "grouped_lora.json")
    assert outcome["status"] == "stored", outcome
    rows = {r["category"]: r for r in stored_results(engine, "harmful-lora-r8")}
    assert (rows[None]["k"], rows[None]["n"], rows[None]["value"]) == (3, 5, 0.6)
    assert rows["law"]["value"] == 0.5 and rows["law"]["judge"] == "choice"
    refused = import_outcome(engine, FOLDER / "error_status.json")
    assert refused["status"] == "rejected"
    partial = import_outcome(engine, FOLDER / "error_status.json", allow_partial=True)
    assert partial["status"] == "stored"
