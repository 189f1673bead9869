"""Independent pure-Python reference implementation of one model step.

Written only from ``docs/model.md``, section "7. Submodels" (7.0-7.16), which is the single
source of truth. It is deliberately slow and plain: python ints and floats, the ``math``
module, and networkx for the graph. No numpy in the step logic. It exists so that the tests
can check ``kernel == reference`` to 1e-9, for a whole step (``tests/test_kernel_vs_reference.py``)
and submodel by submodel (``tests/test_submodels_vs_reference.py``).

Layout
------
One function per submodel, named after the subsection or phase of docs/model.md it implements
(``reference_leader_turnover`` for 7.11 phase 0, ``reference_decisions`` for 7.2, ...), each
citing it. Every submodel function takes plain dicts and floats:

* ``graph``: the networkx relationship graph (nodes ``0 … n−1``);
* ``orgs``: ``{i: row}`` with the fields of ``ics_abm.engine.state.Organisations``, holding the
  state *as it is when the phase runs* (7.0: the phases run in order, each reading the values the
  earlier phases left);
* ``arcs``: ``{(i, j): row}`` for both directions of every edge, with "trust", "distance",
  "memory" and "stake", likewise as they are when the phase runs;
* ``params``: the rule parameters (fields of ``ics_abm.engine.state.Params``);
* ``system``: the system state, keys of :data:`SYSTEM_FIELDS`;

plus the quantities of this step that earlier phases derived (this step's decisions ``action``,
effective capacities ``h``, ...), passed explicitly. A submodel function never mutates its
inputs: it returns the new values (dicts keyed by organisation or arc, or floats), and
:func:`reference_step` composes them in the order of 7.0, writing each phase's results into its
working copy of the state before the next phase runs.

Every function is written "per organisation": an outer loop over organisations ``i`` and, for
each, an inner loop over ``graph.neighbors(i)``. Formulas are written in the same algebraic order
as in the specification, so that a faithful port gives the same floating-point results.

Arc numbering (used for the decision-noise stream, 7.2/7.9)
------------------------------------------------------------
Arcs are numbered in CSR order: sorted by source node, then by target node, i.e. ``k``
enumerates ``sorted((i, j) for every directed arc i->j)``. The inner loops below visit the
neighbours of ``i`` in increasing order, so the loops themselves walk the arcs in this order,
and sums over arcs are accumulated in this order too.

Readings of the specification
-----------------------------
Where section 7 leaves a choice open, this reference takes the reading below. Each is marked in
the code as ``[Rn]``. (Points the specification now states itself, e.g. that start-of-step values
are those after phase 0, the fallback of ``h_ℓ`` to the mean, the votes of members that stepped
back, the walk-away in phase 9 and ``own_i`` after transfers, are not repeated here.)

R1  Turnover multiplies trust on every arc out of and into ``i``, live or not (7.11 says "every
    arc"; the live-arc restriction of 7.10 is about the updates of 7.3-7.7). If both ends of an
    arc lose their leader in the same step, the arc is multiplied by ``(1 − λ_T)`` twice.
R2  The lead ``ℓ`` is the system field ``lead``, fixed at set-up: a step never changes it, also
    not when a leading local authority becomes a partner.
R3  The recorded ``effective_capacity`` is the formula of 7.11 for every organisation, active or
    not (only active ones enter any mean); the recorded ``net`` is 0 for inactive ones.
R4  Payoffs (7.4) are summed over live arcs only (7.10: updates of 7.3-7.7 are restricted to live
    arcs; with ``P ≠ 0`` a non-live arc would otherwise pay ``P·stake``).
R5  A decision breaks down when its age after ageing reaches the patience: ``age + 1 ≥ patience``.
    When a decision closes (resolved or broken down) its age is reset to 0 and its loser to −1.
    When no decision is open and none opens, the decision fields are left as they are.
R6  Statutory governance compares the share ``supporters/voters`` with ``governance.majority``.
    The walk-away happens only at a breakdown, under informal governance and conditional
    commitment, for every voter of this step that did not support (committed or not).
R7  The conditional-commitment rule of phase 9 starts from the commitment at the start of the
    step (nothing changes it before phase 9).
R8  The year-end block of 7.15 (phase 5) uses current values: the year result
    ``y_i = bal_i − ybal_i`` uses the balance *after* this month's net (otherwise the twelfth month
    would belong to no year); the transfer weights ``trust_k`` (unprimed in 7.15) are the trust
    after phases 4 and 4b, i.e. the trust at the time of the transfers; ``α_i`` is the
    start-of-step altruism (not yet updated in phase 5). ``own_i`` is computed as 7.15 words it,
    "``y_i`` plus gifts received minus gifts given".
R9  A partner is a "receiver" (and raises its trust in the giver) only if it receives a positive
    amount; a giver with ``G_i = 0`` (e.g. ``α_i = 0``) or a zero weight sum gives nothing.
    The giver pays ``G_i``; each receiver gets its share; all applied together.
R10 ``sys`` of the sustainability funding is computed from the year results before the transfers
    (the spec: "unchanged by them"; after them it differs only by rounding).
R11 ``signed_up`` is only set by the sign-up of a ``control_total`` regime (at ``(t−1) % 12 == 0``);
    under the other regimes it is left as it is (and it has no effect: transfers and funding
    test the regime first).
R12 Pooled payoffs: ``Params`` from a scenario already carries ``S̃ = T̃ = (S + T)/2``; this
    reference applies the replacement again whenever ``finance_regime == 2`` (idempotent for
    equal values: ``(x + x)/2 == x`` exactly), so that it is correct for either input.
R13 Organisation states of inactive organisations (belief, experience, commitment, engagement,
    political pressure, year balance, pressure, altruism, balance) do not change in a step.
R14 The lens (7.1) and the system's lens (7.2) read the perceived payoffs ``(R, S, T, P)`` with
    ``S``, ``T`` the scenario's payoffs, which ``Params`` carries as ``lens_sucker`` and
    ``lens_temptation`` (7.15: under ``pooled`` the perceived payoffs keep ``S`` and ``T``; only
    the material matrix of 7.4 is replaced, [R12]).
R15 ``w_P`` (``pooled_system_weight``) and ``ρ_P`` (``pooled_share``) act only under ``pooled``
    (7.2: "``w_P = 0`` under every other regime"), whatever ``Params`` carries.
R16 The surplus cap of 7.15 applies to active organisations only [R13], under every regime, at
    every year end; ``u_S = inf`` switches it off.
"""

from __future__ import annotations

import math

__all__ = [
    "MASK64",
    "SYSTEM_FIELDS",
    "clip",
    "reference_mix",
    "reference_uniform",
    "reference_arc_index",
    # 7.10
    "reference_is_live",
    "reference_at_table",
    "reference_engagement_weight",
    "reference_active_count",
    "reference_live_trust",
    "reference_mean_trust",
    "reference_start_of_step",
    # 7.5
    "reference_stress",
    "reference_inclusiveness",
    "reference_mean_stress",
    "reference_push",
    "reference_conflict",
    "reference_interventions",
    # 7.1, 7.2
    "reference_omega",
    "reference_payoff_matrix",
    "reference_perceived_payoffs",
    "reference_normalised_payoffs",
    "reference_lens",
    "reference_motive_lens",
    "reference_system_lens",
    "reference_maturity",
    "reference_decisions",
    # 7.11
    "reference_leader_turnover",
    "reference_effective_capacity",
    "reference_leadership_capacity",
    "reference_leaders_settle",
    # 7.13
    "reference_open_hard_decision",
    "reference_votes",
    "reference_vote_count",
    "reference_hard_decision_outcome",
    "reference_commitment",
    # 7.4, 7.15
    "reference_collaboration_counts",
    "reference_payoffs",
    "reference_net_results",
    "reference_pooling",
    "reference_balances",
    "reference_sign_up",
    "reference_year_end",
    # 7.3, 7.7
    "reference_loss_rate",
    "reference_memory",
    "reference_trust_update",
    # 7.6, 7.12, 7.14, 7.16
    "reference_altruism",
    "reference_beliefs",
    "reference_engagement",
    "reference_winter_decays",
    # 7.8
    "reference_system_balance",
    "reference_integration_progress",
    "reference_outputs",
    # the step
    "reference_step",
]

MASK64 = (1 << 64) - 1

# 7.1 anchors of the motive lens.
OMEGA_P = 29 / 30
OMEGA_A = 1 / 2
OMEGA_F = 1 / 30

N_KINDS = 6
N_PRINCIPALS = 3  # 0 provider_regulator, 1 commissioner_regulator, 2 public
PUBLIC = 2
LOCAL_AUTHORITY = 4

# System state, in the order of ics_abm.engine.state.SYSTEM_FIELDS (repeated here so that the reference
# does not import the package; a test checks the two agree).
SYSTEM_FIELDS = (
    "progress",
    "winter",
    "safety",
    "signed_up",
    "decision_open",
    "decision_age",
    "decision_loser",
    "decisions_resolved",
    "decisions_failed",
    "lead",
    "decision_loss",
)

