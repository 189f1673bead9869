"""Independent pure-Python reference implementation of one model step.

Written only from ``docs/model.md``, section "7. Submodels" (7.0-7.16), which is the single
source of truth. It is deliberately slow and plain: python ints and floats, the ``math``
module, and networkx for the graph. No numpy in the step logic. It exists so that the tests
can check ``kernel == reference`` to 1e-9.

The step is written "per organisation": an outer loop over organisations ``i`` and, for each,
an inner loop over ``graph.neighbors(i)``. Formulas are written in the same algebraic order as
in the specification, so that a faithful port gives the same floating-point results.

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
    start-of-step altruism (not yet updated in phase 5).
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
"""

from __future__ import annotations

import math

__all__ = [
    "MASK64",
    "SYSTEM_FIELDS",
    "reference_mix",
    "reference_uniform",
    "reference_omega",
    "reference_lens",
    "reference_arc_index",
    "reference_step",
]

MASK64 = (1 << 64) - 1

# 7.1 anchors of the motive lens.
OMEGA_P = 29 / 30
OMEGA_A = 1 / 2
OMEGA_F = 1 / 30

N_KINDS = 6
N_PRINCIPALS = 3  # 0 provider_regulator, 1 commissioner_regulator, 2 public
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
)

SEPARATE, CONTROL_TOTAL, POOLED = 0, 1, 2


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
# 7.1 Motive lens
# ---------------------------------------------------------------------------------------------


def reference_omega(power: float, affiliation: float, achievement: float) -> float:
    """Optimally motivating incentive ``ω = (nP·ω_P + nA·ω_A + nF·ω_F)/(nP + nA + nF)``."""
    n_p, n_f, n_a = power, affiliation, achievement
    return (n_p * OMEGA_P + n_a * OMEGA_A + n_f * OMEGA_F) / (n_p + n_a + n_f)


def _normalise(x: float, x_lo: float, x_hi: float) -> float:
    """``I(x) = (x − x_lo)/(x_hi − x_lo)``."""
    return (x - x_lo) / (x_hi - x_lo)


def _value(incentive: float, omega: float) -> float:
    """``v_i(I) = −(I − ω_i)²``."""
    return -((incentive - omega) ** 2)


def _matrix(params) -> tuple[float, float, float, float]:
    """``(R, S, T, P)`` in force: under a pooled budget (7.15) ``S̃ = T̃ = (S + T)/2`` [R12]."""
    R = params["reward"]
    S = params["sucker"]
    T = params["temptation"]
    P = params["punishment"]
    if params.get("finance_regime", SEPARATE) == POOLED:
        mean_off_diagonal = (S + T) / 2
        S = mean_off_diagonal
        T = mean_off_diagonal
    return R, S, T, P


def _normalised_payoffs(params) -> tuple[float, float, float, float, float]:
    """Return ``(I_R, I_S, I_T, I_P, I_M)`` of 7.1 / 7.2 (with the pooled replacement of 7.15)."""
    R, S, T, P = _matrix(params)
    x_lo = min(R, S, T, P)
    x_hi = max(R, S, T, P)
    I_R = _normalise(R, x_lo, x_hi)
    I_S = _normalise(S, x_lo, x_hi)
    I_T = _normalise(T, x_lo, x_hi)
    I_P = _normalise(P, x_lo, x_hi)
    I_M = _normalise((S + T) / 2, x_lo, x_hi)
    return I_R, I_S, I_T, I_P, I_M


def reference_lens(params, omega: float) -> tuple[float, float]:
    """Lens differences ``(a_i, b_i)`` of 7.1 for an organisation with incentive ``omega``."""
    I_R, I_S, I_T, I_P, _ = _normalised_payoffs(params)
    a = _value(I_R, omega) - _value(I_T, omega)
    b = _value(I_S, omega) - _value(I_P, omega)
    return a, b


# ---------------------------------------------------------------------------------------------
# Helpers
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


