"""The batched kernel (ics_abm.engine.batch) gives the numbers of single runs, bit for bit.

Also: the exact stochastic block model (ics_abm.engine.block_model) against networkx, the fast initial states
(ics_abm.engine.template) against build_initial_state, serial against parallel batches, events and
regime changes inside a batch, bad inputs, and a 10,000-organisation system.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ics_abm import ICSModel, load_scenario, run
from ics_abm.engine.block_model import block_model_edges, csr_from_edges, python_random
from ics_abm.engine.graph import graph_from_edges
from ics_abm.engine.initial import StateTemplate, build_initial_state
from ics_abm.experiments.batch import advance_batch, run_batch
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))

#: Every kind of event, a regime change with regional lags, a dormant partner entering.
EVENTS = [
    {"month": 3, "kind": "financial_shock", "size": 0.03, "organisation_kind": "acute"},
    {"month": 5, "kind": "regime_change", "regime": "aligned", "provider_lag": 4, "commissioner_lag": 2},
    {"month": 5, "kind": "winter_pressure", "size": 0.8},
    {"month": 9, "kind": "leadership_programme", "size": 0.4},
    {"month": 12, "kind": "leader_leaves"},
    {"month": 14, "kind": "altruistic_first_move", "size": 0.01},
    {"month": 15, "kind": "partner_entry", "organisation_kind": "voluntary_sector"},
    {"month": 20, "kind": "local_authority_walks_away", "which": "largest"},
    {"month": 22, "kind": "partner_exit", "organisation_kind": "primary_care_network"},
    {"month": 30, "kind": "regime_change", "regime": "single"},
]


def _variant(name: str, **sections) -> object:
    data = scenario_to_dict(load_scenario(ROOT / "scenarios" / "default.toml"))
    data["scenario"]["name"] = name
    for section, values in sections.items():
        data[section] = values if not isinstance(values, dict) else {**data.get(section, {}), **values}
    return scenario_from_dict(data, source=f"<{name}>")


@pytest.fixture(scope="module")
def default():
    return load_scenario(ROOT / "scenarios" / "default.toml")


@pytest.fixture(scope="module")
def eventful():
    return _variant("eventful", events=EVENTS, commitment={"unwilling": ["voluntary_sector"]})


@pytest.fixture(scope="module")
def small():
    return _variant("small", organisations={"acute": 1, "primary_care_network": 3, "commissioner": 1,
                                            "community_mental_health": 1, "local_authority": 2, "voluntary_sector": 0})


def assert_identical(batch, single) -> None:
    """Tables equal, float columns equal bit for bit (NaN in the same places, -0.0 is not 0.0)."""
    for name in ("system", "trust_by_kind", "organisations"):
        a, b = getattr(batch, name), getattr(single, name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        for column in a.columns:
            if a[column].dtype == np.float64:
                assert np.array_equal(a[column].to_numpy().view(np.uint64), b[column].to_numpy().view(np.uint64)), (name, column)


# ---------------------------------------------------------------------------------------------
# The stochastic block model, edge for edge
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**31 - 2, 2**40 + 3, -7])
def test_python_random_is_cpythons(seed):
    generator = random.Random(seed)
    assert np.array_equal(python_random(seed, 1500), [generator.random() for _ in range(1500)])


def _set_order_is_not_sorted(lo: int, hi: int) -> bool:
    return list(set(range(lo, hi))) != list(range(lo, hi))


@pytest.mark.parametrize(
    ("sizes", "p"),
    [
        ([3, 8, 3, 2, 4, 5], None),  # the default scenario's blocks, its probabilities below
        ([5, 0, 7], [[0.5, 0.2, 0.0], [0.2, 1.0, 0.3], [0.0, 0.3, 0.9]]),  # empty block, p = 0 and 1
        ([40, 60], [[1.0, 1.0], [1.0, 1.0]]),  # complete
        ([200, 300], [[1e-3, 1e-12], [1e-12, 0.02]]),  # tiny probabilities, huge skips
        ([250, 300], [[0.01, 0.02], [0.02, 0.05]]),  # the second block's set is not iterated in order
        ([1], [[0.7]]),
    ],
)
@pytest.mark.parametrize("seed", [0, 7, 99991, 2**31 - 2])
def test_block_model_edges_are_networkx_edges_in_networkx_order(sizes, p, seed):
    if p is None:
        p = StateTemplate(load_scenario(ROOT / "scenarios" / "default.toml")).block_probabilities
    graph = nx.stochastic_block_model(sizes, p, seed=seed, sparse=True)
    nodes, edges = block_model_edges(sizes, p, seed)
    assert nodes.tolist() == list(graph.nodes())
    assert len(edges) == graph.number_of_edges()
    # Same edges added in the same order <=> every node's adjacency in the same order.
    adjacency = {node: [] for node in nodes.tolist()}
    for u, v in edges.tolist():
        adjacency[u].append(v)
        adjacency[v].append(u)
    assert all(list(graph.adj[node]) == adjacency[node] for node in adjacency)


def test_the_unordered_block_case_is_really_tested():
    assert _set_order_is_not_sorted(250, 550)


@pytest.mark.parametrize("n, e", [(0, 0), (1, 0), (5, 0), (6, 9), (40, 300), (500, 4000)])
def test_csr_from_edges_is_graph_from_edges(n, e):
    rng = np.random.default_rng(n + e)
    pairs = {tuple(sorted(rng.choice(n, size=2, replace=False).tolist())) for _ in range(e)} if n > 1 else set()
    edges = np.array([p[::-1] if rng.random() < 0.5 else p for p in pairs], dtype=np.int64).reshape(-1, 2)
    fast, plain = csr_from_edges(n, edges), graph_from_edges(n, edges)
    for field in plain._fields:
        assert getattr(fast, field).dtype == np.int64 and np.array_equal(getattr(fast, field), getattr(plain, field)), field


def test_block_model_edges_refuses_bad_input():
    with pytest.raises(ValueError, match="square"):
        block_model_edges([2, 3], [[0.5]], seed=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        block_model_edges([2], [[1.5]], seed=1)


# ---------------------------------------------------------------------------------------------
# Initial states without networkx
# ---------------------------------------------------------------------------------------------


def _assert_same_state(a, b) -> None:
    for part in ("organisations", "graph", "arcs"):
        for field in getattr(a, part)._fields:
            x, y = getattr(getattr(a, part), field), getattr(getattr(b, part), field)
            assert x.dtype == y.dtype and x.shape == y.shape, (part, field)
            assert np.array_equal(x.view(np.uint8), y.view(np.uint8)), (part, field)
    assert a.key == b.key
    assert np.array_equal(a.system, b.system)
    assert a.params._fields == b.params._fields
    for field in a.params._fields:
        assert np.array_equal(getattr(a.params, field), getattr(b.params, field)), field


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_state_template_builds_build_initial_states_arrays(path):
    scenario = load_scenario(path)
    template = StateTemplate(scenario)
    for seed in (0, 1, 2, 17, 2**32 + 5):
        _assert_same_state(template.build(seed), build_initial_state(scenario, np.random.default_rng(seed)))


def test_state_template_with_dormant_partners_unwilling_kinds_and_a_leading_authority(eventful):
    scenario = _variant("lead", events=EVENTS, commitment={"unwilling": ["commissioner"]},
                        local_authority={"engagement": "lead"})
    for s in (eventful, scenario):
        template = StateTemplate(s)
        for seed in (3, 4):
            _assert_same_state(template.build(seed), build_initial_state(s, np.random.default_rng(seed)))


def test_state_template_builds_are_independent(default):
    template = StateTemplate(default)
    first = template.build(5)
    first.organisations.balance[:] = 0.0
    first.arcs.trust[:] = 0.0
    _assert_same_state(template.build(5), build_initial_state(default, np.random.default_rng(5)))


# ---------------------------------------------------------------------------------------------
# Batches: the numbers of single runs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_run_batch_equals_run_bit_for_bit(path):
    scenario = load_scenario(path)
    seeds = [0, 1, 7, 123456789]
    for seed, result in zip(seeds, run_batch(scenario, seeds, steps=48, record_organisations=True)):
        assert_identical(result, run(scenario, seed, 48))


def test_events_and_regime_changes_inside_a_batch(eventful):
    seeds = [0, 3, 8]
    results = run_batch(eventful, seeds, steps=40, record_organisations=True)
    for seed, result in zip(seeds, results):
        single = run(eventful, seed, 40)
        assert_identical(result, single)
    model = ICSModel(eventful, seed=3, agents=False)
    model._simulate(40)
    assert advance_batch(eventful, [3], steps=40).event_logs[0] == model.event_log
    assert len(model.event_log) == len(EVENTS)


def test_a_batch_of_parameter_points_of_different_sizes(default, eventful, small):
    aligned = load_scenario(ROOT / "scenarios" / "regulation_aligned.toml")
    scenarios = [default, eventful, small, aligned, small, default, eventful]
    seeds = [4, 4, 9, 1, 10, 5, 2]
    results = run_batch(scenarios, seeds, steps=30, record_organisations=True, parallel=True)
    for scenario, seed, result in zip(scenarios, seeds, results):
        assert_identical(result, run(scenario, seed, 30))
        assert result.metadata["seed"] == seed and result.metadata["scenario"] == scenario.scenario.name


def test_serial_and_parallel_batches_are_identical(default, eventful, small):
    scenarios = [default, eventful, small] * 3
    seeds = list(range(9))
    serial = advance_batch(scenarios, seeds, steps=36, record_organisations=True, parallel=False)
    parallel = advance_batch(scenarios, seeds, steps=36, record_organisations=True, parallel=True)
    assert np.array_equal(serial.system.view(np.uint64), parallel.system.view(np.uint64))
    assert np.array_equal(serial.trust_by_kind.view(np.uint64), parallel.trust_by_kind.view(np.uint64))
    for a, b in zip(serial.organisations, parallel.organisations):
        assert np.array_equal(a.view(np.uint64), b.view(np.uint64))


def test_batch_outputs_and_metadata(default):
    batch = advance_batch(default, [0, 1], steps=5)
    assert batch.system.shape == (2, 5, len(METRICS))
    assert batch.trust_by_kind.shape == (2, 5, 6, 6)
    assert [o.shape for o in batch.organisations] == [(5, 0, len(ORG_TRAJECTORY_FIELDS))] * 2
    assert [k.shape for k in batch.kinds] == [(25,), (25,)]
    assert batch.pair_counts.sum(axis=(1, 2)).tolist() == (2 * batch.relationships).tolist()
    [result] = run_batch(default, [2], steps=6)
    single = run(default, 2, 6)
    pd.testing.assert_frame_equal(result.system, single.system, check_exact=True)
    assert result.organisations.empty and list(result.organisations.columns) == list(single.organisations.columns)
    assert {k: v for k, v in result.metadata.items() if k not in ("wall_time_s", "batch_runs")} == {
        k: v for k, v in single.metadata.items() if k != "wall_time_s"
    }
    assert result.metadata["batch_runs"] == 1


def test_steps_default_to_the_scenarios(default):
    scenario = _variant("short", scenario={"name": "short", "steps": 7})
    assert advance_batch(scenario, [1]).system.shape[1] == 7


# ---------------------------------------------------------------------------------------------
# Bad input: one sentence each
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"seeds": []}, ValueError, "'seeds' parameter of run_batch must hold at least one seed"),
        ({"seeds": [1, -2]}, ValueError, "must hold whole numbers >= 0. Got -2"),
        ({"seeds": [1, 2.5]}, ValueError, "must hold whole numbers >= 0. Got 2.5"),
        ({"seeds": [True]}, ValueError, "must hold whole numbers >= 0. Got True"),
        ({"seeds": "12"}, TypeError, "must be a sequence of whole numbers"),
        ({"seeds": 3}, TypeError, "must be a sequence of whole numbers"),
        ({"seeds": [1], "steps": 0}, ValueError, "'steps' parameter of run_batch must be a whole number >= 1. Got 0"),
        ({"seeds": [1], "steps": 2.0}, ValueError, "'steps' parameter of run_batch must be a whole number >= 1"),
        ({"scenario": "scenarios/default.toml", "seeds": [1]}, TypeError, "'scenario' parameter of run_batch must be a Scenario"),
        ({"scenario": "two", "seeds": [1, 2]}, TypeError, "one per seed"),
    ],
)
def test_bad_input_is_refused_with_one_sentence(default, kwargs, error, match):
    arguments = {"scenario": default, "steps": 3, **kwargs}
    if arguments["scenario"] == "two":
        arguments["scenario"] = [default]
    with pytest.raises(error, match=match):
        run_batch(**arguments)


def test_differing_steps_must_be_given(default):
    short = _variant("short", scenario={"name": "short", "steps": 7})
    with pytest.raises(ValueError, match="must be given when the scenarios' steps differ"):
        advance_batch([default, short], [1, 2])


# ---------------------------------------------------------------------------------------------
# Large graphs
# ---------------------------------------------------------------------------------------------


def large_scenario(organisations: int, mean_degree: float = 100.0):
    """The default scenario's mix of kinds scaled to ``organisations``, tie probabilities scaled so
    that an organisation has about ``mean_degree`` relationships."""
    base = load_scenario(ROOT / "scenarios" / "default.toml")
    data = scenario_to_dict(base)
    total = sum(data["organisations"].values())
    counts = {kind: round(count * organisations / total) for kind, count in data["organisations"].items()}
    template = StateTemplate(base)
    probabilities = np.array(template.tables["tie_probability"])
    n = np.array([counts[kind] for kind in KINDS], dtype=np.float64)
    expected_arcs = float(n @ probabilities @ n - (np.diag(probabilities) * n).sum())
    scale = mean_degree * n.sum() / expected_arcs
    data["organisations"] = counts
    data["network"]["tie_probability"] = {
        f"{a}/{b}": min(1.0, float(probabilities[i, j]) * scale)
        for i, a in enumerate(KINDS) for j, b in enumerate(KINDS) if i <= j
    }
    data["scenario"]["name"] = f"large-{organisations}"
    return scenario_from_dict(data, source=f"<large {organisations}>")


def test_a_10000_organisation_system_builds_and_runs_quickly():
    scenario = large_scenario(10_000)
    advance_batch(scenario, [0], steps=1)  # compile (or load) first
    started = time.perf_counter()
    batch = advance_batch(scenario, [0], steps=3)
    elapsed = time.perf_counter() - started
    assert batch.relationships[0] >= 490_000
    assert np.all(np.isfinite(batch.system[0, :, :8]))
    assert 0.0 <= batch.system[0, -1, 2] <= 1.0
    assert elapsed < 20.0, f"10,000 organisations, 3 months took {elapsed:.1f} s"


@pytest.mark.slow
def test_a_10000_organisation_system_equals_a_single_run():
    scenario = large_scenario(10_000)
    _assert_same_state(StateTemplate(scenario).build(4), build_initial_state(scenario, np.random.default_rng(4)))
    [result] = run_batch(scenario, [4], steps=2, record_organisations=True)
    assert_identical(result, run(scenario, 4, 2))


# ---------------------------------------------------------------------------------------------
# The sweep's unit of work, computed by the batch
# ---------------------------------------------------------------------------------------------


def test_a_sweep_task_computed_by_the_batch_equals_the_sweeps_own(tmp_path):
    from ics_abm.experiments.sweeps import build_design, spec_from_dict
    from ics_abm.experiments.sweeps.batch import BatchTask, simulate_batch, simulate_one_by_one
    from ics_abm.experiments.sweeps.batch import run_batch as sweep_run_batch

    spec = spec_from_dict({
        "sweep": {"name": "t", "scenario": str(ROOT / "scenarios" / "default.toml"), "steps": 14, "replicates": 3,
                  "root_seed": 5},
        "levers": {"regulation.regime": ["misaligned", "single"]},
        "uncertainties": {"design": "factorial", "values": {"legacy.strength": [0.2, 0.8]}},
    })
    design = build_design(spec)
    runs = tuple(design.run(r) for r in range(design.n_runs))
    expected = simulate_one_by_one(spec.base, runs, spec.steps)
    pd.testing.assert_frame_equal(simulate_batch(spec.base, runs, spec.steps), expected, check_exact=True)
    for parallel in (False, True):
        pd.testing.assert_frame_equal(simulate_batch(spec.base, runs, spec.steps, parallel=parallel), expected, check_exact=True)
    tables = []
    for name, function in (("serial", sweep_run_batch), ("parallel", lambda task: sweep_run_batch(task, parallel=True))):
        task = BatchTask(batch=0, path=str(tmp_path / name / "batch-0.parquet"), base=spec.base, steps=spec.steps,
                         root_seed=spec.root_seed, runs=runs, parameters=tuple((p, spec.kinds[p]) for p in spec.parameters),
                         provenance={"sweep": "t"})
        summary = function(task)
        assert summary.runs == len(runs) and summary.rows == len(runs) * spec.steps
        tables.append(pd.read_parquet(task.path))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
