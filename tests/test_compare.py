"""Policy comparison from Python (ics_abm.experiments.comparison.run): common random numbers, tables, statistics.

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
from scipy import stats

import ics_abm
from ics_abm import ScenarioError, load_scenario, run
from ics_abm.experiments.comparison.run import DEFAULT_OUTCOMES, MEASURES, check_outcomes, run_comparison, summarise
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
TABLE_COLUMNS = ["option", "replicate", "seed", "outcome", *MEASURES]
SUMMARY_COLUMNS = [
    "option", "outcome", "measure", "replicates", "mean", "mean_low", "mean_high",
    "difference", "difference_low", "difference_high", "effect_size",
]


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


def test_compare_is_exported_and_returns_the_summary(files):
    summary = ics_abm.compare(files["tiny"], [files["aligned"]], replicates=2, steps=3, seed=1)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["option"]) == {"tiny", "aligned"}


def test_identical_options_on_common_random_numbers_give_identical_outcomes(comparison):
    table = comparison.table
    base = table[table["option"] == "tiny"].drop(columns="option").reset_index(drop=True)
    copy = table[table["option"] == "copy"].drop(columns="option").reset_index(drop=True)
    pd.testing.assert_frame_equal(base, copy)  # bit for bit, NaN where undefined in both
    rows = comparison.summary[comparison.summary["option"] == "copy"]
    defined = rows["mean"].notna()
    assert (rows.loc[defined, "difference"] == 0.0).all()
    assert (rows.loc[defined, "difference_low"] == 0.0).all() and (rows.loc[defined, "difference_high"] == 0.0).all()


def test_identical_trajectories_too(comparison):
    traj = comparison.trajectories
    metrics = list(METRICS)
    a = traj.loc[traj["option"] == "tiny", metrics].to_numpy()
    b = traj.loc[traj["option"] == "copy", metrics].to_numpy()
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
        row = table[(table["option"] == "aligned") & (table["replicate"] == replicate)
                    & (table["outcome"] == "mean_trust")]
        assert row["final"].item() == system["mean_trust"].iloc[-1]
        assert row["last_12_mean"].item() == system["mean_trust"].iloc[-12:].mean()


def test_a_different_option_differs(comparison):
    rows = comparison.summary.query("option == 'aligned' and outcome == 'collaboration_rate'")
    assert (rows["difference"] != 0).any(), "aligned regulators changed nothing: the option was not applied"


def test_table_shapes_and_columns(comparison):
    n_outcomes = len(DEFAULT_OUTCOMES)
    assert list(comparison.table.columns) == TABLE_COLUMNS
    assert comparison.table.shape == (3 * REPLICATES * n_outcomes, len(TABLE_COLUMNS))
    assert list(comparison.summary.columns) == SUMMARY_COLUMNS
    assert comparison.summary.shape == (3 * n_outcomes * len(MEASURES), len(SUMMARY_COLUMNS))
    assert list(comparison.trajectories.columns[:2]) == ["option", "replicate"]
    assert set(METRICS) <= set(comparison.trajectories.columns)
    assert len(comparison.trajectories) == 3 * REPLICATES * STEPS
    assert list(dict.fromkeys(comparison.summary["option"])) == ["tiny", "copy", "aligned"]


def test_summary_statistics_are_paired_t_intervals(comparison):
    table = comparison.table.query("outcome == 'mean_trust'")
    wide = table.pivot(index="replicate", columns="option", values="final")
    diff = (wide["aligned"] - wide["tiny"]).to_numpy()
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
    row = comparison.summary.query("option == 'aligned' and outcome == 'mean_trust' and measure == 'final'").iloc[0]
    assert row["difference"] == pytest.approx(diff.mean(), abs=1e-12)
    assert (row["difference_low"], row["difference_high"]) == pytest.approx((diff.mean() - half, diff.mean() + half))
    assert row["effect_size"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    level = wide["aligned"].to_numpy()
    half = stats.t.ppf(0.975, level.size - 1) * level.std(ddof=1) / math.sqrt(level.size)
    assert (row["mean_low"], row["mean_high"]) == pytest.approx((level.mean() - half, level.mean() + half))


def test_summarise_on_a_hand_made_table():
    table = pd.DataFrame({
        "option": ["base"] * 3 + ["x"] * 3, "replicate": [0, 1, 2] * 2, "seed": [5, 6, 7] * 2,
        "outcome": "m", "final": [1.0, 2.0, 3.0, 2.0, 2.0, 5.0], "last_12_mean": [0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    })
    summary = summarise(table, "base").set_index(["option", "measure"])
    assert summary.loc[("x", "final"), "difference"] == pytest.approx(1.0)  # (1 + 0 + 2) / 3
    assert summary.loc[("x", "last_12_mean"), ["difference", "difference_low", "difference_high"]].tolist() == [1, 1, 1]
    assert math.isinf(summary.loc[("x", "last_12_mean"), "effect_size"])  # every difference is +1


def test_reproducible_and_extendable(files):
    one = run_comparison(files["tiny"], [files["aligned"]], replicates=2, steps=6, seed=4)
    two = run_comparison(files["tiny"], [files["aligned"]], replicates=3, steps=6, seed=4)
    pd.testing.assert_frame_equal(one.table, two.table[two.table["replicate"] < 2].reset_index(drop=True))


def test_chosen_outcomes_and_default_horizon(files):
    result = run_comparison(files["tiny"], [files["aligned"]], replicates=2, outcomes=["mean_trust"], seed=0)
    assert set(result.table["outcome"]) == {"mean_trust"}
    assert result.steps == 12  # the base scenario's steps
    assert result.trajectories["step"].max() == 12


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
        ({"steps": 0}, "steps must be a whole number >= 1, got 0"),
        ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
        ({"outcomes": ["mean_trusts"]}, "outcome 'mean_trusts' is not a metric (did you mean 'mean_trust'?)"),
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