def _payoff(matrix, c_own: int, c_partner: int) -> float:
    """``M(c_k, c_k')`` of 7.4, for the row organisation; ``matrix = (R, S, T, P)``."""
    R, S, T, P = matrix
    if c_own == 1:
        return R if c_partner == 1 else S
    return T if c_partner == 1 else P


def reference_arc_index(graph) -> dict[tuple[int, int], int]:
    """CSR numbering of arcs: ``k`` enumerates ``sorted((i, j) for all directed arcs)``."""
    all_arcs = []
    for i in graph.nodes():
        for j in graph.neighbors(i):
            all_arcs.append((i, j))
    return {arc: k for k, arc in enumerate(sorted(all_arcs))}


def _mean(total: float, count: int) -> float:
    """Mean over a set of ``count`` elements; NaN over an empty set (7.8)."""
    if count == 0:
        return math.nan
    return total / count


def _engagement_weight(engagement: float) -> float:
    """``w_E``: 0 absent, 0.5 partner, 1 full member or lead (7.10)."""
    if engagement >= 2:
        return 1.0
    if engagement >= 1:
        return 0.5
    return 0.0


# ---------------------------------------------------------------------------------------------
# One step
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
    nodes = sorted(graph.nodes())
    n = len(nodes)
    assert nodes == list(range(n)), "nodes must be 0..n-1"
    assert set(orgs) == set(nodes), "orgs must have exactly the graph's nodes"
    for i in nodes:
        assert not graph.has_edge(i, i), "no self-loops"
    assert set(system) >= set(SYSTEM_FIELDS), "system must hold every SYSTEM_FIELDS key"

    # Arc numbering, CSR order (sorted by source, then target). Used for the noise stream.
    arc_index = reference_arc_index(graph)
    assert set(arcs) == set(arc_index), "arcs must hold both directions of every edge"

    def neighbours(i):
        # Visit i's partners in increasing order, i.e. walk i's arcs in CSR order.
        return sorted(graph.neighbors(i))

    # --- parameters --------------------------------------------------------------------------
    tau = params["noise"]
    kappa_d = params["distance_drag"]
    lam = params["legacy_weight"]
    mu = params["memory_retention"]
    eta_plus = params["altruism_growth"]
    eta_minus = params["altruism_erosion"]
    sigma_s = params["stress_scale"]
    w_sigma = params["stress_weight"]
    strength = params["strength"]
    focus = params["focus"]
    rate = params["rate"]
    chi = params["conflict"]
    delta_I = params["intervention_threshold"]
    kappa_I = params["intervention_push"]
    c_I = params["capacity_cost"]
    psi = params["pressure_decay"]
    system_assessment = bool(params["system_assessment"])
    delta_p = params["progress_decay"]
    # 7.11
    chi_L = params["concentration"]
    rho_T = params["turnover_rate"]
    lambda_T = params["turnover_trust_loss"]
    nu = params["newcomer_penalty"]
    rho_e = params["settling_rate"]
    # 7.12
    x_0 = params["narrative_initial"]
    beta = params["build_rate"]
    mu_N = params["convergence"]
    eps_N = params["confidence_bound"]
    delta_N = params["narrative_decay"]
    # 7.13
    statutory = bool(params["statutory"])
    rho_D = params["decision_rate"]
    patience = int(params["patience"])
    theta_V = params["support_threshold"]
    w_N = params["narrative_weight"]
    w_S = params["safety_weight"]
    lambda_D = params["loss_weight"]
    tau_V = params["vote_noise"]
    majority = params["majority"]
    g_D = params["resolved_trust_gain"]
    g_P = params["resolved_progress"]
    l_D = params["breakdown_trust_loss"]
    conditional = bool(params["conditional"])
    theta_C = params["commitment_trust_threshold"]
    sigma_C = params["commitment_stress_threshold"]
    m_C = params["reengage_margin"]
    # 7.14
    la_dynamic = bool(params["la_dynamic"])
    pi_0 = params["political_baseline"]
    delta_pi = params["political_decay"]
    w_pi = params["political_weight"]
    theta_A = params["absent_threshold"]
    theta_P = params["partner_threshold"]
    theta_F = params["full_threshold"]
    # 7.15
    regime = int(params["finance_regime"])
    p_link = params["linked_share"]
    f_S = params["sustainability_share"]
    r_S = params["risk_tolerance"]
    signup_share = params["signup_share"]
    transfers_on = bool(params["transfers"])
    g_T = params["transfer_share"]
    g_G = params["transfer_trust_gain"]
    f_I = params["invest_share"]
    rho_I = params["invest_return"]
    L_I = int(params["invest_lag"])
    T_I = int(params["invest_months"])
    # 7.16
    omega_W = params["winter_capacity_loss"]
    omega_C = params["winter_cost"]
    psi_W = params["winter_decay"]

    matrix = _matrix(params)  # [R12]
    I_R, I_S, I_T, I_P, I_M = _normalised_payoffs(params)
    # 7.2: the system's lens (valued linearly).
    a_Y = I_R - I_M
    b_Y = I_M - I_P

    # --- system state at the start of the step -----------------------------------------------
    progress = system["progress"]
    W = system["winter"]
    Psi = system["safety"]
    signed_up = system["signed_up"] == 1.0
    decision_open = system["decision_open"] == 1.0
    decision_age = int(system["decision_age"])
    decision_loser = int(system["decision_loser"])
    decisions_resolved = system["decisions_resolved"]
    decisions_failed = system["decisions_failed"]
    lead = int(system["lead"])  # fixed at set-up [R2]

    # --- organisation and arc state that phase 0 may change -----------------------------------
    active = {i: orgs[i]["active"] == 1.0 for i in nodes}
    belief = {i: orgs[i]["belief"] for i in nodes}
    experience = {i: orgs[i]["experience"] for i in nodes}
    trust = {arc: arcs[arc]["trust"] for arc in arcs}

    def is_live(i, j):
        # 7.10: arc i->j is live if both ends are active.
        return active[i] and active[j]

    n_A = 0
    for i in nodes:
        if active[i]:
            n_A += 1

    def stress(balance, budget):
        # 7.5: sigma = clip(-bal/(sigma_s*B), 0, 1)
        return clip(-balance / (sigma_s * budget), 0.0, 1.0)

    def mean_trust(i, trust_now):
        # 7.10: mean of trust over the live arcs of i, 0 when there are none.
        total = 0.0
        count = 0
        for j in neighbours(i):
            if is_live(i, j):
                total = total + trust_now[(i, j)]
                count += 1
        return total / count if count > 0 else 0.0

    # =========================================================================================
    # Phase 0a. Leader turnover (7.11), organisations in index order. [R1]
    # =========================================================================================
    if rho_T > 0:
        for i in nodes:
            if not active[i]:
                continue
            if reference_uniform(key, t, i, 2) < rho_T:
                experience[i] = 0.0
                belief[i] = x_0
                for j in neighbours(i):
                    trust[(i, j)] = (1 - lambda_T) * trust[(i, j)]
                    trust[(j, i)] = (1 - lambda_T) * trust[(j, i)]

    # =========================================================================================
    # Phase 0b. A hard decision may open (7.13).
    # =========================================================================================
    if not decision_open and n_A > 0:
        if reference_uniform(key, t, 0, 3) < rho_D:
            rank = math.floor(reference_uniform(key, t, 1, 3) * n_A)
            active_in_order = [i for i in nodes if active[i]]
            decision_loser = active_in_order[rank]
            decision_age = 0
            decision_open = True

    # Start-of-step (post-turnover) quantities used from here on.
    committed = {i: orgs[i]["committed"] for i in nodes}
    engagement = {i: orgs[i]["engagement"] for i in nodes}
    at_table = {
        i: active[i] and orgs[i]["committed"] == 1.0 and orgs[i]["engagement"] >= 1 for i in nodes
    }
    q_bar = {i: mean_trust(i, trust) for i in nodes}
    sigma = {i: stress(orgs[i]["balance"], orgs[i]["budget"]) for i in nodes}

    # =========================================================================================
    # Phase 0c. Sign-up to the control total at the start of a financial year (7.15). [R11]
    # =========================================================================================
    if regime == CONTROL_TOTAL and (t - 1) % 12 == 0:
        sigma_total = 0.0
        for i in nodes:
            if active[i]:
                sigma_total = sigma_total + sigma[i]
        sigma_bar = sigma_total / n_A if n_A > 0 else 0.0
        n_table = 0
        n_agree = 0
        for i in nodes:
            if not at_table[i]:
                continue
            n_table += 1
            P_i = q_bar[i] * (1 - sigma_bar)
            r_i = r_S * (1 - sigma[i])
            if p_link * (1 - P_i) <= r_i:
                n_agree += 1
        signed_up = n_table > 0 and n_agree / n_table >= signup_share

    # =========================================================================================
    # Phase 1. Derived organisation quantities (7.1, 7.3, 7.5, 7.6, 7.10, 7.11) and votes (7.13).
    # =========================================================================================
    omega = {}
    a_lens = {}
    b_lens = {}
    h = {}  # effective leader capacity h_i (7.11, replaces 7.5) [R3]
    push = {}  # Delta_i (7.5)
    for i in nodes:
        o = orgs[i]
        omega[i] = reference_omega(o["power"], o["affiliation"], o["achievement"])
        a_lens[i] = _value(I_R, omega[i]) - _value(I_T, omega[i])
        b_lens[i] = _value(I_S, omega[i]) - _value(I_P, omega[i])
        p_i = o["pressure"]
        h[i] = o["capacity"] * (1 - c_I * p_i) * (1 - omega_W * W) * (1 - nu * (1 - experience[i]))
        r = o["principal"]
        s_r = strength[r]
        phi_r = focus[r]
        push[i] = s_r * (phi_r - (1 - phi_r) * (1 + kappa_I * p_i)) - w_sigma * sigma[i]

    sum_h = 0.0
    for i in nodes:
        if active[i]:
            sum_h = sum_h + h[i]
    mean_h = sum_h / n_A if n_A > 0 else 0.0
    # 7.11: without a lead (-1) or with an inactive lead, h_lead is read as the mean of h over
    # active organisations.
    if 0 <= lead < n and active[lead]:
        h_lead = h[lead]
    else:
        h_lead = mean_h
    if n_A > 0:
        H = chi_L * h_lead + (1 - chi_L) * mean_h
    else:
        H = 0.0

    # Votes on an open hard decision (7.13), from start-of-step values. Voters are the active
    # organisations with engagement >= 2; one that is not committed does not support (and draws
    # no random number).
    votes = {}  # voter -> True (supports) / False
    if decision_open:
        for i in nodes:
            if not (active[i] and engagement[i] >= 2):
                continue
            if committed[i] != 1.0:
                votes[i] = False
                continue
            o = orgs[i]
            is_loser = 1.0 if i == decision_loser else 0.0
            S_i = (
                (q_bar[i] - theta_V)
                + w_N * (belief[i] - 0.5)
                + w_S * Psi
                - lambda_D * (1 - o["altruism"]) * is_loser
            )
            if tau_V != 0:
                S_i = S_i + tau_V * _logistic(reference_uniform(key, t, i, 4))
            votes[i] = S_i > 0

    # =========================================================================================
    # Phase 2. Decisions on every arc (7.2), gated by 7.10, from start-of-step trust.
    # =========================================================================================
    action = {}
    for i in nodes:
        o = orgs[i]
        alpha = o["altruism"]
        r_i = o["principal"]
        for j in neighbours(i):
            if not (is_live(i, j) and at_table[i]):
                action[(i, j)] = 0  # no random number is drawn
                continue
            k = arc_index[(i, j)]
            q = trust[(i, j)]
            r_j = orgs[j]["principal"]
            # Conflict of misaligned regulators; r is the arc owner's (i's) principal.
            if r_i != r_j and r_i < 2 and r_j < 2:
                gamma = -chi * strength[r_i] * (1 - focus[r_i])
            else:
                gamma = 0.0
            A = (
                (1 - alpha) * (q * a_lens[i] + (1 - q) * b_lens[i])
                + alpha * (q * a_Y + (1 - q) * b_Y)
                + push[i]
                + gamma
            )
            if tau == 0:
                # No random number is used; a tie (A == 0) means acting for itself.
                x = A
            else:
                u = reference_uniform(key, t, k, 0)
                x = A + tau * _logistic(u)
            action[(i, j)] = 1 if x > 0 else 0

    # =========================================================================================
    # Phase 3. Payoffs (7.4, pooled matrix of 7.15), over live arcs. [R4]
    # =========================================================================================
    pay = {}
    for i in nodes:
        total = 0.0
        for j in neighbours(i):
            if not is_live(i, j):
                continue
            pi_k = arcs[(i, j)]["stake"] * _payoff(matrix, action[(i, j)], action[(j, i)])
            total = total + pi_k
        pay[i] = total

    # =========================================================================================
    # Phase 4. Trust and memory on every live arc (7.3, 7.7). The loss multiplier uses the
    # memory before its update.
    # =========================================================================================
    new_trust = dict(trust)
    new_memory = {arc: arcs[arc]["memory"] for arc in arcs}
    for i in nodes:
        o = orgs[i]
        for j in neighbours(i):
            if not is_live(i, j):
                continue
            arc = arcs[(i, j)]
            q = trust[(i, j)]
            mem = arc["memory"]
            e = action[(j, i)]
            if e == 1:
                g = o["gain_rate"] * (1 - kappa_d * arc["distance"]) * min(h[i], h[j])
                new_trust[(i, j)] = q + g * (1 - q)
            else:
                loss = min(1.0, o["loss_rate"] * (1 + lam * mem))
                new_trust[(i, j)] = q - loss * q
            new_memory[(i, j)] = mu * mem + (1 - mu) * (1 - e)

    # =========================================================================================
    # Phase 4b. The hard decision resolves or breaks down (7.13). [R5, R6]
    # =========================================================================================
    new_committed = dict(committed)
    resolved = 0
    broke_down = 0
    walked_away = []  # voters that walk away at a breakdown (applied in phase 9)
    latency = math.nan
    if decision_open:
        n_voters = len(votes)
        n_support = 0
        for i in sorted(votes):
            if votes[i]:
                n_support += 1
        if n_voters > 0:
            if statutory:
                is_resolved = n_support / n_voters >= majority
            else:
                is_resolved = n_support == n_voters
        else:
            is_resolved = False
        if is_resolved:
            for i in nodes:
                for j in neighbours(i):
                    if is_live(i, j):
                        new_trust[(i, j)] = new_trust[(i, j)] + g_D * (1 - new_trust[(i, j)])
            resolved = 1
            latency = float(decision_age + 1)
            decisions_resolved = decisions_resolved + 1
            decision_open = False
            decision_age = 0
            decision_loser = -1
        else:
            decision_age = decision_age + 1
            if decision_age >= patience:
                for i in nodes:
                    for j in neighbours(i):
                        if is_live(i, j):
                            new_trust[(i, j)] = (1 - l_D) * new_trust[(i, j)]
                if not statutory and conditional:
                    for i in sorted(votes):
                        if not votes[i]:
                            walked_away.append(i)
                broke_down = 1
                decisions_failed = decisions_failed + 1
                decision_open = False
                decision_age = 0
                decision_loser = -1

    # =========================================================================================
    # Phase 5. Finances (7.4, 7.15), then year-end transfers and sustainability funding.
    # =========================================================================================
    net = {}
    for i in nodes:
        if not active[i]:
            net[i] = 0.0  # [R3]
            continue
        o = orgs[i]
        B = o["budget"]
        invest = 1.0 if t <= T_I else 0.0
        returns = 1.0 if L_I < t <= T_I + L_I else 0.0
        net[i] = (
            pay[i]
            - B * o["cost_pressure"] / 12
            - omega_C * W * B / 12
            - f_I * B / 12 * invest
            + rho_I * f_I * B / 12 * returns
        )
    if regime == POOLED:
        total_net = 0.0
        total_budget = 0.0
        for i in nodes:
            if active[i]:
                total_net = total_net + net[i]
                total_budget = total_budget + orgs[i]["budget"]
        pooled = {}
        for i in nodes:
            if active[i]:
                pooled[i] = orgs[i]["budget"] * total_net / total_budget
        for i in pooled:
            net[i] = pooled[i]

    balance = {}
    year_balance = {i: orgs[i]["year_balance"] for i in nodes}
    for i in nodes:
        if active[i]:
            balance[i] = orgs[i]["balance"] + net[i]
        else:
            balance[i] = orgs[i]["balance"]

    transfers_total = 0.0
    funding_total = 0.0
    if t % 12 == 0:
        # Year results before any gift. [R8]
        y = {i: balance[i] - year_balance[i] for i in nodes if active[i]}
        if transfers_on and (regime == POOLED or (regime == CONTROL_TOTAL and signed_up)):
            given = {i: 0.0 for i in nodes}
            received = {i: 0.0 for i in nodes}
            trust_raised = []
            for i in nodes:
                if not active[i] or not y[i] > 0:
                    continue
                G_i = g_T * orgs[i]["altruism"] * y[i]
                weight_sum = 0.0
                for j in neighbours(i):
                    if is_live(i, j) and y[j] < 0:
                        weight_sum = weight_sum + new_trust[(i, j)] * (-y[j])
                if weight_sum == 0 or G_i == 0:
                    continue  # nothing is given [R9]
                given[i] = G_i
                transfers_total = transfers_total + G_i
                for j in neighbours(i):
                    if is_live(i, j) and y[j] < 0:
                        amount = G_i * new_trust[(i, j)] * (-y[j]) / weight_sum
                        if amount > 0:
                            received[j] = received[j] + amount
                            trust_raised.append((j, i))
            for i in nodes:
                if active[i]:
                    balance[i] = balance[i] - given[i] + received[i]
            for j, i in trust_raised:
                new_trust[(j, i)] = new_trust[(j, i)] + g_G * (1 - new_trust[(j, i)])
        # Sustainability funding (7.15): own_i from the year result after the transfers, sys from
        # the year results (unchanged by the zero-sum transfers; taken before them [R10]).
        y_after = {i: balance[i] - year_balance[i] for i in nodes if active[i]}
        y_system = 0.0
        for i in nodes:
            if active[i]:
                y_system = y_system + y[i]
        sys_met = 1.0 if y_system >= 0 else 0.0
        for i in nodes:
            if not active[i]:
                continue
            F_i = f_S * orgs[i]["budget"]
            own = 1.0 if y_after[i] >= 0 else 0.0
            if regime == POOLED:
                payment = F_i * sys_met
            elif regime == CONTROL_TOTAL and signed_up:
                payment = F_i * ((1 - p_link) * own + p_link * sys_met)
            else:
                payment = F_i * own
            balance[i] = balance[i] + payment
            funding_total = funding_total + payment
            year_balance[i] = balance[i]

    system_balance = 0.0
    for i in nodes:
        if active[i]:
            system_balance = system_balance + balance[i]

    # =========================================================================================
    # Phase 6. Regulator interventions and pressure (7.5), using balances after finance.
    # =========================================================================================
    intervened = {}
    new_pressure = {}
    for i in nodes:
        o = orgs[i]
        if not active[i]:
            intervened[i] = 0
            new_pressure[i] = o["pressure"]
            continue
        r = o["principal"]
        rho_r = rate[r]
        eligible = rho_r > 0 and balance[i] < 0
        if system_assessment:
            eligible = eligible and system_balance < 0
        if eligible:
            prob = rho_r * min(1.0, (-balance[i] / o["budget"]) / delta_I)
            intervened[i] = 1 if reference_uniform(key, t, i, 1) < prob else 0
        else:
            intervened[i] = 0
        new_pressure[i] = 1.0 if intervened[i] == 1 else psi * o["pressure"]

    # =========================================================================================
    # Phase 7. Altruism (7.6), with p' and sigma' (after finance); w over live arcs.
    # =========================================================================================
    sigma_new = {i: stress(balance[i], orgs[i]["budget"]) for i in nodes}
    new_altruism = {}
    for i in nodes:
        o = orgs[i]
        if not active[i]:
            new_altruism[i] = o["altruism"]
            continue
        n_live = 0
        mutual = 0
        for j in neighbours(i):
            if is_live(i, j):
                n_live += 1
                if action[(i, j)] == 1 and action[(j, i)] == 1:
                    mutual += 1
        w = mutual / n_live if n_live > 0 else 0.0
        alpha = o["altruism"]
        new_altruism[i] = alpha + eta_plus * (1 - alpha) * w - eta_minus * alpha * max(new_pressure[i], sigma_new[i])

    # =========================================================================================
    # Phase 8. Beliefs and the shared narrative (7.12), from start-of-step beliefs.
    # =========================================================================================
    new_belief = dict(belief)
    for i in nodes:
        if not active[i]:
            continue
        x_i = belief[i]
        build = (
            beta
            * ((1 - chi_L) * h[i] + chi_L * h_lead)
            * _engagement_weight(engagement[i])
            * committed[i]
            * (1 - x_i)
        )
        n_live = 0
        close_sum = 0.0
        for j in neighbours(i):
            if not is_live(i, j):
                continue
            n_live += 1
            x_j = belief[j]
            if action[(i, j)] * action[(j, i)] == 1 and abs(x_j - x_i) < eps_N:
                close_sum = close_sum + (x_j - x_i)
        mix = (mu_N / n_live) * close_sum if n_live > 0 else 0.0
        new_belief[i] = clip(x_i + build + mix - delta_N * x_i, 0.0, 1.0)
    belief_sum = 0.0
    for i in nodes:
        if active[i]:
            belief_sum = belief_sum + new_belief[i]
    shared_narrative = _mean(belief_sum, n_A)

    # Mean trust after the step (all trust changes of the step are done).
    q_bar_new = {i: mean_trust(i, new_trust) for i in nodes}

    # =========================================================================================
    # Phase 9. Commitment (7.13), conditional commitment under informal governance only; then
    # every voter that walked away at a breakdown in this step gets committed' = 0. [R6, R7]
    # =========================================================================================
    if conditional and not statutory:
        for i in nodes:
            if not active[i] or orgs[i]["unwilling"] == 1.0:
                continue
            if committed[i] == 1.0:
                if q_bar_new[i] < theta_C or sigma_new[i] > sigma_C:
                    new_committed[i] = 0.0
            else:
                if q_bar_new[i] >= theta_C + m_C and sigma_new[i] <= sigma_C:
                    new_committed[i] = 1.0
        for i in walked_away:
            new_committed[i] = 0.0

    # =========================================================================================
    # Phase 10. Local authority engagement and political pressure (7.14).
    # =========================================================================================
    new_political = {i: orgs[i]["political"] for i in nodes}
    new_engagement = dict(engagement)
    for i in nodes:
        if not active[i] or orgs[i]["kind"] != LOCAL_AUTHORITY:
            continue
        pi_i = orgs[i]["political"]
        new_political[i] = pi_i + delta_pi * (pi_0 - pi_i)
        score = q_bar_new[i] - w_pi * new_political[i]
        if la_dynamic:
            if engagement[i] == 3:
                new_engagement[i] = 3.0 if score >= theta_P else 1.0
            elif score < theta_A:
                new_engagement[i] = 0.0
            elif score < theta_F:
                new_engagement[i] = 1.0
            else:
                new_engagement[i] = 2.0

    # =========================================================================================
    # Phase 11. Winter pressure decays, leaders settle (7.11, 7.16).
    # =========================================================================================
    new_W = psi_W * W
    new_experience = dict(experience)
    for i in nodes:
        if active[i]:
            new_experience[i] = experience[i] + rho_e * (1 - experience[i])

    # =========================================================================================
    # Phase 12. Integration progress and outputs (7.8), over live arcs and active organisations.
    # =========================================================================================
    m_L = 0
    sum_c = 0
    sum_mutual = 0
    sum_trust = 0.0
    sum_mutual_trust = 0.0
    kind_sum = [[0.0] * N_KINDS for _ in range(N_KINDS)]
    kind_count = [[0] * N_KINDS for _ in range(N_KINDS)]
    for i in nodes:
        kind_i = orgs[i]["kind"]
        for j in neighbours(i):
            if not is_live(i, j):
                continue
            m_L += 1
            c_k = action[(i, j)]
            c_rev = action[(j, i)]
            trust_new = new_trust[(i, j)]
            sum_c += c_k
            sum_mutual += c_k * c_rev
            sum_trust = sum_trust + trust_new
            sum_mutual_trust = sum_mutual_trust + c_k * c_rev * trust_new
            kind_j = orgs[j]["kind"]
            kind_sum[kind_i][kind_j] = kind_sum[kind_i][kind_j] + trust_new
            kind_count[kind_i][kind_j] += 1

    inc = (1 / m_L) * sum_mutual_trust if m_L > 0 else 0.0
    new_progress = max(0.0, (1 - delta_p) * progress + inc + g_P * (resolved - broke_down))

    system_surplus = 0.0
    n_deficit = 0
    n_interventions = 0
    sum_altruism = 0.0
    sum_pressure = 0.0
    n_committed = 0
    la_sum = 0.0
    la_count = 0
    for i in nodes:
        if not active[i]:
            continue
        system_surplus = system_surplus + net[i]
        if balance[i] < 0:
            n_deficit += 1
        n_interventions += intervened[i]
        sum_altruism = sum_altruism + new_altruism[i]
        sum_pressure = sum_pressure + new_pressure[i]
        if new_committed[i] == 1.0:
            n_committed += 1
        if orgs[i]["kind"] == LOCAL_AUTHORITY:
            la_sum = la_sum + new_engagement[i]
            la_count += 1

    # --- new state ---------------------------------------------------------------------------
    new_orgs = {}
    for i in nodes:
        row = dict(orgs[i])
        row["balance"] = balance[i]
        row["pressure"] = new_pressure[i]
        row["altruism"] = new_altruism[i]
        row["committed"] = new_committed[i]
        row["engagement"] = new_engagement[i]
        row["political"] = new_political[i]
        row["belief"] = new_belief[i]
        row["experience"] = new_experience[i]
        row["year_balance"] = year_balance[i]
        row["intervened"] = intervened[i]
        row["net"] = net[i]
        row["effective_capacity"] = h[i]
        new_orgs[i] = row

    new_arcs = {}
    for arc in arcs:
        row = dict(arcs[arc])
        row["trust"] = new_trust[arc]
        row["memory"] = new_memory[arc]
        row["action"] = action[arc]
        new_arcs[arc] = row

    new_system = dict(system)
    new_system["progress"] = new_progress
    new_system["winter"] = new_W
    new_system["safety"] = Psi
    new_system["signed_up"] = 1.0 if signed_up else 0.0
    new_system["decision_open"] = 1.0 if decision_open else 0.0
    new_system["decision_age"] = float(decision_age)
    new_system["decision_loser"] = float(decision_loser)
    new_system["decisions_resolved"] = decisions_resolved
    new_system["decisions_failed"] = decisions_failed
    new_system["lead"] = float(lead)

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
        "shared_narrative": shared_narrative,
        "committed_share": _mean(n_committed, n_A),
        "decision_open": new_system["decision_open"],
        "decisions_resolved": decisions_resolved,
        "decisions_failed": decisions_failed,
        "decision_latency": latency,
        "signed_up": new_system["signed_up"],
        "transfers": transfers_total,
        "sustainability_funding": funding_total,
        "la_engagement": _mean(la_sum, la_count),
        "winter_pressure": W,
        "safety": Psi,
        "leadership_capacity": H,
        "active_organisations": n_A,
        "joint_working": inc,
        "trust_by_kind": [
            [_mean(kind_sum[a][b], kind_count[a][b]) for b in range(N_KINDS)] for a in range(N_KINDS)
        ],
    }
    return new_orgs, new_arcs, new_system, outputs
