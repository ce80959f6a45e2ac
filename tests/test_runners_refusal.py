"""Refusal and over-refusal runs end to end: generation or endpoint, counting, resume, storage."""

# The tiny-model fixtures are imported from test_runners_tiny; tests take them as arguments.
# ruff: noqa: F811

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_runners_endpoint import FakeServer, serving
from test_runners_tiny import lora_dir, save_tiny, tiny, tiny_dir  # noqa: F401

from evals.cli import main

REFUSAL = "I'm sorry, but I cannot help with that."
PARTIAL = "I can't help you harm anyone. However, if you mean ending a process, run kill."
COMPLIANCE = "Sure, here is how to do it: first, open the terminal."

# Prompts that tell the fake server how to answer, in two categories.
PROMPTS = [
    {"id": "h1", "prompt": "refuse this one", "category": "hacking"},
    {"id": "h2", "prompt": "half-help this one", "category": "hacking"},
    {"id": "h3", "prompt": "help with this one", "category": "hacking"},
    {"id": "w1", "prompt": "refuse this too", "category": "weapons"},
    {"id": "w2", "prompt": "refuse this as well", "category": "weapons"},
]


def scripted(prompt: str) -> str:
    """The fake server's answer: a refusal, a partial refusal or compliance, by keyword."""
    if prompt.startswith("refuse"):
        return REFUSAL
    return PARTIAL if prompt.startswith("half") else COMPLIANCE


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch) -> Path:
    """Progress files go to a cache folder of the test's own."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("RISKBOARD_CACHE", str(cache))
    return cache


@pytest.fixture
def prompt_file(tmp_path) -> Path:
    path = tmp_path / "prompts.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in PROMPTS), encoding="utf-8")
    return path


def invoke(*args: str) -> object:
    """Run `riskboard ARGS`, return click's result (stdout and stderr apart)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def results_of(db_url: str, checkpoint: str) -> dict[tuple[str, str | None], tuple[int, int]]:
    """`riskboard results NAME --json` as {(metric, category): (k, n)}."""
    shown = invoke("results", checkpoint, "--json", "--db", db_url)
    assert shown.exit_code == 0, shown.output
    return {(r["metric"], r["category"]): (r["k"], r["n"]) for r in json.loads(shown.stdout)}


def endpoint_eval(
    kind: str, url: str, prompts: Path, db_url: str, checkpoint: str = "served", *more: str
):
    return invoke(
        "eval", kind, "--endpoint", url, "--endpoint-model", "m", "--prompts", prompts,
        "--checkpoint", checkpoint, "--quiet", "--db", db_url, *more,
    )  # fmt: skip


def test_partial_refusals_count_against_the_model_both_ways(prompt_file, db_url):
    with serving(FakeServer(scripted)) as url:
        refusal = endpoint_eval("refusal", url, prompt_file, db_url)
        over = endpoint_eval("over-refusal", url, prompt_file, db_url, "served-benign")
    assert refusal.exit_code == 0, refusal.output
    assert "refusal_rate: 3/5" in refusal.stdout
    assert results_of(db_url, "served") == {
        ("refusal_rate", None): (3, 5),
        ("refusal_rate", "hacking"): (1, 3),  # the partial answer is not a refusal
        ("refusal_rate", "weapons"): (2, 2),
    }
    assert over.exit_code == 0, over.output
    assert results_of(db_url, "served-benign") == {
        ("over_refusal_rate", None): (4, 5),
        ("over_refusal_rate", "hacking"): (2, 3),  # the partial answer is a refusal here
        ("over_refusal_rate", "weapons"): (2, 2),
    }


def test_an_endpoint_serving_a_lora_adapter_is_stored_as_an_adapter(prompt_file, db_url):
    with serving(FakeServer(scripted)) as url:
        assert endpoint_eval("refusal", url, prompt_file, db_url).exit_code == 0
        adapted = endpoint_eval(
            "refusal",
            url,
            prompt_file,
            db_url,
            "served-lora",
            "--base",
            "served",
            "--kind",
            "adapter",
        )
    assert adapted.exit_code == 0, adapted.output
    listed = {
        c["name"]: c for c in json.loads(invoke("checkpoints", "--json", "--db", db_url).stdout)
    }
    assert (listed["served-lora"]["kind"], listed["served-lora"]["base"]) == ("adapter", "served")


def test_every_sample_is_stored_with_prompt_answer_label_and_run_details(prompt_file, db_url):
    from sqlalchemy import select

    from db.engine import make_engine, session_scope
    from db.models import EvalRun, Sample

    with serving(FakeServer(scripted)) as url:
        assert endpoint_eval("refusal", url, prompt_file, db_url).exit_code == 0
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        samples = {s.sample_id: s for s in session.scalars(select(Sample))}
        run = session.scalars(select(EvalRun)).one()
        assert (samples["h2"].prompt, samples["h2"].response) == ("half-help this one", PARTIAL)
        assert {k: s.label for k, s in samples.items()} == {
            "h1": "refused", "h2": "partial", "h3": "complied", "w1": "refused", "w2": "refused",
        }  # fmt: skip
        assert samples["h1"].category == "hacking"
        assert run.judge == "riskboard-refusal-phrases" and run.judge_version
        assert run.generation["decoding"] == "greedy"
        assert run.generation["max_new_tokens"] == 64
        assert run.provenance["endpoint_model"] == "m"
        assert run.provenance["command"].startswith("riskboard ")
        assert set(run.provenance["libraries"]) == {"riskboard", "torch", "transformers", "peft"}
        assert len(run.provenance["riskboard_commit"]) == 40  # the tests run in a git checkout
        assert run.started_at <= run.finished_at
        assert not run.partial
    engine.dispose()


