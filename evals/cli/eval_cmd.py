"""`riskboard eval refusal|over-refusal|capability`: run an evaluation and store it."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import click

from evals.cli import command_line, require_runners
from evals.cli.common import db_option, fail
from evals.datasets.catalog import BENCHMARKS


@click.group("eval")
def eval_group() -> None:
    """Run an evaluation on a local model (and adapter) or an endpoint, and store it."""


def model_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every evaluation shares: what model, stored as which checkpoint."""
    options = [
        click.option("--model", help="'smollm2', a Hugging Face model folder, or a .gguf file."),
        click.option("--adapter", help="A PEFT adapter folder applied on top of --model."),
        click.option(
            "--checkpoint", required=True, help="Store the run under this checkpoint name."
        ),
        click.option("--base", help="The base checkpoint of an adapter (or fine-tuned model)."),
        click.option(
            "--kind",
            type=click.Choice(["merged", "full-finetune", "adapter"]),
            help="With --base but no --adapter: how the model was made (adapter: an endpoint's LoRA).",
        ),
        click.option(
            "--limit", type=click.IntRange(min=1), help="Evaluate a balanced subset of N items."
        ),
        click.option("--quiet", is_flag=True, help="No progress bar."),
        db_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def batch_size_option(default: int, help_text: str) -> Callable[..., Any]:
    """--batch-size with a default measured for this kind of run (bench/README.md)."""
    return click.option(
        "--batch-size",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help=help_text,
    )


def endpoint_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options that point a generation run at an OpenAI-compatible server instead of --model."""
    options = [
        click.option(
            "--endpoint",
            metavar="URL",
            help="OpenAI-compatible API base, e.g. http://host:8000/v1.",
        ),
        click.option("--endpoint-model", metavar="NAME", help="The model name the server expects."),
        click.option(
            "--api-key-env",
            metavar="VAR",
            default="OPENAI_API_KEY",
            show_default=True,
            help="Environment variable holding the endpoint's API key (sent when set).",
        ),  # fmt: skip
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _refusal_command(kind: str) -> click.Command:
    """The click command of a generation run of `kind` (refusal or over-refusal)."""
    rate = "refused harmful prompts" if kind == "refusal" else "refused benign prompts"

    @click.command(
        kind, help=f"Generate answers to --prompts, classify them, store the share of {rate}."
    )
    @click.option(
        "--prompts", required=True, help="A prompt set name (riskboard datasets list) or a file."
    )
    @click.option(
        "--max-new-tokens", type=click.IntRange(min=1), default=64, show_default=True,
        help="The longest answer, in tokens (greedy decoding).",
    )  # fmt: skip
    @batch_size_option(64, "Prompts generated together (or sent at once to --endpoint).")
    @endpoint_options
    @model_options
    def command(**options: Any) -> None:
        from evals.runners.generation import GenerationSettings
        from evals.runners.refusal import RefusalJob, run_refusal

        job = RefusalJob(
            kind=kind,  # type: ignore[arg-type]
            prompts=options["prompts"],
            target=_target(options),
            choice=_choice(options),
            limit=options["limit"],
            settings=GenerationSettings(options["max_new_tokens"], options["batch_size"]),
            command=command_line(),
        )
        _run_and_store(lambda: run_refusal(job, progress=not options["quiet"]), options["db_url"])

    return command


@click.command("capability")
@click.option(
    "--benchmark",
    required=True,
    type=click.Choice(list(BENCHMARKS)),
    help="The multiple-choice benchmark (riskboard datasets list).",
)
@click.option(
    "--n-shot", type=click.IntRange(min=0), default=0, show_default=True,
    help="Solved questions of the same subject put before each question.",
)  # fmt: skip
@batch_size_option(16, "Answer options scored in one forward pass.")
@model_options
def capability_command(**options: Any) -> None:
    """Score a multiple-choice benchmark by option log-likelihood and store acc and acc_norm."""
    from evals.runners.capability import CapabilityJob, run_capability

    if not options["model"]:
        fail(["--model: name the model to score (capability runs read its log-likelihoods)"])
    job = CapabilityJob(
        benchmark=options["benchmark"],
        target=_target(options),
        choice=_choice({**options, "endpoint": None}),
        limit=options["limit"],
        n_shot=options["n_shot"],
        batch_size=options["batch_size"],
        command=command_line(),
    )
    _run_and_store(lambda: run_capability(job, progress=not options["quiet"]), options["db_url"])


eval_group.add_command(_refusal_command("refusal"))
eval_group.add_command(_refusal_command("over-refusal"))
eval_group.add_command(capability_command)


def _target(options: dict[str, Any]) -> Any:
    from evals.runners.provenance import Target

    return Target(options["checkpoint"], options["base"], options["kind"])


def _choice(options: dict[str, Any]) -> Any:
    from evals.runners.endpoint import Endpoint
    from evals.runners.provenance import ModelChoice

    endpoint = None
    if options.get("model"):
        require_runners("eval")  # before any prompt set or benchmark is fetched
    if options.get("endpoint"):
        if urlsplit(options["endpoint"]).scheme not in ("http", "https"):
            fail([f"--endpoint: expected http(s)://host:port/v1, got {options['endpoint']!r}"])
        if not options.get("endpoint_model"):
            fail(["--endpoint-model: name the model the server should use"])
        key = os.environ.get(options["api_key_env"]) or None
        endpoint = Endpoint(options["endpoint"], options["endpoint_model"], api_key=key)
    return ModelChoice(options["model"], options["adapter"], endpoint)


def _run_and_store(run: Callable[[], Any], db_url: str | None) -> None:
    """Run, store the bundle in one transaction, then drop the resume file; errors as `where: what`."""
    from evals.cli.common import open_session, runner_errors
    from evals.importing import InvalidInput, store_bundle
    from evals.runners.provenance import overall_lines

    try:
        outcome = run()
    except InvalidInput as error:  # a prompt set or benchmark that cannot be read
        fail(error.problems)
        return
    except runner_errors() as error:
        fail([str(error)])
        return
    try:
        with open_session(db_url) as session:
            report = store_bundle(session, outcome.bundle)
    except InvalidInput as error:
        fail([*error.problems, f"nothing stored; the answers are kept in {outcome.progress.path}"])
        return
    outcome.progress.remove()
    click.echo(
        f"stored: {report.runs} run, {report.results} results, {report.samples} samples"
        f" (checkpoints: {', '.join(report.checkpoints)})"
    )
    for line in overall_lines(outcome.bundle):
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
