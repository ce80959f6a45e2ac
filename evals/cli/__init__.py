"""The `riskboard` command line: a thin shell over the project's Python API.

Each command lives in its own module and imports anything heavy inside the command, so
`riskboard --help` stays fast and never imports torch.
"""

from __future__ import annotations

import importlib
import sys

import click

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "import": "evals.cli.import_cmd:import_command",
    "checkpoints": "evals.cli.query_cmd:checkpoints_command",
    "results": "evals.cli.query_cmd:results_command",
    "scorecard": "evals.cli.scorecard_cmd:scorecard_command",
    "serve": "evals.cli.serve_cmd:serve_command",
    "demo": "evals.cli.serve_cmd:demo_command",
    "db": "evals.cli.db_cmd:db_group",
    "models": "evals.cli.models_cmd:models_group",
    "datasets": "evals.cli.datasets_cmd:datasets_group",
    "eval": "evals.cli.eval_cmd:eval_group",
    "classify": "evals.cli.classify_cmd:classify_command",
    "finetune": "evals.cli.finetune_cmd:finetune_command",
    "study": "evals.cli.study_cmd:study_group",
}


ARGV_KEY = "riskboard.argv"
# what the `runners` extra installs (pyproject.toml); a command that needs one says so
RUNNER_PACKAGES = {
    "torch",
    "transformers",
    "tokenizers",
    "peft",
    "accelerate",
    "safetensors",
    "gguf",
}


def missing_runners(command: str, package: str) -> str:
    """What to do when a command needs the `runners` extra and the base install lacks it."""
    return (
        f"{command}: needs {package}, which the base install leaves out. Install the runners: "
        f"pip install torch==2.13.0 -e '.[runners]' (torch pinned, or pip pulls a CUDA build of "
        f"several GB)"
    )


def require_runners(command: str) -> None:
    """Exit with `missing_runners` before any work when the runners' packages are not installed."""
    from importlib.util import find_spec

    for package in ("torch", "transformers", "peft"):
        if find_spec(package) is None:
            click.echo(missing_runners(command, package), err=True)
            sys.exit(1)


def command_line() -> str:
    """The running command as typed (`riskboard eval refusal --model …`), for provenance."""
    import shlex

    ctx = click.get_current_context(silent=True)
    arguments = ctx.meta.get(ARGV_KEY, []) if ctx is not None else []
    return shlex.join(["riskboard", *arguments])


class LazyGroup(click.Group):
    """A group whose commands are imported only when they run (or when help lists them)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: object,
    ) -> click.Context:
        arguments = list(args)  # click consumes `args`; keep the command line as typed
        ctx = super().make_context(info_name, args, parent, **extra)  # type: ignore[arg-type]
        ctx.meta.setdefault(ARGV_KEY, arguments)
        return ctx

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as error:
            top = (error.name or "").split(".")[0]
            if top not in RUNNER_PACKAGES:
                raise
            click.echo(missing_runners(ctx.invoked_subcommand or "this command", top), err=True)
            ctx.exit(1)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:  # not written yet
                return None
            raise
        command: click.Command = getattr(module, attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskboard")
def main() -> None:
    """riskboard: how cheaply can fine-tuning remove a model's safety training?"""