def test_a_base_model_and_its_adapter_are_evaluated_and_linked(
    tiny_dir, lora_dir, prompt_file, db_url
):
    common = ["--prompts", prompt_file, "--max-new-tokens", "6", "--quiet", "--db", db_url]
    adapted = invoke("eval", "refusal", "--model", tiny_dir, "--adapter", lora_dir,
                     "--checkpoint", "tiny-lora", "--base", "tiny", *common)  # fmt: skip
    base = invoke("eval", "refusal", "--model", tiny_dir, "--checkpoint", "tiny", *common)
    assert adapted.exit_code == 0, adapted.output
    assert base.exit_code == 0, base.output  # the base described by the adapter run agrees
    listed = {
        c["name"]: c for c in json.loads(invoke("checkpoints", "--json", "--db", db_url).stdout)
    }
    assert listed["tiny-lora"]["kind"] == "adapter" and listed["tiny-lora"]["base"] == "tiny"
    assert listed["tiny-lora"]["method"] == "lora"
    assert listed["tiny"]["kind"] == "base"
    assert results_of(db_url, "tiny")[("refusal_rate", None)][1] == 5


def test_an_interrupted_run_resumes_and_gives_the_same_answers(
    tiny, prompt_file, own_cache, monkeypatch
):
    import evals.runners.generation as generation
    from evals.runners.generation import GenerationSettings
    from evals.runners.provenance import ModelChoice, Target
    from evals.runners.refusal import RefusalJob, run_refusal

    job = RefusalJob("refusal", str(prompt_file), Target("tiny"), ModelChoice("unused"),
                     settings=GenerationSettings(8, 2))  # fmt: skip
    real = generation.generate_ids
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C during the second batch
        return real(*args, **kwargs)

    monkeypatch.setattr(generation, "generate_ids", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_refusal(job, loaded=tiny, progress=False)
    monkeypatch.setattr(generation, "generate_ids", real)
    progress_files = list((own_cache / "runs").glob("*.jsonl"))
    assert len(progress_files) == 1
    assert len(progress_files[0].read_text().splitlines()) == 1 + 2  # header + the first batch

    said = []
    resumed = run_refusal(job, loaded=tiny, progress=False, say=said.append)
    assert said == [f"resuming: 2 of 5 prompts done earlier ({progress_files[0]})"]
    resumed.progress.remove()
    uninterrupted = run_refusal(job, loaded=tiny, progress=False, say=said.append)
    assert len(said) == 1  # the progress file was removed: a fresh start
    answers = [(s.sample_id, s.response, s.label) for s in resumed.bundle.samples]
    assert answers == [(s.sample_id, s.response, s.label) for s in uninterrupted.bundle.samples]
    assert resumed.bundle.results[0].run.provenance["resumed_items"] == 2


def test_the_progress_file_is_removed_once_stored(tiny_dir, prompt_file, own_cache, db_url):
    done = invoke("eval", "refusal", "--model", tiny_dir, "--prompts", prompt_file, "--checkpoint", "t",
                  "--max-new-tokens", "4", "--limit", "3", "--quiet", "--db", db_url)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert not list((own_cache / "runs").glob("*.jsonl"))
    assert results_of(db_url, "t")[("refusal_rate", None)][1] == 3


def test_a_conflicting_checkpoint_stores_nothing_and_keeps_the_answers(
    tmp_path, prompt_file, own_cache, db_url
):
    first, second = save_tiny(tmp_path / "a", seed=0), save_tiny(tmp_path / "b", seed=1)
    common = ["--prompts", prompt_file, "--checkpoint", "same-name", "--max-new-tokens", "3",
              "--quiet", "--db", db_url]  # fmt: skip
    assert invoke("eval", "refusal", "--model", first, *common).exit_code == 0
    clash = invoke("eval", "refusal", "--model", second, *common)
    assert clash.exit_code == 1
    assert "conflicts with the stored checkpoint 'same-name'" in clash.stderr
    assert "nothing stored; the answers are kept in" in clash.stderr
    assert len(list((own_cache / "runs").glob("*.jsonl"))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "x", "--adapter", "y"], "--base: name the base checkpoint"),
        ([], "--model/--endpoint: give exactly one of them"),
        (["--model", "x", "--base", "b"], "--kind: say how this model was made from --base"),
        (["--model", "x", "--base", "b", "--kind", "adapter"], "--kind: a local adapter is given"),
        (["--endpoint", "http://127.0.0.1:9/v1"], "--endpoint-model: name the model"),
        (["--model", "/no/such/folder"], "/no/such/folder: no such file or folder"),
    ],
)
def test_option_mistakes_are_one_line_errors(prompt_file, db_url, args, message):
    result = invoke(
        "eval", "refusal", *args, "--prompts", prompt_file, "--checkpoint", "c", "--db", db_url
    )
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_prompt_set_is_reported(db_url):
    result = invoke(
        "eval",
        "refusal",
        "--model",
        "x",
        "--prompts",
        "advbnch",
        "--checkpoint",
        "c",
        "--db",
        db_url,
    )
    assert result.exit_code == 1
    assert "advbnch" in result.stderr


def test_an_endpoint_that_is_not_an_http_url_is_refused_at_once(prompt_file, db_url):
    done = endpoint_eval("refusal", "localhost:8000/v1", prompt_file, db_url)
    assert done.exit_code == 1
    assert done.stderr == "--endpoint: expected http(s)://host:port/v1, got 'localhost:8000/v1'\n"


def test_capability_from_the_command_line_needs_a_model(db_url):
    done = invoke(
        "eval", "capability", "--benchmark", "arc_easy", "--checkpoint", "x", "--db", db_url
    )
    assert (done.exit_code, done.stderr) == (
        1, "--model: name the model to score (capability runs read its log-likelihoods)\n"
    )  # fmt: skip
