"""Issue 15: a property-based fuzzer of bad input, kept in the suite.

Generated bad scenario and sweep files (mutations of real ones), command lines and Python API
arguments (:mod:`tests.bad_input_strategies`). Properties:

* bad input is refused with one sentence naming the file (and, for a field, the field, what was
  expected and what was given), the documented exit code (2; ``validate``: 1), no traceback;
* nothing is written when a command is refused;
* whatever is accepted runs.

Two profiles: the CI one (``test_fuzz_*``, a few hundred cases in well under a minute) and a
thorough one (``test_thorough_*``, marked slow, at least 2,000 cases in all)::

    .venv/bin/python -m pytest tests/test_fuzz_inputs.py -m slow --hypothesis-show-statistics
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import ics_abm
from ics_abm.experiments.sweeps import build_design, read_sweep
from ics_abm.output import results as results_module
from ics_abm.scenario.loading import organisation_counts, validate_files
from tests.bad_input import TINY, invoke, listing, one_sentence
from tests.bad_input_strategies import anything, cli_arguments, scenario_files, sweep_files

#: Examples per property: CI profile, and thorough profile (slow).
CI = {"scenario": 120, "sweep": 80, "cli": 60, "api": 100}
THOROUGH = {"scenario": 1000, "sweep": 600, "cli": 300, "api": 600}
#: Accepted scenarios are run for at most this many months (what is checked is that they run).
MONTHS = 2
#: Accepted sweeps are run when they are this small (runs x months); bigger ones are built only.
SWEEP_WORK = 24
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
             "derandomize": False}


@contextlib.contextmanager
def scratch() -> Path:
    """A fresh folder holding ``tiny.toml``, the working directory for the duration."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
        before = os.getcwd()
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(before)


def assert_sentence(error: Exception, files: tuple[str, ...]) -> None:
    """One sentence, naming one of ``files``; for a field: the field, what was expected, what was given."""
    text = str(error)
    assert "\n" not in text and text.endswith("."), text
    assert text.startswith(tuple(f"{f}: " for f in files)), (text, files)
    field = getattr(error, "field", None)
    if isinstance(error, ics_abm.ScenarioError) and field:
        assert field.split(".")[-1] in text, text
        assert any(word in text for word in ("expected", "required but missing")), text


# --------------------------------------------------------------------------------------------
# Scenario files
# --------------------------------------------------------------------------------------------


def check_scenario_file(data: bytes) -> None:
    with scratch() as folder:
        path = folder / "fuzzed.toml"
        path.write_bytes(data)
        [(_, error)] = validate_files([path])
        result = invoke("validate", path)
        event("refused" if error is not None else "accepted (and run)")
        if error is not None:
            assert_sentence(error, (str(path),))
            assert one_sentence(result, code=1) == f"Error: {error}"
            refused = invoke("run", path, "--out", folder / "out")
            one_sentence(refused)
            assert sorted(p.name for p in folder.iterdir()) == ["fuzzed.toml", "tiny.toml"]  # nothing written
            with pytest.raises(ics_abm.ScenarioError):
                ics_abm.run(path)
            return
        assert result.exit_code == 0, result.output
        scenario = ics_abm.load_scenario(path)  # accepted: it runs
        months = min(MONTHS, scenario.scenario.steps)
        run = ics_abm.run(scenario, steps=months)
        assert len(run.system) == months
        assert run.metadata["organisations"] >= sum(organisation_counts(scenario).values()) >= 1


@settings(max_examples=CI["scenario"], **_SETTINGS)
@given(scenario_files)
def test_fuzz_scenario_files(data):
    check_scenario_file(data)


@pytest.mark.slow
@settings(max_examples=THOROUGH["scenario"], **_SETTINGS)
@given(scenario_files)
def test_thorough_scenario_files(data):
    check_scenario_file(data)


# --------------------------------------------------------------------------------------------
# Sweep files
# --------------------------------------------------------------------------------------------


def check_sweep_file(data: bytes) -> None:
    with scratch() as folder:
        path = folder / "sweep.toml"
        path.write_bytes(data)
        files = (str(path), str(folder / "tiny.toml"), "sweep.toml")
        try:
            design = build_design(read_sweep(path))
        except (ics_abm.SweepError, ics_abm.ScenarioError) as error:
            event("refused")
            assert_sentence(error, files)
            one_sentence(invoke("sweep", path, "--dry-run"))
            one_sentence(invoke("sweep", path, "--out", folder / "out"))
            assert sorted(p.name for p in folder.iterdir()) == ["sweep.toml", "tiny.toml"]  # nothing written
            return
        dry = invoke("sweep", path, "--dry-run")
        assert dry.exit_code == 0 and "Nothing was run" in dry.stdout, dry.output
        event("accepted, run" if design.n_runs * design.spec.steps <= SWEEP_WORK else "accepted, built only")
        if design.n_runs * design.spec.steps <= SWEEP_WORK:  # accepted: it runs
            done = ics_abm.sweep(path, folder / "out")
            assert done.runs == design.n_runs
            assert ics_abm.experiments.sweeps.read_manifest(folder / "out")["progress"]["status"] == "complete"
            assert not [p for p in (folder / "out").rglob(".*")]


