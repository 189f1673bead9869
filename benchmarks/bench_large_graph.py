"""Large graphs: time per arc update for 1,000 / 10,000 / 100,000 organisations, against streaming (issue 4).

Each size runs in its own process (so that its peak memory is its own). The system is the default
scenario's mix of kinds scaled up, with tie probabilities scaled so that an organisation has about
``--degree`` relationships (100: 10,000 organisations have about 500,000 relationships, 1,000,000
arcs). For each size:

* set-up: :class:`ics_abm.engine.initial.StateTemplate` (networkx-free, the same state as
  ``build_initial_state``) and, up to 10,000 organisations, ``build_initial_state`` itself;
* the step: median time of one month of the serial step kernel (called directly, without
  ``advance``'s input checks), and of the ``parallel=True`` kernel (see the note below), per
  directed arc;
* streaming: the time this machine needs just to read every arc and organisation array the step
  reads once and write the ones it writes once (one numba pass, serial and ``prange``), and the
  ratio step / streaming;
* random access: the time of the gathers the step cannot avoid (``action[reverse[k]]`` and
  ``active[target[k]]``), one pass each, to show what the rest of the gap is made of;
* peak memory: the process's peak resident set (``getrusage``) and the size of the state arrays.

Both variants are :data:`ics_abm.engine.step.advance_steps` (one source compiled serially and with
``parallel=True``, each with its own cache entry, see :mod:`ics_abm.engine.jit`); the benchmark
checks they give the same numbers.

    .venv/bin/python benchmarks/bench_large_graph.py [--sizes 1000,10000,100000] [--degree 100] [--steps 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np
from numba import prange

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import describe, load


def scaled_scenario(organisations: int, mean_degree: float):
    """The default scenario's mix of kinds scaled to ``organisations``, about ``mean_degree`` partners each."""
    from ics_abm import load_scenario
    from ics_abm.engine.initial import StateTemplate
    from ics_abm.scenario.kinds import KINDS
    from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

    base = load_scenario(ROOT / "scenarios" / "default.toml")
    data = scenario_to_dict(base)
    total = sum(data["organisations"].values())
    counts = {kind: round(count * organisations / total) for kind, count in data["organisations"].items()}
    probabilities = np.array(StateTemplate(base).tables["tie_probability"])
    n = np.array([counts[kind] for kind in KINDS], dtype=np.float64)
    scale = mean_degree * n.sum() / float(n @ probabilities @ n - (np.diag(probabilities) * n).sum())
    data["organisations"] = counts
    data["network"]["tie_probability"] = {f"{a}/{b}": min(1.0, float(probabilities[i, j]) * scale)
                                          for i, a in enumerate(KINDS) for j, b in enumerate(KINDS) if i <= j}
    data["scenario"]["name"] = f"scaled-{organisations}"
    return scenario_from_dict(data, source=f"<scaled {organisations}>")


def _stream_source(trust, distance, memory, stake, action, target, reverse, org_in, org_out, trust_out, memory_out, action_out):
    # Read every arc array and the organisation arrays once, write three arc arrays and the
    # organisation outputs once: the bytes of one step, with no arithmetic to speak of.
    for k in prange(trust.shape[0]):
        x = trust[k] + distance[k] + memory[k] + stake[k] + action[k] + target[k] + reverse[k]
        trust_out[k] = x
        memory_out[k] = x
        action_out[k] = np.int8(x > 0.0)
    for i in prange(org_in.shape[1]):
        total = 0.0
        for f in range(org_in.shape[0]):
            total += org_in[f, i]
        for f in range(org_out.shape[0]):
            org_out[f, i] = total


_stream_serial = numba.njit(nogil=True, cache=False)(_stream_source)
_stream_parallel = numba.njit(nogil=True, cache=False, parallel=True)(_stream_source)


@numba.njit(nogil=True, cache=False)
def _gathers(action, reverse, active, target):
    s = 0.0
    for k in range(reverse.shape[0]):
        s += action[reverse[k]] + active[target[k]]
    return s


def _one_month(kernel):
    """A step-loop variant of :data:`ics_abm.engine.step.advance_steps` called for one month, without
    :func:`ics_abm.engine.step.advance`'s O(arcs) input checks."""

    def step(orgs, graph, arcs, params, ws, system, key, t, out, kind_trust, org_out):
        kernel(orgs, graph, arcs, params, ws, system, key, t, out[None], kind_trust[None], org_out[None])

    return step


