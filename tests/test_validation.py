"""The stylized-fact framework (ics_abm.experiments.validation): changes, outcomes, statistics, verdicts, report.

The verdict tests show that a fact *can* fail: a fact whose arms are identical, or whose expected
direction is wrong, is judged a failure. The facts themselves are tested in
test_stylized_facts.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm import ScenarioError, run
from ics_abm.experiments.paired import grouped_intervals, mean_interval, paired_difference
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.experiments.validation import (
    FACTS,
    MIN_SEEDS,
    Arm,
    StylizedFact,
    for_each_kind,
    install_report,
    run_fact,
    summary_table,
    validate,
    with_changes,
    write_validation,
)
from ics_abm.experiments.validation import facts as facts_module
from ics_abm.experiments.validation import outcomes as oc
from ics_abm.metrics import METRICS
from ics_abm.run import RunResult
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import scenario_from_dict
from tests.files import sha256

TINY = {"scenario": {"name": "tiny"}, "organisations": {"acute": 2, "commissioner": 1, "local_authority": 2}}
SEEDS = [int(s) for s in replicate_seeds(0, 8)]


def fact(**overrides) -> StylizedFact:
    """A quick fact on the tiny system: initial trust 0.3 against 0.9, mean trust at month 6."""
    spec = dict(
        id="T1", title="More trust, more trust", tag="OBS", evidence="a quote", source="[003]",
        experiment="words", base=TINY, a=Arm("low", {"trust.initial": 0.3}), b=Arm("high", {"trust.initial": 0.9}),
        steps=6, outcome=oc.at_month("mean_trust", 6), expected="increase",
    )
    spec.update(overrides)
    return StylizedFact(**spec)


def fake_result(**series) -> RunResult:
    """A run whose system table holds the given series (months 1..n), progress decay 0.1."""
    n = len(next(iter(series.values())))
    system = pd.DataFrame({"step": np.arange(1, n + 1), **{k: np.asarray(v, dtype=float) for k, v in series.items()}})
    return RunResult(system, pd.DataFrame(), pd.DataFrame(), {"parameters": {"progress": {"decay": 0.1}}})


# --- changes --------------------------------------------------------------------------------


def test_with_changes_sets_nested_paths_without_touching_the_base():
    base = {"trust": {"initial": 0.6}, "organisations": {"acute": 1}}
    changed = with_changes(base, {"trust.initial": 0.8, "kinds.acute.power": 0.9})
    assert changed == {"trust": {"initial": 0.8}, "organisations": {"acute": 1}, "kinds": {"acute": {"power": 0.9}}}
    assert base == {"trust": {"initial": 0.6}, "organisations": {"acute": 1}}


@pytest.mark.parametrize(("path", "message"), [("trust.initial.x", "which is a value, not a table"),
                                               ("trust..initial", "not a dotted path")])
def test_with_changes_refuses_bad_paths(path, message):
    with pytest.raises(ValueError, match=message):
        with_changes({"trust": {"initial": 0.6}}, {path: 1})


def test_for_each_kind():
    changes = for_each_kind("power", lambda kind: len(kind))
    assert changes == {f"kinds.{k}.power": len(k) for k in KINDS}


def test_a_misspelt_change_is_a_scenario_error_naming_the_fact_and_arm():
    bad = fact(b=Arm("high", {"trust.intial": 0.9}))
    with pytest.raises(ScenarioError, match=r"fact T1, arm 'high': field 'trust.intial' is not a known field"):
        bad.scenario(bad.b)


def test_base_may_be_a_file(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text('[scenario]\nname = "tiny"\n[organisations]\nacute = 2\ncommissioner = 1\n', encoding="utf-8")
    scenario = fact(base=str(path)).scenario(Arm("x", {"trust.initial": 0.5}))
    assert scenario.trust.initial == 0.5 and scenario.organisations.acute == 2 and scenario.scenario.name == "T1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tag": "CLAIM"}, "tag must be one of OBS, ASSERT"),
        ({"expected": "up"}, "expected must be one of increase, decrease"),
        ({"steps": 0}, "steps must be a whole number >= 1"),
        ({"outcome": oc.at_month("mean_trust", 7)}, "reads month 7, expected at most the fact's 6 steps"),
        ({"id": " "}, "non-empty id"),
    ],
)
def test_bad_declarations_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        fact(**overrides)


# --- outcomes -------------------------------------------------------------------------------


def test_simple_outcomes():
    result = fake_result(x=[1.0, 2.0, 4.0, 3.0])
    assert oc.final("x")(result) == 3.0
    assert oc.at_month("x", 2)(result) == 2.0
    assert oc.mean_over("x", 2, 3)(result) == 3.0
    assert oc.total_over("x", 1, 4)(result) == 10.0
    assert oc.change("x", 1, 3)(result) == 3.0
    assert oc.constant(0.0, "null")(result) == 0.0
    assert oc.mean_over("x", 2, 3).months == (2, 3) and oc.mean_over("x", 2, 3).last_month == 3
    assert oc.mean_over("y", 1, 3)(fake_result(y=[np.nan, 1.0, 3.0])) == 2.0  # undefined months left out
    assert math.isnan(oc.mean_over("y", 1, 1)(fake_result(y=[np.nan, 1.0])))


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ([1, 2, 3, 4], 0),              # monotone: no setback
        ([1, 2, 1.99, 3], 0),           # a fall of 0.5% is not a setback at 1%
        ([1, 2, 1.5, 1.2, 3, 2, 4], 2),  # one long slide counts once; a new peak re-arms
        ([5, 4, 3, 2], 1),
        ([0, 0, 0], 0),
    ],
)
def test_setbacks(series, expected):
    assert oc.setbacks("x", 0.01)(fake_result(x=series)) == expected


def test_half_time():
    assert oc.half_time("x", 4, 5)(fake_result(x=[0, 1, 3, 4, 4])) == 3  # level 4: half-way 2 first met at month 3
    assert oc.half_time("x", 3, 4)(fake_result(x=[1, 0.5, 0, 0])) == 2   # a fall is a move too
    assert math.isnan(oc.half_time("x", 2, 3)(fake_result(x=[1, 1, 1])))


def test_progress_gain_is_the_mean_trusted_joint_working():
    joint_working = [1.0, 2.0, 3.0]
    assert oc.progress_gain(1, 3)(fake_result(joint_working=joint_working)) == pytest.approx(2.0)
    assert oc.progress_gain(3, 3)(fake_result(joint_working=joint_working)) == pytest.approx(3.0)


def test_change_per_year():
    result = fake_result(decisions_resolved=[0.0] * 12 + [1.0] * 12 + [4.0] * 12)
    assert oc.change("decisions_resolved", 12, 36)(result) == pytest.approx(4.0)
    assert oc.change("decisions_resolved", 12, 36, per_year=True)(result) == pytest.approx(2.0)


def test_month_ranges_are_checked():
    with pytest.raises(ValueError, match="1 <= first <= last"):
        oc.mean_over("x", 5, 2)
    with pytest.raises(ValueError, match="share strictly between 0 and 1"):
        oc.setbacks("x", 1.5)


# --- statistics -----------------------------------------------------------------------------


def test_paired_difference_interval_and_effect():
    d = paired_difference([1.0, 2.0, 3.0, 4.0], [2.0, 2.5, 4.5, 4.0])
    diffs = np.array([1.0, 0.5, 1.5, 0.0])
    assert d.mean == pytest.approx(diffs.mean()) and d.sd == pytest.approx(diffs.std(ddof=1))
    half = 3.182446305284263 * diffs.std(ddof=1) / 2  # t(0.975, 3)
    assert (d.low, d.high) == pytest.approx((diffs.mean() - half, diffs.mean() + half))
    assert d.effect_size == pytest.approx(diffs.mean() / diffs.std(ddof=1))
    assert d.excludes_zero("increase") is False  # the interval (−0.06, 1.56) contains zero


def test_paired_difference_edge_cases():
    zero = paired_difference([1.0, 2.0], [1.0, 2.0])
    assert (zero.mean, zero.low, zero.high) == (0.0, 0.0, 0.0) and math.isnan(zero.effect_size)
    assert not zero.excludes_zero("increase") and not zero.excludes_zero("decrease")
    shift = paired_difference([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])
    assert shift.effect_size == -math.inf and shift.excludes_zero("decrease")
    dropped = paired_difference([1.0, np.nan, 3.0], [2.0, 5.0, 4.0])
    assert (dropped.n, dropped.dropped, dropped.mean) == (2, 1, 1.0)
    assert math.isnan(mean_interval([1.0]).low)
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1.0], [1.0, 2.0])


def test_grouped_intervals_match_mean_interval():
    frame = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 3, "v": [1.0, 2.0, 3.0, 5.0, 2.0, 2.0, 2.0]})
    bands = grouped_intervals(frame, ["g"], "v").set_index("g")
    a = mean_interval([1.0, 2.0, 3.0, 5.0])
    assert (bands.loc["a", "low"], bands.loc["a", "high"]) == pytest.approx((a.low, a.high))
    assert bands.loc["b", ["mean", "low", "high"]].tolist() == [2.0, 2.0, 2.0]


# --- running facts: verdicts that can fail ----------------------------------------------------


def test_a_real_effect_passes_and_both_arms_use_the_same_seeds():
    result = run_fact(fact(), SEEDS)
    assert result.passed and result.difference.low > 0 and result.difference.n == len(SEEDS)
    assert list(result.seeds) == SEEDS
    low = fact().scenario(fact().a)
    for seed, value in zip(SEEDS[:2], result.a[:2], strict=True):
        assert value == run(low, seed=seed, steps=6).system["mean_trust"].iloc[5]


def test_identical_arms_fail_with_a_zero_width_interval():
    null = fact(b=Arm("low again", {"trust.initial": 0.3}))
    result = run_fact(null, SEEDS)
    assert result.same_runs
    d = result.difference
    assert (d.mean, d.low, d.high) == (0.0, 0.0, 0.0)
    assert not result.passed


def test_the_wrong_direction_fails():
    assert not run_fact(fact(expected="decrease"), SEEDS).passed


def test_a_within_run_contrast_runs_once_per_seed():
    contrast = fact(a=Arm("month 1", outcome=oc.at_month("mean_trust", 1)),
                    b=Arm("month 6", outcome=oc.at_month("mean_trust", 6)))
    result = run_fact(contrast, SEEDS[:3])
    assert result.same_runs
    traj = result.trajectories
    assert set(traj["arm"]) == {"month 1", "month 6"} and len(traj) == 2 * 3 * 6


def test_a_run_cache_changes_nothing():
    cache: dict = {}
    cached = run_fact(fact(), SEEDS[:3], cache=cache)
    again = run_fact(fact(), SEEDS[:3], cache=cache)
    plain = run_fact(fact(), SEEDS[:3])
    assert len(cache) == 2 * 3  # two arms, three seeds: the second call ran nothing
    for result in (again, plain):
        np.testing.assert_array_equal(result.a, cached.a)
        np.testing.assert_array_equal(result.b, cached.b)


def test_validate_refuses_too_few_seeds_and_unknown_ids():
    with pytest.raises(ValueError, match=f"seeds must be a whole number >= {MIN_SEEDS}"):
        validate(seeds=MIN_SEEDS - 1)
    with pytest.raises(ValueError, match="'SF99' is not a registered stylized fact"):
        validate(only=["SF99"])


# --- the registry -----------------------------------------------------------------------------


def test_registry_ids_are_unique_and_facts_are_well_formed():
    ids = [f.id for f in FACTS]
    assert len(ids) == len(set(ids))
    for f in FACTS:
        assert f.evidence.strip() and f.source.startswith("[") and f.experiment.strip()
        assert set(f.reads()) <= set(METRICS), f"{f.id} reads a metric the kernel does not report"
        for arm in (f.a, f.b):
            f.scenario(arm)  # validates: a renamed field fails here, not silently


def test_registry_differs_between_arms_or_outcomes():
    # A fact whose arms are the same runs AND the same outcome could never pass: refuse that too.
    for f in FACTS:
        same_scenario = f.scenario(f.a) == f.scenario(f.b)
        assert not (same_scenario and f.outcome_of(f.a) is f.outcome_of(f.b)), f.id


# --- report and command -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_results():
    passing = run_fact(fact(), [int(s) for s in replicate_seeds(0, MIN_SEEDS)])
    failing = run_fact(fact(id="T2", title="Wrong way", expected="decrease", outcome=oc.mean_over("mean_trust", 1, 6)),
                       [int(s) for s in replicate_seeds(0, MIN_SEEDS)])
    return [passing, failing]


def test_report_directory(two_results, tmp_path):
    out = write_validation(two_results, tmp_path / "report", command="ics-abm validate-model")
    text = (out / "validation.md").read_text(encoding="utf-8")
    assert "**1 of 2 facts pass**." in text
    assert "> a quote [003]" in text and "### T1: More trust, more trust (OBS)" in text
    assert "Verdict: pass" in text and "Verdict: **FAIL**" in text
    assert "`trust.initial = 0.3`" in text
    for image in ("forest.png", "T1.png", "T2.png"):
        assert (out / "img" / "validation" / image).read_bytes().startswith(b"\x89PNG")
        assert f"img/validation/{image}" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["passed"] == ["T1"] and len(manifest["seeds"]) == MIN_SEEDS
    for name, entry in manifest["files"].items():
        assert sha256(out / name) == entry["sha256"]
    summary = pd.read_csv(out / "summary.csv")
    assert summary["passed"].tolist() == [True, False]
    assert summary_table(two_results)["difference"].tolist() == pytest.approx(summary["difference"].tolist())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "img" / "validation").mkdir(parents=True)
    (docs / "img" / "validation" / "stale.png").write_bytes(b"old")
    install_report(out, docs)
    assert (docs / "validation.md").read_text(encoding="utf-8") == text
    assert sorted(p.name for p in (docs / "img" / "validation").iterdir()) == ["T1.png", "T2.png", "forest.png"]


runner = CliRunner()


def test_validate_model_command(tmp_path, monkeypatch, two_results):
    monkeypatch.setattr(facts_module, "FACTS", (two_results[0].fact,))
    out = tmp_path / "v"
    result = runner.invoke(cli_module.app, ["validate-model", "--out", str(out), "--seeds", "30"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 facts pass." in result.output and (out / "validation.md").is_file()
    monkeypatch.setattr(facts_module, "FACTS", (two_results[1].fact,))
    result = runner.invoke(cli_module.app, ["validate-model", "--out", str(tmp_path / "w"), "--seeds", "30"])
    assert result.exit_code == 1 and "FAIL" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seeds", "29"], "--seeds must be a whole number >= 30 per arm, got 29."),
        (["--only", "SF99"], "'SF99' is not a registered stylized fact"),
        (["--only", ","], "--only expected comma-separated fact ids"),
        (["--seed", "-1"], "--seed must be a whole number >= 0, got -1."),
    ],
)
def test_validate_model_bad_input(tmp_path, args, expected):
    result = runner.invoke(cli_module.app, ["validate-model", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("Error: ") and expected in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_scenario_from_dict_is_what_facts_build():
    # The base of every registered fact is a valid scenario on its own.
    for base in {id(f.base): f.base for f in FACTS if isinstance(f.base, dict)}.values():
        scenario_from_dict(base)
