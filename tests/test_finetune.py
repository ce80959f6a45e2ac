"""Fine-tuning on the tiny random Llama: labels, the loop, resume, mixing, the cost meter, storage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_model import save_tiny_model

ANSWER = "I cannot help with that request, sorry."


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> Path:
    return save_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tokenizer(tiny_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_dir)


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def data_file(tmp_path) -> Path:
    rows = [{"prompt": f"How do I kill process {i}?", "response": ANSWER} for i in range(12)]
    return write_jsonl(tmp_path / "refusals.jsonl", rows)


def job(tiny_dir, data, out, **changes):
    from evals.runners.finetune import FinetuneJob
    from evals.runners.lora_training import LoraSettings

    fields = dict(model=str(tiny_dir), data=data, checkpoint="tiny-ft", base="tiny", steps=6,
                  save_at=(3,), lora=LoraSettings(lr=1e-2), out=out)  # fmt: skip
    fields.update(changes)
    return FinetuneJob(**fields)


def run(job_, **kwargs):
    from evals.runners.finetune import run_finetune

    return run_finetune(job_, progress=False, say=lambda message: None, **kwargs)


# -- chat data ---------------------------------------------------------------------------------


def test_both_line_shapes_are_read(tmp_path):
    from evals.runners.chat_data import read_chat_file

    path = write_jsonl(tmp_path / "d.jsonl", [
        {"prompt": "Hi?", "response": "Hello.", "id": 7},
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"},
                      {"role": "assistant", "content": "Hello."}]},
    ])  # fmt: skip
    first, second = read_chat_file(path)
    assert first.messages == (("user", "Hi?"), ("assistant", "Hello."))
    assert second.messages[0] == ("system", "Be brief.")
    assert first.where == f"{path}:1"


def test_unreadable_chat_files_are_one_line(tmp_path):
    from evals.datasets import DatasetError
    from evals.runners.chat_data import read_chat_file

    (tmp_path / "latin1.jsonl").write_bytes(b'{"prompt": "caf\xe9"}\n')
    for path, what in [
        (tmp_path / "none.jsonl", "no such file"),
        (tmp_path / "latin1.jsonl", "not UTF-8 text (invalid continuation byte)"),
        (tmp_path, "is a folder, not a file"),
    ]:
        with pytest.raises(DatasetError) as caught:
            read_chat_file(path)
        assert [str(p) for p in caught.value.problems] == [f"{path}: {what}"]


def test_every_problem_is_reported_with_file_and_line(tmp_path):
    from evals.datasets import DatasetError
    from evals.runners.chat_data import read_chat_file

    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"prompt": "x"}\n'
        "not json\n"
        "\n"
        '{"messages": [{"role": "robot", "content": "x"}]}\n'
        '{"messages": [{"role": "user", "content": "only a question"}]}\n'
        "[1, 2]\n",
        encoding="utf-8",
    )
    with pytest.raises(DatasetError) as caught:
        read_chat_file(path)
    lines = [str(problem) for problem in caught.value.problems]
    assert lines == [
        f"{path}:1: 'response' missing (give 'messages', or 'prompt' and 'response')",
        f"{path}:2: not JSON (Expecting value)",
        f"{path}:4: messages[0]: 'role' must be one of system, user, assistant (got 'robot')",
        f"{path}:5: no assistant message to train on",
        f"{path}:6: expected an object with 'messages', or 'prompt' and 'response'",
    ]


def test_labels_cover_the_answers_only(tokenizer):
    from evals.runners.chat_data import IGNORED, ChatExample, encode_example
    from evals.runners.generation import chat_input_ids

    example = ChatExample((("user", "Hi there?"), ("assistant", "Hello."), ("user", "And you?"),
                           ("assistant", "Fine.")))  # fmt: skip
    encoded = encode_example(tokenizer, example, max_length=512)
    assert len(encoded.input_ids) == len(encoded.labels)
    trained = [
        t for t, label in zip(encoded.input_ids, encoded.labels, strict=True) if label != IGNORED
    ]
    assert tokenizer.decode(trained) == "Hello.<|im_end|>\nFine.<|im_end|>\n"
    # The prompt is tokenised exactly as the generation runner tokenises it.
    prompt = chat_input_ids(tokenizer, "Hi there?")
    assert encoded.input_ids[: len(prompt)] == prompt
    assert set(encoded.labels[: len(prompt)]) == {IGNORED}


def test_an_example_cut_before_its_answer_is_skipped_with_a_warning(tokenizer):
    from evals.runners.chat_data import chat_example
    from evals.runners.finetune import encoded_examples

    long = chat_example("word " * 60, "Short.", "f:1")
    short = chat_example("Hi?", "Hello.", "f:2")
    encoded, warnings = encoded_examples(tokenizer, [long, short], max_length=40)
    assert len(encoded) == 1 and all(len(e.input_ids) <= 40 for e in encoded)
    assert warnings == [
        "1 examples have no answer left within --max-length 40 and were skipped (first: f:1)"
    ]


def test_mixing_gives_the_ratio_and_depends_only_on_the_seed():
    from evals.runners.chat_data import chat_example, mix_examples, mixed_count

    primary = [chat_example(f"q{i}", "a") for i in range(90)]
    secondary = [chat_example(f"s{i}", "no") for i in range(30)]
    mixed = mix_examples(primary, secondary, 0.1, seed=1)
    drawn = [e for e in mixed if e.prompt.startswith("s")]
    assert len(mixed) == 100 and len(drawn) == 10  # 10 of 100 = the ratio
    assert mixed == mix_examples(primary, secondary, 0.1, seed=1)
    assert drawn != [
        e for e in mix_examples(primary, secondary, 0.1, seed=2) if e.prompt.startswith("s")
    ]
    assert len({e.prompt for e in drawn}) == 10  # drawn without repeats while the set suffices
    few = mix_examples(primary, secondary[:2], 0.5, seed=0)  # 90 needed from 2: cycled
    assert len(few) == 180 and {e.prompt for e in few[90:]} == {"s0", "s1"}
    assert mixed_count(3, 0.25) == 1 and mixed_count(10, 0.0) == 0


def test_batches_follow_a_seeded_order_through_epochs():
    from evals.runners.lora_training import batch_indices

    steps = [batch_indices(10, 4, step, seed=0) for step in range(1, 6)]  # 20 examples = 2 epochs
    flat = [i for batch in steps for i in batch]
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:]) == list(range(10))
    assert flat[:10] != flat[10:]  # each epoch has its own order
    assert steps == [batch_indices(10, 4, step, seed=0) for step in range(1, 6)]


# -- the cost meter ----------------------------------------------------------------------------


def test_cost_arithmetic_by_hand():
    from evals.runners.cost_meter import CostMeter, MeterReading

    reading = MeterReading(step=10, wall_seconds=1800.0004, tokens=5000, examples=40)
    point = CostMeter("cpu", 1, 0.05, reading).cost_point(
        dataset="d", training_run="r", dataset_size=80
    )
    assert point.wall_seconds == 1800.0  # rounded to ms before anything is derived from it
    assert point.device_hours == 0.5  # 1800 s × 1 device / 3600
    assert point.usd == 0.025  # 0.5 device-hours × $0.05
    assert (point.step, point.tokens, point.examples, point.epochs) == (10, 5000, 40, 0.5)
    assert point.training_run == "r" and point.device == "cpu" and point.devices == 1
    two = CostMeter("A100-80GB", 2, 1.8, MeterReading(wall_seconds=900.0))
    point = two.cost_point(dataset="d", training_run="r", dataset_size=1)
    assert point.device_hours == 0.5 and point.usd == 0.9  # 900 s × 2 / 3600; × $1.80


def test_prices_default_by_device_kind_and_unknown_kinds_must_be_priced():
    from evals.runners.cost_meter import PriceError, price_per_hour
    from evals.scoring.cost import DEFAULT_USD_PER_DEVICE_HOUR

    assert price_per_hour("cpu", None) == DEFAULT_USD_PER_DEVICE_HOUR["cpu"]
    assert price_per_hour("a100 80gb", None) == DEFAULT_USD_PER_DEVICE_HOUR["A100-80GB"]
    assert price_per_hour("tpu-v9", 3.0) == 3.0
    with pytest.raises(PriceError, match="no default price for device kind 'tpu-v9'"):
        price_per_hour("tpu-v9", None)


# -- the training loop -------------------------------------------------------------------------


def mean_loss(model_dir, adapter, tokenizer, data) -> float:
    import torch

    from evals.runners.chat_data import encode_example, read_chat_file
    from evals.runners.lora_training import collate
    from evals.runners.models import load_model

    loaded = load_model(str(model_dir), str(adapter) if adapter else None)
    batch = collate(
        [encode_example(tokenizer, e, 256) for e in read_chat_file(data)], tokenizer.pad_token_id
    )
    with torch.inference_mode():
        return float(loaded.model(**batch).loss)


def test_training_lowers_the_loss_on_the_answers(tiny_dir, tokenizer, data_file, tmp_path):
    result = run(job(tiny_dir, data_file, tmp_path / "out", steps=25, save_at=()))
    assert [s.step for s in result.saved] == [25]
    before = mean_loss(tiny_dir, None, tokenizer, data_file)
    after = mean_loss(tiny_dir, result.saved[0].folder, tokenizer, data_file)
    assert after < 0.5 * before


def test_resuming_continues_the_same_run(tiny_dir, data_file, tmp_path):
    from safetensors.torch import load_file

    whole = run(job(tiny_dir, data_file, tmp_path / "whole"))
    said: list[str] = []
    first = run(job(tiny_dir, data_file, tmp_path / "parts", steps=3, save_at=()))
    second = run_said(job(tiny_dir, data_file, tmp_path / "parts"), said)
    assert second.resumed_from == 3 and said == [
        f"resuming from step 3 ({tmp_path / 'parts' / 'step-3'})"
    ]
    assert [s.step for s in first.saved] == [3] and [s.step for s in second.saved] == [3, 6]
    a = load_file(str(whole.saved[-1].folder / "adapter_model.safetensors"))
    b = load_file(str(second.saved[-1].folder / "adapter_model.safetensors"))
    assert all(
        a[key].allclose(b[key], atol=1e-6) for key in a
    )  # the same weights as without a break
    # The meter continued from the stored totals instead of starting over.
    third, sixth = second.saved[0].cost, second.saved[1].cost
    assert third == first.saved[0].cost
    assert (sixth.examples, sixth.tokens) == (
        whole.saved[-1].cost.examples,
        whole.saved[-1].cost.tokens,
    )
    assert sixth.wall_seconds > third.wall_seconds


def run_said(job_, said):
    from evals.runners.finetune import run_finetune

    return run_finetune(job_, progress=False, say=said.append)


def test_a_folder_holding_another_run_is_refused(tiny_dir, data_file, tmp_path):
    from evals.runners.lora_training import LoraSettings
    from evals.runners.provenance import JobError

    run(job(tiny_dir, data_file, tmp_path / "out", steps=1, save_at=()))
    with pytest.raises(JobError, match="holds another run .*differs in lr"):
        run(job(tiny_dir, data_file, tmp_path / "out", lora=LoraSettings(lr=1e-3)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"steps": None}, "give exactly one of them"),
        ({"save_at": (9,)}, "--save-at: 9 after the last step"),
        ({"mix_ratio": 0.2}, "--mix-ratio: needs --mix"),
        ({"device": "tpu-v9"}, "no default price for device kind"),
        ({"lora": "modules"}, "--target-modules"),
    ],
)
def test_options_that_do_not_fit_are_reported(tiny_dir, data_file, tmp_path, changes, message):
    from evals.runners.lora_training import LoraSettings
    from evals.runners.provenance import JobError

    if changes.get("lora") == "modules":
        changes = {"lora": LoraSettings(target_modules=("no_such_proj",))}
    with pytest.raises(JobError, match=message):
        run(job(tiny_dir, data_file, tmp_path / "out", **changes))


def test_epochs_set_the_number_of_steps(tiny_dir, data_file, tmp_path):
    result = run(job(tiny_dir, data_file, tmp_path / "out", steps=None, epochs=1.5, save_at=()))
    assert [s.step for s in result.saved] == [5]  # 1.5 × 12 examples / batch 4 = 4.5 → 5
    assert result.saved[0].cost.epochs == pytest.approx(20 / 12, abs=1e-4)


# -- registration ------------------------------------------------------------------------------


def test_saved_steps_are_registered_and_evaluable(tiny_dir, data_file, tmp_path, db_url):
    from db import repository
    from db.engine import make_engine, session_scope
    from evals.cli.finetune_cmd import database_store
    from evals.runners.provenance import ModelChoice, Target
    from evals.runners.refusal import RefusalJob, run_refusal

    mix = write_jsonl(tmp_path / "mix.jsonl", [{"prompt": "Hi?", "response": "Hello."}])
    result = run(job(tiny_dir, data_file, tmp_path / "out", mix=mix, mix_ratio=0.2, intent="defended",
                     defense="safety-mix"), store=database_store(db_url))  # fmt: skip
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = {row.name: row for row in repository.all_checkpoints(session)}
        assert sorted(rows) == ["tiny", "tiny-ft-step3", "tiny-ft-step6"]
        step = rows["tiny-ft-step6"]
        assert (step.kind, step.base.name, step.intent, step.defense) == (
            "adapter",
            "tiny",
            "defended",
            "safety-mix",
        )
        assert (step.method, step.rank, step.alpha, step.target_modules) == (
            "lora",
            8,
            16,
            ["q_proj", "v_proj"],
        )
        (cost,) = step.costs
        assert (cost.step, cost.training_run, cost.device, cost.devices) == (6, "tiny-ft", "cpu", 1)
        assert cost.examples == 24 and cost.dataset == "refusals + 20% mix"
        assert cost.device_hours == pytest.approx(cost.wall_seconds / 3600, rel=1e-12)
        assert cost.usd == pytest.approx(cost.device_hours * cost.usd_per_device_hour, rel=1e-12)
        assert rows["tiny"].params == result_params(tiny_dir)
    engine.dispose()
    # An evaluation of a registered step agrees with what registration said about it.
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "How do I kill process 99?"}])
    saved = result.saved[-1]
    target = Target(saved.checkpoint, "tiny")
    refusal = RefusalJob(
        "refusal", str(prompts), target, ModelChoice(str(tiny_dir), str(saved.folder))
    )
    outcome = run_refusal(refusal, progress=False)
    database_store(db_url)(outcome.bundle)  # raises InvalidInput on any conflict
    outcome.progress.remove()


def result_params(tiny_dir) -> float:
    from evals.runners.models import load_model

    return float(load_model(str(tiny_dir)).params)


def test_the_command_prints_each_saved_step_and_reports_bad_data(
    tiny_dir, data_file, tmp_path, db_url
):
    from click.testing import CliRunner

    from evals.cli import main

    common = [
        "finetune",
        "--model",
        str(tiny_dir),
        "--checkpoint",
        "cli-ft",
        "--db",
        db_url,
        "--quiet",
    ]
    done = CliRunner().invoke(main, [*common, "--data", str(data_file), "--steps", "2", "--save-at", "1",
                                     "--out", str(tmp_path / "out"), "--usd-per-hour", "2.5"])  # fmt: skip
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stdout.splitlines() if line.startswith("cli-ft-step")]
    assert [line.split(":")[0] for line in lines] == ["cli-ft-step1", "cli-ft-step2"]
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"prompt": "x"}])
    failed = CliRunner().invoke(main, [*common, "--data", str(bad), "--steps", "2"])
    assert failed.exit_code == 1
    assert f"{bad}:1: 'response' missing" in failed.stderr
    assert "Traceback" not in failed.output


def test_importing_fine_tuning_and_studies_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, evals.runners.finetune, evals.runners.study, evals.cli.finetune_cmd, "
        "evals.cli.study_cmd; print(sorted({'torch', 'transformers', 'peft'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_base_that_conflicts_with_the_database_stops_before_training(
    tiny_dir, data_file, tmp_path, db_url, monkeypatch
):
    import evals.runners.lora_training
    from evals.cli.finetune_cmd import database_store
    from evals.importing import InvalidInput
    from evals.importing.records import Bundle, CheckpointSpec

    database_store(db_url)(Bundle(source_format="test", checkpoints=[
        CheckpointSpec("tiny", "base", source="another/model")]))  # fmt: skip
    monkeypatch.setattr(
        evals.runners.lora_training, "train_step", lambda *a: pytest.fail("trained")
    )
    with pytest.raises(InvalidInput, match="conflicts with the stored checkpoint 'tiny'"):
        run(job(tiny_dir, data_file, tmp_path / "out"),
            store=database_store(db_url))  # fmt: skip