SEPARATE, CONTROL_TOTAL, POOLED = 0, 1, 2

# Random streams of 7.9.
STREAM_DECISION, STREAM_INTERVENTION, STREAM_TURNOVER, STREAM_HARD_DECISION, STREAM_VOTE, STREAM_CROWDING = 0, 1, 2, 3, 4, 5


# ---------------------------------------------------------------------------------------------
# 7.9 Randomness: counter-based uniform generator
# ---------------------------------------------------------------------------------------------


def reference_mix(z: int) -> int:
    """``mix`` of 7.9, all arithmetic mod 2**64 on python ints."""
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def reference_uniform(key: int, t: int, index: int, stream: int) -> float:
    """``U(key, t, index, stream)`` of 7.9.

    h = mix(mix(mix(key XOR (stream * 0xD1B54A32D192ED03)) XOR t) XOR index)
    U = ((h >> 12) + 0.5) * 2**-52
    """
    key &= MASK64
    t &= MASK64
    index &= MASK64
    s = (stream * 0xD1B54A32D192ED03) & MASK64
    h = reference_mix(reference_mix(reference_mix(key ^ s) ^ t) ^ index)
    # (h >> 12) < 2**52, so "(h >> 12) + 0.5" is exact in float64 and U is strictly inside (0, 1).
    return (float(h >> 12) + 0.5) * 2.0**-52


# ---------------------------------------------------------------------------------------------
# Helpers (7.0 notation)
# ---------------------------------------------------------------------------------------------


def clip(x: float, lo: float, hi: float) -> float:
    """``clip(x, lo, hi) = min(hi, max(lo, x))`` (7.0)."""
    return min(hi, max(lo, x))


def _ln(x: float) -> float:
    """Natural log with IEEE semantics at 0 (``ln 0 = −inf``) instead of raising."""
    if x == 0.0:
        return -math.inf
    return math.log(x)


def _logistic(u: float) -> float:
    """``ε = ln(u) − ln(1 − u)``, a standard logistic variate (7.2, 7.13)."""
    return _ln(u) - _ln(1 - u)


def _mean(total: float, count: int) -> float:
    """Mean over a set of ``count`` elements; NaN over an empty set (7.8)."""
    if count == 0:
        return math.nan
    return total / count


def _nodes(graph) -> list[int]:
    """Organisations ``0 … n−1`` in index order."""
    return sorted(graph.nodes())


def _neighbours(graph, i) -> list[int]:
    """``N(i)`` in increasing order: walks ``i``'s arcs in CSR order."""
    return sorted(graph.neighbors(i))


def reference_arc_index(graph) -> dict[tuple[int, int], int]:
    """CSR numbering of arcs: ``k`` enumerates ``sorted((i, j) for all directed arcs)``."""
    all_arcs = []
    for i in graph.nodes():
        for j in graph.neighbors(i):
            all_arcs.append((i, j))
    return {arc: k for k, arc in enumerate(sorted(all_arcs))}


# ---------------------------------------------------------------------------------------------
# 7.10 Who takes part: active organisations, live arcs, the table
# ---------------------------------------------------------------------------------------------


def reference_is_live(orgs, i: int, j: int) -> bool:
    """7.10: arc ``i→j`` is live if ``active_i = active_j = 1``."""
    return orgs[i]["active"] == 1.0 and orgs[j]["active"] == 1.0


def reference_at_table(orgs, i: int) -> bool:
    """7.10: ``i`` is at the table if ``active_i = 1``, ``committed_i = 1`` and ``engagement_i ≥ 1``."""
    o = orgs[i]
    return o["active"] == 1.0 and o["committed"] == 1.0 and o["engagement"] >= 1


def reference_engagement_weight(engagement: float) -> float:
    """7.10 ``w_E``: ``w_E(0) = 0``, ``w_E(1) = 0.5``, ``w_E(2) = w_E(3) = 1``."""
    if engagement >= 2:
        return 1.0
    if engagement >= 1:
        return 0.5
    return 0.0


def reference_active_count(orgs) -> int:
    """7.10: ``n_A``, the number of active organisations."""
    n_A = 0
    for i in sorted(orgs):
        if orgs[i]["active"] == 1.0:
            n_A += 1
    return n_A


def reference_live_trust(graph, orgs, arcs) -> dict[int, tuple[float, int]]:
    """7.10: per organisation, ``(Σ_{k ∈ L(i)} trust_k, |L(i)|)`` over its live arcs."""
    result = {}
    for i in _nodes(graph):
        total = 0.0
        count = 0
        for j in _neighbours(graph, i):
            if reference_is_live(orgs, i, j):
                total = total + arcs[(i, j)]["trust"]
                count += 1
        result[i] = (total, count)
    return result


def reference_mean_trust(graph, orgs, arcs) -> dict[int, float]:
    """7.10: ``q̄_i``, the mean of ``trust_k`` over ``L(i)`` (0 when ``L(i)`` is empty)."""
    result = {}
    for i, (total, count) in reference_live_trust(graph, orgs, arcs).items():
        result[i] = total / count if count > 0 else 0.0
    return result


def reference_start_of_step(graph, orgs, arcs) -> dict:
    """7.0, 7.10: the start-of-step quantities (values after phase 0) that later phases read.

    Returns ``{"n_active": n_A, "live": {i: |L(i)|}, "mean_trust": {i: q̄_i},
    "belief": {i: x_i}}``.
    """
    live_trust = reference_live_trust(graph, orgs, arcs)
    return {
        "n_active": reference_active_count(orgs),
        "live": {i: count for i, (_, count) in live_trust.items()},
        "mean_trust": reference_mean_trust(graph, orgs, arcs),
        "belief": {i: orgs[i]["belief"] for i in _nodes(graph)},
    }


# ---------------------------------------------------------------------------------------------
# 7.5 Regulators, interventions, stress (capacity: see 7.11)
# ---------------------------------------------------------------------------------------------


def reference_stress(balance: float, budget: float, params) -> float:
    """7.5: ``σ_i = clip(−bal_i/(σ_s·B_i), 0, 1)``."""
    return clip(-balance / (params["stress_scale"] * budget), 0.0, 1.0)


def reference_inclusiveness(orgs) -> float:
    """7.10, 7.12: ``I = (1/|A|)·Σ_{i ∈ A} w_E(engagement_i)·committed_i`` over the active
    organisations ``A``, 0 when there are none."""
    weights = [reference_engagement_weight(o["engagement"]) * o["committed"] for o in orgs.values() if o["active"] == 1.0]
    return sum(weights) / len(weights) if weights else 0.0


def reference_mean_stress(orgs, params) -> float:
    """7.12, 7.15: ``σ̄``, the mean stress over active organisations (0 when there is none)."""
    total = 0.0
    n_A = 0
    for i in sorted(orgs):
        o = orgs[i]
        if o["active"] == 1.0:
            total = total + reference_stress(o["balance"], o["budget"], params)
            n_A += 1
    return total / n_A if n_A > 0 else 0.0


def reference_push(orgs, params) -> dict[int, float]:
    """7.5: ``Δ_i = s_r·[φ_r − (1 − φ_r)·(1 + κ_I·p_i)] − w_σ·σ_i`` for every organisation."""
    kappa_I = params["intervention_push"]
    w_sigma = params["stress_weight"]
    push = {}
    for i in sorted(orgs):
        o = orgs[i]
        r = o["principal"]
        s_r = params["strength"][r]
        phi_r = params["focus"][r]
        sigma_i = reference_stress(o["balance"], o["budget"], params)
        push[i] = s_r * (phi_r - (1 - phi_r) * (1 + kappa_I * o["pressure"])) - w_sigma * sigma_i
    return push


def reference_conflict(params, r_i: int, r_j: int) -> float:
    """7.5: ``Γ_k = −χ·s_r·(1 − φ_r)`` if ``r_i ≠ r_j`` and both are regulators, else 0 (``r = r_i``)."""
    if r_i != r_j and r_i != PUBLIC and r_j != PUBLIC:
        return -params["conflict"] * params["strength"][r_i] * (1 - params["focus"][r_i])
    return 0.0


def reference_system_balance(orgs) -> float:
    """7.8: ``Σ_i bal_i`` over active organisations (the current balances)."""
    total = 0.0
    for i in sorted(orgs):
        if orgs[i]["active"] == 1.0:
            total = total + orgs[i]["balance"]
    return total


def reference_maturity(params, progress: float) -> float:
    """7.5: the system's maturity ``M = min(1, progress/P_M)``."""
    return min(1.0, progress / params["maturity_progress"])


