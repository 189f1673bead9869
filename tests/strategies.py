"""Hypothesis strategies for systems: random graphs, states and parameters (one module for all)."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import strategies as st

from ics_abm.state import Arcs, Organisations, Params, arc_sources, graph_from_networkx

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def graphs(draw, max_organisations: int = 10) -> nx.Graph:
    """Undirected graphs on 0..n-1 (n may be 0 or 1), any density, edges inserted in random order."""
    n = draw(st.integers(min_value=0, max_value=max_organisations))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(chosen)
    return graph


@st.composite
def organisation_rows(draw) -> dict:
    motives = draw(st.tuples(unit, unit, unit).filter(lambda m: sum(m) > 1e-6))
    budget = draw(st.floats(min_value=0.5, max_value=1000.0))
    return {
        "kind": draw(st.integers(0, 5)),
        "principal": draw(st.integers(0, 2)),
        "budget": budget,
        "balance": draw(st.floats(min_value=-0.2, max_value=0.2)) * budget,
        "cost_pressure": draw(st.floats(min_value=-0.5, max_value=0.5)),
        "power": motives[0],
        "affiliation": motives[1],
        "achievement": motives[2],
        "altruism": draw(unit),
        "capacity": draw(unit),
        "pressure": draw(unit),
        "gain_rate": draw(unit),
        "loss_rate": draw(unit),
    }


@st.composite
def arc_rows(draw) -> dict:
    return {
        "trust": draw(unit),
        "distance": draw(unit),
        "memory": draw(unit),
        "stake": draw(st.floats(min_value=0.0, max_value=5.0)),
    }


@st.composite
def params_dicts(draw) -> dict:
    """Rule parameters as the reference takes them (plain Python)."""
    payoffs = draw(
        st.lists(st.floats(min_value=-5.0, max_value=5.0), min_size=4, max_size=4).filter(
            lambda p: max(p) - min(p) > 1e-2
        )
    )
    regulated = st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 2.0))
    strength = draw(regulated)
    focus = draw(st.tuples(unit, unit))
    rate = draw(st.tuples(unit, unit))
    return {
        "reward": payoffs[0],
        "sucker": payoffs[1],
        "temptation": payoffs[2],
        "punishment": payoffs[3],
        "noise": draw(st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1.0))),
        "distance_drag": draw(unit),
        "legacy_weight": draw(st.floats(0.0, 10.0)),
        "memory_retention": draw(unit),
        "altruism_growth": draw(unit),
        "altruism_erosion": draw(unit),
        "stress_scale": draw(st.floats(min_value=1e-3, max_value=1.0)),
        "stress_weight": draw(st.floats(0.0, 2.0)),
        "strength": (strength[0], strength[1], 0.0),
        "focus": (focus[0], focus[1], 0.0),
        "rate": (rate[0], rate[1], 0.0),
        "conflict": draw(st.floats(0.0, 3.0)),
        "intervention_threshold": draw(st.floats(min_value=1e-3, max_value=1.0)),
        "intervention_push": draw(st.floats(0.0, 3.0)),
        "capacity_cost": draw(unit),
        "pressure_decay": draw(unit),
        "system_assessment": draw(st.booleans()),
        "progress_decay": draw(unit),
    }


@st.composite
def systems(draw, max_organisations: int = 10) -> dict:
    """A complete system for one comparison: graph, organisations, arcs, parameters, key, step."""
    graph = draw(graphs(max_organisations))
    orgs = {i: draw(organisation_rows()) for i in graph.nodes}
    arcs = {}
    for i, j in graph.edges:
        arcs[(i, j)] = draw(arc_rows())
        reverse = draw(arc_rows())
        reverse["stake"] = arcs[(i, j)]["stake"]  # a relationship has one stake
        arcs[(j, i)] = reverse
    return {
        "graph": graph,
        "orgs": orgs,
        "arcs": arcs,
        "params": draw(params_dicts()),
        "progress": draw(st.floats(0.0, 50.0)),
        "key": draw(st.integers(0, 2**63 - 1)),
        "t": draw(st.integers(1, 10_000)),
    }


def to_arrays(system: dict):
    """The same system as the kernel's arrays: (Organisations, Graph, Arcs, Params)."""
    graph = graph_from_networkx(system["graph"])
    n = system["graph"].number_of_nodes()
    rows = [system["orgs"][i] for i in range(n)]
    orgs = Organisations(
        **{
            name: np.array([row[name] for row in rows], dtype=np.int64 if name in ("kind", "principal") else np.float64).reshape(n)
            for name in Organisations._fields
        }
    )
    source = arc_sources(graph)
    keys = list(zip(source.tolist(), graph.target.tolist()))
    arcs = Arcs(
        **{name: np.array([system["arcs"][k][name] for k in keys], dtype=np.float64).reshape(len(keys)) for name in ("trust", "distance", "memory", "stake")},
        action=np.zeros(len(keys), dtype=np.int8),
    )
    p = dict(system["params"])
    for name in ("strength", "focus", "rate"):
        p[name] = np.array(p[name], dtype=np.float64)
    return orgs, graph, arcs, Params(**p), keys
