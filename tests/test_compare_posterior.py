"""compare --posterior (issue 11, point 4): common parameter draws and seeds, the spread split, P(beats).

Every test draws from a real posterior made by the CI calibration (tests/posterior_helpers.py),
never from the one shipped with the package.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.columns import columns
from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns, posterior
from ics_abm.experiments.comparison.run import compare
from ics_abm.experiments.comparison.statistics import crossed_interval
from ics_abm.experiments.sweeps.parameters import with_values
from ics_abm.metrics import SYSTEM_METRICS
from ics_abm.scenario.loading import load_scenario, scenario_from_dict, scenario_to_dict
from tests.posterior_helpers import ci_posterior

pytest.importorskip("pyabc")
runner = CliRunner()
DRAWS, REPLICATES, STEPS, SEED = 3, 3, 18, 4
OUTCOMES = ["mean_trust", "interventions", "system_balance", "collaboration_rate"]


@pytest.fixture(scope="session")
def source(tmp_path_factory):
    return ci_posterior(tmp_path_factory)


@pytest.fixture(scope="module")
def aligned(source):
    """default against regulation_aligned and against itself (default-2), with parameter draws."""
    return compare("default", ["regulation_aligned", "default"], replicates=REPLICATES, steps=STEPS, seed=SEED,
                   outcomes=OUTCOMES, posterior=DRAWS, posterior_source=source)


def test_an_option_against_itself_differs_by_exactly_zero(aligned):
    assert aligned.labels == ["default", "regulation_aligned", "default-2"]
    same = aligned.uncertainty[aligned.uncertainty["option"] == "default-2"]
    assert len(same) == sum(len(pd.unique(aligned.table.query("outcome == @o")["measure"])) for o in OUTCOMES)
    for column in ("difference", "difference_low", "difference_high", "parametric_sd", "stochastic_sd", "p_beats"):
        assert (same[column] == 0.0).all(), column
    assert (same["draws"] == DRAWS).all() and (same["replicates"] == REPLICATES).all()
    itself = aligned.summary[aligned.summary["option"] == "default-2"]
    assert (itself["difference"] == 0.0).all() and (itself["same"] == DRAWS * REPLICATES).all()
    a = aligned.table[aligned.table["option"] == "default"].drop(columns="option").reset_index(drop=True)
    b = aligned.table[aligned.table["option"] == "default-2"].drop(columns="option").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_every_option_runs_the_same_draws_on_the_same_seeds(aligned, source):
    keys = aligned.table[["option", "draw", "replicate", "seed"]].drop_duplicates()
    per_option = [part.drop(columns="option").reset_index(drop=True) for _, part in keys.groupby("option", sort=False)]
    assert len(per_option) == 3 and all(p.equals(per_option[0]) for p in per_option)
    assert len(per_option[0]) == DRAWS * REPLICATES
    seeds = ics_abm.experiments.sweeps.seeds.replicate_seeds(SEED, REPLICATES)
    assert (per_option[0].groupby("replicate")["seed"].first().to_numpy() == seeds).all()
    frame = posterior(source)
    expected = draw_parameters(frame, DRAWS, SEED)  # drawn with the comparison's root seed
    drawn = aligned.draws.table
    assert drawn["posterior_draw"].tolist() == expected["draw"].tolist()
    assert set(aligned.draws.parameters) == set(parameter_columns(frame))  # no lever among them here
    for path in aligned.draws.parameters:
        assert np.array_equal(drawn[path].to_numpy(), expected[path].to_numpy())


def test_a_run_is_the_plain_run_of_its_options_scenario_with_the_drawn_parameters(aligned):
    draw, replicate = DRAWS - 1, REPLICATES - 1
    row = aligned.table.query(f"option == 'regulation_aligned' and draw == {draw} and replicate == {replicate} "
                              "and outcome == 'mean_trust' and measure == 'final'").iloc[0]
    data = with_values(scenario_to_dict(load_scenario("regulation_aligned")), aligned.draws.values(draw))
    plain = ics_abm.run(scenario_from_dict(data), int(row["seed"]), STEPS).system
    assert plain["mean_trust"].iloc[-1] == row["value"]


def test_parameters_the_options_set_differently_are_levers_kept_at_each_options_value(source):
    base = scenario_to_dict(load_scenario("default"))
    option = with_values(base, {"trust.gain_rate": 0.29, "scenario.name": "faster_trust"})
    result = compare(base, [option], replicates=2, steps=6, seed=1, outcomes=["mean_trust"], posterior=2,
                     posterior_source=source)
    assert result.draws.kept == ("trust.gain_rate",)
    assert "trust.gain_rate" not in result.draws.parameters and "trust.gain_rate" not in result.draws.table
    assert len(result.draws.parameters) == len(parameter_columns(posterior(source))) - 1
    row = result.table.query("option == 'faster_trust' and draw == 1 and replicate == 0 and measure == 'final'").iloc[0]
    values = {**result.draws.values(1), "trust.gain_rate": 0.29}
    plain = ics_abm.run(scenario_from_dict(with_values(base, values)), int(row["seed"]), 6).system
    assert plain["mean_trust"].iloc[-1] == row["value"]


def test_the_spread_is_split_into_parametric_and_stochastic_as_documented(aligned):
    for outcome in OUTCOMES:
        part = aligned.table.query("outcome == @outcome and measure == 'final'")
        wide = part.pivot(index=["draw", "replicate"], columns="option", values="value")
        x = (wide["regulation_aligned"] - wide["default"]).to_numpy().reshape(DRAWS, REPLICATES)
        means = x.mean(axis=1)
        row = aligned.uncertainty.query("option == 'regulation_aligned' and outcome == @outcome "
                                        "and measure == 'final'").iloc[0]
        assert row["difference"] == pytest.approx(x.mean(), abs=1e-12)  # every run, balanced: the mean of draw means
        assert row["parametric_sd"] == pytest.approx(means.std(ddof=1), abs=1e-12)
        assert row["stochastic_sd"] == pytest.approx(math.sqrt(x.var(axis=1, ddof=1).mean()), abs=1e-12)
        better = SYSTEM_METRICS[outcome].better
        favourable = means < 0 if better < 0 else means > 0
        assert row["favourable"] == ("lower" if better < 0 else "higher")
        assert row["p_beats"] == favourable.mean()
        assert row["difference_low"] <= row["difference"] <= row["difference_high"]
        assert (row["difference_low"], row["difference_high"]) == crossed_interval(x, 0.95)
        assert x.min() <= row["difference_low"] and row["difference_high"] <= x.max()


def test_the_interval_resamples_seeds_as_well_as_draws():
    # Every draw gives the same results on the same seeds: resampling draws alone would give a
    # zero-width interval, but the seeds are a sample too (and shared by every draw).
    shared = np.tile([[-1.0, 0.0, 1.0, 2.0, 0.5]], (6, 1))
    low, high = crossed_interval(shared, 0.95)
    assert -1.0 <= low < shared.mean() < high <= 2.0
    assert crossed_interval(np.full((4, 3), 0.25), 0.95) == (0.25, 0.25)
    drawn = shared.T  # and the other way round: the draws differ, every seed agrees
    low, high = crossed_interval(drawn, 0.95)
    assert -1.0 <= low < drawn.mean() < high <= 2.0


def test_the_first_draws_do_not_depend_on_how_many_are_drawn(aligned, source):
    fewer = compare("default", ["regulation_aligned", "default"], replicates=REPLICATES, steps=STEPS, seed=SEED,
                    outcomes=OUTCOMES, posterior=DRAWS - 1, posterior_source=source)
    kept = aligned.table[aligned.table["draw"] < DRAWS - 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(fewer.table, kept)


def test_the_cli_writes_the_tables_the_manifest_records_the_posterior_and_the_verdict_names_p_beats(source, tmp_path):
    out = tmp_path / "c"
    result = runner.invoke(cli_module.app, ["compare", "default", "regulation_aligned", "--posterior", str(DRAWS),
                                            "--posterior-source", str(source), "--replicates", "2", "--steps", "12",
                                            "--outcome", "mean_trust", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 parameter draws from the posterior of calibration 'ci' x 2 seeds = 6 paired runs" in result.output
    assert "P(regulation_aligned better than default) = " in result.output
    for stem in ("outcomes", "trajectories", "uncertainty", "draws"):
        names = [c.name for c in columns("compare --posterior", stem)]
        table = pd.read_csv(out / f"{stem}.csv")
        if stem == "draws":
            assert list(table.columns[:2]) == names[:2] and len(table) == DRAWS
        else:
            assert list(table.columns) == names, stem
    for stem in ("summary", "contrasts"):
        assert list(pd.read_csv(out / f"{stem}.csv").columns) == [c.name for c in columns("compare", stem)]
    manifest = json.loads((out / "manifest.json").read_text())
    record = manifest["posterior"]
    assert record["config_name"] == "ci" and record["calibration_root_seed"] == 11 and record["draws"] == DRAWS
    assert record["draw_seed"] == 0 and len(record["posterior_draws"]) == DRAWS
    assert "[calibration]" in record["provenance"]["config"]
    assert manifest["ics_abm_version"] == ics_abm.__version__ and manifest["seeds"]
    assert "two-way (pigeonhole) percentile bootstrap" in manifest["interval"]
    assert "--posterior" in manifest["command"]


def test_the_cli_against_itself_gives_zero_and_without_posterior_nothing_changes(source, tmp_path):
    out = tmp_path / "self"
    result = runner.invoke(cli_module.app, ["compare", "default", "default", "--posterior", "2", "--posterior-source",
                                            str(source), "--replicates", "2", "--steps", "6", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "uncertainty.csv")
    assert (table[["difference", "parametric_sd", "stochastic_sd", "p_beats"]] == 0.0).all().all()
    plain = tmp_path / "plain"
    result = runner.invoke(cli_module.app, ["compare", "default", "default", "--replicates", "2", "--steps", "6",
                                            "--out", str(plain)])
    assert result.exit_code == 0, result.output
    assert not (plain / "uncertainty.csv").exists() and not (plain / "draws.csv").exists()
    assert "posterior" not in json.loads((plain / "manifest.json").read_text())
    assert list(pd.read_csv(plain / "outcomes.csv").columns) == [c.name for c in columns("compare", "outcomes")]


@pytest.mark.parametrize(("extra", "words"), [
    (["--posterior", "1"], "--posterior must be a whole number of parameter draws >= 2"),
    (["--posterior-source", "x"], "--posterior-source was given (x) without --posterior"),
    (["--posterior", "2", "--posterior-source", "no-such-folder"],
     "no-such-folder: --posterior-source expected a folder written by ics-abm calibrate, got 'no-such-folder', "
     "which is not a folder."),
])
def test_bad_posterior_settings_are_one_sentence_exit_2_and_write_nothing(tmp_path, extra, words):
    out = tmp_path / "never"
    result = runner.invoke(cli_module.app, ["compare", "default", "regulation_aligned", "--replicates", "2",
                                            "--steps", "3", "--out", str(out), *extra])
    assert result.exit_code == 2, result.output
    assert words in " ".join(result.output.split())
    assert not out.exists()


def test_a_folder_that_is_no_calibration_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli_module.app, ["compare", "default", "regulation_aligned", "--posterior", "2",
                                            "--posterior-source", str(tmp_path / "empty"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "expected a folder written by ics-abm calibrate with at least one finished generation" in result.output
    assert not (tmp_path / "o").exists()


def test_the_briefing_shows_the_parameter_uncertainty(aligned, tmp_path):
    briefing = aligned.report(tmp_path / "b")
    assert "P(beats base)" in briefing.markdown
    assert "3 parameter draws from the posterior of calibration 'ci'" in briefing.markdown
    assert (tmp_path / "b" / "briefing.html").exists()


@pytest.mark.parametrize(("options", "words"), [
    ({"posterior": 1}, "posterior must be a whole number of parameter draws from 2 to"),
    ({"posterior": True}, "posterior must be a whole number of parameter draws from 2 to"),
    ({"posterior_source": "x"}, "posterior_source was given (x) without posterior"),
])
def test_bad_posterior_arguments_of_the_api_are_one_sentence(options, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        compare("default", ["regulation_aligned"], replicates=2, steps=2, **options)