def reference_interventions(orgs, params, key: int, t: int, progress: float) -> tuple[dict[int, int], dict[int, float]]:
    """7.5 (phase 6): interventions and pressure, from the balances after finance (``orgs``).

    An eligible organisation is intervened on with probability
    ``π_i = ρ_r·(1 − ε_A·M)·min(1, (−bal'_i/B_i)/δ_I)`` (earned autonomy), ``M`` the maturity of
    :func:`reference_maturity` at ``progress``, the integration progress at the start of the step.

    Returns ``(intervened, pressure')``; inactive organisations are never intervened on and keep
    their pressure [R13].
    """
    epsilon_A = params["autonomy"]
    M = reference_maturity(params, progress)
    delta_I = params["intervention_threshold"]
    psi = params["pressure_decay"]
    system_assessment = bool(params["system_assessment"])
    system_balance = reference_system_balance(orgs)
    intervened = {}
    pressure = {}
    for i in sorted(orgs):
        o = orgs[i]
        if o["active"] != 1.0:
            intervened[i] = 0
            pressure[i] = o["pressure"]
            continue
        rho_r = params["rate"][o["principal"]]
        eligible = rho_r > 0 and o["balance"] < 0
        if system_assessment:
            eligible = eligible and system_balance < 0
        if eligible:
            prob = rho_r * (1 - epsilon_A * M) * min(1.0, (-o["balance"] / o["budget"]) / delta_I)
            intervened[i] = 1 if reference_uniform(key, t, i, STREAM_INTERVENTION) < prob else 0
        else:
            intervened[i] = 0
        pressure[i] = 1.0 if intervened[i] == 1 else psi * o["pressure"]
    return intervened, pressure


# ---------------------------------------------------------------------------------------------
# 7.1 Motive lens
# ---------------------------------------------------------------------------------------------


def reference_omega(power: float, affiliation: float, achievement: float) -> float:
    """7.1: ``ω = (nP·ω_P + nA·ω_A + nF·ω_F)/(nP + nA + nF)``."""
    n_p, n_f, n_a = power, affiliation, achievement
    return (n_p * OMEGA_P + n_a * OMEGA_A + n_f * OMEGA_F) / (n_p + n_a + n_f)


def _normalise(x: float, x_lo: float, x_hi: float) -> float:
    """7.1: ``I(x) = (x − x_lo)/(x_hi − x_lo)``."""
    return (x - x_lo) / (x_hi - x_lo)


def _value(incentive: float, omega: float) -> float:
    """7.1: ``v_i(I) = −(I − ω_i)²``."""
    return -((incentive - omega) ** 2)


def reference_payoff_matrix(params) -> tuple[float, float, float, float]:
    """7.4 ``(R, S, T, P)`` in force: under a pooled budget (7.15) ``S̃ = T̃ = (S + T)/2`` [R12]."""
    R = params["reward"]
    S = params["sucker"]
    T = params["temptation"]
    P = params["punishment"]
    if params.get("finance_regime", SEPARATE) == POOLED:
        mean_off_diagonal = (S + T) / 2
        S = mean_off_diagonal
        T = mean_off_diagonal
    return R, S, T, P


def reference_perceived_payoffs(params) -> tuple[float, float, float, float]:
    """7.1, 7.2, 7.15 ``(R, S, T, P)`` as the motive lens sees them: the scenario's payoffs, also
    under a pooled budget ("the perceived payoffs (7.1, 7.2) keep ``S`` and ``T``") [R14]."""
    return params["reward"], params["lens_sucker"], params["lens_temptation"], params["punishment"]


def reference_normalised_payoffs(params) -> tuple[float, float, float, float, float]:
    """7.1 / 7.2: ``(I_R, I_S, I_T, I_P, I_M)`` of the perceived payoffs, ``I_M = I((S + T)/2)`` [R14]."""
    R, S, T, P = reference_perceived_payoffs(params)
    x_lo = min(R, S, T, P)
    x_hi = max(R, S, T, P)
    I_R = _normalise(R, x_lo, x_hi)
    I_S = _normalise(S, x_lo, x_hi)
    I_T = _normalise(T, x_lo, x_hi)
    I_P = _normalise(P, x_lo, x_hi)
    I_M = _normalise((S + T) / 2, x_lo, x_hi)
    return I_R, I_S, I_T, I_P, I_M


def reference_lens(params, omega: float) -> tuple[float, float]:
    """7.1: lens differences ``a_i = v(I_R) − v(I_T)``, ``b_i = v(I_S) − v(I_P)`` for incentive ``omega``."""
    I_R, I_S, I_T, I_P, _ = reference_normalised_payoffs(params)
    a = _value(I_R, omega) - _value(I_T, omega)
    b = _value(I_S, omega) - _value(I_P, omega)
    return a, b


def reference_motive_lens(orgs, params) -> tuple[dict[int, float], dict[int, float]]:
    """7.1 (phase 1): ``(a_i, b_i)`` of every organisation, through its motive profile.

    Socialised power: the share ``σ_P·x_i`` of ``nP_i`` (``x_i`` the start-of-step belief) is
    counted as achievement, ``nP' = nP·(1 − σ_P·x_i)``, ``nA' = nA + σ_P·x_i·nP``.
    """
    sigma_P = params["socialised_power"]
    a_lens = {}
    b_lens = {}
    for i in sorted(orgs):
        o = orgs[i]
        channelled = sigma_P * o["belief"] * o["power"]
        omega = reference_omega(o["power"] - channelled, o["affiliation"], o["achievement"] + channelled)
        a_lens[i], b_lens[i] = reference_lens(params, omega)
    return a_lens, b_lens


def reference_system_lens(params) -> tuple[float, float]:
    """7.2: the system's lens, valued linearly: ``a_Y = I_R − I_M``, ``b_Y = I_M − I_P``."""
    I_R, _, _, I_P, I_M = reference_normalised_payoffs(params)
    return I_R - I_M, I_M - I_P


# ---------------------------------------------------------------------------------------------
# 7.2 Decision: collaborate or act for itself (gated by 7.10)
# ---------------------------------------------------------------------------------------------


def reference_decisions(graph, orgs, arcs, params, a_lens, b_lens, push, h, key: int, t: int) -> dict[tuple[int, int], int]:
    """7.2, 7.10 (phase 2): ``c_k`` on every arc, from start-of-step trust and beliefs.

    ``a_lens``, ``b_lens``: the lens differences of 7.1; ``push``: ``Δ_i`` of 7.5; ``h``: the
    effective capacities of this month (7.11). The perceived advantage is

        A_k = (1 − α̃_i)·[q·a_i + (1 − q)·b_i] + α̃_i·[q·a_Y + (1 − q)·b_Y]
              + φ_F·q·(I_R − I_P) + w_x·(x_i − 0.5) + Δ_i + Γ_k,   α̃_i = α_i + w_P·(1 − α_i)

    (``w_P`` only under ``pooled`` [R15]; ``x_i`` the start-of-step belief, measured from the
    midpoint 0.5 of the belief scale). ``c_k = 0`` if ``k`` is not live or ``i`` is not at the table (no
    random number drawn); otherwise ``c_k = [A_k + τ·ε_k > 0]``, and then an organisation that
    would collaborate is crowded out (``c_k = 0``) if ``U(key, t, k, 5) < c_O·(1 − h_i)``, the
    number drawn only when it would collaborate and ``c_O·(1 − h_i) > 0``.
    """
    tau = params["noise"]
    phi_F = params["future_weight"]
    w_x = params["purpose_weight"]
    c_O = params["crowding_out"]
    w_P = params["pooled_system_weight"] if int(params["finance_regime"]) == POOLED else 0.0
    I_R, _, _, I_P, _ = reference_normalised_payoffs(params)
    a_Y, b_Y = reference_system_lens(params)
    arc_index = reference_arc_index(graph)
    action = {}
    for i in _nodes(graph):
        o = orgs[i]
        alpha = o["altruism"]
        alpha_tilde = alpha + w_P * (1 - alpha)
        x_i = o["belief"]
        crowding = c_O * (1 - h[i])
        for j in _neighbours(graph, i):
            if not (reference_is_live(orgs, i, j) and reference_at_table(orgs, i)):
                action[(i, j)] = 0  # no random number is drawn
                continue
            q = arcs[(i, j)]["trust"]
            gamma = reference_conflict(params, o["principal"], orgs[j]["principal"])
            A = (
                (1 - alpha_tilde) * (q * a_lens[i] + (1 - q) * b_lens[i])
                + alpha_tilde * (q * a_Y + (1 - q) * b_Y)
                + phi_F * q * (I_R - I_P)
                + w_x * (x_i - 0.5)
                + push[i]
                + gamma
            )
            if tau == 0:
                # No random number is used; a tie (A == 0) means acting for itself.
                x = A
            else:
                u = reference_uniform(key, t, arc_index[(i, j)], STREAM_DECISION)
                x = A + tau * _logistic(u)
            would_collaborate = x > 0
            if would_collaborate and crowding > 0:
                # Crowding out (M26): the day job leaves no time for it this month.
                if reference_uniform(key, t, arc_index[(i, j)], STREAM_CROWDING) < crowding:
                    would_collaborate = False
            action[(i, j)] = 1 if would_collaborate else 0
    return action


