"""The lm-evaluation-harness importer: golden files, groups, counts, adapters, samples, imports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from foreign_imports import import_outcome, parse_outcome, stored_results

from evals.importing.formats import ImportOptions, SourceFile, detect_format, lm_eval
from evals.importing.records import Bundle, InvalidInput

FOLDER = Path(__file__).parent / "fixtures" / "lm_eval"
MAIN = "results_2026-03-01T10-00-00.000001.json"
LIMITED = "results_2026-03-02T08-30-00.000002.json"
SAMPLES = {
    "hellaswag": "samples_hellaswag_2026-03-01T10-00-00.000001.jsonl",
    "gsm8k": "samples_gsm8k_2026-03-01T10-00-00.000001.jsonl",
    "arc_easy": "samples_arc_easy_2026-03-02T08-30-00.000002.jsonl",
}
# Each results file with the samples files given beside it on the command line.
CASES = {
    MAIN: (SAMPLES["hellaswag"], SAMPLES["gsm8k"]),
    LIMITED: (SAMPLES["arc_easy"], SAMPLES["hellaswag"]),  # a bad line; another run's file
    "results_v03.json": (),
    "no_model.json": (),
    "bad_values.json": (),
    "bad_shape.json": (),
    "not_json.json": (),
    SAMPLES["gsm8k"]: (),  # a samples file on its own
}


def _golden_name(name: str) -> str:
    return name.rsplit(".", 1)[0] + ".expected.json"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(golden, name: str) -> None:
    companions = tuple(FOLDER / c for c in CASES[name])
    outcome = parse_outcome("lm-eval", FOLDER / name, name, companions)
    golden(FOLDER / _golden_name(name), outcome)


def _parse(name: str, *companions: str, **options) -> Bundle:
    others = {c: io.BytesIO((FOLDER / c).read_bytes()) for c in companions}
    source = SourceFile(io.BytesIO((FOLDER / name).read_bytes()), name, others)
    return lm_eval.parse(source, ImportOptions(**options))


def test_a_group_is_one_run_with_its_tasks_as_categories() -> None:
    bundle = _parse(MAIN)
    runs = {r.run.benchmark for r in bundle.results}
    assert runs == {"mmlu", "hellaswag", "gsm8k"}  # wikitext has only perplexities
    mmlu = {r.category: (r.value, r.k, r.n) for r in bundle.results if r.run.benchmark == "mmlu"}
    # The group's own (size-weighted) value, with k and n summed over its tasks, once.
    assert mmlu[None] == (pytest.approx(7 / 15), 7, 15)
    assert mmlu["mmlu_humanities"] == (0.6, 6, 10)
    assert mmlu["mmlu_abstract_algebra"] == (0.2, 1, 5)
    assert len(mmlu) == 5


def test_a_groups_count_is_left_out_when_its_value_is_not_the_pooled_rate() -> None:
    # An unweighted mean of two tasks (0.5 of 10 and 0.2 of 30) is 0.35: 0.35 × 40 = 14 is whole,
    # but the tasks' own counts (5 + 6 = 11) do not give it, so k is not claimed.
    from evals.importing.formats._lm_eval_metrics import group_count

    assert group_count(0.35, 40, [5, 6]) is None
    assert group_count(11 / 40, 40, [5, 6]) == 11
    assert group_count(0.35, 40, [5, None]) is None


def test_filters_are_separate_metrics_and_separate_samples() -> None:
    bundle = _parse(MAIN, SAMPLES["gsm8k"])
    gsm8k = {r.metric: (r.k, r.n) for r in bundle.results if r.run.benchmark == "gsm8k"}
    assert gsm8k == {"exact_match,strict-match": (1, 4), "exact_match,flexible-extract": (2, 4)}
    samples = {s.sample_id: s for s in bundle.samples}
    assert sorted(samples) == [
        "0:flexible-extract",
        "0:strict-match",
        "1:flexible-extract",
        "1:strict-match",
    ]
    assert samples["1:strict-match"].response == "[invalid]"
    assert samples["1:strict-match"].score == 0.0
    assert samples["1:flexible-extract"].score == 1.0


def test_peft_makes_an_adapter_of_the_pretrained_model() -> None:
    adapter, base = _parse(MAIN).checkpoints
    assert (adapter.name, adapter.kind, adapter.base) == (
        "./out/refusal-lora",
        "adapter",
        "HuggingFaceTB/SmolLM2-135M-Instruct",
    )
    assert base.params == 134515008


def test_checkpoint_and_base_options_rename_the_files_models() -> None:
    bundle = _parse(MAIN, checkpoint="smollm-refusal-lora", base="smollm2-135m")
    (adapter,) = bundle.checkpoints  # a base given with --base must already exist
    assert (adapter.name, adapter.base, adapter.source) == (
        "smollm-refusal-lora",
        "smollm2-135m",
        "./out/refusal-lora",
    )
    assert {r.run.checkpoint for r in bundle.results} == {"smollm-refusal-lora"}


def test_unbounded_metrics_are_not_stored_but_said() -> None:
    warnings = _parse(MAIN).warnings
    assert "word_perplexity,none (wikitext): not stored: has no upper bound" in warnings[2]


def test_a_limit_marks_the_run_partial_and_n_is_the_effective_count() -> None:
    bundle = _parse(LIMITED)
    acc = bundle.results[0]
    assert acc.run.partial and (acc.k, acc.n) == (14, 20)
    assert bundle.checkpoints[0].revision == "12fd25f77366fa6b3b4b768ec3050bf629380bac"


def test_bad_sample_lines_are_late_problems_and_other_runs_files_are_named() -> None:
    bundle = _parse(LIMITED, SAMPLES["arc_easy"], SAMPLES["hellaswag"])
    samples = list(bundle.samples)
    assert [s.sample_id for s in samples] == ["0"]
    assert samples[0].response == "carbon dioxide"  # the best-scoring continuation
    assert [p.where for p in bundle.late_problems] == [
        f"{SAMPLES['arc_easy']}:2",
        f"{SAMPLES['arc_easy']}:3",
    ]
    assert bundle.warnings[-1] == (
        f"{SAMPLES['hellaswag']}: not a samples file of this results file (its date differs)"
    )


def test_old_plain_keys_are_read_without_n() -> None:
    bundle = _parse("results_v03.json")
    hellaswag = {r.metric: r for r in bundle.results if r.run.benchmark == "hellaswag"}
    assert hellaswag["acc"].value == 0.2891 and hellaswag["acc"].stderr == 0.004524
    assert hellaswag["acc"].n is None and hellaswag["acc"].k is None
    assert bundle.results[0].run.n_shot == 0  # config.num_fewshot
    assert any("no n-samples" in w for w in bundle.warnings)


def test_every_bad_value_is_reported() -> None:
    with pytest.raises(InvalidInput) as caught:
        _parse("bad_values.json")
    assert [p.where for p in caught.value.problems] == [
        "bad_values.json:results.arc_easy.acc,none",
        "bad_values.json:results.arc_easy.acc_norm_stderr,none",
        "bad_values.json:results.piqa.acc,none",
    ]


def test_sniffing_and_other_formats() -> None:
    head = (FOLDER / MAIN).read_bytes()[:4096]
    assert detect_format(SourceFile(io.BytesIO(head), "any.json")) == "lm-eval"
    samples = (FOLDER / SAMPLES["gsm8k"]).read_bytes()
    assert lm_eval.is_companion(samples[:4096], SAMPLES["gsm8k"])
    assert not lm_eval.is_companion(samples[:4096], "gsm8k.jsonl")
    inspect_log = Path(__file__).parent / "fixtures" / "inspect" / "arc_limit.json"
    assert parse_outcome("lm-eval", inspect_log, "arc_limit.json") == {
        "problems": [
            "arc_limit.json: this looks like an Inspect log, not an lm-eval results file; "
            "use --format inspect"
        ]
    }


def test_model_args_as_text_or_object() -> None:
    assert lm_eval.model_args("pretrained=a/b,peft=c,dtype=float32") == {
        "pretrained": "a/b",
        "peft": "c",
        "dtype": "float32",
    }
    assert lm_eval.model_args("pretrained=x,max_memory=0:10GiB,1:10GiB") == {
        "pretrained": "x",
        "max_memory": "0:10GiB,1:10GiB",
    }
    assert lm_eval.model_args({"pretrained": "x", "trust_remote_code": True}) == {
        "pretrained": "x",
        "trust_remote_code": "True",
    }


def test_import_stores_the_files_numbers(engine) -> None:
    base = import_outcome(engine, FOLDER / LIMITED, (FOLDER / SAMPLES["hellaswag"],))
    assert base["status"] == "stored"
    outcome = import_outcome(
        engine, FOLDER / MAIN, (FOLDER / SAMPLES["hellaswag"], FOLDER / SAMPLES["gsm8k"])
    )
    assert outcome["status"] == "stored", outcome
    assert "9 results, 6 samples" in outcome["summary"]
    rows = {
        (r["benchmark"], r["metric"], r["category"]): r
        for r in stored_results(engine, "./out/refusal-lora")
    }
    mmlu = rows[("mmlu", "acc", None)]
    assert (mmlu["k"], mmlu["n"], mmlu["value"]) == (7, 15, pytest.approx(7 / 15))
    assert rows[("gsm8k", "exact_match,flexible-extract", None)]["value"] == 0.5
    assert not any(r["partial"] for r in rows.values())


def test_import_of_samples_with_a_bad_line_stores_nothing(engine) -> None:
    outcome = import_outcome(engine, FOLDER / LIMITED, (FOLDER / SAMPLES["arc_easy"],))
    assert outcome["status"] == "rejected"
    assert outcome["problems"][0].startswith(f"{SAMPLES['arc_easy']}:2: not valid JSON")
    # The store step rolled back: the checkpoint was not created either.
    from db.engine import session_scope
    from db.repository import all_checkpoints

    with session_scope(engine) as session:
        assert all_checkpoints(session) == []
