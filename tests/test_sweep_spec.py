"""Sweep files: what a valid file means, and a one-sentence error for each kind of mistake.

Every bad file is run through ``ics-abm sweep`` itself: exit code 2, one line ``Error: ...``
naming the file and the field, no traceback, and nothing written.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.experiments.sweeps import SweepError, read_sweep
from ics_abm.scenario.errors import ScenarioError
from tests.sweep_helpers import write_sweep

runner = CliRunner()

LHS = '[uncertainties]\ndesign = "lhs"\nsamples = 4\n[uncertainties.ranges]\n'

# name -> (rest of the sweep file, words the message must contain)
BAD = {
    "unknown parameter": ('[levers]\n"trust.gain_rat" = [0.1, 0.2]\n',
                          ["'trust.gain_rat'", "[levers]", "not a scenario parameter", "did you mean 'gain_rate'"]),
    "unknown section of parameter": ('[levers]\n"trus.gain_rate" = [0.1]\n', ["'trus.gain_rate'", "did you mean 'trust'"]),
    "empty list": ('[levers]\n"regulation.regime" = []\n', ["'regulation.regime'", "non-empty list", "got []"]),
    "range reversed": (LHS + '"legacy.strength" = [0.8, 0.2]\n',
                       ["'legacy.strength'", "[uncertainties.ranges]", "lower bound below the upper", "[0.8, 0.2]"]),
    "empty range": (LHS + '"legacy.strength" = [0.5, 0.5]\n', ["'legacy.strength'", "lower bound below"]),
    "range of text": (LHS + '"legacy.strength" = ["low", 1.0]\n', ["'legacy.strength'", "two finite numbers"]),
    "range on a text field": (LHS + '"regulation.regime" = [0, 1]\n', ["'regulation.regime'", "cannot be sampled"]),
    "fractional range of a whole-number field": (LHS + '"organisations.acute" = [0.5, 3]\n',
                                                 ["'organisations.acute'", "whole-number bounds"]),
    "wrong type": ('replicates = "4"\n', ["'sweep.replicates'", "a whole number", "'4' (a string)"]),
    "too few replicates": ("replicates = 0\n", ["'sweep.replicates'", ">= 1", "got 0"]),
    "unknown design": ('[uncertainties]\ndesign = "latin"\nsamples = 4\n[uncertainties.ranges]\n"legacy.strength" = [0, 1]\n',
                       ["'uncertainties.design'", "unknown design", "'lhs'", "'latin'"]),
    "unknown field": ("replicate = 4\n", ["'sweep.replicate'", "did you mean 'replicates'"]),
    "unknown section": ('[lever]\n"legacy.strength" = [0.1]\n', ["[lever]", "did you mean 'levers'"]),
    "value out of the field's range": ('[levers]\n"trust.loss_rate" = [0.1, 1.5]\n',
                                       ["'trust.loss_rate'", "1.5", "between 0 and 1"]),
    "unknown option": ('[levers]\n"regulation.regime" = ["misaligned", "alined"]\n', ["'alined'", "'aligned'"]),
    "mixed types": ('[levers]\n"regulation.regime" = ["misaligned", 1]\n', ["values of one type"]),
    "repeated option": ('[levers]\n"regulation.regime" = ["aligned", "aligned"]\n', ["each value once"]),
    "parameter twice": ('[levers]\n"legacy.strength" = [0.1, 0.2]\n' + LHS + '"legacy.strength" = [0, 1]\n',
                        ["'legacy.strength'", "both [levers] and [uncertainties.ranges]"]),
    "sobol size": ('[uncertainties]\ndesign = "sobol"\nsamples = 10\n[uncertainties.ranges]\n"legacy.strength" = [0, 1]\n',
                   ["power of 2", "got 10"]),
    "no samples": ('[uncertainties]\ndesign = "morris"\n[uncertainties.ranges]\n"legacy.strength" = [0, 1]\n',
                   ["'morris'", "needs 'samples'"]),
    "ranges for factorial": ('[uncertainties]\ndesign = "factorial"\n[uncertainties.ranges]\n"legacy.strength" = [0, 1]\n',
                             ["'factorial'", "[uncertainties.values]"]),
    "the model's seed": ('[levers]\n"scenario.seed" = [1, 2]\n', ["'scenario.seed'", "root_seed"]),
    "not a number": ('[levers]\n"legacy.strength" = [nan, 0.1]\n', ["'legacy.strength'", "finite number"]),
    "bad constant": ('[constants]\n"trust.initial" = 2.0\n', ["'trust.initial'", "[constants]", "between 0 and 1"]),
    "invalid TOML": ("replicates = \n", ["not valid TOML", "line 4"]),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_sweep_file_is_one_sentence_exit_2_and_writes_nothing(tmp_path, case):
    body, words = BAD[case]
    path = write_sweep(tmp_path, body)
    out = tmp_path / "out"
    result = runner.invoke(cli_module.app, ["sweep", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"Error: {path}: ") and line.endswith("."), line
    for word in words:
        assert word in line, (word, line)
    assert not out.exists()


def test_missing_base_scenario_names_the_field(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('[sweep]\nname = "x"\nscenario = "nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(SweepError, match=r"field 'sweep.scenario' names 'nowhere.toml', which is not a file"):
        read_sweep(path)


def test_invalid_base_scenario_gets_the_scenario_error(tmp_path):
    path = write_sweep(tmp_path, "", scenario='[scenario]\nname = "x"\n[trust]\nloss_rate = 3\n')
    with pytest.raises(ScenarioError, match=r"scenario.toml: field 'trust.loss_rate' expected a number between 0 and 1"):
        read_sweep(path)


def test_invalid_combination_names_the_design_point(tmp_path):
    # Each value is valid with the others at their defaults; together all four payoffs are equal.
    body = ('[levers]\n"payoffs.reward" = [1.0, 2.0]\n"payoffs.sucker" = [1.0]\n"payoffs.temptation" = [1.0]\n'
            '"payoffs.punishment" = [1.0]\n')
    path = write_sweep(tmp_path, body)
    result = runner.invoke(cli_module.app, ["sweep", str(path), "--dry-run"])
    assert result.exit_code == 2
    assert "design point 0 (payoffs.reward=1.0, payoffs.sucker=1.0" in result.stderr
    assert "all equal" in result.stderr


def test_nested_and_quoted_keys_mean_the_same(tmp_path):
    quoted = read_sweep(write_sweep(tmp_path / "a", '[levers]\n"regulation.regime" = ["aligned", "single"]\n' + LHS
                                    + '"legacy.strength" = [0, 1]\n'))
    nested = read_sweep(write_sweep(tmp_path / "b", '[levers]\nregulation.regime = ["aligned", "single"]\n' + LHS
                                    + 'legacy.strength = [0, 1]\n'))
    assert quoted.levers == nested.levers == {"regulation.regime": ("aligned", "single")}
    assert quoted.ranges == nested.ranges == {"legacy.strength": (0.0, 1.0)}


def test_spec_resolves_defaults_types_and_constants(tmp_path):
    spec = read_sweep(write_sweep(tmp_path, 'replicates = 3\nroot_seed = 9\n[constants]\n"trust.initial" = 1\n'
                                            '[levers]\n"legacy.strength" = [0, 1]\n"organisations.acute" = [1, 3]\n'))
    assert spec.steps == 24  # the scenario's
    assert spec.replicates == 3 and spec.root_seed == 9 and spec.design is None
    # whole numbers given for a real-valued field become numbers; whole-number fields stay whole
    assert spec.levers == {"legacy.strength": (0.0, 1.0), "organisations.acute": (1, 3)}
    assert [type(v) for v in spec.levers["legacy.strength"]] == [float, float]
    assert spec.kinds == {"legacy.strength": "number", "organisations.acute": "integer"}
    assert spec.base["trust"]["initial"] == 1.0
    assert spec.base["organisations"]["acute"] == 2  # the scenario's value until a lever sets it


def test_shipped_sweep_files_are_valid():
    from pathlib import Path

    from ics_abm.experiments.sweeps import build_design

    folder = Path(__file__).resolve().parents[1] / "sweeps"
    example = build_design(read_sweep(folder / "example.toml"))
    assert example.spec.parameters == ["regulation.regime", "legacy.strength", "trust.gain_rate"]
    assert example.n_runs == 3 * 32 * 4  # as its header says
    sobol = build_design(read_sweep(folder / "sobol.toml"))
    assert sobol.n_runs == 3 * 64 * (4 + 2) * 2
