"""The motive lens reproduces Merrick's (2015) prisoner's-dilemma result (docs/model.md, 7.1 and 8).

With ordinal payoffs T=4 > R=3 > P=2 > S=1 and optimally motivating incentives Omega = 3.9, 2.6 and
1.1 (omega = 29/30, 8/15, 1/30 on the normalised scale), power-, achievement- and
affiliation-dominated organisations act as always-defect, reciprocator and always-cooperate.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ics_abm.engine.classic_games import ORDINAL_PAYOFFS, STRATEGIES, classic_system, motive_profile_for
from ics_abm.engine.step import advance
from ics_abm.engine.submodels.motives import OMEGA_AFFILIATION, OMEGA_POWER, lens_differences, optimal_incentive, trust_threshold

MERRICK_OMEGA = {"power": (3.9 - 1) / 3, "achievement": (2.6 - 1) / 3, "affiliation": (1.1 - 1) / 3}
ROUNDS = 40


def _normalised(payoffs):
    lo, hi = min(payoffs), max(payoffs)
    return [(x - lo) / (hi - lo) for x in payoffs]


def test_pure_profiles_hit_merricks_omegas():
    assert 1 + 3 * optimal_incentive(1.0, 0.0, 0.0) == pytest.approx(3.9)
    assert 1 + 3 * optimal_incentive(0.0, 1.0, 0.0) == pytest.approx(1.1)
    assert optimal_incentive(1.0, 1.0, 1.0) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "motive, best_vs_collaborate, best_vs_self_interest",
    [("power", 0, 0), ("achievement", 1, 0), ("affiliation", 1, 1)],
)
def test_perceived_best_responses(motive, best_vs_collaborate, best_vs_self_interest):
    # Merrick & Shafi (2013), PD row of the table in literature.md 1.3.
    i_r, i_s, i_t, i_p = _normalised(ORDINAL_PAYOFFS)
    a, b = lens_differences(MERRICK_OMEGA[motive], i_r, i_s, i_t, i_p)
    assert (1 if a > 0 else 0) == best_vs_collaborate
    assert (1 if b > 0 else 0) == best_vs_self_interest


def test_population_of_motivated_organisations_plays_as_merrick_found():
    # Three organisations of each motive, all trusting at first, tit-for-tat trust learning;
    # every pair plays ROUNDS rounds of the ordinal prisoner's dilemma.
    motives = [m for m in ("power", "achievement", "affiliation") for _ in range(3)]
    profiles = [motive_profile_for(MERRICK_OMEGA[m]) for m in motives]
    orgs, graph, arcs, params, system = classic_system([STRATEGIES["tit_for_tat"]] * len(motives), ORDINAL_PAYOFFS, profiles)
    history = []
    for t in range(1, ROUNDS + 1):
        advance(orgs, graph, arcs, params, system, key=0, first_step=t, n_steps=1)
        history.append(arcs.action.copy())
    history = np.array(history)
    rate = history.mean(axis=0)
    for i, j in itertools.permutations(range(len(motives)), 2):
        k = graph.indptr[i] + int(np.searchsorted(graph.target[graph.indptr[i] : graph.indptr[i + 1]], j))
        me, other = motives[i], motives[j]
        if me == "power":
            expected = 0.0  # always defect
        elif me == "affiliation":
            expected = 1.0  # always cooperate
        elif other == "power":
            expected = 1 / ROUNDS  # reciprocator: trusting first move, then mirrors defection
        else:
            expected = 1.0  # reciprocator meeting collaboration
        assert rate[k] == pytest.approx(expected), (me, other)


@given(
    omega=st.floats(min_value=OMEGA_AFFILIATION, max_value=OMEGA_POWER),
    ordered=st.lists(st.floats(-10.0, 10.0), min_size=4, max_size=4, unique=True)
    .map(sorted)
    .filter(lambda x: min(b - a for a, b in zip(x, x[1:])) > 1e-3),
)
def test_classification_by_midpoints(omega, ordered):
    # 7.1: never collaborate above m_hi, always below m_lo, threshold in between, for any
    # prisoner's dilemma ordering T > R > P > S.
    sucker, punishment, reward, temptation = ordered
    payoffs = (reward, sucker, temptation, punishment)
    i_r, i_s, i_t, i_p = _normalised(payoffs)
    a, b = lens_differences(omega, i_r, i_s, i_t, i_p)
    m_hi, m_lo = (i_r + i_t) / 2, (i_s + i_p) / 2
    assert (a > 0) == (omega < m_hi) or np.isclose(omega, m_hi)
    assert (b < 0) == (omega > m_lo) or np.isclose(omega, m_lo)
    if m_lo < omega < m_hi:
        theta = trust_threshold(omega, *payoffs)
        assert 0 < theta < 1
        assert a * theta + b * (1 - theta) == pytest.approx(0.0, abs=1e-12)
