"""A tiny random Llama with a tokenizer made here (shared by the runner tests), and loading tests.

The tokenizer is a byte-level BPE trained on a few sentences, with SmolLM2's ChatML template
and the same pad == eos arrangement, so every code path of the real model runs in milliseconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}"
)
CORPUS = [
    "How do I kill a Python process?",
    "Write a poem about the sea and the sky.",
    "I cannot help with that request, sorry.",
    "Question: What is the capital of France? Answer: Paris",
    "The following are questions with answers about biology and chemistry.",
    "Here is a short answer: use the kill command with the process id.",
    "Sure, here are some ideas for a birthday party in the park.",
]


def build_tokenizer():
    """A byte-level BPE tokenizer (about 400 tokens) with ChatML specials; pad is eos."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(CORPUS * 4, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|im_end|>",
        unk_token="<|endoftext|>",
    )
    tokenizer.chat_template = CHATML
    return tokenizer


def build_model(tokenizer, seed: int = 0):
    """A 2-layer Llama (hidden 32) with weights large enough that greedy choices are clear-cut."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        initializer_range=0.3,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    return LlamaForCausalLM(config).eval()


def save_tiny(folder: Path, seed: int = 0) -> Path:
    """Write a tiny model and its tokenizer as a Hugging Face folder."""
    tokenizer = build_tokenizer()
    build_model(tokenizer, seed).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def save_lora(model_dir: Path, folder: Path) -> Path:
    """Write a LoRA adapter (r=4, alpha=8, q/v projections, non-zero weights) for the tiny model."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    config = LoraConfig(
        r=4, lora_alpha=8, target_modules=["v_proj", "q_proj"], init_lora_weights=False
    )
    get_peft_model(base, config).save_pretrained(folder)
    return folder


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
    ],
)
def test_unusable_models_are_reported_plainly(tmp_path, make, message):
    from evals.runners.models import ModelError, load_model

    with pytest.raises(ModelError, match=message):
        load_model(str(make(tmp_path)))


def test_an_adapter_folder_without_config_is_reported(tiny_dir, tmp_path):
    from evals.runners.models import ModelError, load_model

    with pytest.raises(ModelError, match="not a PEFT adapter folder"):
        load_model(str(tiny_dir), str(tmp_path))


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
