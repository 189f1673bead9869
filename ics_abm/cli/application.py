"""The ``ics-abm`` application: every command registered on one typer app, and :func:`main`.

Each command lives in its own module (:mod:`.run`, :mod:`.validate`, :mod:`.compare`,
:mod:`.validate_model`, :mod:`.sweep`, :mod:`.sensitivity`, :mod:`.demo`), which imports only
:mod:`.common` and library code, never this module: so there are no import cycles. Those modules
import what is heavy (the model, pandas, matplotlib, solara) inside the command functions, so that
``ics-abm --help`` stays quick.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from ics_abm._version import __version__
from ics_abm.cli.compare import compare_command
from ics_abm.cli.demo import demo_command
from ics_abm.cli.run import run_command
from ics_abm.cli.sensitivity import sensitivity_command
from ics_abm.cli.sweep import sweep_command
from ics_abm.cli.validate import validate_command
from ics_abm.cli.validate_model import validate_model_command

__all__ = ["app", "main"]

app = typer.Typer(
    name="ics-abm",
    help="Agent-based model of partner behaviour, trust and collaboration in NHS integrated care systems.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # errors are our one-line messages, not rich tracebacks
    rich_markup_mode=None,  # help and errors as plain text: no markup surprises from [brackets]
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ics-abm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Agent-based model of partner behaviour, trust and collaboration in NHS integrated care systems."""


app.command("run")(run_command)
app.command("validate")(validate_command)
app.command("compare")(compare_command)
app.command("validate-model")(validate_model_command)
app.command("sweep")(sweep_command)
app.command("sensitivity")(sensitivity_command)
app.command("demo")(demo_command)


def _use_a_non_interactive_backend() -> None:
    """Make matplotlib draw without a display (Agg), for this process and the workers it starts.

    The library never chooses a backend (that would break figures in Jupyter); a command line
    does, because it only ever writes figures to files and must work on servers without a
    display. Set through the environment, which matplotlib reads when it is first imported, so
    that ``ics-abm --help`` does not pay for importing it.
    """
    os.environ["MPLBACKEND"] = "agg"
    if "matplotlib" in sys.modules:  # already imported (by an embedding program): switch it now
        sys.modules["matplotlib"].use("agg")


def main() -> None:
    """Entry point of the ``ics-abm`` console script."""
    _use_a_non_interactive_backend()
    app(prog_name="ics-abm")
