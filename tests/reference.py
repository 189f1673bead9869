"""Independent pure-Python reference implementation of one model step.

Written only from ``docs/model.md``, section "7. Submodels" (7.0-7.9), which is the single
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
"""

from __future__ import annotations

import math

__all__ = [
    "MASK64",
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


def _normalised_payoffs(params) -> tuple[float, float, float, float, float]:
    """Return ``(I_R, I_S, I_T, I_P, I_M)`` of 7.1 / 7.2."""
    R = params["reward"]
    S = params["sucker"]
    T = params["temptation"]
    P = params["punishment"]
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


def _payoff(params, c_own: int, c_partner: int) -> float:
    """``M(c_k, c_k')`` of 7.4, for the row organisation."""
    if c_own == 1:
        return params["reward"] if c_partner == 1 else params["sucker"]
    return params["temptation"] if c_partner == 1 else params["punishment"]


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


# ---------------------------------------------------------------------------------------------
# One step
# ---------------------------------------------------------------------------------------------


def reference_step(graph, orgs, arcs, params, progress, key, t):
    """One month of the model, written from docs/model.md section 7.

    graph : networkx.Graph, nodes 0..n-1 (may be empty, may have isolated nodes; no self-loops)
    orgs  : dict[int, dict]  node -> {"kind", "principal", "budget", "balance", "cost_pressure",
            "power", "affiliation", "achievement", "altruism", "capacity", "pressure",
            "gain_rate", "loss_rate"}
    arcs  : dict[(i, j), dict] for both directions of every edge ->
            {"trust", "distance", "memory", "stake"}
    params: dict (see the module docstring of the tests / the brief)
    progress : integration progress at the start of the step
    key : int in [0, 2**63);  t : int >= 1, the step number

    Returns ``(new_orgs, new_arcs, new_progress, outputs)`` without mutating the inputs.
    """
    nodes = sorted(graph.nodes())
    n = len(nodes)
    assert nodes == list(range(n)), "nodes must be 0..n-1"
    assert set(orgs) == set(nodes), "orgs must have exactly the graph's nodes"
    for i in nodes:
        assert not graph.has_edge(i, i), "no self-loops"

    # Arc numbering, CSR order (sorted by source, then target). Used for the noise stream.
    arc_index = reference_arc_index(graph)
    m = len(arc_index)
    assert set(arcs) == set(arc_index), "arcs must hold both directions of every edge"

    def neighbours(i):
        # Visit i's partners in increasing order, i.e. walk i's arcs in CSR order.
        return sorted(graph.neighbors(i))

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

    I_R, I_S, I_T, I_P, I_M = _normalised_payoffs(params)
    # 7.2: the system's lens (valued linearly).
    a_Y = I_R - I_M
    b_Y = I_M - I_P

    # -----------------------------------------------------------------------------------------
    # 1. Derived organisation quantities, all from start-of-step state (7.1, 7.3, 7.5, 7.6).
    # -----------------------------------------------------------------------------------------
    omega = {}
    a_lens = {}
    b_lens = {}
    h = {}  # effective leader capacity h_i
    sigma = {}  # financial stress sigma_i (start of step)
    push = {}  # Delta_i
    for i in nodes:
        o = orgs[i]
        omega[i] = reference_omega(o["power"], o["affiliation"], o["achievement"])
        a_lens[i] = _value(I_R, omega[i]) - _value(I_T, omega[i])
        b_lens[i] = _value(I_S, omega[i]) - _value(I_P, omega[i])
        p_i = o["pressure"]
        h[i] = o["capacity"] * (1 - c_I * p_i)
        sigma[i] = clip(-o["balance"] / (sigma_s * o["budget"]), 0.0, 1.0)
        r = o["principal"]
        s_r = strength[r]
        phi_r = focus[r]
        push[i] = s_r * (phi_r - (1 - phi_r) * (1 + kappa_I * p_i)) - w_sigma * sigma[i]

    # -----------------------------------------------------------------------------------------
    # 2. Decisions on every arc (7.2), from start-of-step trust.
    # -----------------------------------------------------------------------------------------
    action = {}
    for i in nodes:
        o = orgs[i]
        alpha = o["altruism"]
        r_i = o["principal"]
        for j in neighbours(i):
            k = arc_index[(i, j)]
            q = arcs[(i, j)]["trust"]
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
                eps = 0.0
                x = A
            else:
                u = reference_uniform(key, t, k, 0)
                eps = _ln(u) - _ln(1 - u)
                x = A + tau * eps
            action[(i, j)] = 1 if x > 0 else 0

    # -----------------------------------------------------------------------------------------
    # 3. Payoffs (7.4).
    # -----------------------------------------------------------------------------------------
    pay = {}
    for i in nodes:
        total = 0.0
        for j in neighbours(i):
            pi_k = arcs[(i, j)]["stake"] * _payoff(params, action[(i, j)], action[(j, i)])
            total = total + pi_k
        pay[i] = total

    # -----------------------------------------------------------------------------------------
    # 4. Trust and memory on every arc (7.3, 7.7). h from start-of-step pressure; the loss
    #    multiplier uses the memory before its update.
    # -----------------------------------------------------------------------------------------
    new_arcs = {}
    for i in nodes:
        o = orgs[i]
        for j in neighbours(i):
            arc = arcs[(i, j)]
            trust = arc["trust"]
            mem = arc["memory"]
            e = action[(j, i)]
            if e == 1:
                g = o["gain_rate"] * (1 - kappa_d * arc["distance"]) * min(h[i], h[j])
                new_trust = trust + g * (1 - trust)
            else:
                loss = min(1.0, o["loss_rate"] * (1 + lam * mem))
                new_trust = trust - loss * trust
            new_mem = mu * mem + (1 - mu) * (1 - e)
            new_arc = dict(arc)
            new_arc["trust"] = new_trust
            new_arc["memory"] = new_mem
            new_arc["action"] = action[(i, j)]
            new_arcs[(i, j)] = new_arc

    # -----------------------------------------------------------------------------------------
    # 5. Finances (7.4).
    # -----------------------------------------------------------------------------------------
    net = {}
    new_balance = {}
    for i in nodes:
        o = orgs[i]
        net[i] = pay[i] - o["budget"] * o["cost_pressure"] / 12
        new_balance[i] = o["balance"] + net[i]

    system_balance = 0.0
    for i in nodes:
        system_balance = system_balance + new_balance[i]

    # -----------------------------------------------------------------------------------------
    # 6. Regulator interventions and pressure (7.5), using balances after finance.
    # -----------------------------------------------------------------------------------------
    intervened = {}
    new_pressure = {}
    for i in nodes:
        o = orgs[i]
        r = o["principal"]
        rho_r = rate[r]
        eligible = rho_r > 0 and new_balance[i] < 0
        if system_assessment:
            eligible = eligible and system_balance < 0
        if eligible:
            prob = rho_r * min(1.0, (-new_balance[i] / o["budget"]) / delta_I)
            intervened[i] = 1 if reference_uniform(key, t, i, 1) < prob else 0
        else:
            intervened[i] = 0
        new_pressure[i] = 1.0 if intervened[i] == 1 else psi * o["pressure"]

    # -----------------------------------------------------------------------------------------
    # 7. Altruism (7.6), with p' and sigma' (after finance).
    # -----------------------------------------------------------------------------------------
    new_altruism = {}
    for i in nodes:
        o = orgs[i]
        deg = 0
        mutual = 0
        for j in neighbours(i):
            deg += 1
            if action[(i, j)] == 1 and action[(j, i)] == 1:
                mutual += 1
        w = mutual / deg if deg > 0 else 0.0
        sigma_new = clip(-new_balance[i] / (sigma_s * o["budget"]), 0.0, 1.0)
        alpha = o["altruism"]
        new_altruism[i] = (
            alpha + eta_plus * (1 - alpha) * w - eta_minus * alpha * max(new_pressure[i], sigma_new)
        )

    new_orgs = {}
    for i in nodes:
        new_org = dict(orgs[i])
        new_org["balance"] = new_balance[i]
        new_org["pressure"] = new_pressure[i]
        new_org["altruism"] = new_altruism[i]
        new_org["intervened"] = intervened[i]
        new_org["net"] = net[i]
        new_org["effective_capacity"] = h[i]
        new_orgs[i] = new_org

    # -----------------------------------------------------------------------------------------
    # 8. Integration progress and outputs (7.8), with post-update trust.
    # -----------------------------------------------------------------------------------------
    sum_c = 0
    sum_mutual = 0
    sum_trust = 0.0
    sum_mutual_trust = 0.0
    kind_sum = [[0.0] * N_KINDS for _ in range(N_KINDS)]
    kind_count = [[0] * N_KINDS for _ in range(N_KINDS)]
    for i in nodes:
        kind_i = orgs[i]["kind"]
        for j in neighbours(i):
            c_k = action[(i, j)]
            c_rev = action[(j, i)]
            trust_new = new_arcs[(i, j)]["trust"]
            sum_c += c_k
            sum_mutual += c_k * c_rev
            sum_trust = sum_trust + trust_new
            sum_mutual_trust = sum_mutual_trust + c_k * c_rev * trust_new
            kind_j = orgs[j]["kind"]
            kind_sum[kind_i][kind_j] = kind_sum[kind_i][kind_j] + trust_new
            kind_count[kind_i][kind_j] += 1

    inc = (1 / m) * sum_mutual_trust if m > 0 else 0.0
    new_progress = (1 - delta_p) * progress + inc

    system_surplus = 0.0
    n_deficit = 0
    n_interventions = 0
    sum_altruism = 0.0
    sum_pressure = 0.0
    sum_capacity = 0.0
    for i in nodes:
        system_surplus = system_surplus + net[i]
        if new_balance[i] < 0:
            n_deficit += 1
        n_interventions += intervened[i]
        sum_altruism = sum_altruism + new_altruism[i]
        sum_pressure = sum_pressure + new_pressure[i]
        sum_capacity = sum_capacity + h[i]

    outputs = {
        "collaboration_rate": _mean(sum_c, m),
        "mutual_rate": _mean(sum_mutual, m),
        "mean_trust": _mean(sum_trust, m),
        "system_surplus": system_surplus,
        "system_balance": system_balance,
        "n_deficit": n_deficit,
        "interventions": n_interventions,
        "integration_progress": new_progress,
        "mean_altruism": _mean(sum_altruism, n),
        "mean_pressure": _mean(sum_pressure, n),
        "mean_capacity": _mean(sum_capacity, n),
        "trust_by_kind": [
            [_mean(kind_sum[a][b], kind_count[a][b]) for b in range(N_KINDS)] for a in range(N_KINDS)
        ],
    }
    return new_orgs, new_arcs, new_progress, outputs
