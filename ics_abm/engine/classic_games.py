"""The classic-games limit of the model (docs/model.md, section 8).

With a fixed payoff matrix, neutral (balanced) motives, no altruism, no regulators, no financial
stress, no noise, no cultural distance, full leader capacity and no competition legacy, every
relationship is an iterated prisoner's dilemma between trust-threshold reciprocators. Initial
trust and the per-organisation trust rates then reproduce the classic reciprocity strategies
exactly; motive profiles reproduce Merrick's (2015) motive-lens result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import networkx as nx
import numpy as np

from ics_abm.engine.graph import arc_sources, graph_from_networkx
from ics_abm.engine.state import EXTENSIONS_OFF, Arcs, Graph, Organisations, Params, empty_organisations, new_system

__all__ = ["Strategy", "STRATEGIES", "AXELROD_PAYOFFS", "ORDINAL_PAYOFFS", "classic_system", "motive_profile_for"]


class Strategy(NamedTuple):
    """A strategy as trust parameters: initial trust and trust gain and loss rates."""

    initial_trust: float
    gain_rate: float
    loss_rate: float


#: Strategies of the classic literature as trust-threshold reciprocators (section 8 table).
#: Tit-for-two-tats needs 1 - loss > theta* > (1 - loss)**2; loss = 0.4 works for theta* in
#: (0.36, 0.6), which holds for the ordinal (1/2) and Axelrod (2/5) matrices.
STRATEGIES: dict[str, Strategy] = {
    "tit_for_tat": Strategy(1.0, 1.0, 1.0),
    "grim": Strategy(1.0, 0.0, 1.0),
    "tit_for_two_tats": Strategy(1.0, 1.0, 0.4),
    "suspicious_tit_for_tat": Strategy(0.0, 1.0, 1.0),
    "always_cooperate": Strategy(1.0, 1.0, 0.0),
    "always_defect": Strategy(0.0, 0.0, 1.0),
}

#: Axelrod's (1984) payoffs, as (reward, sucker, temptation, punishment).
AXELROD_PAYOFFS = (3.0, 0.0, 5.0, 1.0)
#: Ordinal prisoner's dilemma used by Merrick (2015): T=4 > R=3 > P=2 > S=1.
ORDINAL_PAYOFFS = (3.0, 1.0, 4.0, 2.0)


def motive_profile_for(omega: float) -> tuple[float, float, float]:
    """A motive profile ``(power, affiliation, achievement)`` whose optimal incentive is ``omega``.

    Mixes achievement (1/2) with power (29/30) above 1/2, or with affiliation (1/30) below it.
    """
    from ics_abm.engine.submodels.motives import OMEGA_ACHIEVEMENT, OMEGA_AFFILIATION, OMEGA_POWER

    if not OMEGA_AFFILIATION <= omega <= OMEGA_POWER:
        raise ValueError(f"omega must be in [1/30, 29/30], got {omega}")
    if omega >= OMEGA_ACHIEVEMENT:
        share = (omega - OMEGA_ACHIEVEMENT) / (OMEGA_POWER - OMEGA_ACHIEVEMENT)
        return (share, 0.0, 1.0 - share)
    share = (OMEGA_ACHIEVEMENT - omega) / (OMEGA_ACHIEVEMENT - OMEGA_AFFILIATION)
    return (0.0, share, 1.0 - share)


def classic_system(
    strategies: Sequence[Strategy],
    payoffs: tuple[float, float, float, float] = AXELROD_PAYOFFS,
    motives: Sequence[tuple[float, float, float]] | None = None,
    graph: nx.Graph | None = None,
) -> tuple[Organisations, Graph, Arcs, Params, np.ndarray]:
    """State of a system in the classic-games limit.

    Parameters
    ----------
    strategies : sequence of Strategy
        One per organisation.
    payoffs : tuple of 4 floats
        ``(reward, sucker, temptation, punishment)``; the stake of every relationship is 1, so an
        organisation's balance is its total score.
    motives : sequence of (power, affiliation, achievement), optional
        Motive profiles (default: balanced, the neutral lens).
    graph : networkx.Graph, optional
        Relationships (default: complete graph, i.e. a round-robin tournament).

    Returns
    -------
    (Organisations, Graph, Arcs, Params, system)
        Ready for :func:`ics_abm.engine.step.advance`; the mechanisms of docs/model.md 7.10-7.16 are
        switched off (:data:`ics_abm.engine.state.EXTENSIONS_OFF`).
    """
    n = len(strategies)
    network = nx.complete_graph(n) if graph is None else graph
    csr = graph_from_networkx(network)
    orgs = empty_organisations(n)
    profiles = [(1.0, 1.0, 1.0)] * n if motives is None else list(motives)
    for i, (strategy, (power, affiliation, achievement)) in enumerate(zip(strategies, profiles, strict=True)):
        orgs.power[i], orgs.affiliation[i], orgs.achievement[i] = power, affiliation, achievement
        orgs.gain_rate[i] = strategy.gain_rate
        orgs.loss_rate[i] = strategy.loss_rate
    orgs.principal[:] = 2  # the public: no regulator
    orgs.budget[:] = 1.0
    orgs.capacity[:] = 1.0
    m = csr.target.shape[0]
    source = arc_sources(csr)
    arcs = Arcs(
        trust=np.array([strategies[i].initial_trust for i in source], dtype=np.float64).reshape(m),
        distance=np.zeros(m),
        memory=np.zeros(m),
        stake=np.ones(m),
        action=np.zeros(m, dtype=np.int8),
    )
    reward, sucker, temptation, punishment = (float(x) for x in payoffs)
    zeros = np.zeros(3)
    params = Params(
        reward=reward, sucker=sucker, temptation=temptation, punishment=punishment,
        lens_sucker=sucker, lens_temptation=temptation, noise=0.0, crowding_out=0.0, future_weight=0.0, purpose_weight=0.0, socialised_power=0.0,
        contact_rate=0.0, safety_buffer=0.0, distance_drag=0.0, legacy_weight=0.0, memory_retention=0.5,
        altruism_growth=0.0, altruism_erosion=0.0, stress_scale=1.0, stress_weight=0.0,
        strength=zeros.copy(), focus=zeros.copy(), rate=zeros.copy(), conflict=0.0,
        intervention_threshold=1.0, intervention_push=0.0, capacity_cost=0.0,
        pressure_decay=0.0, system_assessment=False, autonomy=0.0, maturity_progress=1.0, progress_decay=0.0, **EXTENSIONS_OFF,
    )
    return orgs, csr, arcs, params, new_system()
