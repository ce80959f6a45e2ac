"""Fixtures of the tiny random Llama (built in tests/tiny_model.py) shared by the runner tests, and loading tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_model import build_model, build_tokenizer, save_lora, save_tiny  # noqa: F401


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    """A tiny model folder, built once per test session."""
    return save_tiny(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def lora_dir(tiny_dir, tmp_path_factory) -> Path:
    """A LoRA adapter folder for the tiny model."""
    return save_lora(tiny_dir, tmp_path_factory.mktemp("tiny-lora"))


@pytest.fixture(scope="session")
def tiny(tiny_dir):
    """The tiny model loaded through the runner (a LoadedModel)."""
    from evals.runners.models import load_model

    return load_model(str(tiny_dir))


def test_a_folder_loads_with_left_padding_and_pad_equal_to_eos(tiny_dir):
    from evals.runners.models import load_model

    loaded = load_model(str(tiny_dir))
    assert loaded.tokenizer.padding_side == "left"
    assert loaded.tokenizer.pad_token_id == loaded.tokenizer.eos_token_id
    assert loaded.source == str(tiny_dir.resolve())
    assert loaded.revision.startswith("sha256:")
    assert loaded.adapter is None and loaded.adaptation is None
    assert not loaded.model.training


def test_the_revision_changes_when_the_weights_change(tmp_path):
    from evals.runners.models import load_model

    first = load_model(str(save_tiny(tmp_path / "a", seed=0)))
    second = load_model(str(save_tiny(tmp_path / "b", seed=1)))
    again = load_model(str(tmp_path / "a"))
    assert first.revision == again.revision
    assert first.revision != second.revision


def test_an_adapter_is_merged_and_described(tiny_dir, lora_dir):
    import torch

    from evals.runners.models import load_model

    base = load_model(str(tiny_dir))
    adapted = load_model(str(tiny_dir), str(lora_dir))
    assert adapted.adapter == str(lora_dir.resolve())
    assert adapted.adaptation.method == "lora"
    assert (adapted.adaptation.rank, adapted.adaptation.alpha) == (4, 8)
    assert adapted.adaptation.target_modules == ("q_proj", "v_proj")
    assert adapted.adapter_revision.startswith("sha256:")
    assert adapted.params == base.params  # merged: no extra LoRA matrices remain
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.inference_mode():
        assert not torch.allclose(base.model(ids).logits, adapted.model(ids).logits)


def test_adapter_config_variants_are_read(tmp_path):
    from evals.runners.models import read_adaptation

    (tmp_path / "adapter_config.json").write_text(
        json.dumps({"peft_type": "LORA", "use_dora": True, "r": 16, "lora_alpha": 32,
                    "target_modules": "all-linear"})
    )  # fmt: skip
    adaptation = read_adaptation(tmp_path)
    assert adaptation.method == "dora"
    assert adaptation.target_modules == ("all-linear",)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such file or folder"),
        (lambda p: p, "no config.json"),
        (lambda p: _folder(p, {"config.json": "{}"}), "cannot load this model"),  # no model_type
        (
            lambda p: _folder(p, {"config.json": '{"model_type": "llama"}'}),
            "cannot load this model",
        ),
    ],
)
def test_unusable_models_are_reported_plainly(tmp_path, make, message):
    from evals.runners.models import ModelError, load_model

    with pytest.raises(ModelError, match=message):
        load_model(str(make(tmp_path)))


def _folder(path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def test_an_adapter_folder_without_config_is_reported(tiny_dir, tmp_path):
    from evals.runners.models import ModelError, load_model

    with pytest.raises(ModelError, match="not a PEFT adapter folder"):
        load_model(str(tiny_dir), str(tmp_path))
    with pytest.raises(ModelError, match="not a PEFT adapter folder"):  # a file, not a folder
        load_model(str(tiny_dir), str(_folder(tmp_path, {"x": ""}) / "x"))
    with pytest.raises(ModelError, match="expected a JSON object"):
        load_model(str(tiny_dir), str(_folder(tmp_path, {"adapter_config.json": "[1]"})))


def test_a_bad_adapter_is_reported_before_the_base_model_loads(tmp_path, monkeypatch):
    import evals.runners.models as models

    monkeypatch.setattr(models, "_load_base", lambda model: pytest.fail("loaded the base first"))
    with pytest.raises(models.ModelError, match="not a PEFT adapter folder"):
        models.load_model("anything", str(tmp_path))


def test_smollm2_not_fetched_says_how_to_fetch_it(tmp_path, monkeypatch):
    from evals.runners.models import ModelError, load_model

    monkeypatch.setenv("RISKBOARD_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="riskboard models fetch smollm2"):
        load_model("smollm2")


def test_the_runners_make_openmp_threads_sleep_unless_told_otherwise():
    import os
    import subprocess
    import sys

    code = "import os, evals.runners; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.stdout.strip() == "PASSIVE"
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.stdout.strip() == "ACTIVE"


def test_importing_the_runners_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, evals.runners.models, evals.runners.generation, evals.runners.endpoint, "
        "evals.runners.loglik, evals.runners.progress, evals.cli.eval_cmd, evals.cli.models_cmd; "
        "print('torch' in sys.modules or 'transformers' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_run_without_the_runners_extra_says_how_to_install_it(tiny_dir, tmp_path, monkeypatch):
    import sys

    from click.testing import CliRunner

    from evals.cli import main

    monkeypatch.setitem(sys.modules, "torch", None)  # as in a base install: `import torch` fails
    done = CliRunner().invoke(main, ["eval", "refusal", "--model", str(tiny_dir), "--prompts",
                                     "riskboard-harmful", "--limit", "2", "--checkpoint", "tiny",
                                     "--db", f"sqlite:///{tmp_path / 'x.db'}"])  # fmt: skip
    assert done.exit_code == 1
    assert done.stderr.startswith("eval: needs torch, which the base install leaves out.")
    assert "pip install torch==2.13.0 -e '.[runners]'" in done.stderr


def test_demo_measure_without_the_runners_stops_before_building_anything(tmp_path, monkeypatch):
    import sys

    from click.testing import CliRunner

    from evals.cli import main

    monkeypatch.setitem(sys.modules, "torch", None)
    database = tmp_path / "demo.db"
    done = CliRunner().invoke(
        main, ["demo", "--measure", "--no-serve", "--db", f"sqlite:///{database}"]
    )
    assert done.exit_code == 1
    assert done.stderr.startswith("demo --measure: needs torch, which the base install leaves out.")
    assert not database.exists()
