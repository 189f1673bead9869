"""Policy comparison from Python (ics_abm.experiments.comparison.run): common random numbers, long tables, statistics.

Runs are small (a 4-organisation system, 12 months, 3 replicates) and compare options with each
other, never with stored numbers: the model's numbers change as mechanisms are added.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ics_abm
from ics_abm import ScenarioError, load_scenario, run
from ics_abm.experiments.comparison.outcomes import DOMAINS, measures_of
from ics_abm.experiments.comparison.run import DEFAULT_OUTCOMES, check_outcomes, run_comparison, summarise
from ics_abm.experiments.comparison.summary import CONTRAST_COLUMNS, SUMMARY_COLUMNS
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.metrics import METRICS

REPO = Path(__file__).resolve().parents[1]
TINY = """\
[scenario]
name = "tiny"
steps = 12

[organisations]
acute = 2
commissioner = 1
local_authority = 1
"""
TINY_ALIGNED = TINY.replace('name = "tiny"', 'name = "tiny_aligned"') + '\n[regulation]\nregime = "aligned"\n'
STEPS, REPLICATES = 12, 3
TABLE_COLUMNS = ["option", "replicate", "seed", "outcome", "measure", "value"]
TRAJECTORY_COLUMNS = ["option", "replicate", "seed", "step", "outcome", "value"]
ROWS_PER_REPLICATE = sum(len(measures_of(o)) for o in DEFAULT_OUTCOMES)  # outcome-measure pairs


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The tiny base, an identical copy of it under another name, and an aligned option."""
    directory = tmp_path_factory.mktemp("scenarios")
    paths = {"tiny": directory / "tiny.toml", "copy": directory / "copy.toml", "aligned": directory / "aligned.toml"}
    paths["tiny"].write_text(TINY, encoding="utf-8")
    paths["copy"].write_text(TINY, encoding="utf-8")
    paths["aligned"].write_text(TINY_ALIGNED, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def comparison(files):
    return run_comparison(files["tiny"], [files["copy"], files["aligned"]], replicates=REPLICATES, steps=STEPS, seed=11)


def test_compare_is_exported_and_returns_the_comparison(files):
    result = ics_abm.compare(files["tiny"], [files["aligned"]], replicates=2, steps=3, seed=1)
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert set(result.summary["option"]) == {"tiny", "aligned"}
    assert list(result.contrasts.columns) == CONTRAST_COLUMNS
    assert run_comparison is ics_abm.compare  # the name of version 0.1


def test_identical_options_on_common_random_numbers_give_identical_outcomes(comparison):
    table = comparison.table
    base = table[table["option"] == "tiny"].drop(columns="option").reset_index(drop=True)
    copy = table[table["option"] == "copy"].drop(columns="option").reset_index(drop=True)
    pd.testing.assert_frame_equal(base, copy)  # bit for bit, NaN where undefined in both
    rows = comparison.summary[comparison.summary["option"] == "copy"]
    defined = rows["mean"].notna()
    assert (rows.loc[defined, "difference"] == 0.0).all()
    assert (rows.loc[defined, "difference_low"] == 0.0).all() and (rows.loc[defined, "difference_high"] == 0.0).all()
    assert (rows.loc[defined, "same"] == REPLICATES).all() and (rows.loc[defined, "superiority"] == 0.5).all()


def test_identical_trajectories_too(comparison):
    traj = comparison.trajectories
    a = traj.loc[traj["option"] == "tiny", "value"].to_numpy()
    b = traj.loc[traj["option"] == "copy", "value"].to_numpy()
    np.testing.assert_array_equal(a, b)


def test_replicate_r_of_every_option_uses_the_same_spawned_seed(comparison, files):
    seeds = [int(s) for s in replicate_seeds(11, REPLICATES)]
    assert list(comparison.seeds) == seeds
    for option in ("tiny", "aligned"):
        part = comparison.table[comparison.table["option"] == option]
        assert sorted(set(zip(part["replicate"], part["seed"], strict=True))) == list(enumerate(seeds))
    # And the numbers are those of a plain run with that seed.
    aligned = load_scenario(files["aligned"])
    for replicate, seed in enumerate(seeds):
        system = run(aligned, seed=seed, steps=STEPS).system
        table = comparison.table
        rows = table[(table["option"] == "aligned") & (table["replicate"] == replicate)
                     & (table["outcome"] == "mean_trust")].set_index("measure")["value"]
        assert rows["final"] == system["mean_trust"].iloc[-1]
        assert rows["last_12_mean"] == pytest.approx(system["mean_trust"].iloc[-12:].mean(), rel=1e-12)
        interventions = table[(table["option"] == "aligned") & (table["replicate"] == replicate)
                              & (table["outcome"] == "interventions") & (table["measure"] == "total")]
        assert interventions["value"].item() == system["interventions"].sum()


def test_a_different_option_differs(comparison):
    rows = comparison.summary.query("option == 'aligned' and outcome == 'collaboration_rate'")
    assert (rows["difference"] != 0).any(), "aligned regulators changed nothing: the option was not applied"


def test_table_shapes_and_columns(comparison):
    assert list(comparison.table.columns) == TABLE_COLUMNS
    assert comparison.table.shape == (3 * REPLICATES * ROWS_PER_REPLICATE, len(TABLE_COLUMNS))
    assert list(comparison.summary.columns) == SUMMARY_COLUMNS
    assert comparison.summary.shape == (3 * ROWS_PER_REPLICATE, len(SUMMARY_COLUMNS))
    assert list(comparison.contrasts.columns) == CONTRAST_COLUMNS
    assert comparison.contrasts.shape == (3 * 2 * ROWS_PER_REPLICATE, len(CONTRAST_COLUMNS))  # every ordered pair
    assert list(comparison.trajectories.columns) == TRAJECTORY_COLUMNS
    assert set(comparison.trajectories["outcome"]) == set(METRICS)
    assert len(comparison.trajectories) == 3 * REPLICATES * STEPS * len(METRICS)
    assert list(dict.fromkeys(comparison.summary["option"])) == ["tiny", "copy", "aligned"]


def test_flows_have_a_total_and_levels_do_not(comparison):
    measures = comparison.table.groupby("outcome")["measure"].unique().map(set)
    assert measures["signed_up"] == {"final", "last_12_mean", "total"}
    assert measures["mean_trust"] == {"final", "last_12_mean"}


def test_summary_statistics_are_paired_bootstrap_intervals(comparison):
    table = comparison.table.query("outcome == 'mean_trust' and measure == 'final'")
    wide = table.pivot(index="replicate", columns="option", values="value")
    diff = (wide["aligned"] - wide["tiny"]).to_numpy()
    row = comparison.summary.query("option == 'aligned' and outcome == 'mean_trust' and measure == 'final'").iloc[0]
    assert row["difference"] == pytest.approx(diff.mean(), abs=1e-12)
    assert diff.min() <= row["difference_low"] <= row["difference_high"] <= diff.max()
    assert (row["higher"], row["lower"], row["same"]) == ((diff > 0).sum(), (diff < 0).sum(), (diff == 0).sum())
    level = wide["aligned"].to_numpy()
    assert level.min() <= row["mean_low"] <= row["mean"] <= row["mean_high"] <= level.max()


def test_every_pair_is_compared_and_mirrored(comparison):
    contrasts = comparison.contrasts.set_index(["option", "reference", "outcome", "measure"])
    there = contrasts.loc[("aligned", "copy", "mean_trust", "final")]
    back = contrasts.loc[("copy", "aligned", "mean_trust", "final")]
    assert there["difference"] == -back["difference"]
    assert (there["difference_low"], there["difference_high"]) == (-back["difference_high"], -back["difference_low"])
    assert (there["higher"], there["lower"]) == (back["lower"], back["higher"])
    assert there["superiority"] == pytest.approx(1 - back["superiority"])
    # against the base, the contrasts table and the summary agree
    summary = comparison.summary.set_index(["option", "outcome", "measure"])
    for column in ("difference", "difference_low", "difference_high", "higher", "p_value"):
        assert contrasts.loc[("aligned", "tiny", "mean_trust", "final"), column] == \
            summary.loc[("aligned", "mean_trust", "final"), column]


def test_summarise_on_a_hand_made_table():
    table = pd.DataFrame({
        "option": ["base"] * 6 + ["x"] * 6, "replicate": [0, 1, 2] * 4, "seed": [5, 6, 7] * 4, "outcome": "m",
        "measure": (["final"] * 3 + ["last_12_mean"] * 3) * 2,
        "value": [1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 2.0, 2.0, 5.0, 1.0, 1.0, 1.0],
    })
    summary = summarise(table, "base").set_index(["option", "measure"])
    assert summary.loc[("x", "final"), "difference"] == pytest.approx(1.0)  # (1 + 0 + 2) / 3
    assert summary.loc[("x", "final"), ["higher", "lower", "same"]].tolist() == [2, 0, 1]
    assert summary.loc[("x", "last_12_mean"), ["difference", "difference_low", "difference_high"]].tolist() == [1, 1, 1]
    assert math.isinf(summary.loc[("x", "last_12_mean"), "effect_size"])  # every difference is +1
    assert summary.loc[("x", "last_12_mean"), "p_value"] == pytest.approx(0.25)  # exact sign test, 3 of 3


def test_reproducible_and_extendable(files):
    one = run_comparison(files["tiny"], [files["aligned"]], replicates=2, steps=6, seed=4)
    two = run_comparison(files["tiny"], [files["aligned"]], replicates=3, steps=6, seed=4)
    pd.testing.assert_frame_equal(one.table, two.table[two.table["replicate"] < 2].reset_index(drop=True))
    again = run_comparison(files["tiny"], [files["aligned"]], replicates=2, steps=6, seed=4)
    pd.testing.assert_frame_equal(one.summary, again.summary)  # the bootstrap has a fixed seed
    pd.testing.assert_frame_equal(one.contrasts, again.contrasts)


def test_chosen_outcomes_and_default_horizon(files):
    result = run_comparison(files["tiny"], [files["aligned"]], replicates=2, outcomes=["mean_trust"], seed=0)
    assert set(result.table["outcome"]) == {"mean_trust"}
    assert result.steps == 12  # the base scenario's steps
    assert result.trajectories["step"].max() == 12


def test_domains_choose_the_default_outcomes(files):
    result = run_comparison(files["tiny"], [files["aligned"]], replicates=2, steps=2, domain="finance")
    assert result.outcomes == DOMAINS["finance"]
    assert {"signed_up", "transfers"} <= set(result.outcomes)
    assert {"signed_up", "transfers", "interventions", "n_deficit", "mean_trust", "collaboration_rate",
            "integration_progress"} <= set(DEFAULT_OUTCOMES)


def test_labels_are_unique(files, tmp_path):
    same_name = tmp_path / "tiny.toml"
    shutil.copy(files["tiny"], same_name)
    result = run_comparison(files["tiny"], [same_name, load_scenario(files["tiny"])], replicates=2, steps=2)
    assert [o.label for o in result.options] == ["tiny", "tiny-2", "tiny-3"]


def test_progress_is_reported_per_run(files):
    calls = []
    run_comparison(files["tiny"], [files["aligned"]], replicates=2, steps=2, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replicates": 1}, "replicates must be a whole number >= 2"),
        ({"steps": 0}, "steps must be a whole number"),  # the bounds are ics_abm.limits'
        ({"seed": -1}, "seed must be a whole number"),
        ({"outcomes": ["mean_trusts"]}, "outcome 'mean_trusts' is not a metric (did you mean 'mean_trust'?)"),
        ({"domain": "finances"}, "domain 'finances' is not known (did you mean 'finance'?)"),
    ],
)
def test_bad_arguments_are_one_sentence(files, kwargs, message):
    with pytest.raises(ValueError) as info:
        run_comparison(files["tiny"], [files["aligned"]], **kwargs)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_no_option_is_refused(files):
    with pytest.raises(ValueError, match="at least one option"):
        run_comparison(files["tiny"], [])
    with pytest.raises(ValueError, match="at least one option"):
        run_comparison(files["tiny"], files["aligned"])  # a single path, not a list


def test_another_system_is_refused(files, tmp_path):
    bigger = tmp_path / "bigger.toml"
    bigger.write_text(TINY.replace("acute = 2", "acute = 3"), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        run_comparison(files["tiny"], [files["aligned"], bigger], replicates=2, steps=2)
    message = str(info.value)
    assert "option 'bigger' is not the same system as the base 'tiny' ([organisations] differs: acute 2 vs 3)" in message
    assert "\n" not in message


def test_a_bad_scenario_file_reports_the_scenario_error(files, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY + "\n[trust]\ninitial = 1.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        run_comparison(files["tiny"], [bad], replicates=2)
    assert str(info.value).startswith(str(bad))
    assert "trust.initial" in str(info.value)


def test_default_outcomes_are_metrics():
    assert set(check_outcomes(None)) <= set(METRICS)
    assert check_outcomes(["mean_trust", "mean_trust"]) == ("mean_trust",)
