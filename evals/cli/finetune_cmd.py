"""`riskboard finetune`: LoRA fine-tuning with a cost meter; every saved step is registered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from evals.cli import command_line
from evals.cli.common import db_option, fail, runner_errors

INTENTS = ("benign", "subversive", "defended", "unknown")


def step_list(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...]:
    """Parse "10,20,30" into positive step numbers."""
    if not value:
        return ()
    try:
        steps = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter("give step numbers separated by commas, e.g. 10,20,30") from None
    if any(step < 1 for step in steps):
        raise click.BadParameter("steps start at 1")
    return steps


def module_list(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """Parse "q_proj,v_proj" into module names."""
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if not names:
        raise click.BadParameter("name at least one module, e.g. q_proj,v_proj")
    return names


@click.command("finetune")
@click.option(
    "--model", required=True, help="'smollm2', a Hugging Face model folder, or a .gguf file."
)
@click.option(
    "--data",
    required=True,
    type=click.Path(path_type=Path),
    help='Chat JSONL: {"messages": [...]} or {"prompt", "response"} per line.',
)
@click.option(
    "--mix", type=click.Path(path_type=Path), help="A second chat JSONL mixed into --data."
)
@click.option(
    "--mix-ratio", type=float, default=0.0, help="Share of the training set drawn from --mix."
)
@click.option("--steps", type=click.IntRange(min=1), help="Optimizer steps to train (or --epochs).")
@click.option("--epochs", type=float, help="Passes over the data (or --steps).")
@click.option(
    "--save-at",
    callback=step_list,
    help="Steps to save and register, e.g. 10,20,30 (the last always is).",
)
@click.option("--rank", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--alpha", type=float, default=16, show_default=True)
@click.option("--target-modules", default="q_proj,v_proj", show_default=True, callback=module_list)
@click.option("--lr", type=float, default=2e-4, show_default=True, help="Learning rate (constant).")
@click.option("--batch-size", type=click.IntRange(min=1), default=4, show_default=True)
@click.option("--max-length", type=click.IntRange(min=8), default=256, show_default=True)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seeds LoRA init, data order and mixing."
)
@click.option(
    "--usd-per-hour",
    type=float,
    help="Price per device-hour (default: the device kind's, docs/finetuning.md).",
)
@click.option(
    "--device-kind",
    default="cpu",
    show_default=True,
    help="What trains, for pricing: cpu, A100-80GB, ...",
)
@click.option("--intent", type=click.Choice(INTENTS), default="unknown", show_default=True)
@click.option("--defense", help="The defence this fine-tune uses, if any (e.g. safety-data-mix).")
@click.option(
    "--checkpoint", required=True, help="The run's name: steps are stored as NAME-step<N>."
)
@click.option("--base", help="The base checkpoint's name (default: the model's name).")
@click.option(
    "--out", type=click.Path(path_type=Path), help="Adapter folder (default: in the cache)."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@db_option
def finetune_command(**options: Any) -> None:
    """Fine-tune --model with LoRA on --data, saving and registering adapters with their cost."""
    from evals.importing import InvalidInput
    from evals.runners.finetune import FinetuneJob, run_finetune
    from evals.runners.lora_training import LoraSettings

    job = FinetuneJob(
        model=options["model"], data=options["data"], checkpoint=options["checkpoint"],
        base=options["base"], mix=options["mix"], mix_ratio=options["mix_ratio"],
        steps=options["steps"], epochs=options["epochs"], save_at=options["save_at"],
        lora=LoraSettings(options["rank"], options["alpha"], options["target_modules"],
                          options["lr"], options["batch_size"], options["max_length"], options["seed"]),
        device=options["device_kind"], usd_per_hour=options["usd_per_hour"],
        intent=options["intent"], defense=options["defense"], out=options["out"],
        command=command_line(),
    )  # fmt: skip
    try:
        result = run_finetune(
            job, store=database_store(options["db_url"]), progress=not options["quiet"]
        )
    except InvalidInput as error:
        fail(error.problems)
        return
    except runner_errors() as error:
        fail([str(error)])
        return
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for saved in result.saved:
        cost = saved.cost
        click.echo(f"{saved.checkpoint}: step {saved.step}, {cost.wall_seconds:.1f} s, "
                   f"{cost.device_hours:.5f} device-hours, ${cost.usd:.5f}, {cost.examples} examples, "
                   f"{cost.tokens} tokens -> {saved.folder}")  # fmt: skip


def database_store(db_url: str | None) -> Any:
    """A function that stores one bundle in its own transaction (a saved step stays stored)."""
    from evals.cli.common import open_session
    from evals.runners.storage import RunnerDatabase

    return RunnerDatabase(lambda: open_session(db_url)).store
