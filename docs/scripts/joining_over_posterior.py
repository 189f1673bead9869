"""When every kind of organisation joins in, over the shipped posterior (docs/calibration.md).

Usage (from the repository root)::

    .venv/bin/python docs/scripts/joining_over_posterior.py --workers 2

For every accepted parameter set of the shipped posterior, on ``--seeds`` common seeds (spawned
from ``--seed``, the fact refinement's), it runs the default system for ``--year`` years and
measures, per kind, the share of its relationships on which it collaborated in that year (the
measure of ``tests/test_dynamics.py::test_no_kind_of_organisation_is_locked_into_defection``).
It prints how many sets have every kind at a quarter of its relationships in at least half their
runs, and the acute trusts' mean share; ``--out`` keeps the table (one row per set).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: The share of its relationships a kind must collaborate on in that year to count as joined in.
JOINED = 0.25


def _shares_in_year(scenario, seed: int, year: int) -> np.ndarray:
    """Each kind's share of its relationships collaborated on, averaged over the months of ``year``; shape (kinds,)."""
    from ics_abm.scenario.kinds import KINDS
    from ics_abm.simulation import Simulation

    simulation = Simulation(scenario, seed)
    indptr = simulation.graph.indptr
    kind_of_arc = simulation.organisations.kind[np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))]
    simulation.simulate(12 * (year - 1))
    total = np.zeros(len(KINDS))
    for _ in range(12):
        simulation.simulate(1)
        for kind in range(len(KINDS)):
            mine = kind_of_arc == kind
            total[kind] += simulation.arcs.action[mine].mean() if mine.any() else 1.0  # absent kinds hold nothing up
    return total / 12


def _measure(rows: list[dict], seeds: list[int], year: int) -> list[dict]:
    """``joined`` (share of seeds with every kind joined) and ``acute`` (its mean share) per set (a worker's task)."""
    from ics_abm.experiments.sweeps.parameters import with_values
    from ics_abm.scenario.catalog import resolve_scenario
    from ics_abm.scenario.kinds import KINDS
    from ics_abm.scenario.loading import load_scenario, scenario_from_dict, scenario_to_dict

    base = scenario_to_dict(load_scenario(resolve_scenario("default")))
    out = []
    for row in rows:
        scenario = scenario_from_dict(with_values(base, {k: v for k, v in row.items() if k != "draw"}))
        shares = np.array([_shares_in_year(scenario, seed, year) for seed in seeds])
        out.append({"draw": row["draw"], "joined": float(np.mean((shares >= JOINED).all(axis=1))),
                    "acute": float(shares[:, KINDS.index("acute")].mean())})
    return out


def main() -> None:
    from ics_abm.experiments.calibration.posterior import parameter_columns, posterior
    from ics_abm.experiments.sweeps.seeds import replicate_seeds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=5, help="the year of the run measured (1 = months 1-12)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per set")
    parser.add_argument("--seed", type=int, default=20261207, help="root seed of the seeds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="write the table here (.parquet)")
    args = parser.parse_args()
    frame = posterior()
    columns = parameter_columns(frame)
    rows = [{"draw": int(d), **{c: float(frame.at[i, c]) for c in columns}} for i, d in enumerate(frame["draw"])]
    seeds = [int(s) for s in replicate_seeds(args.seed, args.seeds)]
    chunks = [rows[i:i + 25] for i in range(0, len(rows), 25)]
    started = time.perf_counter()
    with cf.ProcessPoolExecutor(args.workers) as pool:
        table = pd.DataFrame([r for part in pool.map(_measure, chunks, [seeds] * len(chunks), [args.year] * len(chunks))
                              for r in part])
    if args.out is not None:
        table.to_parquet(args.out, index=False)
    every = int((table["joined"] >= 0.5).sum())
    print(f"{len(table)} sets x {args.seeds} seeds in {time.perf_counter() - started:.0f} s wall: {every} have every "
          f"kind at >= {JOINED:.0%} of its relationships in year {args.year} in at least half their runs; acute "
          f"trusts' share in year {args.year}: median over sets {table['acute'].median():.2f}")


if __name__ == "__main__":
    main()
