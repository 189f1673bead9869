"""7.1 The motive lens: McClelland motive profiles as an optimally motivating incentive.

docs/model.md, section 7.1. A profile ``(power, affiliation, achievement)`` is summarised by the
optimally motivating incentive ``omega`` on the normalised payoff scale (Merrick & Shafi 2011,
2013; Merrick 2015); an organisation values a normalised payoff ``I`` by ``-(I - omega)**2``.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline

__all__ = [
    "OMEGA_POWER",
    "OMEGA_ACHIEVEMENT",
    "OMEGA_AFFILIATION",
    "OMEGA_NEUTRAL",
    "optimal_incentive",
    "lens_differences",
    "trust_threshold",
    "normalised_payoffs",
    "motive_lenses",
]

#: Optimally motivating incentive of a pure power profile: Merrick's Omega = 3.9 on the scale 1..4.
OMEGA_POWER = 29.0 / 30.0
#: Pure achievement profile: moderate incentive (Atkinson 1957).
OMEGA_ACHIEVEMENT = 0.5
#: Pure affiliation profile: Merrick's Omega = 1.1 on the scale 1..4.
OMEGA_AFFILIATION = 1.0 / 30.0
#: A balanced profile: the neutral point of the lens.
OMEGA_NEUTRAL = 0.5


@inline
def optimal_incentive(power, affiliation, achievement):
    """Optimally motivating incentive of a motive profile.

    Parameters
    ----------
    power, affiliation, achievement : float
        Motive strengths, >= 0 and not all zero.

    Returns
    -------
    float
        ``omega`` in [1/30, 29/30], the strength-weighted mean of the three anchors.
    """
    total = power + affiliation + achievement
    return (power * OMEGA_POWER + achievement * OMEGA_ACHIEVEMENT + affiliation * OMEGA_AFFILIATION) / total


@inline
def lens_differences(omega, i_reward, i_sucker, i_temptation, i_punishment):
    """Perceived value differences ``(a, b)`` of collaborating through the lens ``omega``.

    ``a = v(I_R) - v(I_T)`` (partner collaborates) and ``b = v(I_S) - v(I_P)`` (partner acts for
    itself), with ``v(I) = -(I - omega)**2`` and normalised payoffs ``I_*`` in [0, 1].
    """
    a = -((i_reward - omega) ** 2) + (i_temptation - omega) ** 2
    b = -((i_sucker - omega) ** 2) + (i_punishment - omega) ** 2
    return a, b


def trust_threshold(omega: float, reward: float, sucker: float, temptation: float, punishment: float) -> float:
    """Trust above which a lens-only organisation collaborates, ``theta* = -b/(a - b)``.

    Only meaningful for a reciprocator (``a > 0 > b``): then it collaborates exactly when its trust
    exceeds ``theta*`` in [0, 1]. Valid when there is no altruism, regulator push, stress or noise.

    Returns
    -------
    float
        ``theta*``; ``inf`` if it never collaborates (``a <= 0`` and ``b <= 0``, power lens) and
        ``-inf`` if it always does (``a > 0`` and ``b > 0``, affiliation lens).
    """
    lo, hi = min(reward, sucker, temptation, punishment), max(reward, sucker, temptation, punishment)
    i_r, i_s, i_t, i_p = ((x - lo) / (hi - lo) for x in (reward, sucker, temptation, punishment))
    a, b = lens_differences(omega, i_r, i_s, i_t, i_p)
    if a > 0 and b > 0:
        return -float("inf")
    if a <= 0 and b <= 0:
        return float("inf")
    return -b / (a - b)


@inline
def _normalised(x, lo, hi):
    return (x - lo) / (hi - lo)


@inline
def normalised_payoffs(params):
    """7.1-7.2: the payoff matrix seen through the lens on the normalised scale, and the system's lens.

    The lens sees ``(R, lens_sucker, lens_temptation, P)``: the material matrix, except under a
    pooled budget, where the lens keeps the matrix of Payment by Results (7.15).

    Returns
    -------
    tuple of float
        ``(I_R, I_S, I_T, I_P, a_sys, b_sys)``: the four normalised payoffs in [0, 1] and the
        system's (linear) value differences ``a_sys = I_R - I_M``, ``b_sys = I_M - I_P`` with
        ``I_M`` the normalised mean of sucker and temptation.
    """
    sucker = params.lens_sucker
    temptation = params.lens_temptation
    lo = min(min(params.reward, sucker), min(temptation, params.punishment))
    hi = max(max(params.reward, sucker), max(temptation, params.punishment))
    i_r = _normalised(params.reward, lo, hi)
    i_s = _normalised(sucker, lo, hi)
    i_t = _normalised(temptation, lo, hi)
    i_p = _normalised(params.punishment, lo, hi)
    i_m = _normalised((sucker + temptation) / 2.0, lo, hi)
    return i_r, i_s, i_t, i_p, i_r - i_m, i_m - i_p


@inline
def motive_lenses(orgs, params, ws, i_r, i_s, i_t, i_p):
    """7.1: every organisation's value differences ``(a_i, b_i)`` through its motive lens.

    A leader who believes in the shared purpose channels part of the power motive into
    achievement through the system (socialised power, 7.1): a share ``sigma_P * x_i`` of ``nP_i``
    moves to ``nA_i``, with ``x_i`` the start-of-step belief ``ws.belief``.

    Writes ``ws.lens_a`` and ``ws.lens_b`` (float64, shape (n,)), one row per organisation.
    """
    power = orgs.power
    affiliation = orgs.affiliation
    achievement = orgs.achievement
    belief = ws.belief
    socialised = params.socialised_power
    lens_a = ws.lens_a
    lens_b = ws.lens_b
    for i in prange(power.shape[0]):
        channelled = socialised * belief[i] * power[i]
        omega = optimal_incentive(power[i] - channelled, affiliation[i], achievement[i] + channelled)
        a, b = lens_differences(omega, i_r, i_s, i_t, i_p)
        lens_a[i] = a
        lens_b[i] = b
