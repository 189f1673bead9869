"""Robust facts (issue 11): the facts under posterior draws, and ``validate-model --posterior``."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.experiments.calibration.posterior import posterior
from ics_abm.experiments.sweeps.executors import open_engine
from ics_abm.experiments.validation.fact import with_changes
from ics_abm.experiments.validation.facts import FACTS
from ics_abm.experiments.validation.posterior_facts import fact_under_draw, pass_shares, robust_facts
from ics_abm.scenario.catalog import resolve_scenario
from ics_abm.scenario.loading import load_scenario, scenario_to_dict

pytest.importorskip("pyabc")
runner = CliRunner()
FEW = ["SF1", "SF7"]


@pytest.fixture(scope="module")
def ci_posterior(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration") / "ci"
    result = runner.invoke(cli_module.app, ["calibrate", "ci", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _fact(fact_id):
    return next(f for f in FACTS if f.id == fact_id)


def test_a_draw_sets_what_the_fact_leaves_at_the_default_and_keeps_what_the_fact_sets():
    default = scenario_to_dict(load_scenario(resolve_scenario("default")))
    fact = _fact("SF1")  # its arms set trust.initial / legacy; its base leaves trust.gain_rate at the default
    changed = fact_under_draw(fact, {"trust.gain_rate": 0.2, "trust.contact_rate": 0.06}, default)
    base = changed.base_data()
    assert base["trust"]["gain_rate"] == 0.2 and base["trust"]["contact_rate"] == 0.06
    arms = [changed.scenario(arm) for arm in (changed.a, changed.b)]
    assert [s.trust.gain_rate for s in arms] == [0.2, 0.2]
    for arm, scenario in zip((fact.a, fact.b), arms):  # every change an arm makes still wins
        original = fact.scenario(arm)
        for path in arm.changes:
            section, _, name = path.partition(".")
            if section not in ("trust", "legacy") or "." in name:
                continue
            assert getattr(getattr(scenario, section), name) == getattr(getattr(original, section), name), path
    custom = dataclasses.replace(fact, base=with_changes(fact.base_data(), {"trust.initial": 0.45}))
    kept = fact_under_draw(custom, {"trust.initial": 0.31, "trust.gain_rate": 0.2}, default).base_data()
    assert kept["trust"]["initial"] == 0.45 and kept["trust"]["gain_rate"] == 0.2  # the fact's own setting wins


def test_facts_under_draws_are_the_same_on_any_executor_and_draw_k_does_not_depend_on_n(ci_posterior):
    frame = posterior(ci_posterior)
    inline = robust_facts(frame, 2, only=FEW, seed=5)
    with open_engine(workers=2) as engine:
        pooled = robust_facts(frame, 2, only=FEW, seed=5, executor=engine.executor)
    pd.testing.assert_frame_equal(inline, pooled)
    assert list(inline.columns) == ["sample", "draw", "id", "tag", "difference", "low", "high", "passed"]
    assert len(inline) == 2 * len(FEW)
    first = robust_facts(frame, 1, only=FEW, seed=5)
    pd.testing.assert_frame_equal(first, inline[inline["sample"] == 0].reset_index(drop=True))
    # Each draw runs on its own seeds: the two draws' effects differ even where they drew the same row.
    assert inline.loc[inline["sample"] == 0, "difference"].tolist() != inline.loc[inline["sample"] == 1, "difference"].tolist()


def test_pass_shares_count_draws_with_an_exact_binomial_interval():
    table = pd.DataFrame({"sample": [0, 1, 2, 3, 0, 1, 2, 3], "id": ["A"] * 4 + ["B"] * 4,
                          "tag": ["OBS"] * 4 + ["ASSERT"] * 4, "passed": [True, True, True, False] + [True] * 4})
    shares = pass_shares(table).set_index("id")
    assert shares.loc["A", "passed"] == 3 and shares.loc["A", "share"] == 0.75 and not shares.loc["A", "meets_target"]
    assert shares.loc["B", "share"] == 1.0 and shares.loc["B", "high"] == 1.0 and shares.loc["B", "meets_target"]
    assert shares.loc["A", "low"] == pytest.approx(0.194, abs=1e-3)  # Clopper-Pearson, 3 of 4
    assert shares.loc["A", "high"] == pytest.approx(0.9937, abs=1e-3)


def test_validate_model_posterior_writes_and_reports_the_pass_shares(ci_posterior, tmp_path):
    out = tmp_path / "v"
    result = runner.invoke(cli_module.app, ["validate-model", "--only", "SF7", "--posterior", "2", "--posterior-from",
                                            str(ci_posterior), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "posterior  SF7  passes in" in result.output
    shares = pd.read_parquet(out / "robust_shares.parquet")
    assert shares["id"].tolist() == ["SF7"] and shares["draws"].tolist() == [2]
    assert "## Robust facts over the calibrated posterior" in (out / "validation.md").read_text()
    assert len(pd.read_parquet(out / "robust_facts.parquet")) == 2
    from ics_abm.columns import columns

    for stem in ("robust_facts", "robust_shares"):  # as the data dictionary lists them
        listed = [c.name for c in columns("validate-model", stem)]
        assert list(pd.read_csv(out / f"{stem}.csv").columns) == listed, stem


@pytest.mark.parametrize(("arguments", "names"), [
    (["--posterior", "0"], "--posterior"),
    (["--posterior-from", "x"], "--posterior-from"),
    (["--posterior", "2", "--posterior-from", "{missing}"], "no finished generation"),
])
def test_bad_posterior_options_are_one_sentence_and_exit_2_before_any_run(tmp_path, arguments, names):
    out = tmp_path / "v"
    arguments = [a.replace("{missing}", str(tmp_path / "nowhere")) for a in arguments]
    result = runner.invoke(cli_module.app, ["validate-model", "--only", "SF7", *arguments, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert names in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()