# ---------------------------------------------------------------------------------------------
# 7.11 Leadership: turnover, effective capacity, the system's leadership, settling
# ---------------------------------------------------------------------------------------------


def reference_leader_turnover(graph, orgs, arcs, params, key: int, t: int, lead: int = -1):
    """7.11 (phase 0a): active organisations in index order lose their leader if ``U(key, t, i, 2) < ρ_T``.

    If ``i`` is the lead organisation ``lead``, first ``trust_k ← (1 − χ_L·λ_L·e_i)·trust_k`` on
    every live arc of the system (``e_i`` the leaver's experience before it is reset). Then
    ``e_i = 0``, ``x_i = x_0`` and ``trust_k ← (1 − λ_T)·trust_k`` on every arc out of and into
    ``i`` [R1]. No random number is drawn when ``ρ_T = 0``.

    Returns ``(experience, belief, trust)``: new dicts over all organisations and all arcs.
    """
    rho_T = params["turnover_rate"]
    lambda_T = params["turnover_trust_loss"]
    x_0 = params["narrative_initial"]
    experience = {i: orgs[i]["experience"] for i in _nodes(graph)}
    belief = {i: orgs[i]["belief"] for i in _nodes(graph)}
    trust = {arc: row["trust"] for arc, row in arcs.items()}
    if rho_T > 0:
        for i in _nodes(graph):
            if orgs[i]["active"] != 1.0:
                continue
            if reference_uniform(key, t, i, STREAM_TURNOVER) < rho_T:
                if i == lead:
                    system_loss = params["concentration"] * params["lead_trust_loss"] * experience[i]
                    for a in _nodes(graph):
                        for b in _neighbours(graph, a):
                            if reference_is_live(orgs, a, b):
                                trust[(a, b)] = (1 - system_loss) * trust[(a, b)]
                experience[i] = 0.0
                belief[i] = x_0
                for j in _neighbours(graph, i):
                    trust[(i, j)] = (1 - lambda_T) * trust[(i, j)]
                    trust[(j, i)] = (1 - lambda_T) * trust[(j, i)]
    return experience, belief, trust


def reference_effective_capacity(orgs, params, W: float) -> dict[int, float]:
    """7.11 (replaces 7.5's ``h_i``): ``h_i = κ_i·(1 − c_I·p_i)·(1 − ω_W·W)·(1 − ν·(1 − e_i))`` [R3]."""
    c_I = params["capacity_cost"]
    omega_W = params["winter_capacity_loss"]
    nu = params["newcomer_penalty"]
    h = {}
    for i in sorted(orgs):
        o = orgs[i]
        h[i] = o["capacity"] * (1 - c_I * o["pressure"]) * (1 - omega_W * W) * (1 - nu * (1 - o["experience"]))
    return h


def reference_leadership_capacity(orgs, params, h, lead: int) -> tuple[float, float, float]:
    """7.11: the system's leadership capacity ``H = χ_L·h_ℓ + (1 − χ_L)·mean h`` over active organisations.

    Without a lead (``ℓ = −1``) or with an inactive lead, ``h_ℓ`` is the mean; ``H = 0`` when no
    organisation is active. ``lead`` is fixed at set-up [R2].

    Returns ``(Σ h_i over active, h_ℓ, H)``.
    """
    chi_L = params["concentration"]
    sum_h = 0.0
    n_A = 0
    for i in sorted(orgs):
        if orgs[i]["active"] == 1.0:
            sum_h = sum_h + h[i]
            n_A += 1
    mean_h = sum_h / n_A if n_A > 0 else 0.0
    if 0 <= lead < len(orgs) and orgs[lead]["active"] == 1.0:
        h_lead = h[lead]
    else:
        h_lead = mean_h
    if n_A > 0:
        H = chi_L * h_lead + (1 - chi_L) * mean_h
    else:
        H = 0.0
    return sum_h, h_lead, H


def reference_leaders_settle(orgs, params) -> dict[int, float]:
    """7.11 (phase 11): ``e'_i = e_i + ρ_e·(1 − e_i)`` for active organisations [R13]."""
    rho_e = params["settling_rate"]
    experience = {}
    for i in sorted(orgs):
        e = orgs[i]["experience"]
        experience[i] = e + rho_e * (1 - e) if orgs[i]["active"] == 1.0 else e
    return experience


# ---------------------------------------------------------------------------------------------
# 7.13 Hard decisions, governance and commitment
# ---------------------------------------------------------------------------------------------


def reference_open_hard_decision(orgs, params, system, key: int, t: int) -> dict:
    """7.13 (phase 0b): if none is open, one opens when ``U(key, t, 0, 3) < ρ_D·M``.

    ``M`` is the maturity of 7.5 at the start-of-step progress. The loser is drawn in proportion
    to budget among the active NHS providers (principal ``provider_regulator``; among all active
    organisations if their budgets sum to 0): the first eligible organisation in index order whose
    cumulative budget exceeds ``U(key, t, 1, 3)`` times the eligible total, the last eligible one if
    none does. The size of the loss is ``L = U(key, t, 2, 3)``. No decision opens when ``n_A = 0``.
    Returns the decision fields ``{"decision_open", "decision_age", "decision_loser",
    "decision_loss"}`` after phase 0 (unchanged when nothing opens [R5]).
    """
    names = ("decision_open", "decision_age", "decision_loser", "decision_loss")
    fields = {name: system[name] for name in names}
    n_A = reference_active_count(orgs)
    M = reference_maturity(params, system["progress"])
    if system["decision_open"] != 1.0 and n_A > 0:
        if reference_uniform(key, t, 0, STREAM_HARD_DECISION) < params["decision_rate"] * M:
            active = [i for i in sorted(orgs) if orgs[i]["active"] == 1.0]
            providers = [i for i in active if orgs[i]["principal"] == 0]
            provider_budget = sum(orgs[i]["budget"] for i in providers)
            eligible = providers if provider_budget > 0 else active
            total = sum(orgs[i]["budget"] for i in eligible)
            target = reference_uniform(key, t, 1, STREAM_HARD_DECISION) * total
            loser = eligible[-1]
            cumulative = 0.0
            for i in eligible:
                cumulative = cumulative + orgs[i]["budget"]
                if target < cumulative:
                    loser = i
                    break
            fields["decision_loser"] = float(loser)
            fields["decision_loss"] = reference_uniform(key, t, 2, STREAM_HARD_DECISION)
            fields["decision_age"] = 0.0
            fields["decision_open"] = 1.0
    return fields


def reference_votes(orgs, params, system, mean_trust, key: int, t: int) -> dict[int, bool]:
    """7.13 (phase 1): the votes on an open hard decision, from start-of-step values.

    Voters are the active organisations with ``engagement ≥ 2``; a voter that is not committed
    does not support (and draws no random number). A committed voter supports if
    ``S_i = (q̄_i − θ_V) + w_N·(x_i − 0.5) + w_S·Ψ + δ_V·a − λ_D·L·(1 − α_i)·[i = loser] + τ_V·ε_i > 0``,
    ``L`` the size of the decision's loss, ``a`` the decision's age (months discussed before this
    vote), ``δ_V`` = ``deliberation``, and ``ε_i`` drawn for the month the decision opened,
    ``t − a``, so that a voter's view is kept while the decision is open.
    ``mean_trust`` is ``q̄`` (7.10); beliefs are read from ``orgs``. Returns ``{voter: supports}``
    (empty when no decision is open).
    """
    theta_V = params["support_threshold"]
    w_N = params["narrative_weight"]
    w_S = params["safety_weight"]
    lambda_D = params["loss_weight"]
    tau_V = params["vote_noise"]
    delta_V = params["deliberation"]
    Psi = system["safety"]
    loser = int(system["decision_loser"])
    votes = {}
    if system["decision_open"] != 1.0:
        return votes
    for i in sorted(orgs):
        o = orgs[i]
        if not (o["active"] == 1.0 and o["engagement"] >= 2):
            continue
        if o["committed"] != 1.0:
            votes[i] = False
            continue
        is_loser = 1.0 if i == loser else 0.0
        age = system["decision_age"]
        S_i = (mean_trust[i] - theta_V) + w_N * (o["belief"] - 0.5) + w_S * Psi + delta_V * age - lambda_D * system["decision_loss"] * (1 - o["altruism"]) * is_loser
        if tau_V != 0:
            S_i = S_i + tau_V * _logistic(reference_uniform(key, t - int(age), i, STREAM_VOTE))
        votes[i] = S_i > 0
    return votes


