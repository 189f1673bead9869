"""ics-abm calibrate (issue 11, part 1): the CI config end to end, kill and resume, bad configs, the distance."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.experiments.calibration import PATTERNS, distance, load_calibration, read_config
from ics_abm.experiments.validation.robustness import assumption_paths

pytest.importorskip("pyabc")
runner = CliRunner()

GOOD = """[calibration]
name = "t"
scenario = "default"
steps = 24
seeds = 2
population_size = 4
generations = {generations}
root_seed = 3
patterns = ["trust_rises_year1", "setbacks", "interventions_fall"]

[prior."trust.gain_rate"]
range = [0.075, 0.3]
reason = "test"
"""


def _populations(db: Path) -> list[int]:
    with sqlite3.connect(db) as con:
        return [t for (t,) in con.execute("SELECT t FROM populations WHERE t >= 0 ORDER BY t")]


def test_the_ci_config_runs_through_the_cli_and_loads_as_a_tidy_table(tmp_path):
    out = tmp_path / "ci"
    result = runner.invoke(cli_module.app, ["calibrate", "ci", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = load_calibration(out)
    config = read_config("ci")
    assert list(table.columns[:4]) == ["generation", "particle", "weight", "distance"]
    assert sorted(table.columns[4:]) == sorted(config.prior)  # pyabc keeps parameters in name order
    assert sorted(table["generation"].unique()) == [0, 1]
    assert table.groupby("generation")["weight"].sum().round(9).eq(1.0).all()
    for path, prior in config.prior.items():
        assert table[path].between(*prior.range).all()
    assert (out / "posterior.parquet").exists()


def test_kill_after_the_first_generation_and_resume_loses_and_repeats_nothing(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(GOOD.format(generations=4))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ics_abm.cli", "calibrate", str(config), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    first = out / "generations" / "generation-000.parquet"
    deadline = time.monotonic() + 240
    while not first.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert first.exists()
    assert not (out / "posterior.parquet").exists(), "a killed calibration must not look complete"
    kept = _populations(out / "calibration.db")
    assert kept and kept[-1] < 3, "the run finished before it was killed: make it longer"
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert _populations(out / "calibration.db") == [0, 1, 2, 3]
    table = load_calibration(out)
    assert sorted(table["generation"].unique()) == [0, 1, 2, 3]
    assert table.groupby("generation").size().eq(4).all()
    assert (out / "posterior.parquet").exists()


def test_a_kill_inside_a_generation_keeps_the_finished_slots_and_the_resumed_result_is_the_same(tmp_path):
    config = tmp_path / "c.toml"
    # One generation that accepts everything: every slot is one evaluation, 160 of them, of
    # 120-month runs, so that the generation outlasts the kill now that nothing is compiled first
    # (with 24-month runs all 160 slots could finish between two looks at the folder).
    config.write_text(GOOD.format(generations=1).replace("population_size = 4", "population_size = 160")
                      .replace("generations = 1", "generations = 1\nepsilon = [100.0]")
                      .replace("steps = 24", "steps = 120"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ics_abm.cli", "calibrate", str(config), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    slots = out / "slots" / "sample-001"
    deadline = time.monotonic() + 240
    while len(list(slots.glob("slot-*.pkl"))) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = len(list(slots.glob("slot-*.pkl")))
    assert not (out / "posterior.parquet").exists(), "the run finished before it was killed: make it longer"
    assert 3 <= kept < 160
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not slots.exists(), "a stored generation's slots are removed"
    whole = tmp_path / "whole"
    assert runner.invoke(cli_module.app, ["calibrate", str(config), "--out", str(whole)]).exit_code == 0
    assert load_calibration(out).equals(load_calibration(whole))


BAD = [
    ("[calibration]\nname = 1\n", "field 'calibration.name'"),
    (GOOD.format(generations=2).replace("steps = 24", "steps = 3"), "field 'calibration.steps'"),
    (GOOD.format(generations=2).replace("setbacks", "setback"), "field 'calibration.patterns'"),
    (GOOD.format(generations=2).replace("[0.075, 0.3]", "[0.3, 0.075]"), "prior 'trust.gain_rate'"),
    (GOOD.format(generations=2).replace("[0.075, 0.3]", "[0.1, 7.0]"), "prior 'trust.gain_rate' field 'range'"),
    (GOOD.format(generations=2).replace("trust.gain_rate", "trust.gain"), "prior 'trust.gain'"),
    (GOOD.format(generations=2).replace('reason = "test"', ""), "prior 'trust.gain_rate' field 'reason'"),
    (GOOD.format(generations=2).replace('scenario = "default"', 'scenario = "nowhere.toml"'), "calibration.scenario"),
    (GOOD.format(generations=2) + "\n[extra]\n", "section [extra]"),
    ("not toml [", "not valid TOML"),
    (GOOD.format(generations=2).replace("population_size = 4", "population_size = 2")
     + '[prior."trust.loss_rate"]\nrange = [0.1, 0.3]\nreason = "t"\n', "field 'calibration.population_size'"),
]


@pytest.mark.parametrize(("text", "names"), BAD)
def test_a_bad_config_is_one_sentence_exit_2_and_writes_nothing(tmp_path, text, names):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    out = tmp_path / "out"
    result = runner.invoke(cli_module.app, ["calibrate", str(config), "--out", str(out)])
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert message.startswith("Error: ") and str(config) in message and names in message, message
    assert len(message.splitlines()) == 1 and message.endswith(".")
    assert not out.exists()


def test_an_output_folder_in_the_way_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("")
    result = runner.invoke(cli_module.app, ["calibrate", "ci", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--resume" in result.output


def test_the_distance_is_zero_inside_every_target_and_grows_outside():
    inside = {name: sum(p.target) / 2 for name, p in PATTERNS.items()}
    assert distance(inside) == 0.0
    name, pattern = "setbacks", PATTERNS["setbacks"]
    steps = [pattern.target[0] - k * 0.1 for k in range(1, 4)]
    distances = [distance({**inside, name: s}) for s in steps]
    assert distances[0] > 0 and distances == sorted(distances)
    above = {**inside, "trust_rise_modest": PATTERNS["trust_rise_modest"].target[1] + 0.05}
    assert distance(above) == pytest.approx(0.05 / PATTERNS["trust_rise_modest"].scale)
    assert distance({**inside, name: float("nan")}) == 1.0


def test_the_default_config_has_a_range_and_a_reason_for_every_assumption_but_the_payoffs():
    config = read_config("default")
    # The payoffs define the donation game (docs/model.md 7.2), not a magnitude set by hand.
    assumptions = [(path, value) for path, value in assumption_paths() if not path.startswith("payoffs.")]
    assert {path for path, _ in assumptions} == set(config.prior)
    for path, value in assumptions:
        low, high = config.prior[path].range
        assert low <= value <= high, path


def test_the_default_output_folder_is_a_safe_name_under_results(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text(GOOD.format(generations=1).replace('name = "t"', 'name = "x/../../escape"'))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli_module.app, ["calibrate", str(config)])
    assert result.exit_code == 0, result.output
    made = [p.name for p in (tmp_path / "results").iterdir()]
    assert made == ["calibrate-x_.._.._escape"] and not (tmp_path.parent / "escape").exists()
