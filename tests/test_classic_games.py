"""The classic-games limit (docs/model.md, section 8) against the axelrod library.

In the limit every relationship is an iterated prisoner's dilemma between trust-threshold
reciprocators; the strategies of section 8 must reproduce axelrod's implementations move for move,
and a round-robin tournament must give the same totals.
"""

from __future__ import annotations

import itertools

import axelrod as axl
import numpy as np
import pytest

from ics_abm.engine.classic_games import AXELROD_PAYOFFS, ORDINAL_PAYOFFS, STRATEGIES, classic_system
from ics_abm.engine.step import advance
from ics_abm.engine.submodels.motives import OMEGA_NEUTRAL, trust_threshold

AXELROD_PLAYERS = {
    "tit_for_tat": axl.TitForTat,
    "grim": axl.Grudger,
    "tit_for_two_tats": axl.TitFor2Tats,
    "suspicious_tit_for_tat": axl.SuspiciousTitForTat,
    "always_cooperate": axl.Cooperator,
    "always_defect": axl.Defector,
}
TURNS = 60


def _play(names, payoffs=AXELROD_PAYOFFS, turns=TURNS):
    """Play our model in the classic limit; return (balances, actions per turn by arc)."""
    orgs, graph, arcs, params, system = classic_system([STRATEGIES[name] for name in names], payoffs)
    actions = []
    for t in range(1, turns + 1):
        advance(orgs, graph, arcs, params, system, key=0, first_step=t, n_steps=1)
        actions.append(arcs.action.copy())
    return orgs.balance.copy(), np.array(actions), graph


def _game(payoffs):
    reward, sucker, temptation, punishment = payoffs
    return axl.Game(r=reward, s=sucker, t=temptation, p=punishment)


@pytest.mark.parametrize("first, second", list(itertools.combinations_with_replacement(sorted(STRATEGIES), 2)))
def test_every_match_reproduces_axelrod_move_for_move(first, second):
    balances, actions, graph = _play([first, second])
    match = axl.Match((AXELROD_PLAYERS[first](), AXELROD_PLAYERS[second]()), turns=TURNS, game=_game(AXELROD_PAYOFFS))
    moves = match.play()
    expected_first = np.array([1 if a == axl.Action.C else 0 for a, _ in moves])
    expected_second = np.array([1 if b == axl.Action.C else 0 for _, b in moves])
    # Arc 0 is 0->1, arc 1 is 1->0 in a two-organisation complete graph.
    np.testing.assert_array_equal(actions[:, 0], expected_first)
    np.testing.assert_array_equal(actions[:, 1], expected_second)
    np.testing.assert_allclose(balances, match.final_score(), rtol=0, atol=1e-9)


def test_round_robin_totals_equal_axelrod_tournament():
    names = sorted(STRATEGIES)
    balances, _, _ = _play(names)
    players = [AXELROD_PLAYERS[name]() for name in names]
    tournament = axl.Tournament(players, turns=TURNS, repetitions=1, game=_game(AXELROD_PAYOFFS))
    results = tournament.play(progress_bar=False, processes=1)
    # axelrod's tournament scores leave out self-interactions, as our graph has no self-loops.
    axelrod_totals = np.array([scores[0] for scores in results.scores])
    np.testing.assert_allclose(balances, axelrod_totals, rtol=0, atol=1e-9)


def test_published_pairings_of_the_competition_legacy():
    # literature.md 2.4: two legacy-damaged reciprocators defect forever (P per turn); a
    # suspicious and a trusting tit-for-tat lock into alternation ((T + S)/2 per turn each).
    balances, _, _ = _play(["suspicious_tit_for_tat", "suspicious_tit_for_tat"], turns=50)
    np.testing.assert_allclose(balances / 50, [1.0, 1.0])
    balances, _, _ = _play(["suspicious_tit_for_tat", "tit_for_tat"], turns=50)
    np.testing.assert_allclose(balances / 50, [2.5, 2.5])


# docs/model.md 8: theta* = -b/(a - b); for Axelrod at omega = 1/2, a = 6/25 and b = -4/25.
@pytest.mark.parametrize("payoffs, expected", [(ORDINAL_PAYOFFS, 0.5), (AXELROD_PAYOFFS, 2 / 5)])
def test_neutral_threshold_matches_documentation(payoffs, expected):
    assert trust_threshold(OMEGA_NEUTRAL, *payoffs) == pytest.approx(expected, abs=1e-15)


def test_strategies_reproduced_under_ordinal_payoffs_too():
    names = sorted(STRATEGIES)
    balances, _, _ = _play(names, payoffs=ORDINAL_PAYOFFS)
    players = [AXELROD_PLAYERS[name]() for name in names]
    totals = np.zeros(len(names))
    for (i, p), (j, q) in itertools.combinations(enumerate(players), 2):
        match = axl.Match((p.clone(), q.clone()), turns=TURNS, game=_game(ORDINAL_PAYOFFS))
        match.play()
        score_i, score_j = match.final_score()
        totals[i] += score_i
        totals[j] += score_j
    np.testing.assert_allclose(balances, totals, rtol=0, atol=1e-9)
