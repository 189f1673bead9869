"""Experiment designs: which runs a sweep file asks for, their numbering and their seeds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ics_abm.experiments.sweeps import build_design, read_sweep
from ics_abm.experiments.sweeps.design import auto_batch_size
from ics_abm.experiments.sweeps.seeds import replicate_seeds, seed_of
from tests.sweep_helpers import write_sweep

FACTORIAL = """\
replicates = 2
root_seed = 11
[levers]
"regulation.regime" = ["misaligned", "aligned", "single"]
[uncertainties]
design = "factorial"
[uncertainties.values]
"legacy.strength" = [0.0, 1.0]
"organisations.acute" = [1, 2]
"""


def design_of(tmp_path, body):
    return build_design(read_sweep(write_sweep(tmp_path, body)))


def ranges(design, samples, extra="", levers=""):
    lines = [f"replicates = 1\n{levers}[uncertainties]\ndesign = \"{design}\"\nsamples = {samples}\n{extra}",
             "[uncertainties.ranges]", '"legacy.strength" = [0.2, 0.6]', '"trust.gain_rate" = [0.05, 0.3]',
             '"organisations.acute" = [1, 4]']
    return "\n".join(lines) + "\n"


def test_factorial_runs_every_combination_once_in_a_fixed_order(tmp_path):
    design = design_of(tmp_path, FACTORIAL)
    assert (len(design.policies), len(design.sample), design.n_runs) == (3, 4, 3 * 4 * 2)
    runs = design.runs()
    # the last lever/value varies fastest; run_id = point_id * replicates + replicate
    expected = list(itertools.product(["misaligned", "aligned", "single"], [0.0, 1.0], [1, 2], [0, 1]))
    got = list(zip(runs["regulation.regime"], runs["legacy.strength"], runs["organisations.acute"], runs["replicate"],
                   strict=True))
    assert got == expected
    assert list(runs["run_id"]) == list(range(24))
    assert list(runs["run_id"]) == list(runs["point_id"] * 2 + runs["replicate"])
    assert list(runs["point_id"]) == list(runs["policy_id"] * 4 + runs["sample_id"])


def test_common_random_numbers_and_spawned_seeds(tmp_path):
    runs = design_of(tmp_path, FACTORIAL).runs()
    seeds = replicate_seeds(11, 2)
    # every point's replicate r uses the same seed, the r-th child of SeedSequence(root_seed)
    assert list(runs["seed"]) == [int(seeds[r]) for r in runs["replicate"]]
    assert seeds[0] != seeds[1]
    for r in (0, 1):
        assert int(seeds[r]) == seed_of(np.random.SeedSequence(11, spawn_key=(r,)))
    assert (runs["spawn_key"] == runs["replicate"]).all() and (runs["root_seed"] == 11).all()
    assert 0 <= seeds.min() and seeds.max() < 2**63
    # more replicates keep the earlier seeds; another root gives other seeds
    assert list(replicate_seeds(11, 5)[:2]) == list(seeds)
    assert set(replicate_seeds(12, 2)).isdisjoint(seeds)


def test_every_policy_sees_the_same_uncertainty_sample(tmp_path):
    design = design_of(tmp_path, ranges("lhs", 6, levers='[levers]\n"regulation.regime" = ["aligned", "single"]\n'))
    points = design.points
    by_policy = [g.drop(columns=["point_id", "policy_id", "regulation.regime"]).reset_index(drop=True)
                 for _, g in points.groupby("policy_id")]
    assert len(by_policy) == 2 and by_policy[0].equals(by_policy[1])


def test_latin_hypercube_has_one_sample_per_stratum_within_bounds(tmp_path):
    n = 8
    design = design_of(tmp_path, ranges("lhs", n))
    sample = design.sample
    assert len(sample) == n
    for path, (lo, hi) in {"legacy.strength": (0.2, 0.6), "trust.gain_rate": (0.05, 0.3)}.items():
        strata = np.floor((sample[path].to_numpy() - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), path
    # a whole-number field is sampled on [lo, hi + 1) and floored, so each value is a whole number in [lo, hi]
    acute = design.points["organisations.acute"]
    assert acute.dtype == np.int64 and acute.between(1, 4).all()
    assert (acute == np.floor(sample["organisations.acute"]).clip(1, 4)).all()


@pytest.mark.parametrize(("second_order", "points_per_base"), [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_design_has_saltelli_size(tmp_path, second_order, points_per_base):
    extra = f"second_order = {str(second_order).lower()}\n"
    design = design_of(tmp_path, ranges("sobol", 8, extra))
    assert len(design.sample) == 8 * points_per_base
    assert design.problem["names"] == ["legacy.strength", "trust.gain_rate", "organisations.acute"]
    assert design.problem["bounds"][2] == [1.0, 5.0]  # whole-number field: [lo, hi + 1)


def test_morris_design_is_trajectories_of_one_factor_steps(tmp_path):
    design = design_of(tmp_path, ranges("morris", 4, "levels = 4\n"))
    x = design.sample[design.problem["names"]].to_numpy()
    assert x.shape == (4 * (3 + 1), 3)
    for trajectory in x.reshape(4, 4, 3):
        changed = (np.diff(trajectory, axis=0) != 0).sum(axis=1)
        assert list(changed) == [1, 1, 1]  # each step changes exactly one factor


def test_batches_cover_every_run_once(tmp_path):
    design = design_of(tmp_path, FACTORIAL.replace("root_seed = 11", "root_seed = 11\nbatch_size = 5"))
    ids = [r for b in range(design.n_batches) for r in design.batch_run_ids(b)]
    assert ids == list(range(design.n_runs)) and design.n_batches == 5
    assert list(design.runs()["batch"]) == [r // 5 for r in range(design.n_runs)]


def test_auto_batch_size():
    assert auto_batch_size(1) == 1
    assert auto_batch_size(20) == 3                 # at least 8 batches for small sweeps
    assert auto_batch_size(1000) == 16              # at least 16 runs per batch when that allows 8 batches
    assert auto_batch_size(10_000) == 40            # at most about 256 batches
    assert auto_batch_size(10**9) == 1000


def test_digest_is_stable_and_sees_every_input(tmp_path):
    first = design_of(tmp_path / "a", FACTORIAL).digest
    assert design_of(tmp_path / "b", FACTORIAL).digest == first
    assert design_of(tmp_path / "c", FACTORIAL.replace("root_seed = 11", "root_seed = 12")).digest != first
    assert design_of(tmp_path / "d", FACTORIAL.replace("[0.0, 1.0]", "[0.0, 0.9]")).digest != first
    assert design_of(tmp_path / "e", FACTORIAL + '[constants]\n"trust.initial" = 0.5\n').digest != first