def reference_vote_count(params, system, votes) -> tuple[bool, bool, float, float]:
    """7.13: whether the open decision resolves this step, or ages and breaks down [R5, R6].

    Resolved if there is at least one voter and every voter supports (informal), or the share of
    supporters is at least ``governance.majority`` (statutory). Returns ``(resolved, broke_down,
    latency, age)``: ``latency = age + 1`` when resolved (NaN otherwise) and ``age`` the decision's
    age after ageing (unchanged when resolved or when no decision is open).
    """
    age = system["decision_age"]
    if system["decision_open"] != 1.0:
        return False, False, math.nan, age
    n_voters = len(votes)
    n_support = 0
    for i in sorted(votes):
        if votes[i]:
            n_support += 1
    if n_voters > 0:
        if params["statutory"]:
            resolved = n_support / n_voters >= params["majority"]
        else:
            resolved = n_support == n_voters
    else:
        resolved = False
    if resolved:
        return True, False, float(age + 1), age
    age = age + 1
    return False, age >= params["patience"], math.nan, age


def reference_hard_decision_outcome(graph, orgs, arcs, params, system, resolved: bool, broke_down: bool):
    """7.13 (phase 4b): a resolved decision raises trust on every live arc, one that broke down cuts it.

    With the decision's size ``s = 2·L``: ``trust'_k ← trust'_k + min(1, s·g_D)·(1 − trust'_k)``
    (resolved) or ``trust'_k ← (1 − min(1, s·l_D))·trust'_k`` (broke down); the decision closes
    (age 0, loser −1, loss 0 [R5]) and is counted.

    Returns ``(trust, fields)``: the trust of every arc, and the system fields that changed.
    """
    s = 2 * system["decision_loss"]
    g_D = min(1.0, s * params["resolved_trust_gain"])
    l_D = min(1.0, s * params["breakdown_trust_loss"])
    trust = {arc: row["trust"] for arc, row in arcs.items()}
    fields = {}
    if not (resolved or broke_down):
        return trust, fields
    for i in _nodes(graph):
        for j in _neighbours(graph, i):
            if reference_is_live(orgs, i, j):
                if resolved:
                    trust[(i, j)] = trust[(i, j)] + g_D * (1 - trust[(i, j)])
                else:
                    trust[(i, j)] = (1 - l_D) * trust[(i, j)]
    fields["decision_open"] = 0.0
    fields["decision_age"] = 0.0
    fields["decision_loser"] = -1.0
    fields["decision_loss"] = 0.0
    if resolved:
        fields["decisions_resolved"] = system["decisions_resolved"] + 1
    else:
        fields["decisions_failed"] = system["decisions_failed"] + 1
    return trust, fields


def reference_commitment(orgs, params, mean_trust_after, votes, broke_down: bool) -> dict[int, float]:
    """7.13 (phase 9): conditional commitment, under informal governance only [R6, R7].

    ``mean_trust_after`` is ``q̄'`` (trust after phase 5); stress ``σ'`` is read from the balances
    in ``orgs`` (after finance). Then every voter that did not support a decision that broke down
    this step walks away (``committed' = 0``). Unwilling and inactive organisations keep their
    commitment (unwilling ones are never committed).
    """
    theta_C = params["commitment_trust_threshold"]
    sigma_C = params["commitment_stress_threshold"]
    m_C = params["reengage_margin"]
    committed = {i: orgs[i]["committed"] for i in sorted(orgs)}
    if not params["conditional"] or params["statutory"]:
        return committed
    for i in sorted(orgs):
        o = orgs[i]
        if o["active"] != 1.0 or o["unwilling"] == 1.0:
            continue
        sigma_i = reference_stress(o["balance"], o["budget"], params)
        if o["committed"] == 1.0:
            if mean_trust_after[i] < theta_C or sigma_i > sigma_C:
                committed[i] = 0.0
        else:
            if mean_trust_after[i] >= theta_C + m_C and sigma_i <= sigma_C:
                committed[i] = 1.0
    if broke_down:
        for i in sorted(votes):
            if not votes[i]:
                committed[i] = 0.0  # walked away at the breakdown
    return committed


# ---------------------------------------------------------------------------------------------
# 7.4 Collaboration outcomes and finances (with 7.15's net result and pooling)
# ---------------------------------------------------------------------------------------------


def _payoff(matrix, c_own: int, c_partner: int) -> float:
    """7.4: ``M(c_k, c_k')`` for the row organisation; ``matrix = (R, S, T, P)``."""
    R, S, T, P = matrix
    if c_own == 1:
        return R if c_partner == 1 else S
    return T if c_partner == 1 else P


def reference_collaboration_counts(graph, orgs, action) -> tuple[dict[int, int], dict[int, int]]:
    """7.6, 7.8: per organisation, the number of its live arcs with ``c_k = 1`` and with ``c_k·c_k' = 1``."""
    collaborating = {}
    mutual = {}
    for i in _nodes(graph):
        n_c = 0
        n_m = 0
        for j in _neighbours(graph, i):
            if reference_is_live(orgs, i, j):
                n_c += action[(i, j)]
                n_m += action[(i, j)] * action[(j, i)]
        collaborating[i] = n_c
        mutual[i] = n_m
    return collaborating, mutual


def reference_payoffs(graph, orgs, arcs, params, action) -> dict[int, float]:
    """7.4 (phase 3): ``pay_i = Σ_{k out of i} stake_k·M(c_k, c_k')`` over live arcs [R4, R12]."""
    matrix = reference_payoff_matrix(params)
    pay = {}
    for i in _nodes(graph):
        total = 0.0
        for j in _neighbours(graph, i):
            if not reference_is_live(orgs, i, j):
                continue
            pi_k = arcs[(i, j)]["stake"] * _payoff(matrix, action[(i, j)], action[(j, i)])
            total = total + pi_k
        pay[i] = total
    return pay


def reference_net_results(orgs, params, pay, W: float, t: int) -> dict[int, float]:
    """7.15 (replaces 7.4's net result), for active ``i``; 0 for inactive ones [R3]:

    ``net_i = pay_i − B_i·cp_i/12 − ω_C·W·B_i/12 − f_I·B_i/12·[t ≤ T_I] + ρ_I·f_I·B_i/12·[L_I < t ≤ T_I + L_I]``
    """
    omega_C = params["winter_cost"]
    f_I = params["invest_share"]
    rho_I = params["invest_return"]
    L_I = int(params["invest_lag"])
    T_I = int(params["invest_months"])
    invest = 1.0 if t <= T_I else 0.0
    returns = 1.0 if L_I < t <= T_I + L_I else 0.0
    net = {}
    for i in sorted(orgs):
        o = orgs[i]
        if o["active"] != 1.0:
            net[i] = 0.0
            continue
        B = o["budget"]
        net[i] = pay[i] - B * o["cost_pressure"] / 12 - omega_C * W * B / 12 - f_I * B / 12 * invest + rho_I * f_I * B / 12 * returns
    return net


def reference_pooling(orgs, params, net) -> dict[int, float]:
    """7.15 (phase 5): under ``pooled`` [R15], for active ``i``,
    ``net_i ← (1 − ρ_P)·net_i + ρ_P·B_i·(Σ_{j active} net_j)/(Σ_{j active} B_j)``."""
    if int(params["finance_regime"]) != POOLED:
        return dict(net)
    total_net = 0.0
    total_budget = 0.0
    for i in sorted(orgs):
        if orgs[i]["active"] == 1.0:
            total_net = total_net + net[i]
            total_budget = total_budget + orgs[i]["budget"]
    rho_P = params["pooled_share"]
    pooled = dict(net)
    for i in sorted(orgs):
        if orgs[i]["active"] == 1.0:
            pooled[i] = (1 - rho_P) * net[i] + rho_P * orgs[i]["budget"] * total_net / total_budget
    return pooled


def reference_balances(orgs, net) -> dict[int, float]:
    """7.4 (phase 5): ``bal'_i = bal_i + net_i`` for active organisations [R13]."""
    balance = {}
    for i in sorted(orgs):
        o = orgs[i]
        balance[i] = o["balance"] + net[i] if o["active"] == 1.0 else o["balance"]
    return balance


# ---------------------------------------------------------------------------------------------
# 7.15 Finance options: sign-up to the control total, the year end
# ---------------------------------------------------------------------------------------------


