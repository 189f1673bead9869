"""Command-line interface: ``ics-abm run``, ``validate``, ``compare`` and ``validate-model``.

Bad input (a scenario that does not validate, a missing file, a negative seed, an output
directory in the way) is reported as one sentence, ``Error: ...``, on standard error with a
non-zero exit code; never as a Python traceback.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import re
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from ics_abm import __version__

__all__ = ["app", "main"]

#: Runs longer than this many months always get a progress bar, terminal or not.
PROGRESS_MIN_STEPS = 240
#: Exit code for bad input (the same as command-line usage errors).
EXIT_BAD_INPUT = 2

app = typer.Typer(
    name="ics-abm",
    help="Agent-based model of partner behaviour, trust and collaboration in NHS integrated care systems.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # errors are our one-line messages, not rich tracebacks
    rich_markup_mode=None,  # help and errors as plain text: no markup surprises from [brackets]
)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _sentence(exc: BaseException) -> str:
    """An exception as one sentence ending with a full stop."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else "output"
        text = f"{where}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())  # one line
    return text if text.endswith((".", "?", "!")) else text + "."


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def _bad_input_is_an_error() -> Iterator[None]:
    """Turn the errors of bad input into ``Error: <sentence>`` and exit code 2."""
    try:
        yield
    except (ValueError, OSError) as exc:  # ScenarioError and ResultsError are ValueErrors
        raise _fail(_sentence(exc)) from None


def _read_verbatim(path: Path, source: str, scenario):
    """The scenario file's text exactly as on disk (line endings kept), checked against ``scenario``.

    The file was already read once by :func:`load_scenario`; reading it again is checked so the
    recorded text is certainly the one that was run.
    """
    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import scenario_from_dict

    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    try:
        same = scenario_from_dict(tomllib.loads(text), source=source) == scenario
    except (tomllib.TOMLDecodeError, ScenarioError):
        same = False
    if not same:
        raise ScenarioError(source, "changed while it was being read; run the command again")
    return text


def _default_out(name: str, seed: int) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "scenario"  # a name, not a path
    return Path("results") / f"{safe}-seed{seed}"


def _command(scenario: Path, seed: int, steps: int, out: Path, force: bool, parallel: bool) -> list[str]:
    """The command line that reproduces the run, with every value resolved."""
    argv = ["ics-abm", "run", str(scenario), "--seed", str(seed), "--steps", str(steps), "--out", str(out)]
    return argv + ["--force"] * force + ["--parallel"] * parallel


@contextlib.contextmanager
def _progress(steps: int) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on standard error for long runs or interactive terminals, else nothing."""
    with progress_bar("months", steps, show=steps > PROGRESS_MIN_STEPS or sys.stderr.isatty()) as update:
        yield update


@contextlib.contextmanager
def progress_bar(unit: str, total: int, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar of ``total`` ``unit`` on standard error if ``show``, else nothing.

    Yields ``update(done, total)`` (or ``None`` when not shown), for commands' progress callbacks.
    """
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(unit), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True, highlight=False)) as bar:
        task = bar.add_task(unit, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _fmt(value: float, digits: int = 2) -> str:
    return "undefined" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _summary(out: Path, result, wall: float) -> str:
    last = result.system.iloc[-1]
    meta = result.metadata
    return (
        f"Results written to {out}\n"
        f"Month {int(last['step'])} of scenario '{meta['scenario']}' (seed {meta['seed']}): "
        f"mean trust {_fmt(last['mean_trust'])}, collaboration rate {_fmt(last['collaboration_rate'])}, "
        f"{int(last['n_deficit'])} of {meta['organisations']} organisations in deficit.\n"
        f"Wall time {wall:.1f} s."
    )


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


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


_SCENARIO_HELP = "Scenario file (TOML), e.g. scenarios/default.toml."
_SEED_HELP = "Random seed, a whole number >= 0 (default: the scenario's seed)."
_STEPS_HELP = "Months to simulate, >= 1 (default: the scenario's steps)."
_OUT_HELP = "Results directory (default: results/<scenario name>-seed<seed>)."


@app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help=_SCENARIO_HELP, show_default=False)],
    seed: Annotated[int | None, typer.Option(metavar="N", help=_SEED_HELP)] = None,
    steps: Annotated[int | None, typer.Option(metavar="N", help=_STEPS_HELP)] = None,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing results directory.")] = False,
    parallel: Annotated[bool, typer.Option("--parallel", help="Use the parallel kernel (same results).")] = False,
) -> None:
    """Run a scenario and write its results (tables, figure, manifest) to a directory."""
    with _bad_input_is_an_error():
        # Checked here (not by typer) so that the message is one line, like every other error.
        if seed is not None and seed < 0:
            raise ValueError(f"--seed must be a whole number >= 0, got {seed}")
        if steps is not None and steps < 1:
            raise ValueError(f"--steps must be a whole number >= 1, got {steps}")
        from ics_abm.output.results import check_out_dir, write_results
        from ics_abm.run import run
        from ics_abm.scenario.loading import load_scenario

        loaded = load_scenario(scenario)
        text = _read_verbatim(scenario, str(scenario), loaded)
        seed = loaded.scenario.seed if seed is None else seed
        steps = loaded.scenario.steps if steps is None else steps
        out = _default_out(loaded.scenario.name, seed) if out is None else out
        check_out_dir(out, force)  # fail before the run, not after it
        started = datetime.datetime.now(datetime.UTC)
        clock = time.perf_counter()
        with _progress(steps) as progress:
            result = run(loaded, seed, steps, parallel=parallel, progress=progress)
        write_results(
            result,
            out,
            scenario_path=scenario,
            scenario_text=text,
            command=_command(scenario, seed, steps, out, force, parallel),
            force=force,
            started=started,
        )
    typer.echo(_summary(out, result, time.perf_counter() - clock))


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Scenario files (TOML) to check.", show_default=False)
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
            typer.echo(f"Error: {_sentence(error)}", err=True)
    if failed:
        raise typer.Exit(1)


# Commands that live in their own modules (imported here, after the helpers they use).
from ics_abm.cli.compare import compare_command  # noqa: E402
from ics_abm.cli.validate_model import validate_model_command  # noqa: E402

app.command("compare")(compare_command)
app.command("validate-model")(validate_model_command)

from ics_abm.experiments.sweeps.cli import sensitivity_command, sweep_command  # noqa: E402

app.command("sweep")(sweep_command)
app.command("sensitivity")(sensitivity_command)


from ics_abm.cli.demo import demo_command  # noqa: E402  (light: solara is imported only when it runs)

app.command("demo")(demo_command)


def main() -> None:
    """Entry point of the ``ics-abm`` console script."""
    app(prog_name="ics-abm")


if __name__ == "__main__":
    main()
