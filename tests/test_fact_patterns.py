"""Stylized facts as calibration patterns (ics_abm.experiments.calibration.fact_patterns)."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.experiments.calibration import distance, load_calibration
from ics_abm.experiments.calibration.config import CalibrationError, config_from_dict
from ics_abm.experiments.calibration.fact_patterns import MAX_MISS, fact_statistic, signed_t
from ics_abm.experiments.calibration.smc import PatternModel
from ics_abm.experiments.validation.facts import FACTS
from ics_abm.experiments.validation.runner import run_fact
from ics_abm.scenario.catalog import resolve_scenario
from ics_abm.scenario.loading import load_scenario, scenario_to_dict

pytest.importorskip("pyabc")

CONFIG = """[calibration]
name = "facts"
scenario = "default"
steps = 24
seeds = 2
fact_seeds = 3
population_size = 3
generations = 1
epsilon = [100.0]
root_seed = 5
patterns = ["trust_rises_year1", "fact:SF37", "fact:SF16"]

[prior."trust.gain_rate"]
range = [0.075, 0.3]
reason = "test"
"""


def config_from_toml(text: str, source: str):
    return config_from_dict(tomllib.loads(text), source, text)


def _default() -> dict:
    return scenario_to_dict(load_scenario(resolve_scenario("default")))


def test_the_signed_t_points_the_way_the_fact_expects():
    assert signed_t(2.0, 4.0, 16, "increase") == pytest.approx(2.0)
    assert signed_t(2.0, 4.0, 16, "decrease") == pytest.approx(-2.0)
    assert signed_t(0.0, 0.0, 5, "increase") == 0.0  # no difference at all: not the direction
    assert signed_t(-1.0, 0.0, 5, "decrease") == math.inf
    assert math.isnan(signed_t(float("nan"), 1.0, 5, "increase"))
    assert math.isnan(signed_t(2.0, float("nan"), 1, "increase"))  # one pair left: no direction to read


def test_a_fact_pattern_misses_by_its_t_below_one_capped():
    assert distance({"fact:SF14": 1.0}) == 0.0
    assert distance({"fact:SF14": 7.5}) == 0.0
    assert distance({"fact:SF14": 0.0}) == pytest.approx(1.0)
    assert distance({"fact:SF14": -1.5}) == pytest.approx(2.5)
    assert distance({"fact:SF14": -1e6}) == MAX_MISS
    assert distance({"fact:SF14": float("nan")}) == MAX_MISS
    assert distance({"fact:SF14": 0.0, "setbacks": 0.2}) == pytest.approx(1.1)  # added to the level patterns'


def test_the_statistic_is_the_facts_own_paired_t_on_the_given_seeds():
    fact = next(f for f in FACTS if f.id == "SF37")
    seeds = [11, 12, 13, 14]
    result = run_fact(fact, seeds)
    differences = result.b - result.a
    t = -np.mean(differences) / (np.std(differences, ddof=1) / math.sqrt(len(seeds)))  # SF37 expects a decrease
    assert fact_statistic("fact:SF37", {}, seeds, _default()) == pytest.approx(t, rel=1e-12)
    assert t > 1  # a strong fact meets its pattern at the defaults


def test_a_particles_values_reach_the_fact_where_the_fact_leaves_the_default():
    seeds = [1, 2, 3]
    at_default = fact_statistic("fact:SF16", {}, seeds, _default())
    moved = fact_statistic("fact:SF16", {"trust.gain_rate": 0.3}, seeds, _default())
    assert moved != at_default


def test_the_pattern_model_gives_the_facts_statistics_on_common_seeds():
    config = config_from_toml(CONFIG, "facts.toml")
    model = PatternModel(config)
    assert len(model.fact_seeds) == 3 and len(model.seeds) == 2
    stats = model({"trust.gain_rate": 0.2})
    assert list(stats) == ["trust_rises_year1", "fact:SF37", "fact:SF16"]
    assert stats["fact:SF37"] == fact_statistic("fact:SF37", {"trust.gain_rate": 0.2}, model.fact_seeds, _default())
    assert stats == PatternModel(config)({"trust.gain_rate": 0.2})  # the same seeds for every particle


@pytest.mark.parametrize(("line", "field"), [
    ('patterns = ["fact:SF99"]', "calibration.patterns"),
    ('patterns = ["fact:"]', "calibration.patterns"),
    ("fact_seeds = 1", "calibration.fact_seeds"),
])
def test_a_bad_fact_pattern_is_one_sentence_naming_the_field(line, field):
    key = line.split(" = ")[0]
    text = "\n".join(line if row.startswith(key + " ") else row for row in CONFIG.splitlines())
    if key not in CONFIG:
        text = text.replace("root_seed = 5", f"root_seed = 5\n{line}")
    with pytest.raises(CalibrationError) as error:
        config_from_toml(text, "facts.toml")
    message = str(error.value)
    assert "facts.toml" in message and field in message and message.count(". ") == 0


def test_a_calibration_with_facts_among_its_patterns_runs_and_loads(tmp_path):
    (tmp_path / "facts.toml").write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli_module.app, ["calibrate", str(tmp_path / "facts.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = load_calibration(out)
    assert len(table) == 3 and table["distance"].le(100.0).all()
