"""docs/cli.md, written from the commands themselves so the reference never drifts from the code."""

from __future__ import annotations

import click

from evals.cli import COMMANDS, main

INTRO = """# Command line reference

Written from the commands' own help by `evals/cli/reference.py`; `pytest --update-golden` rewrites it
and `tests/test_cli_reference.py` fails when it is out of date. Every command that touches the database
takes `--db URL` (default `$RISKBOARD_DB_URL`, else `sqlite:///riskboard.db`). Errors a user can fix
print one line per problem as `where: what` and exit with status 1, storing nothing.
"""


def render_reference() -> str:
    """The whole reference as Markdown."""
    parts = [INTRO]
    context = click.Context(main, info_name="riskboard")
    for name in COMMANDS:
        command = main.get_command(context, name)
        if command is not None:
            parts += _sections(command, context, f"riskboard {name}")
    return "\n".join(parts).rstrip() + "\n"


def _sections(command: click.Command, parent: click.Context, path: str) -> list[str]:
    context = click.Context(command, info_name=path.split()[-1], parent=parent)
    if isinstance(command, click.Group):
        sections = [f"## `{path}`\n\n{_help(command)}\n"]
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None:
                sections += _sections(sub, context, f"{path} {name}")
        return sections
    usage = " ".join(command.collect_usage_pieces(context))
    lines = [f"## `{path}`", "", "```", f"{path} {usage}", "```", "", _help(command), ""]
    options = [_option_row(p) for p in command.params if isinstance(p, click.Option)]
    if options:
        lines += ["| option | meaning |", "| --- | --- |", *options, ""]
    return ["\n".join(lines)]


def _help(command: click.Command) -> str:
    text = (command.help or "").strip()
    return "\n".join(line.strip() for line in text.splitlines()).replace("\b\n", "")


def _option_row(option: click.Option) -> str:
    names = ", ".join(f"`{name}`" for name in option.opts)
    if isinstance(option.type, click.Choice):
        names += " `" + "\\|".join(str(c) for c in option.type.choices) + "`"
    elif not option.is_flag:
        names += f" `{option.metavar or option.type.name.upper()}`"
    meaning = (option.help or "").replace("|", "\\|")
    if option.show_default and option.default is not None and option.default is not False:
        meaning += f" (default: {option.default})"  # `0 in (None, False)` is True: test identity
    if isinstance(option.type, click.IntRange | click.FloatRange):
        meaning += f" ({_range(option.type)})"
    return f"| {names} | {meaning} |"


def _range(bounds: click.IntRange | click.FloatRange) -> str:
    """A numeric option's bounds as `1 <= x`, `0 < x < 1`."""
    low = "" if bounds.min is None else f"{bounds.min} {'<' if bounds.min_open else '<='} "
    high = "" if bounds.max is None else f" {'<' if bounds.max_open else '<='} {bounds.max}"
    return f"{low}x{high}"
