"""``ics-abm scenarios [--dir DIR]`` and ``ics-abm scenarios copy NAME DIR [--force]``.

Lists the scenarios shipped with the package (name, group, one-line description, and the other
names each answers to) and the sweep examples, and copies one into a folder to start one's own.
Every name listed can be given wherever a scenario (or sweep) file is accepted.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, sentence

__all__ = ["scenarios_app"]

_DIR_HELP = "Also list the scenario files (*.toml) in this folder."
_NAME_HELP = "A scenario or sweep example name (as listed by 'ics-abm scenarios')."
_TO_HELP = "Folder to copy it into (created if missing)."

scenarios_app = typer.Typer(
    name="scenarios",
    help="List the scenarios and sweep examples shipped with ics_abm; 'copy' one to start your own.",
    add_completion=False,
    rich_markup_mode=None,
)


def _table(rows: list[tuple[str, str, str]], width: int) -> list[str]:
    """Rows of (name, group, description) as aligned columns, the description wrapped to ``width``."""
    name_width = max(len(row[0]) for row in rows)
    group_width = max(len(row[1]) for row in rows)
    indent = name_width + group_width + 4
    lines = []
    for name, group, description in rows:
        wrapped = textwrap.wrap(description, max(30, width - indent)) or [""]
        lines.append(f"{name:<{name_width}}  {group:<{group_width}}  {wrapped[0]}")
        lines.extend(" " * indent + more for more in wrapped[1:])
    return lines


@scenarios_app.callback(invoke_without_command=True)
def scenarios_command(
    ctx: typer.Context,
    folder: Annotated[Path | None, typer.Option("--dir", metavar="DIR", help=_DIR_HELP, show_default=False)] = None,
) -> None:
    """List the shipped scenarios (name, group, description) and sweep examples; 'copy' starts your own."""
    if ctx.invoked_subcommand is not None:
        return
    from ics_abm.scenario.catalog import list_sweeps, scan_scenarios

    with bad_input_is_an_error():
        entries, problems = scan_scenarios(folder)
        sweeps = list_sweeps()
    width = shutil.get_terminal_size((100, 24)).columns - 1
    rows = [("NAME", "GROUP", "DESCRIPTION")]
    for entry in entries:
        also = f" (also: {', '.join(entry.aliases)})" if entry.aliases else ""
        rows.append((entry.name, entry.group, entry.description + also))
    for line in _table(rows, width):
        typer.echo(line.rstrip())
    typer.echo("")
    typer.echo("Sweep examples (ics-abm sweep NAME):")
    for line in _table([("NAME", "", "DESCRIPTION"), *((s.name, "", s.description) for s in sweeps)], width):
        typer.echo(line.rstrip())
    typer.echo("")
    typer.echo("Use a name wherever a file is asked for (ics-abm run default); "
               "'ics-abm scenarios copy NAME DIR' copies one to edit.")
    for problem in problems:
        typer.echo(f"Warning: left out: {sentence(ValueError(problem))}", err=True)


@scenarios_app.command("copy")
def copy_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help=_NAME_HELP, show_default=False)],
    to: Annotated[Path, typer.Argument(metavar="DIR", help=_TO_HELP, show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace a file of the same name in DIR.")] = False,
) -> None:
    """Copy a shipped scenario or sweep example into a folder, to edit and run as your own."""
    from ics_abm.scenario.catalog import copy_scenario

    with bad_input_is_an_error():
        copied = copy_scenario(name, to, force=force)
    typer.echo(f"Copied {name} to {copied}; run it with: ics-abm run {copied}")