def reference_sign_up(orgs, params, mean_trust, signed_up: float, t: int) -> float:
    """7.15 (phase 0c): at a year start, whether the system signs up to the control total [R11].

    Each organisation at the table agrees if ``p·(1 − P_i) ≤ r_i`` with ``P_i = q̄_i·(1 − σ̄)`` and
    ``r_i = r_S·(1 − σ_i)``; the system signs if the share agreeing is at least
    ``finance.signup_share`` (and one is at the table). ``mean_trust`` is ``q̄``. Returns the new
    ``signed_up`` (unchanged outside a control total's year start).
    """
    if int(params["finance_regime"]) != CONTROL_TOTAL or (t - 1) % 12 != 0:
        return signed_up
    p_link = params["linked_share"]
    r_S = params["risk_tolerance"]
    sigma_bar = reference_mean_stress(orgs, params)
    n_table = 0
    n_agree = 0
    for i in sorted(orgs):
        if not reference_at_table(orgs, i):
            continue
        n_table += 1
        P_i = mean_trust[i] * (1 - sigma_bar)
        r_i = r_S * (1 - reference_stress(orgs[i]["balance"], orgs[i]["budget"], params))
        if p_link * (1 - P_i) <= r_i:
            n_agree += 1
    return 1.0 if n_table > 0 and n_agree / n_table >= params["signup_share"] else 0.0


def reference_year_end(graph, orgs, arcs, params, signed_up: bool):
    """7.15 (phase 5, ``t`` divisible by 12): altruistic transfers, then sustainability funding,
    then the surplus cap ``bal_i ← min(bal_i, u_S·B_i)`` [R8-R10, R16].

    Reads the balances after this month's net and the trust after phases 4 and 4b (``orgs``,
    ``arcs``), and the start-of-step altruism.

    Returns ``(balance, year_balance, trust, transfers, funding, reinvested)``: new dicts over all
    organisations / arcs, and the totals given, paid and spent on services above the cap (£m).
    """
    regime = int(params["finance_regime"])
    p_link = params["linked_share"]
    f_S = params["sustainability_share"]
    u_S = params["surplus_cap"]
    g_T = params["transfer_share"]
    g_G = params["transfer_trust_gain"]
    nodes = _nodes(graph)
    balance = {i: orgs[i]["balance"] for i in nodes}
    year_balance = {i: orgs[i]["year_balance"] for i in nodes}
    trust = {arc: row["trust"] for arc, row in arcs.items()}
    active = {i: orgs[i]["active"] == 1.0 for i in nodes}

    # Year results before any gift [R8].
    y = {i: balance[i] - year_balance[i] for i in nodes if active[i]}
    given = {i: 0.0 for i in nodes}
    received = {i: 0.0 for i in nodes}
    transfers_total = 0.0
    if params["transfers"] and (regime == POOLED or (regime == CONTROL_TOTAL and signed_up)):
        trust_raised = []
        for i in nodes:
            if not active[i] or not y[i] > 0:
                continue
            G_i = g_T * orgs[i]["altruism"] * y[i]  # the offer
            in_deficit = [j for j in _neighbours(graph, i) if reference_is_live(orgs, i, j) and y[j] < 0]
            D_i = sum(-y[j] for j in in_deficit)
            if D_i == 0 or G_i == 0 or all(trust[(i, j)] == 0 for j in in_deficit):
                continue  # nothing is given [R9]
            amounts = {j: G_i * trust[(i, j)] * (-y[j]) / D_i for j in in_deficit}
            given[i] = sum(amounts.values())
            transfers_total = transfers_total + given[i]
            for j, amount in amounts.items():
                if amount > 0:
                    received[j] = received[j] + amount
                    trust_raised.append((j, i))
        for i in nodes:
            if active[i]:
                balance[i] = balance[i] - given[i] + received[i]
        for j, i in trust_raised:
            trust[(j, i)] = trust[(j, i)] + g_G * (1 - trust[(j, i)])

    # Sustainability funding: own_i from the year result after the transfers ("y_i plus gifts
    # received minus gifts given"), sys from the year results (unchanged by the zero-sum
    # transfers; taken before them [R10]).
    y_system = 0.0
    for i in nodes:
        if active[i]:
            y_system = y_system + y[i]
    sys_met = 1.0 if y_system >= 0 else 0.0
    funding_total = 0.0
    for i in nodes:
        if not active[i]:
            continue
        F_i = f_S * orgs[i]["budget"]
        own = 1.0 if y[i] + received[i] - given[i] >= 0 else 0.0
        if regime == POOLED:
            payment = F_i * sys_met
        elif regime == CONTROL_TOTAL and signed_up:
            payment = F_i * ((1 - p_link) * own + p_link * sys_met)
        else:
            payment = F_i * own
        balance[i] = balance[i] + payment
        funding_total = funding_total + payment

    # A capped budget: after the funding, any balance above u_S·B_i is spent on services [R16].
    reinvested_total = 0.0
    for i in nodes:
        if not active[i]:
            continue
        cap = u_S * orgs[i]["budget"]
        if balance[i] > cap:
            reinvested_total = reinvested_total + (balance[i] - cap)
            balance[i] = cap
        year_balance[i] = balance[i]
    return balance, year_balance, trust, transfers_total, funding_total, reinvested_total


# ---------------------------------------------------------------------------------------------
# 7.3 Trust dynamics, 7.7 competition legacy
# ---------------------------------------------------------------------------------------------


def reference_loss_rate(params, loss_rate: float, together: float, memory: float, safety: float = 0.0) -> float:
    """7.3, 7.7: ``l_k = min(1, γ⁻_i·min(h_i, h_j)·(1 + λ·mem_k)·(1 − κ_S·Ψ))``; ``together`` is
    ``min(h_i, h_j)``, ``Ψ`` the system's psychological safety at the start of the step."""
    return min(1.0, loss_rate * together * (1 + params["legacy_weight"] * memory) * (1 - params["safety_buffer"] * safety))


def reference_memory(params, memory: float, e: int) -> float:
    """7.7: ``mem'_k = μ·mem_k + (1 − μ)·(1 − c_k')``."""
    mu = params["memory_retention"]
    return mu * memory + (1 - mu) * (1 - e)


def reference_trust_update(graph, orgs, arcs, params, action, h, safety: float = 0.0):
    """7.3, 7.7 (phase 4): trust and memory on every live arc, from this step's decisions.

    ``e = c_k'``; if ``e = 1``: ``trust'' = trust + g_k·(1 − trust)``,
    ``g_k = γ⁺_i·(1 − κ_d·d_k)·min(h_i, h_j)``; else ``trust'' = trust − l_k·trust`` with ``l_k`` of
    :func:`reference_loss_rate`. Then, if both ``i`` and ``j`` are at the table (7.10), contact:
    ``trust' = trust'' + γ_C·(1 − κ_d·d_k)·min(h_i, h_j)·(1 − trust'')``. The loss uses the memory
    before its update. ``h`` is the effective capacity of 7.11, ``safety`` the system's
    psychological safety ``Ψ`` at the start of the step (7.16), which buffers the loss.

    Returns ``(trust, memory)``, new dicts over all arcs.
    """
    kappa_d = params["distance_drag"]
    gamma_C = params["contact_rate"]
    trust = {arc: row["trust"] for arc, row in arcs.items()}
    memory = {arc: row["memory"] for arc, row in arcs.items()}
    for i in _nodes(graph):
        o = orgs[i]
        for j in _neighbours(graph, i):
            if not reference_is_live(orgs, i, j):
                continue
            arc = arcs[(i, j)]
            q = arc["trust"]
            mem = arc["memory"]
            e = action[(j, i)]
            together = min(h[i], h[j])
            if e == 1:
                g = o["gain_rate"] * (1 - kappa_d * arc["distance"]) * together
                q_new = q + g * (1 - q)
            else:
                loss = reference_loss_rate(params, o["loss_rate"], together, mem, safety)
                q_new = q - loss * q
            if reference_at_table(orgs, i) and reference_at_table(orgs, j):
                # Contact (M2): partners who both sit at the table build trust by meeting.
                q_new = q_new + gamma_C * (1 - kappa_d * arc["distance"]) * together * (1 - q_new)
            trust[(i, j)] = q_new
            memory[(i, j)] = reference_memory(params, mem, e)
    return trust, memory


# ---------------------------------------------------------------------------------------------
# 7.6 Altruism
# ---------------------------------------------------------------------------------------------


def reference_altruism(graph, orgs, params, action) -> dict[int, float]:
    """7.6 (phase 7): ``α'_i = α_i + η⁺·(1 − α_i)·w_i − η⁻·α_i·max(p'_i, σ'_i)`` for active ``i`` [R13].

    ``w_i`` is the share of ``i``'s live arcs in mutual collaboration this step (7.10; 0 with none);
    ``p'`` (after phase 6) and ``σ'`` (from the balance after finance) are read from ``orgs``.
    """
    eta_plus = params["altruism_growth"]
    eta_minus = params["altruism_erosion"]
    altruism = {}
    for i in _nodes(graph):
        o = orgs[i]
        alpha = o["altruism"]
        if o["active"] != 1.0:
            altruism[i] = alpha
            continue
        n_live = 0
        mutual = 0
        for j in _neighbours(graph, i):
            if reference_is_live(orgs, i, j):
                n_live += 1
                if action[(i, j)] == 1 and action[(j, i)] == 1:
                    mutual += 1
        w = mutual / n_live if n_live > 0 else 0.0
        sigma_new = reference_stress(o["balance"], o["budget"], params)
        altruism[i] = alpha + eta_plus * (1 - alpha) * w - eta_minus * alpha * max(o["pressure"], sigma_new)
    return altruism


