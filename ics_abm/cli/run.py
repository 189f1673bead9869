"""``ics-abm run SCENARIO [--seed N] [--steps N] [--out DIR] [--force] [--parallel]``.

Runs one scenario and writes its results directory (:mod:`ics_abm.output.results`), then prints a
short summary of the final month.
"""

from __future__ import annotations

import datetime
import sys
import time
import tomllib
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, number, progress
from ics_abm.output.directory import safe_name

__all__ = ["run_command"]

#: Runs longer than this many months always get a progress bar, terminal or not.
PROGRESS_MIN_STEPS = 240

_SCENARIO_HELP = "Scenario file (TOML), e.g. scenarios/default.toml."
_SEED_HELP = "Random seed, a whole number >= 0 (default: the scenario's seed)."
_STEPS_HELP = "Months to simulate, >= 1 (default: the scenario's steps)."
_OUT_HELP = "Results directory (default: results/<scenario name>-seed<seed>)."


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
    return Path("results") / f"{safe_name(name)}-seed{seed}"


def _command(scenario: Path, seed: int, steps: int, out: Path, force: bool, parallel: bool) -> list[str]:
    """The command line that reproduces the run, with every value resolved."""
    argv = ["ics-abm", "run", str(scenario), "--seed", str(seed), "--steps", str(steps), "--out", str(out)]
    return argv + ["--force"] * force + ["--parallel"] * parallel


def _summary(out: Path, result, wall: float) -> str:
    last = result.system.iloc[-1]
    meta = result.metadata
    return (
        f"Results written to {out}\n"
        f"Month {int(last['step'])} of scenario '{meta['scenario']}' (seed {meta['seed']}): "
        f"mean trust {number(last['mean_trust'])}, collaboration rate {number(last['collaboration_rate'])}, "
        f"{int(last['n_deficit'])} of {meta['organisations']} organisations in deficit.\n"
        f"Wall time {wall:.1f} s."
    )


def run_command(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help=_SCENARIO_HELP, show_default=False)],
    seed: Annotated[int | None, typer.Option(metavar="N", help=_SEED_HELP)] = None,
    steps: Annotated[int | None, typer.Option(metavar="N", help=_STEPS_HELP)] = None,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing results directory.")] = False,
    parallel: Annotated[bool, typer.Option("--parallel", help="Use the parallel kernel (same results).")] = False,
) -> None:
    """Run a scenario and write its results (tables, figure, manifest) to a directory."""
    with bad_input_is_an_error():
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
        with progress("months", steps, show=steps > PROGRESS_MIN_STEPS or sys.stderr.isatty()) as update:
            result = run(loaded, seed, steps, parallel=parallel, progress=update)
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
