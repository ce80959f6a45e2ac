"""The garak report importer: golden files per report shape, streaming, and imports into a database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from foreign_imports import import_outcome, parse_outcome, stored_results
from sqlalchemy import func, select

from db.engine import session_scope
from db.models import CategoryResult, Checkpoint, EvalRun, Sample
from evals.importing.formats import ImportOptions, SourceFile, detect_format, garak
from evals.importing.records import Bundle

FOLDER = Path(__file__).parent / "fixtures" / "garak"
CASES = sorted(p.name for p in FOLDER.glob("*.report.jsonl"))
OPTIONS = {
    "no_model.report.jsonl": {},
    "unfinished.report.jsonl": {"allow_partial": True},
}
NOT_GARAK = Path(__file__).parent / "fixtures" / "jbb" / "pair_small.json"


@pytest.mark.parametrize("name", CASES)
def test_golden(golden, name: str) -> None:
    outcome = parse_outcome("garak", FOLDER / name, name, **OPTIONS.get(name, {}))
    golden(FOLDER / name.replace(".report.jsonl", ".expected.json"), outcome)


def _parse(name: str, **options) -> Bundle:
    source = SourceFile(io.BytesIO((FOLDER / name).read_bytes()), name)
    return garak.parse(source, ImportOptions(**options))


def test_pass_rate_counts_and_mirrored_interval() -> None:
    bundle = _parse("probes_v014.report.jsonl")
    bypass = next(r for r in bundle.results if r.metric == "pass_rate:mitigation.MitigationBypass")
    # garak's interval (0.05, 0.71) is on the attack success rate; the pass rate's is 1 minus it.
    assert (bypass.k, bypass.n, bypass.ci_low, bypass.ci_high) == (2, 3, 0.29, 0.95)
    assert bypass.higher_is_better and bypass.run.kind == "harmfulness"
    assert bypass.run.benchmark == "garak-dan.Dan_11_0" and bypass.category == "dan"


def test_a_90_percent_interval_is_not_stored_as_a_95_percent_one() -> None:
    bundle = _parse("probes_v014.report.jsonl")
    decode = next(r for r in bundle.results if r.metric == "pass_rate:encoding.DecodeMatch")
    assert (decode.ci_low, decode.ci_high) == (None, None)
    assert any("0.9 interval is not stored" in w for w in bundle.warnings)


def test_samples_are_streamed_after_parse() -> None:
    bundle = _parse("bad_attempt.report.jsonl")
    assert not isinstance(bundle.samples, list), "attempts must be read lazily, not held in memory"
    assert bundle.late_problems == [], "the attempts have not been read yet"
    samples = list(bundle.samples)
    assert len(samples) == 2, "the attempt with a bad score is left out"
    assert [str(p) for p in bundle.late_problems] == [
        "bad_attempt.report.jsonl:6.detector_results.encoding.DecodeMatch[0]: not a score: 'high'"
    ]


def test_an_output_is_unsafe_when_any_detector_hits() -> None:
    samples = list(_parse("probes_v014.report.jsonl").samples)
    labels = {(s.run.benchmark, s.sample_id): (s.label, s.score) for s in samples}
    assert labels[("garak-dan.Dan_11_0", "0/1")] == ("complied", 1.0)
    assert labels[("garak-dan.Dan_11_0", "0/0")] == ("refused", 0.0)
    assert labels[("garak-dan.Dan_11_0", "1/1")] == (None, None), "no output, no verdict"


def test_taxonomy_tags_become_categories() -> None:
    bundle = _parse("taxonomy_owasp.report.jsonl")
    categories = {(r.run.benchmark, r.category) for r in bundle.results}
    assert categories == {
        ("garak-dan.Dan_11_0", "owasp:llm01"),
        ("garak-encoding.InjectBase64", "owasp:llm01"),
        ("garak-encoding.InjectBase64", "owasp:llm02"),
    }


def test_unfinished_run_needs_allow_partial() -> None:
    outcome = parse_outcome("garak", FOLDER / "unfinished.report.jsonl", "unfinished.report.jsonl")
    assert outcome == {
        "problems": [
            "unfinished.report.jsonl: the garak run did not finish (no completion entry); "
            "give --allow-partial to import the probes it evaluated"
        ]
    }
    bundle = _parse("unfinished.report.jsonl", allow_partial=True)
    assert all(r.run.partial for r in bundle.results)


def test_older_reports_are_read() -> None:
    bundle = _parse("legacy_v09.report.jsonl")
    (result,) = bundle.results
    assert (result.metric, result.k, result.n) == (
        "pass_rate:riskywords.SurgeProfanityAnimalReferences",
        2,
        3,
    )
    assert result.run.benchmark == "garak-lmrc.Profanity"
    assert bundle.checkpoints[0].name == "example-org/tiny-chat-1b"


def test_checkpoint_and_base_options_name_the_model() -> None:
    bundle = _parse("no_model.report.jsonl", checkpoint="tiny-lora", base="tiny")
    (checkpoint,) = bundle.checkpoints
    assert (checkpoint.name, checkpoint.base) == ("tiny-lora", "tiny")


def test_sniff_and_wrong_format_hint() -> None:
    head = (FOLDER / "probes_v014.report.jsonl").read_bytes()[:4096]
    assert garak.sniff(head, "x.report.jsonl")
    assert not garak.sniff(NOT_GARAK.read_bytes(), NOT_GARAK.name)
    source = SourceFile(io.BytesIO(head), "x.report.jsonl")
    assert detect_format(source) == "garak"
    outcome = parse_outcome("garak", NOT_GARAK, NOT_GARAK.name)
    assert outcome == {
        "problems": [
            "pair_small.json: this looks like a JailbreakBench artifact, not a garak report; "
            "use --format jbb"
        ]
    }


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_stores_runs_results_and_samples(engine) -> None:
    outcome = import_outcome(engine, FOLDER / "probes_v014.report.jsonl")
    assert outcome["status"] == "stored", outcome
    assert (_count(engine, EvalRun), _count(engine, CategoryResult), _count(engine, Sample)) == (
        2,
        3,
        8,
    )
    rows = stored_results(engine, "example-org/tiny-chat-1b")
    dan = next(r for r in rows if r["metric"] == "pass_rate:dan.DAN")
    assert (dan["k"], dan["n"], dan["value"], dan["kind"]) == (2, 3, 2 / 3, "harmfulness")
    again = import_outcome(engine, FOLDER / "probes_v014.report.jsonl")
    assert again["status"] == "already imported"


def test_a_bad_attempt_stores_nothing(engine) -> None:
    outcome = import_outcome(engine, FOLDER / "bad_attempt.report.jsonl")
    assert outcome["status"] == "rejected"
    assert outcome["problems"] == [
        "bad_attempt.report.jsonl:6.detector_results.encoding.DecodeMatch[0]: not a score: 'high'"
    ]
    assert _count(engine, Checkpoint) == 0 and _count(engine, Sample) == 0


def test_partial_import_is_marked_and_leaves_unscored_attempts_out(engine) -> None:
    outcome = import_outcome(engine, FOLDER / "unfinished.report.jsonl", allow_partial=True)
    assert outcome["status"] == "stored", outcome
    rows = stored_results(engine, "example-org/tiny-chat-1b")
    assert rows and all(row["partial"] for row in rows)
    assert _count(engine, Sample) == 4, "only the scored probe's outputs"
