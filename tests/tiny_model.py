"""A tiny random Llama with a tokenizer made in the test: no download, milliseconds per step.

A byte-level BPE trained on a few sentences, with SmolLM2's ChatML template (without its default
system turn) and the same pad == eos arrangement, so every code path of the real model runs here.
Shared by the runner, fine-tuning and study tests.
"""

from __future__ import annotations

from pathlib import Path

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


def save_tiny_model(folder: Path, seed: int = 0) -> Path:
    """Write a tiny model and its tokenizer as a Hugging Face folder (the fine-tuning tests' name)."""
    return save_tiny(folder, seed)