@settings(max_examples=CI["sweep"], **_SETTINGS)
@given(sweep_files)
def test_fuzz_sweep_files(data):
    check_sweep_file(data)


@pytest.mark.slow
@settings(max_examples=THOROUGH["sweep"], **_SETTINGS)
@given(sweep_files)
def test_thorough_sweep_files(data):
    check_sweep_file(data)


# --------------------------------------------------------------------------------------------
# Command lines
# --------------------------------------------------------------------------------------------


def check_command_line(argv: list[str]) -> None:
    with scratch() as folder, mock.patch.object(results_module, "_write_figure",
                                                lambda result, path: path.write_bytes(b"png")):
        (folder / "sweep.toml").write_text('[sweep]\nname = "c"\nscenario = "tiny.toml"\nsteps = 1\n')
        before = listing(folder)
        if argv[0] == "demo":
            argv = [*argv, "--host", "192.0.2.1"]  # never start a server: an address not of this computer
        result = invoke(*argv)
        event(f"exit {result.exit_code}")
        if result.exit_code == 0:
            assert argv[0] != "demo", result.output
            return
        if argv[0] == "validate":
            assert result.exit_code in (1, 2), result.output
            assert all(line.startswith(("Error: ", "ok: ")) for line in result.output.splitlines()), result.output
        else:
            one_sentence(result, code=130 if result.exit_code == 130 else 2)
        assert listing(folder) == before, argv  # refused: nothing written


@settings(max_examples=CI["cli"], **_SETTINGS)
@given(cli_arguments())
def test_fuzz_command_lines(argv):
    check_command_line(argv)


@pytest.mark.slow
@settings(max_examples=THOROUGH["cli"], **_SETTINGS)
@given(cli_arguments())
def test_thorough_command_lines(argv):
    check_command_line(argv)


# --------------------------------------------------------------------------------------------
# Python API arguments
# --------------------------------------------------------------------------------------------

_TINY_SCENARIO = None


def _tiny():
    global _TINY_SCENARIO
    if _TINY_SCENARIO is None:
        with scratch() as folder:
            _TINY_SCENARIO = ics_abm.load_scenario(folder / "tiny.toml")
    return _TINY_SCENARIO


def _steps(value):
    """``value`` as the months of a run, but never a long run (a valid count above 2 becomes 2)."""
    return 2 if isinstance(value, int) and not isinstance(value, bool) and 2 < value <= 100_000 else value


def check_api(function: str, value) -> None:
    scenario = _tiny()
    calls = {
        "run seed": lambda: ics_abm.run(scenario, seed=value, steps=1),
        "run steps": lambda: ics_abm.run(scenario, seed=0, steps=_steps(value)),
        "run scenario": lambda: ics_abm.run(value, steps=1),
        "load_scenario": lambda: ics_abm.load_scenario(value),
        "model seed": lambda: ics_abm.ICSModel(scenario, seed=value),
        "sweep workers": lambda: ics_abm.sweep("missing.toml", "out", workers=value),
    }
    with scratch() as folder:
        before = listing(folder)
        try:
            calls[function]()
            event("accepted")
        except (TypeError, ValueError) as error:  # ScenarioError and SweepError are ValueErrors
            event(f"refused: {type(error).__name__}")
            text = str(error)
            assert text and "\n" not in text, text
            argument = function.split()[-1]
            if function == "sweep workers" and "file not found" in text:
                assert text.startswith("missing.toml: "), text  # the workers were fine: the file is missing
            elif function not in ("load_scenario", "run scenario"):
                assert argument in text and "whole number" in text, text
            assert listing(folder) == before
        else:
            assert function != "sweep workers"  # the file is missing: never accepted


FUNCTIONS = st.sampled_from(["run seed", "run steps", "run scenario", "load_scenario", "model seed", "sweep workers"])


@settings(max_examples=CI["api"], **_SETTINGS)
@given(FUNCTIONS, anything)
def test_fuzz_api_arguments(function, value):
    check_api(function, value)


@pytest.mark.slow
@settings(max_examples=THOROUGH["api"], **_SETTINGS)
@given(FUNCTIONS, anything)
def test_thorough_api_arguments(function, value):
    check_api(function, value)


def test_thorough_profile_runs_at_least_2000_cases():
    assert sum(THOROUGH.values()) >= 2000 and sum(CI.values()) >= 200
