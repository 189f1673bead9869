"""Building a model of 10,000 organisations: ICSModel and Simulation against networkx's generator.

Run with ``.venv/bin/python benchmarks/bench_model_build.py``. The default mix of kinds scaled to
``--organisations`` with about ``--degree`` partners each (as ``bench_large_graph.py``). Timed,
min and median of ``--repeats``, wall and CPU:

* ``networkx`` (the baseline): ``networkx.stochastic_block_model`` with the same sizes,
  probabilities and graph seed, what ``ICSModel`` called before issue 5 of the block-model builder;
* ``Simulation``: the state of month 0 (what ``ics_abm.run`` builds);
* ``ICSModel(agents=False)``: the same plus Mesa's model;
* ``ICSModel``: with its agent views;
* ``model.network``: the networkx graph, made on first use (the demo and agent views need it,
  runs do not).

The graph it makes is checked edge for edge against networkx's before any figure is printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import describe, load  # noqa: E402
from benchmarks.bench_large_graph import scaled_scenario  # noqa: E402


def timed(function, repeats: int) -> dict:
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall": (min(walls), statistics.median(walls)), "cpu": (min(cpus), statistics.median(cpus))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--degree", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from ics_abm import ICSModel
    from ics_abm.engine.initial import StateTemplate
    from ics_abm.simulation import Simulation

    print(describe())
    scenario = scaled_scenario(args.organisations, args.degree)
    template = StateTemplate(scenario)
    seed = 0
    model = ICSModel(scenario, seed=seed, agents=False)  # also compiles/loads the builder's kernels
    graph_seed = int(np.random.default_rng(seed).integers(0, 2**31 - 1))

    def with_networkx():
        return nx.stochastic_block_model(template.block_sizes, template.block_probabilities, seed=graph_seed, sparse=True)

    reference = with_networkx()
    assert list(model.network.edges) == list(reference.edges), "the fast builder must give networkx's graph"
    n_arcs = int(model.graph.target.shape[0])
    print(f"{args.organisations:,} organisations, {n_arcs // 2:,} relationships; graph checked edge for edge against networkx")
    rows = {
        "networkx stochastic_block_model (baseline)": timed(with_networkx, args.repeats),
        "Simulation (ics_abm.run's state)": timed(lambda: Simulation(scenario, seed), args.repeats),
        "ICSModel(agents=False)": timed(lambda: ICSModel(scenario, seed=seed, agents=False), args.repeats),
        "ICSModel (agent views)": timed(lambda: ICSModel(scenario, seed=seed), args.repeats),
        "ICSModel + model.network": timed(lambda: ICSModel(scenario, seed=seed, agents=False).network, args.repeats),
    }
    base = rows["networkx stochastic_block_model (baseline)"]["wall"][1]
    for label, r in rows.items():
        print(f"  {label:44s} wall min/med {r['wall'][0]:7.3f} / {r['wall'][1]:7.3f} s   CPU min/med {r['cpu'][0]:7.3f} / "
              f"{r['cpu'][1]:7.3f} s   vs baseline {r['wall'][1] / base:5.2f}x (load {load()})")
    built = rows["ICSModel (agent views)"]["wall"][1]
    print(f"ICSModel of {args.organisations:,} organisations in {built:.2f} s (target < 1 s: {'met' if built < 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
