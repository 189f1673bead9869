"""The ``ics-abm`` application: every command registered on one typer app, and :func:`main`.

Each command lives in its own module (:mod:`.run`, :mod:`.validate`, :mod:`.compare`,
:mod:`.validate_model`, :mod:`.sweep`, :mod:`.sensitivity`, :mod:`.demo`, :mod:`.scenarios`), which imports only
:mod:`.common` and library code, never this module: so there are no import cycles. Those modules
import what is heavy (the model, pandas, matplotlib, solara) inside the command functions, so that
``ics-abm --help`` stays quick.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer._click import exceptions as click  # typer ships its own copy of click
from typer.core import TyperArgument, TyperCommand, TyperGroup

from ics_abm._version import __version__
from ics_abm.cli.calibrate import calibrate_command
from ics_abm.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, internal_error, one_line
from ics_abm.cli.compare import compare_command
from ics_abm.cli.demo import demo_command
from ics_abm.cli.run import run_command
from ics_abm.cli.scenarios import scenarios_app
from ics_abm.cli.sensitivity import sensitivity_command
from ics_abm.cli.sweep import sweep_command
from ics_abm.cli.validate import validate_command
from ics_abm.cli.validate_model import validate_model_command

__all__ = ["app", "main"]

#: Options whose value is a path: an empty value would silently mean the current folder.
_PATH_OPTIONS = frozenset({"--out", "--presets"})


class _OneLineErrors(TyperGroup):
    """The application's group: every error ends the command as one ``Error: ...`` line.

    Usage errors (an unknown option, a value of the wrong type) are one line with exit code 2, not
    click's block of usage text; an unexpected exception (a bug, never bad input, which each
    command reports itself) is one line with exit code :data:`.common.EXIT_INTERNAL`, its
    traceback shown only with ``ICS_ABM_TRACEBACK=1``.
    """

    def _empty_path(self, args: list[str]) -> str | None:
        """The first option that names a folder or file but is given an empty string (``--out ''``)."""
        for index, arg in enumerate(args):
            name, equals, value = arg.partition("=")
            if name in _PATH_OPTIONS and ((equals and not value.strip())
                                          or (not equals and index + 1 < len(args) and not args[index + 1].strip())):
                return name
        return None

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        empty = self._empty_path(list(sys.argv[1:] if args is None else args))
        if empty is not None:  # a path type reads '' as '.', the current folder: never meant
            typer.echo(f"Error: {empty} must name a folder or file, got an empty string.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            typer.echo(f"Error: {one_line(exc.format_message()).rstrip('.')}{hint}.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.ClickException as exc:
            typer.echo(f"Error: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:  # typer's copy of click has no Abort: Ctrl-C arrives as itself
            typer.echo("Error: interrupted.", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001  (a bug: one line, the traceback on request)
            if os.environ.get("ICS_ABM_TRACEBACK"):
                raise
            typer.echo(f"Error: {internal_error(exc)}", err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(code if isinstance(code, int) else 0)


class _Argument(TyperArgument):
    """A positional argument shown the usual way: ``SCENARIO``, ``[SCENARIO]``, ``FILE...``.

    Typer's own usage line wraps required arguments in braces (``{SCENARIO}``) and its help adds
    the Python type (``<list[Path]>``); the help text says what each argument is instead.
    """

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        if not self.required and self.nargs == 1:
            name = f"[{name}]"
        return name

    def _rich_display_name(self) -> str:
        name = self.display_name_raw
        return name + "..." if self.nargs != 1 and not name.endswith("...") else name

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class _Command(TyperCommand):
    """Every command's class: its positional arguments are :class:`_Argument`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = _Argument


app = typer.Typer(
    cls=_OneLineErrors,
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


app.command("run", cls=_Command)(run_command)
app.command("validate", cls=_Command)(validate_command)
app.command("compare", cls=_Command)(compare_command)
app.command("validate-model", cls=_Command)(validate_model_command)
app.command("sweep", cls=_Command)(sweep_command)
app.command("sensitivity", cls=_Command)(sensitivity_command)
app.command("demo", cls=_Command)(demo_command)
app.command("calibrate", cls=_Command)(calibrate_command)
app.add_typer(scenarios_app, name="scenarios")
scenarios_app.registered_commands[0].cls = _Command


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
