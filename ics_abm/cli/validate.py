"""``ics-abm validate FILE...``: check scenario files without running them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import sentence

__all__ = ["validate_command"]


def validate_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Scenario files (TOML) or shipped scenario names to check.", show_default=False)
    ],
) -> None:
    """Check scenario files; print 'ok: FILE' or the problem for each. Exit code 1 if any is invalid."""
    from ics_abm.scenario.loading import validate_files

    failed = False
    for path, error in validate_files(files):
        if error is None:
            typer.echo(f"ok: {path}")
        else:
            failed = True
            typer.echo(f"Error: {sentence(error)}", err=True)
    if failed:
        raise typer.Exit(1)