# ---------------------------------------------------------------------------------------------
# 7.12 Shared narrative
# ---------------------------------------------------------------------------------------------


def reference_beliefs(graph, orgs, params, action, h, h_lead: float, mean_stress: float, inclusive: float) -> dict[int, float]:
    """7.12 (phase 8): beliefs from start-of-step beliefs (``orgs``), for active ``i`` [R13].

    ``build_i = (β·[(1 − χ_L)·h_i + χ_L·h_ℓ] + β_B·σ̄)·I·w_E(engagement_i)·committed_i·(1 − x_i)``
    with ``σ̄`` = ``mean_stress``, the mean stress of active organisations at the start of the step
    (the burning platform), ``I`` = ``inclusive``, how inclusive the table is at the start of the
    step (:func:`reference_inclusiveness`),
    ``mix_i = (μ/|L(i)|)·Σ_{k ∈ L(i), c_k·c_k' = 1, |x_j − x_i| < ε} (x_j − x_i)``,
    ``x'_i = clip(x_i + build_i + mix_i − δ_N·x_i, 0, 1)``.
    """
    beta = params["build_rate"]
    beta_B = params["burning_platform"]
    chi_L = params["concentration"]
    mu_N = params["convergence"]
    eps_N = params["confidence_bound"]
    delta_N = params["narrative_decay"]
    belief = {}
    for i in _nodes(graph):
        o = orgs[i]
        x_i = o["belief"]
        if o["active"] != 1.0:
            belief[i] = x_i
            continue
        build = (beta * ((1 - chi_L) * h[i] + chi_L * h_lead) + beta_B * mean_stress) * inclusive * reference_engagement_weight(o["engagement"]) * o["committed"] * (1 - x_i)
        n_live = 0
        close_sum = 0.0
        for j in _neighbours(graph, i):
            if not reference_is_live(orgs, i, j):
                continue
            n_live += 1
            x_j = orgs[j]["belief"]
            if action[(i, j)] * action[(j, i)] == 1 and abs(x_j - x_i) < eps_N:
                close_sum = close_sum + (x_j - x_i)
        mix = (mu_N / n_live) * close_sum if n_live > 0 else 0.0
        belief[i] = clip(x_i + build + mix - delta_N * x_i, 0.0, 1.0)
    return belief


# ---------------------------------------------------------------------------------------------
# 7.14 Local authority engagement and political pressure
# ---------------------------------------------------------------------------------------------


def reference_engagement(orgs, params, mean_trust_after) -> tuple[dict[int, float], dict[int, float]]:
    """7.14 (phase 10): political pressure and engagement of every active local authority.

    ``π'_i = π_i + δ_π·(π_0 − π_i)``, ``score_i = q̄'_i − w_π·π'_i``; if dynamic: a lead stays lead
    if ``score ≥ θ_P`` (else partner); otherwise absent below ``θ_A``, partner below ``θ_F``, else
    full member. ``mean_trust_after`` is ``q̄'``. Returns ``(political, engagement)``.
    """
    pi_0 = params["political_baseline"]
    delta_pi = params["political_decay"]
    w_pi = params["political_weight"]
    theta_A = params["absent_threshold"]
    theta_P = params["partner_threshold"]
    theta_F = params["full_threshold"]
    political = {i: orgs[i]["political"] for i in sorted(orgs)}
    engagement = {i: orgs[i]["engagement"] for i in sorted(orgs)}
    for i in sorted(orgs):
        o = orgs[i]
        if o["active"] != 1.0 or o["kind"] != LOCAL_AUTHORITY:
            continue
        pi_i = o["political"]
        political[i] = pi_i + delta_pi * (pi_0 - pi_i)
        score = mean_trust_after[i] - w_pi * political[i]
        if params["la_dynamic"]:
            if o["engagement"] == 3:
                engagement[i] = 3.0 if score >= theta_P else 1.0
            elif score < theta_A:
                engagement[i] = 0.0
            elif score < theta_F:
                engagement[i] = 1.0
            else:
                engagement[i] = 2.0
    return political, engagement


# ---------------------------------------------------------------------------------------------
# 7.16 Events: winter pressure within a step
# ---------------------------------------------------------------------------------------------


def reference_winter_decays(params, W: float) -> float:
    """7.16 (phase 11): ``W' = ψ_W·W``, after ``W`` has acted on capacity and costs."""
    return params["winter_decay"] * W


# ---------------------------------------------------------------------------------------------
# 7.8 Integration progress and outputs
# ---------------------------------------------------------------------------------------------


def reference_integration_progress(params, progress: float, inc: float, resolved: bool, broke_down: bool, size: float) -> float:
    """7.8: ``progress' = max(0, (1 − δ_p)·progress + inc + s·g_P·(resolved − broke_down))``, ``s`` the size of the decision that closed."""
    delta_p = params["progress_decay"]
    g_P = params["resolved_progress"]
    return max(0.0, (1 - delta_p) * progress + inc + size * g_P * ((1 if resolved else 0) - (1 if broke_down else 0)))


def reference_outputs(graph, orgs, arcs, params, system, action, net, intervened, h, month, resolved, broke_down, size):
    """7.8 (phase 12): integration progress and the outputs of the step, over live arcs and active organisations.

    ``orgs``, ``arcs`` and ``system`` hold the state after phases 0-11 (``trust'``, ``bal'``,
    ``α'``, ``p'``, ``x'``, ``committed'``, ``E'``, the decision fields); ``action``, ``net``,
    ``intervened`` and ``h`` are this step's decisions, net results, interventions and effective
    capacities; ``month`` holds what earlier phases report: "transfers", "sustainability_funding",
    "decision_latency", "winter_pressure" (``W`` used in this step), "safety",
    "leadership_capacity" (``H``) and "reinvested" (7.15).

    Returns ``(progress', outputs)``; ``outputs`` holds every metric of the 7.8 table and
    "trust_by_kind" (6×6 nested lists).
    """
    m_L = 0
    sum_c = 0
    sum_mutual = 0
    sum_trust = 0.0
    sum_mutual_trust = 0.0
    kind_sum = [[0.0] * N_KINDS for _ in range(N_KINDS)]
    kind_count = [[0] * N_KINDS for _ in range(N_KINDS)]
    for i in _nodes(graph):
        kind_i = orgs[i]["kind"]
        for j in _neighbours(graph, i):
            if not reference_is_live(orgs, i, j):
                continue
            m_L += 1
            c_k = action[(i, j)]
            c_rev = action[(j, i)]
            trust_new = arcs[(i, j)]["trust"]
            sum_c += c_k
            sum_mutual += c_k * c_rev
            sum_trust = sum_trust + trust_new
            sum_mutual_trust = sum_mutual_trust + c_k * c_rev * trust_new
            kind_j = orgs[j]["kind"]
            kind_sum[kind_i][kind_j] = kind_sum[kind_i][kind_j] + trust_new
            kind_count[kind_i][kind_j] += 1

    inc = (1 / m_L) * sum_mutual_trust if m_L > 0 else 0.0
    new_progress = reference_integration_progress(params, system["progress"], inc, resolved, broke_down, size)

    n_A = 0
    system_surplus = 0.0
    system_balance = 0.0
    n_deficit = 0
    n_interventions = 0
    sum_h = 0.0
    sum_altruism = 0.0
    sum_pressure = 0.0
    sum_belief = 0.0
    n_committed = 0
    la_sum = 0.0
    la_count = 0
    for i in _nodes(graph):
        o = orgs[i]
        if o["active"] != 1.0:
            continue
        n_A += 1
        system_surplus = system_surplus + net[i]
        system_balance = system_balance + o["balance"]
        if o["balance"] < 0:
            n_deficit += 1
        n_interventions += intervened[i]
        sum_h = sum_h + h[i]
        sum_altruism = sum_altruism + o["altruism"]
        sum_pressure = sum_pressure + o["pressure"]
        sum_belief = sum_belief + o["belief"]
        if o["committed"] == 1.0:
            n_committed += 1
        if o["kind"] == LOCAL_AUTHORITY:
            la_sum = la_sum + o["engagement"]
            la_count += 1

    outputs = {
        "collaboration_rate": _mean(sum_c, m_L),
        "mutual_rate": _mean(sum_mutual, m_L),
        "mean_trust": _mean(sum_trust, m_L),
        "system_surplus": system_surplus,
        "system_balance": system_balance,
        "n_deficit": n_deficit,
        "interventions": n_interventions,
        "integration_progress": new_progress,
        "mean_altruism": _mean(sum_altruism, n_A),
        "mean_pressure": _mean(sum_pressure, n_A),
        "mean_capacity": _mean(sum_h, n_A),
        "shared_narrative": _mean(sum_belief, n_A),  # N, mean of x'_i (7.12)
        "committed_share": _mean(n_committed, n_A),
        "decision_open": system["decision_open"],
        "decisions_resolved": system["decisions_resolved"],
        "decisions_failed": system["decisions_failed"],
        "decision_latency": month["decision_latency"],
        "signed_up": system["signed_up"],
        "transfers": month["transfers"],
        "sustainability_funding": month["sustainability_funding"],
        "la_engagement": _mean(la_sum, la_count),
        "winter_pressure": month["winter_pressure"],
        "safety": month["safety"],
        "leadership_capacity": month["leadership_capacity"],
        "active_organisations": n_A,
        "joint_working": inc,
        "reinvested": month["reinvested"],
        "trust_by_kind": [[_mean(kind_sum[a][b], kind_count[a][b]) for b in range(N_KINDS)] for a in range(N_KINDS)],
    }
    return new_progress, outputs


