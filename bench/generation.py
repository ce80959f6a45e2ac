"""Generation speed: the batched runner against plain one-prompt-at-a-time `model.generate`.

Usage: python bench/generation.py [--prompts 32] [--batch-size 16 ...] [--max-new-tokens 64]
                                  [--threads N] [--static-cache]

Same model (SmolLM2-135M-Instruct from the cache: `riskboard models fetch smollm2`), same
prompts (a balanced mix of riskboard-harmful and riskboard-benign), greedy, fp32. The script
asserts that every batched answer equals the one-at-a-time answer, then prints prompts/s, new
tokens/s (tokens actually generated, up to each answer's end), the speed-up, and the share of
the CPU's fp32 compute roof: a 2048x2048 matmul measured in the same run gives the peak
FLOP/s, and one generated token costs about 2 x parameters FLOPs. Writes nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import evals.runners  # noqa: E402, F401  (sets OMP_WAIT_POLICY before torch loads, as the CLI does)


def bench_prompts(count: int) -> list[str]:
    """A balanced mix of harmful and benign prompts of the project's own sets."""
    from evals.datasets import load_prompts

    harmful = load_prompts("riskboard-harmful", limit=(count + 1) // 2).items
    benign = load_prompts("riskboard-benign", limit=count // 2).items
    return [item.prompt for pair in zip(harmful, benign, strict=False) for item in pair] + [
        item.prompt for item in harmful[len(benign) :]
    ]


def matmul_peak(size: int = 2048, repeats: int = 10) -> float:
    """The best fp32 GFLOP/s of a size x size matmul on this machine, now."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def one_at_a_time(loaded, prompts: list[str], max_new_tokens: int) -> tuple[list[str], int, float]:
    """Plain `model.generate` per prompt: answers, new tokens, seconds."""
    import torch

    from evals.runners.generation import _until_eos, chat_input_ids, decode

    tokenizer = loaded.tokenizer
    answers, tokens = [], 0
    start = time.perf_counter()
    for prompt in prompts:
        ids = torch.tensor([chat_input_ids(tokenizer, prompt)])
        with torch.inference_mode():
            out = loaded.model.generate(
                input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
            )  # fmt: skip
        new = _until_eos(out[0, ids.shape[1] :].tolist(), tokenizer.eos_token_id)
        tokens += len(new)
        answers.append(decode(tokenizer, new))
    return answers, tokens, time.perf_counter() - start


def batched(
    loaded, prompts: list[str], max_new_tokens: int, batch_size: int
) -> tuple[list[str], float]:
    """The runner's batched generation: answers in input order, seconds."""
    from evals.runners.generation import GenerationSettings, generate

    start = time.perf_counter()
    answers = generate(
        loaded.model, loaded.tokenizer, prompts, GenerationSettings(max_new_tokens, batch_size)
    )
    return answers, time.perf_counter() - start


def use_static_cache() -> None:
    """Make the runner's greedy config ask for a static KV cache (outputs must stay equal)."""
    import evals.runners.generation as generation

    plain = generation.greedy_config

    def static(tokenizer, max_new_tokens):
        config = plain(tokenizer, max_new_tokens)
        config.cache_implementation = "static"
        return config

    generation.greedy_config = static


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--batch-size", type=int, nargs="+", default=[16])
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--static-cache", action="store_true", help="static KV cache in the runner")
    args = parser.parse_args()

    import torch

    from evals.runners.models import is_fetched, load_model

    if not is_fetched("smollm2"):
        print("SmolLM2 is not cached: run `riskboard models fetch smollm2` first", file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.static_cache:
        use_static_cache()
    loaded = load_model("smollm2")
    prompts = bench_prompts(args.prompts)
    print(f"SmolLM2-135M-Instruct fp32, {loaded.params / 1e6:.1f}M parameters, {len(prompts)} prompts, "
          f"{args.max_new_tokens} new tokens max, torch threads {torch.get_num_threads()}"
          f"{', static KV cache' if args.static_cache else ''}; load average {_load()}")  # fmt: skip
    totals = measure(loaded, prompts, args.max_new_tokens, args.batch_size)
    peak = max(totals["peaks"])
    roof = peak * 1e9 / (2 * loaded.params)
    print(
        f"matmul peak {peak:.0f} GFLOP/s (best of the run) -> compute roof {roof:.0f} new tokens/s"
    )
    base = totals["one at a time"]
    for label in ["one at a time", *(f"batched, batch {size}" for size in args.batch_size)]:
        report(label, len(prompts), totals["tokens"], totals[label], base, roof)
    print(f"all batched answers equal the one-at-a-time answers; load average {_load()}")
    return 0


def measure(loaded, prompts: list[str], max_new_tokens: int, batch_sizes: list[int]) -> dict:
    """Seconds of every way of generating, interleaved chunk by chunk so that other load on the
    machine falls on all of them alike; plus matmul peaks and the new tokens generated."""
    chunk = min(max(batch_sizes), len(prompts))
    totals: dict = {"tokens": 0, "peaks": [], "one at a time": 0.0}
    for start in range(0, len(prompts), chunk):
        part = prompts[start : start + chunk]
        totals["peaks"].append(matmul_peak())
        reference, tokens, seconds = one_at_a_time(loaded, part, max_new_tokens)
        totals["tokens"] += tokens
        totals["one at a time"] += seconds
        for size in batch_sizes:
            answers, seconds = batched(loaded, part, max_new_tokens, size)
            assert answers == reference, f"batch size {size}: answers differ from one-at-a-time"
            label = f"batched, batch {size}"
            totals[label] = totals.get(label, 0.0) + seconds
    return totals


def _load() -> str:
    import os

    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(
    label: str, prompts: int, tokens: int, seconds: float, base_seconds: float, roof: float
) -> None:
    """One line of results."""
    rate = tokens / seconds
    print(f"{label:>22}: {seconds:7.1f} s  {prompts / seconds:6.2f} prompts/s  {rate:7.1f} new tokens/s  "
          f"x{base_seconds / seconds:5.2f}  {rate / roof:6.1%} of the roof")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