def measure(organisations: int, degree: float, steps: int) -> dict:
    """One size, in this process."""
    from ics_abm.engine.checks import check_state
    from ics_abm.engine.initial import StateTemplate, build_initial_state
    from ics_abm.engine.state import make_workspace
    from ics_abm.engine.step import advance_steps
    from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS

    scenario = scaled_scenario(organisations, degree)
    started = time.perf_counter()
    state = StateTemplate(scenario).build(0)
    build_s = time.perf_counter() - started
    networkx_s = None
    if organisations <= 10_000:
        started = time.perf_counter()
        build_initial_state(scenario, np.random.default_rng(0))
        networkx_s = time.perf_counter() - started
    orgs, graph, arcs, params, system = state.organisations, state.graph, state.arcs, state.params, state.system
    n, m = orgs.kind.size, graph.target.size
    ws = make_workspace(n)
    state_bytes = sum(a.nbytes for a in (*orgs, *graph, *arcs, *ws))

    # The step loop called directly (advance() would add its O(arcs) input checks to every month),
    # serial (what a batch's runs use) and parallel.
    variants = {"serial": _one_month(advance_steps.serial), "parallel": _one_month(advance_steps.parallel)}
    out = np.empty(len(METRICS))
    kind_trust = np.empty((6, 6))
    org_out = np.empty((0, len(ORG_TRAJECTORY_FIELDS)))
    key = np.int64(state.key)
    # Same numbers from both variants (from copies of the state, three months).
    results = []
    for step in variants.values():
        sy = system.copy()
        o, a, w = (type(x)(*[y.copy() for y in x]) for x in (orgs, arcs, ws))
        trajectory = []
        for t in range(1, 4):
            step(o, graph, a, params, w, sy, key, np.int64(t), out, kind_trust, org_out)
            trajectory.append(out.copy())
        results.append((np.array(trajectory), a.trust.copy()))
    identical = np.array_equal(results[0][0], results[1][0], equal_nan=True) and np.array_equal(results[0][1], results[1][1])
    timings, t = {}, 1
    for name, step in variants.items():
        step(orgs, graph, arcs, params, ws, system, key, np.int64(t), out, kind_trust, org_out)  # compile or load
        t += 1
        times = []
        for _ in range(steps):
            started = time.perf_counter()
            step(orgs, graph, arcs, params, ws, system, key, np.int64(t), out, kind_trust, org_out)
            times.append(time.perf_counter() - started)
            t += 1
            assert np.isfinite(out[2]) and 0.0 <= out[2] <= 1.0, "the step did not run"
        timings[name] = statistics.median(times)
    check_state(orgs, graph, arcs)  # still a valid state after all those months
    serial, parallel = timings["serial"], timings["parallel"]

    # Streaming the same bytes: the arc arrays the step reads (7) and writes (3), the organisation
    # arrays it reads (all 21) and writes (about 10: balance ... experience, and the outputs).
    org_in = np.stack([np.asarray(a, dtype=np.float64) for a in orgs] + [ws.capacity, ws.net, ws.mean_trust, ws.live])
    org_out_stream = np.empty((10, n))
    outs = (np.empty(m), np.empty(m), np.empty(m, dtype=np.int8))
    read_bytes = sum(a.nbytes for a in (arcs.trust, arcs.distance, arcs.memory, arcs.stake, arcs.action, graph.target, graph.reverse)) + org_in.nbytes
    written_bytes = sum(a.nbytes for a in outs) + org_out_stream.nbytes
    stream = {}
    for name, function in (("serial", _stream_serial), ("parallel", _stream_parallel)):
        args = (arcs.trust, arcs.distance, arcs.memory, arcs.stake, arcs.action, graph.target, graph.reverse, org_in, org_out_stream, *outs)
        function(*args)
        times = []
        for _ in range(max(steps, 5)):
            started = time.perf_counter()
            function(*args)
            times.append(time.perf_counter() - started)
        stream[name] = statistics.median(times)
    _gathers(arcs.action, graph.reverse, orgs.active, graph.target)
    gather = []
    for _ in range(max(steps, 5)):
        started = time.perf_counter()
        _gathers(arcs.action, graph.reverse, orgs.active, graph.target)
        gather.append(time.perf_counter() - started)
    return {
        "organisations": n, "relationships": m // 2, "arcs": m, "build_s": build_s, "networkx_build_s": networkx_s,
        "step_serial_s": serial, "step_parallel_s": parallel,
        "stream_serial_s": stream["serial"], "stream_parallel_s": stream["parallel"], "gather_s": statistics.median(gather),
        "bytes_per_step": read_bytes + written_bytes, "parallel_identical": bool(identical), "state_bytes": state_bytes,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--degree", type=float, default=100.0)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # run one size in this process (used by the parent)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.degree, args.steps)))
        return
    print(describe())
    print(f"scaled default scenario, about {args.degree:.0f} relationships per organisation; medians of {args.steps} months")
    header = ("orgs", "relationships", "set-up s (networkx)", "step ms serial / parallel", "ns per arc serial / parallel",
              "stream ms serial / parallel", "step/stream serial / parallel", "gathers ms", "peak RSS MiB (state MiB)", "parallel = serial")
    print(" | ".join(header))
    for size in (int(s) for s in args.sizes.split(",")):
        child = subprocess.run([sys.executable, __file__, "--one", str(size), "--degree", str(args.degree), "--steps", str(args.steps)],
                               check=False, capture_output=True, text=True)
        if child.returncode != 0:
            print(f"{size}: failed\n{child.stderr[-2000:]}")
            continue
        r = json.loads(child.stdout.strip().splitlines()[-1])
        arcs = r["arcs"]
        networkx = f"{r['networkx_build_s']:.1f}" if r["networkx_build_s"] is not None else "-"
        print(" | ".join([
            f"{r['organisations']:,}", f"{r['relationships']:,}", f"{r['build_s']:.2f} ({networkx})",
            f"{r['step_serial_s'] * 1e3:.1f} / {r['step_parallel_s'] * 1e3:.1f}",
            f"{r['step_serial_s'] / arcs * 1e9:.1f} / {r['step_parallel_s'] / arcs * 1e9:.1f}",
            f"{r['stream_serial_s'] * 1e3:.1f} / {r['stream_parallel_s'] * 1e3:.1f} ({r['bytes_per_step'] / 2**20:.0f} MiB)",
            f"{r['step_serial_s'] / r['stream_serial_s']:.1f} / {r['step_parallel_s'] / r['stream_parallel_s']:.1f}",
            f"{r['gather_s'] * 1e3:.1f}",
            f"{r['peak_rss_bytes'] / 2**20:.0f} ({r['state_bytes'] / 2**20:.0f})",
            "yes" if r["parallel_identical"] else "NO",
        ]) + f"   [load {load()}]", flush=True)


if __name__ == "__main__":
    main()