# ---------------------------------------------------------------------------------------------
# One step: the submodels in the order of 7.0
# ---------------------------------------------------------------------------------------------


def reference_step(graph, orgs, arcs, params, system, key, t):
    """One month of the model (phases 0-12 of 7.0), written from docs/model.md section 7.

    graph : networkx.Graph, nodes 0..n-1 (may be empty, may have isolated nodes; no self-loops)
    orgs  : dict[int, dict]  node -> the fields of ``ics_abm.engine.state.Organisations`` ("kind",
            "principal" ints; "budget", "balance", "cost_pressure", "power", "affiliation",
            "achievement", "altruism", "capacity", "pressure", "gain_rate", "loss_rate",
            "active", "committed", "unwilling", "engagement", "political", "belief",
            "experience", "year_balance" floats)
    arcs  : dict[(i, j), dict] for both directions of every edge ->
            {"trust", "distance", "memory", "stake"}
    params: dict with the fields of ``ics_abm.engine.state.Params`` (strength/focus/rate as 3-tuples)
    system: dict with the keys of ``SYSTEM_FIELDS`` (floats; ``decision_loser`` and ``lead`` are
            organisation indices, −1 = none)
    key : int in [0, 2**63);  t : int >= 1, the step number

    Events (7.16) are not applied here: they act between steps.

    Returns ``(new_orgs, new_arcs, new_system, outputs)`` without mutating the inputs. Rows of
    ``new_orgs`` also hold the per-organisation outputs "effective_capacity" (``h_i`` used in this
    step), "net" (``net_i`` after pooling, 0 for inactive) and "intervened". Rows of ``new_arcs``
    also hold "action" (``c_k``). ``outputs`` holds every metric of the 7.8 table and
    "trust_by_kind" (6×6 nested lists).
    """
    nodes = _nodes(graph)
    n = len(nodes)
    assert nodes == list(range(n)), "nodes must be 0..n-1"
    assert set(orgs) == set(nodes), "orgs must have exactly the graph's nodes"
    for i in nodes:
        assert not graph.has_edge(i, i), "no self-loops"
    assert set(system) >= set(SYSTEM_FIELDS), "system must hold every SYSTEM_FIELDS key"
    assert set(arcs) == set(reference_arc_index(graph)), "arcs must hold both directions of every edge"

    # Working copies: the state as it moves through the phases (the inputs are not mutated).
    orgs = {i: dict(orgs[i]) for i in nodes}
    arcs = {arc: dict(row) for arc, row in arcs.items()}
    system = dict(system)

    def set_orgs(field, values):
        for i, value in values.items():
            orgs[i][field] = value

    def set_arcs(field, values):
        for arc, value in values.items():
            arcs[arc][field] = value

    W = system["winter"]  # used in this step (7.16)
    Psi = system["safety"]
    lead = int(system["lead"])  # fixed at set-up [R2]

    # Phase 0. Leader turnover (7.11) [R1]; a hard decision may open (7.13); at a year start,
    # sign-up to the control total (7.15) [R11]. Start-of-step values are those after phase 0.
    experience, belief, trust = reference_leader_turnover(graph, orgs, arcs, params, key, t, int(system["lead"]))
    set_orgs("experience", experience)
    set_orgs("belief", belief)
    set_arcs("trust", trust)
    system.update(reference_open_hard_decision(orgs, params, system, key, t))
    start = reference_start_of_step(graph, orgs, arcs)
    system["signed_up"] = reference_sign_up(orgs, params, start["mean_trust"], system["signed_up"], t)
    progress_start = system["progress"]  # 7.5: maturity is read from start-of-step progress
    mean_stress = reference_mean_stress(orgs, params)  # 7.12: σ̄ at the start of the step
    inclusive = reference_inclusiveness(orgs)  # 7.12: how inclusive the table is at the start of the step

    # Phase 1. Derived quantities (7.1, 7.5, 7.11) and the votes on an open hard decision (7.13).
    h = reference_effective_capacity(orgs, params, W)
    push = reference_push(orgs, params)
    a_lens, b_lens = reference_motive_lens(orgs, params)
    _, h_lead, H = reference_leadership_capacity(orgs, params, h, lead)
    votes = reference_votes(orgs, params, system, start["mean_trust"], key, t)
    resolved, broke_down, latency, age = reference_vote_count(params, system, votes)
    system["decision_age"] = age

    # Phase 2. Decisions on every arc (7.2, 7.10), from start-of-step trust and beliefs.
    action = reference_decisions(graph, orgs, arcs, params, a_lens, b_lens, push, h, key, t)

    # Phase 3. Payoffs (7.4, pooled matrix of 7.15) [R4] and the month's net results (7.15).
    pay = reference_payoffs(graph, orgs, arcs, params, action)
    net = reference_net_results(orgs, params, pay, W, t)

    # Phase 4. Trust and memory on every live arc (7.3, 7.7); 4b. the hard decision (7.13) [R5, R6].
    trust, memory = reference_trust_update(graph, orgs, arcs, params, action, h, Psi)
    set_arcs("trust", trust)
    set_arcs("memory", memory)
    size = 2 * system["decision_loss"]  # 7.13: the size of a decision that closes, before it closes
    trust, fields = reference_hard_decision_outcome(graph, orgs, arcs, params, system, resolved, broke_down)
    set_arcs("trust", trust)
    system.update(fields)

    # Phase 5. Finances (7.4, 7.15): pooling, balances, and at a year end transfers and funding.
    net = reference_pooling(orgs, params, net)
    set_orgs("balance", reference_balances(orgs, net))
    transfers = 0.0
    funding = 0.0
    reinvested = 0.0
    if t % 12 == 0:
        balance, year_balance, trust, transfers, funding, reinvested = reference_year_end(graph, orgs, arcs, params, system["signed_up"] == 1.0)
        set_orgs("balance", balance)
        set_orgs("year_balance", year_balance)
        set_arcs("trust", trust)

    # Phase 6. Regulator interventions and pressure (7.5), from the balances after finance.
    intervened, pressure = reference_interventions(orgs, params, key, t, progress_start)
    set_orgs("pressure", pressure)

    # Phase 7. Altruism (7.6), with p' and σ'.
    set_orgs("altruism", reference_altruism(graph, orgs, params, action))

    # Phase 8. Beliefs (7.12), from start-of-step beliefs.
    set_orgs("belief", reference_beliefs(graph, orgs, params, action, h, h_lead, mean_stress, inclusive))

    # Phase 9. Commitment (7.13) [R6, R7], with q̄' (all trust changes of the step are done).
    mean_trust_after = reference_mean_trust(graph, orgs, arcs)
    set_orgs("committed", reference_commitment(orgs, params, mean_trust_after, votes, broke_down))

    # Phase 10. Local authority engagement and political pressure (7.14).
    political, engagement = reference_engagement(orgs, params, mean_trust_after)
    set_orgs("political", political)
    set_orgs("engagement", engagement)

    # Phase 11. Winter pressure decays, leaders settle (7.11, 7.16).
    system["winter"] = reference_winter_decays(params, W)
    set_orgs("experience", reference_leaders_settle(orgs, params))

    # Phase 12. Integration progress and outputs (7.8).
    month = {
        "transfers": transfers,
        "sustainability_funding": funding,
        "decision_latency": latency,
        "winter_pressure": W,
        "safety": Psi,
        "leadership_capacity": H,
        "reinvested": reinvested,
    }
    progress, outputs = reference_outputs(graph, orgs, arcs, params, system, action, net, intervened, h, month, resolved, broke_down, size)
    system["progress"] = progress

    for i in nodes:
        orgs[i]["intervened"] = intervened[i]
        orgs[i]["net"] = net[i]
        orgs[i]["effective_capacity"] = h[i]  # [R3]
    set_arcs("action", action)
    for name in ("decision_open", "decision_age", "decision_loser", "signed_up"):
        system[name] = float(system[name])
    return orgs, arcs, system, outputs
