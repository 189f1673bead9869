"""EMA Workbench adapter: ics_abm as an EMA model, and sweep results in EMA's (experiments, outcomes) form."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import ics_abm
from ics_abm.experiments import ema
from ics_abm.experiments.sweeps.outcomes import final_mean
from ics_abm.experiments.sweeps.parameters import with_values
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.scenario.loading import load_scenario, scenario_from_dict
from tests.sweep_helpers import TINY_SCENARIO, write_sweep

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # EMA warns at import about optional back-ends it does not need here
    workbench = pytest.importorskip("ema_workbench")
    from ema_workbench.analysis import feature_scoring, prim

LEVERS = {"regulation.regime": ["misaligned", "aligned"]}
UNCERTAINTIES = {"legacy.strength": (0.0, 1.0), "organisations.acute": (1, 3)}
METRICS = ["mean_trust", "collaboration_rate"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("ema") / "tiny.toml"
    path.write_text(TINY_SCENARIO, encoding="utf-8")
    return load_scenario(path)


def direct(scenario, values: dict, seeds, steps: int, last: int) -> dict:
    """What ics_abm itself gives for these settings: the mean over seeds of each metric's final mean."""
    run_scenario = scenario_from_dict(with_values(scenario.model_dump(exclude_none=True), values))
    systems = [ics_abm.run(run_scenario, int(s), steps).system for s in seeds]
    return {m: float(np.mean([final_mean(s, m, last) for s in systems])) for m in METRICS}


def test_perform_experiments_gives_ics_abm_outcomes(scenario):
    model = ema.model(scenario, levers=LEVERS, uncertainties=UNCERTAINTIES, outcomes=METRICS, steps=12, last=3,
                      replications=2, root_seed=7)
    assert isinstance(model, workbench.ReplicatorModel)
    assert [p.name for p in model.levers] == ["regulation_regime"]
    assert [p.name for p in model.uncertainties] == ["legacy_strength", "organisations_acute"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments, outcomes = workbench.perform_experiments(model, scenarios=3, policies=2)
    assert len(experiments) == 6 and {len(v) for v in outcomes.values()} == {6}
    assert set(experiments["regulation_regime"]) == {"misaligned", "aligned"}
    assert experiments["organisations_acute"].between(1, 3).all()
    for i in (0, 5):  # each outcome is ics_abm's own number for those settings and seeds
        row = experiments.iloc[i]
        values = {"regulation.regime": row["regulation_regime"], "legacy.strength": float(row["legacy_strength"]),
                  "organisations.acute": int(row["organisations_acute"])}
        expected = direct(scenario, values, replicate_seeds(7, 2), steps=12, last=3)
        assert {m: outcomes[m][i] for m in METRICS} == expected


def test_single_replication_model_and_pickling(scenario):
    model = ema.model(scenario, uncertainties={"trust.initial": (0.3, 0.8)}, outcomes=["mean_trust"], steps=12)
    assert isinstance(model, workbench.Model) and not isinstance(model, workbench.ReplicatorModel)
    experiment = model.function
    again = pickle.loads(pickle.dumps(experiment))  # what EMA's multiprocessing evaluator does
    assert again(**{"trust.initial": 0.5}) == experiment(**{"trust.initial": 0.5})
    expected = direct(scenario, {"trust.initial": 0.5}, replicate_seeds(0, 1), steps=12, last=12)
    assert experiment(**{"trust.initial": 0.5}) == {"mean_trust": expected["mean_trust"]}


def test_bad_metric_is_refused(scenario):
    with pytest.raises(ics_abm.SweepError, match="'mean_trst' is not a metric"):
        ema.model(scenario, outcomes=["mean_trst"])


SWEEP = """\
replicates = 2
root_seed = 2
[levers]
"regulation.regime" = ["misaligned", "aligned"]
[uncertainties]
design = "lhs"
samples = 10
[uncertainties.ranges]
"legacy.strength" = [0.0, 1.0]
"trust.initial" = [0.2, 0.9]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ema-sweep")
    path = write_sweep(folder, SWEEP)
    return path, ics_abm.sweep(path, folder / "out").out


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_sweep_results_feed_prim_and_feature_scoring(swept):
    _, out = swept
    experiments, outcomes = ema.results(out, metrics=METRICS, last=6)
    assert len(experiments) == 40 and set(outcomes) == set(METRICS)
    assert list(experiments["run_id"]) == list(range(40))
    assert str(experiments["regulation_regime"].dtype) == "category"
    # outcomes are aligned with the experiments: check one run against the stored table
    table = ics_abm.load(out, columns=["mean_trust"], filters=[("run_id", "==", 17), ("step", ">", 18)])
    # the same six numbers; their mean may differ in the last bit with the order of summation
    assert outcomes["mean_trust"][17] == pytest.approx(table["mean_trust"].mean(), rel=1e-12, abs=0)

    x = experiments[["regulation_regime", "legacy_strength", "trust_initial"]]
    y = outcomes["mean_trust"] < np.median(outcomes["mean_trust"])
    box = prim.Prim(x, y, mass_min=0.1).find_box()
    assert 0 < box.coverage <= 1 and 0 < box.density <= 1
    scores = feature_scoring.get_feature_scores_all(x, outcomes)
    assert set(scores.index) == set(x.columns) and set(scores.columns) == set(METRICS)
    assert np.allclose(scores.sum(), 1.0)


def test_model_from_sweep_file(swept):
    path, _ = swept
    model = ema.model_from_sweep(path, outcomes=["mean_trust"])
    assert [p.name for p in model.levers] == ["regulation_regime"]
    assert {p.name: (p.lower_bound, p.upper_bound) for p in model.uncertainties} == {
        "legacy_strength": (0.0, 1.0), "trust_initial": (0.2, 0.9)}
    assert [r["seed"] for r in model.replications] == [int(s) for s in replicate_seeds(2, 2)]
