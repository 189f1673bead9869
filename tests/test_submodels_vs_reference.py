"""Each kernel submodel against its reference submodel, both written from docs/model.md section 7.

The kernel's submodels (``ics_abm.engine.submodels``, one numba function per subsection of 7) and
the reference's (``tests/reference.py``, one plain-Python function per subsection) are compared
one by one. Every test draws an arbitrary valid state (:func:`tests.strategies.submodel_cases`)
together with arbitrary values for whatever the submodel reads from earlier phases of the step
(this month's decisions, effective capacities, votes, net results, ...), so that each submodel is
tested on inputs independent of the phases before it. The kernel submodel runs on arrays, the
reference submodel on dicts; they must agree to 1e-9, decisions, votes, counts and integer states
exactly. Workspace arrays a submodel writes are filled with a sentinel first, so that a missing
write shows.

The second half compiles, for every submodel with a ``prange`` loop, a tiny wrapper with
``parallel=True`` and checks that it gives the same arrays bit for bit as the serial call (numba
silently drops writes in a parallel loop to an array bound by tuple unpacking).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import pkgutil

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ics_abm.engine.submodels as submodels_package
from ics_abm.engine.jit import variants
from ics_abm.engine.state import SYSTEM_FIELDS, make_workspace
from ics_abm.engine.submodels.altruism import update_altruism
from ics_abm.engine.submodels.decision import decide
from ics_abm.engine.submodels.events import winter_decays
from ics_abm.engine.submodels.finance_options import investment, pool_results, sign_up, year_end
from ics_abm.engine.submodels.governance import commitment, count_votes, decision_outcome, open_hard_decision, vote
from ics_abm.engine.submodels.leadership import effective_capacity, leader_turnover, leaders_settle, leadership_capacity
from ics_abm.engine.submodels.local_authority import update_engagement
from ics_abm.engine.submodels.motives import motive_lenses, normalised_payoffs
from ics_abm.engine.submodels.narrative import update_beliefs
from ics_abm.engine.submodels.outcomes import book_results, payoffs
from ics_abm.engine.submodels.participation import count_active, inclusiveness, start_of_step
from ics_abm.engine.submodels.progress import record_outputs, system_balance, trust_after_finance
from ics_abm.engine.submodels.regulators import interventions, regulator_push
from ics_abm.engine.submodels.trust import update_trust
from ics_abm.metrics import METRICS
from tests import reference as ref
from tests.strategies import submodel_cases, to_arrays

TOLERANCE = 1e-9
_FLOAT_SENTINEL = -12345.678
_INT_SENTINEL = -7

#: Examples per submodel test: a third of the loaded profile's (tests/conftest.py: 50 under
#: "default", what CI runs; 1000 under "thorough"). Each example draws a whole system, and the
#: drawing, not the submodel, is what takes the time.
SUBMODEL_SETTINGS = settings(max_examples=max(30, settings.default.max_examples // 3))


# ---------------------------------------------------------------------------------------------
# The harness: one drawn case as the kernel's arrays and as the reference's dicts
# ---------------------------------------------------------------------------------------------


def _close(actual, expected, what):
    actual = float(actual)
    expected = float(expected)
    if math.isnan(expected):
        assert math.isnan(actual), f"{what}: kernel {actual!r}, reference NaN"
    else:
        assert math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE), f"{what}: kernel {actual!r} != reference {expected!r}"


def _equal(actual, expected, what):
    assert actual == expected, f"{what}: kernel {actual!r} != reference {expected!r}"


class Case:
    """One drawn case twice: the kernel's arrays (``orgs``, ``graph``, ``arcs``, ``params``,
    ``system``, ``ws``) and the reference's dicts (``ref_orgs``, ``ref_arcs``, ``ref_params``,
    ``ref_system``), with the drawn inputs of earlier phases in ``inputs``."""

    def __init__(self, case: dict):
        self.inputs = case
        self.nx = case["graph"]
        self.n = self.nx.number_of_nodes()
        self.key = case["key"]
        self.t = case["t"]
        self.orgs, self.graph, self.arcs, self.params, self.system, self.arc_keys = to_arrays(case)
        self.arc_position = {arc: k for k, arc in enumerate(self.arc_keys)}
        self.ws = make_workspace(self.n)
        for array in self.ws:
            array[...] = _INT_SENTINEL if array.dtype.kind == "i" else _FLOAT_SENTINEL
        self.arcs.action[:] = _INT_SENTINEL
        self.ref_orgs = copy.deepcopy(case["orgs"])
        self.ref_arcs = copy.deepcopy(case["arcs"])
        self.ref_params = case["params"]
        self.ref_system = dict(case["state"])

    def __repr__(self) -> str:  # hypothesis prints the drawn inputs of a failing case
        return f"Case({self.inputs!r})"

    # --- reference values derived from the drawn inputs ---------------------------------------

    @property
    def action(self) -> dict:
        return self.inputs["action"]

    @property
    def votes(self) -> dict:
        """The drawn votes as the reference holds them: ``{voter: supports}``."""
        return {i: v == 1 for i, v in self.inputs["votes"].items() if v >= 0}

    @property
    def outcome(self) -> tuple[bool, bool]:
        return self.inputs["outcome"] == "resolved", self.inputs["outcome"] == "broke_down"

    def n_active(self) -> int:
        return ref.reference_active_count(self.ref_orgs)

    # --- dicts -> arrays ------------------------------------------------------------------------

    def fill_orgs(self, array, values: dict):
        assert set(values) == set(range(self.n))
        for i, value in values.items():
            array[i] = value

    def fill_arcs(self, array, values: dict):
        assert set(values) == set(self.arc_position)
        for arc, value in values.items():
            array[self.arc_position[arc]] = value

    def set_orgs(self, field: str, values: dict):
        """Set an organisation field in both representations."""
        self.fill_orgs(getattr(self.orgs, field), values)
        for i, value in values.items():
            self.ref_orgs[i][field] = value

    def set_params(self, **overrides):
        """Override parameters in both representations (tuples by principal become arrays)."""
        self.ref_params = {**self.ref_params, **overrides}
        arrays = {name: np.array(value, dtype=np.float64) if isinstance(value, tuple) else value for name, value in overrides.items()}
        self.params = self.params._replace(**arrays)

    def set_system(self, name: str, value: float):
        self.system[SYSTEM_FIELDS.index(name)] = value
        self.ref_system[name] = value

    def load(self, *names: str):
        """Write drawn (or reference-derived) inputs into the workspace and arcs of the kernel."""
        ws = self.ws
        for name in names:
            if name in ("capacity", "push", "lens_a", "lens_b", "mean_trust", "net", "intervened"):
                self.fill_orgs(getattr(ws, name), self.inputs[name])
            elif name == "vote":
                self.fill_orgs(ws.vote, self.inputs["votes"])
            elif name == "belief":  # start-of-step beliefs (7.12)
                self.fill_orgs(ws.belief, {i: row["belief"] for i, row in self.ref_orgs.items()})
            elif name == "live":  # |L(i)| (7.10)
                self.fill_orgs(ws.live, {i: count for i, (_, count) in ref.reference_live_trust(self.nx, self.ref_orgs, self.ref_arcs).items()})
            elif name == "trust_sum":  # Σ trust' over L(i), for q̄' (7.13, 7.14)
                self.fill_orgs(ws.trust_sum, {i: total for i, (total, _) in ref.reference_live_trust(self.nx, self.ref_orgs, self.ref_arcs).items()})
            elif name == "collaboration":  # live arcs with c_k = 1 and with c_k·c_k' = 1
                collaborating, mutual = ref.reference_collaboration_counts(self.nx, self.ref_orgs, self.action)
                self.fill_orgs(ws.collaborating, collaborating)
                self.fill_orgs(ws.mutual, mutual)
            elif name == "action":
                self.fill_arcs(self.arcs.action, self.action)
            else:
                raise KeyError(name)

    # --- checks ---------------------------------------------------------------------------------

    def check_orgs(self, array, expected: dict, what: str, exact: bool = False):
        assert set(expected) == set(range(self.n)), f"{what}: the reference must give every organisation"
        for i, value in expected.items():
            (_equal if exact else _close)(array[i], value, f"{what} of {i}")

    def check_arcs(self, array, expected: dict, what: str, exact: bool = False):
        assert set(expected) == set(self.arc_position), f"{what}: the reference must give every arc"
        for arc, value in expected.items():
            (_equal if exact else _close)(array[self.arc_position[arc]], value, f"{what} on {arc}")

    def check_system(self, expected: dict):
        """Every system field: the reference's system with ``expected`` applied."""
        state = {**self.ref_system, **expected}
        for s, name in enumerate(SYSTEM_FIELDS):
            _close(self.system[s], state[name], f"system {name}")


def _cases(**kwargs):
    return submodel_cases(**kwargs).map(Case)


# ---------------------------------------------------------------------------------------------
# Phase 0: leader turnover (7.11), start of step (7.10), a hard decision opens (7.13), sign-up (7.15)
# ---------------------------------------------------------------------------------------------


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_leader_turnover(c):
    lead = int(c.ref_system["lead"])
    leader_turnover(c.orgs, c.graph, c.arcs, c.params, c.key, c.t, lead)
    experience, belief, trust = ref.reference_leader_turnover(c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, c.key, c.t, lead)
    c.check_orgs(c.orgs.experience, experience, "experience")
    c.check_orgs(c.orgs.belief, belief, "belief")
    c.check_arcs(c.arcs.trust, trust, "trust")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_start_of_step_and_count_active(c):
    start_of_step(c.orgs, c.graph, c.arcs, c.ws)
    n_active, stress_sum = count_active(c.orgs, c.params)
    start = ref.reference_start_of_step(c.nx, c.ref_orgs, c.ref_arcs)
    c.check_orgs(c.ws.live, start["live"], "live arcs", exact=True)
    c.check_orgs(c.ws.mean_trust, start["mean_trust"], "mean trust")
    c.check_orgs(c.ws.belief, start["belief"], "start-of-step belief", exact=True)
    _equal(n_active, start["n_active"], "active organisations")
    _close(stress_sum / n_active if n_active > 0 else 0.0, ref.reference_mean_stress(c.ref_orgs, c.ref_params), "mean stress")
    _close(inclusiveness(c.orgs), ref.reference_inclusiveness(c.ref_orgs), "inclusiveness")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_open_hard_decision(c):
    open_hard_decision(c.orgs, c.params, c.system, c.key, c.t, c.n_active())
    c.check_system(ref.reference_open_hard_decision(c.ref_orgs, c.ref_params, c.ref_system, c.key, c.t))


def _stress_total(c) -> float:
    """Σ σ_i over active organisations in index order (the ``stress_sum`` the kernel is handed)."""
    total = 0.0
    for i in range(c.n):
        row = c.ref_orgs[i]
        if row["active"] == 1.0:
            total = total + ref.reference_stress(row["balance"], row["budget"], c.ref_params)
    return total


@SUBMODEL_SETTINGS
@given(c=_cases(), year=st.integers(0, 800), year_start=st.booleans(), control_total=st.booleans(),
       share=st.sampled_from((None, 0.5, 1.0)))
def test_sign_up(c, year, year_start, control_total, share):
    # At a year start under a control total more often than drawn, and at shares a vote can hit.
    if year_start:
        c.t = 12 * year + 1
    if control_total:
        c.set_params(finance_regime=ref.CONTROL_TOTAL)
    if share is not None:
        c.set_params(signup_share=share)
    c.load("mean_trust")
    sign_up(c.orgs, c.params, c.ws, c.system, c.t, c.n_active(), _stress_total(c))
    expected = ref.reference_sign_up(c.ref_orgs, c.ref_params, c.inputs["mean_trust"], c.ref_system["signed_up"], c.t)
    c.check_system({"signed_up": expected})


# ---------------------------------------------------------------------------------------------
# Phase 1: capacity (7.11), push (7.5), motive lenses (7.1), leadership (7.11), votes (7.13)
# ---------------------------------------------------------------------------------------------


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_effective_capacity(c):
    winter = c.ref_system["winter"]
    effective_capacity(c.orgs, c.params, c.ws, winter)
    c.check_orgs(c.ws.capacity, ref.reference_effective_capacity(c.ref_orgs, c.ref_params, winter), "effective capacity")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_regulator_push(c):
    regulator_push(c.orgs, c.params, c.ws)
    c.check_orgs(c.ws.push, ref.reference_push(c.ref_orgs, c.ref_params), "push")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_normalised_payoffs_and_motive_lenses(c):
    I_R, I_S, I_T, I_P, _ = ref.reference_normalised_payoffs(c.ref_params)
    a_Y, b_Y = ref.reference_system_lens(c.ref_params)
    for actual, expected, what in zip(normalised_payoffs(c.params), (I_R, I_S, I_T, I_P, a_Y, b_Y), ("I_R", "I_S", "I_T", "I_P", "a_Y", "b_Y")):
        _close(actual, expected, what)
    c.load("belief")
    motive_lenses(c.orgs, c.params, c.ws, I_R, I_S, I_T, I_P)
    a_lens, b_lens = ref.reference_motive_lens(c.ref_orgs, c.ref_params)
    c.check_orgs(c.ws.lens_a, a_lens, "lens a")
    c.check_orgs(c.ws.lens_b, b_lens, "lens b")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_leadership_capacity(c):
    c.load("capacity")
    lead = int(c.ref_system["lead"])
    actual = leadership_capacity(c.orgs, c.params, c.ws, lead, c.n_active())
    expected = ref.reference_leadership_capacity(c.ref_orgs, c.ref_params, c.inputs["capacity"], lead)
    for a, e, what in zip(actual, expected, ("Σ h over active", "h of the lead", "H")):
        _close(a, e, what)


def _open_decision(c, open_one: bool, loser: int):
    """Open a hard decision (age 0, loser ``loser`` mod n) if asked and none is open: more often than drawn."""
    if open_one and c.n > 0 and c.ref_system["decision_open"] != 1.0:
        c.set_system("decision_open", 1.0)
        c.set_system("decision_age", 0.0)
        c.set_system("decision_loser", float(loser % c.n))
        c.set_system("decision_loss", 0.5)


@SUBMODEL_SETTINGS
@given(c=_cases(), open_one=st.booleans(), loser=st.integers(0, 100))
def test_vote(c, open_one, loser):
    _open_decision(c, open_one, loser)
    c.load("mean_trust", "belief")
    vote(c.orgs, c.params, c.ws, c.system, c.key, c.t, c.ref_system["safety"])
    votes = ref.reference_votes(c.ref_orgs, c.ref_params, c.ref_system, c.inputs["mean_trust"], c.key, c.t)
    c.check_orgs(c.ws.vote, {i: int(votes[i]) if i in votes else -1 for i in range(c.n)}, "vote", exact=True)


@SUBMODEL_SETTINGS
@given(c=_cases(), open_one=st.booleans(), loser=st.integers(0, 100))
def test_count_votes(c, open_one, loser):
    _open_decision(c, open_one, loser)
    c.load("vote")
    resolved, broke_down, latency = count_votes(c.params, c.ws, c.system)
    e_resolved, e_broke_down, e_latency, age = ref.reference_vote_count(c.ref_params, c.ref_system, c.votes)
    _equal(bool(resolved), e_resolved, "resolved")
    _equal(bool(broke_down), e_broke_down, "broke down")
    _close(latency, e_latency, "latency")
    c.check_system({"decision_age": age})


# ---------------------------------------------------------------------------------------------
# Phases 2-4b: decisions (7.2), payoffs (7.4, 7.15), trust and legacy (7.3, 7.7), the hard decision (7.13)
# ---------------------------------------------------------------------------------------------


@SUBMODEL_SETTINGS
@given(c=_cases(), all_at_table=st.booleans(), pooled=st.booleans(), quiet=st.booleans())
def test_decide(c, all_at_table, pooled, quiet):
    if quiet:
        # Small lens differences and pushes and no conflict, so that the terms of the shadow of
        # the future, the purpose pull and the system's weight decide more often than drawn.
        for name in ("lens_a", "lens_b", "push"):
            c.inputs[name] = {i: 0.05 * value for i, value in c.inputs[name].items()}
        c.set_params(conflict=0.0)
    if all_at_table:  # every arc decided, none gated (7.10): more often than drawn
        for field, value in (("active", 1.0), ("committed", 1.0), ("unwilling", 0.0)):
            c.set_orgs(field, dict.fromkeys(range(c.n), value))
        c.set_orgs("engagement", {i: max(1.0, row["engagement"]) for i, row in c.ref_orgs.items()})
    if pooled and c.ref_params["finance_regime"] != ref.POOLED:
        # 7.2, 7.15: the raised weight on the system's payoff α̃, more often than drawn; the lens
        # keeps S and T, the material matrix (not read here) is replaced.
        mean_off_diagonal = (c.ref_params["lens_sucker"] + c.ref_params["lens_temptation"]) / 2
        c.set_params(finance_regime=ref.POOLED, sucker=mean_off_diagonal, temptation=mean_off_diagonal,
                     pooled_system_weight=c.inputs["lead_capacity"])
    c.load("lens_a", "lens_b", "push", "belief", "capacity")
    I_R, _, _, I_P, _ = ref.reference_normalised_payoffs(c.ref_params)
    a_Y, b_Y = ref.reference_system_lens(c.ref_params)
    decide(c.orgs, c.graph, c.arcs, c.params, c.ws, c.key, c.t, a_Y, b_Y, I_R - I_P)
    expected = ref.reference_decisions(c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, c.inputs["lens_a"], c.inputs["lens_b"], c.inputs["push"],
                                       c.inputs["capacity"], c.key, c.t)
    c.check_arcs(c.arcs.action, expected, "decision", exact=True)


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_investment_and_payoffs(c):
    c.load("action")
    winter = c.ref_system["winter"]
    invest, invest_return = investment(c.params, c.t)
    payoffs(c.orgs, c.graph, c.arcs, c.params, c.ws, winter, invest, invest_return)
    pay = ref.reference_payoffs(c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, c.action)
    collaborating, mutual = ref.reference_collaboration_counts(c.nx, c.ref_orgs, c.action)
    c.check_orgs(c.ws.net, ref.reference_net_results(c.ref_orgs, c.ref_params, pay, winter, c.t), "net result")
    c.check_orgs(c.ws.collaborating, collaborating, "collaborating arcs", exact=True)
    c.check_orgs(c.ws.mutual, mutual, "mutual arcs", exact=True)


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_update_trust_with_legacy(c):
    c.load("action", "capacity")
    safety = c.ref_system["safety"]
    update_trust(c.orgs, c.graph, c.arcs, c.params, c.ws, safety)
    trust, memory = ref.reference_trust_update(c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, c.action, c.inputs["capacity"], safety)
    c.check_arcs(c.arcs.trust, trust, "trust")
    c.check_arcs(c.arcs.memory, memory, "memory")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_decision_outcome(c):
    resolved, broke_down = c.outcome
    if (resolved or broke_down) and c.ref_system["decision_open"] != 1.0:
        c.set_system("decision_open", 1.0)  # only an open decision resolves or breaks down
    decision_outcome(c.orgs, c.graph, c.arcs, c.params, c.system, resolved, broke_down)
    trust, fields = ref.reference_hard_decision_outcome(c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, c.ref_system, resolved, broke_down)
    c.check_arcs(c.arcs.trust, trust, "trust")
    c.check_system(fields)


# ---------------------------------------------------------------------------------------------
# Phase 5: pooling and balances (7.4, 7.15), the year end (7.15), trust after finance (7.8)
# ---------------------------------------------------------------------------------------------


@SUBMODEL_SETTINGS
@given(c=_cases(), pooled=st.booleans())
def test_pool_results_and_book_results(c, pooled):
    if pooled and c.ref_params["finance_regime"] != ref.POOLED:  # 7.15: partial pooling, more often than drawn
        c.set_params(finance_regime=ref.POOLED, pooled_share=c.inputs["lead_capacity"])
    c.load("net")
    pool_results(c.orgs, c.params, c.ws)
    book_results(c.orgs, c.ws)
    net = ref.reference_pooling(c.ref_orgs, c.ref_params, c.inputs["net"])
    c.check_orgs(c.ws.net, net, "net result")
    c.check_orgs(c.orgs.balance, ref.reference_balances(c.ref_orgs, net), "balance")


@SUBMODEL_SETTINGS
@given(c=_cases(), finance=st.sampled_from(("as drawn", "pooled", "signed control total")), generous=st.booleans(),
       cap=st.sampled_from((None, 0.0, 0.01)))
def test_year_end(c, finance, generous, cap):
    # Transfers need a pooled budget or a signed control total: more often than drawn; generous
    # givers (all of a surplus given) bring receivers back to balance, and so to funding, more often.
    if generous:
        c.set_params(transfer_share=1.0, sustainability_share=max(c.ref_params["sustainability_share"], 0.01))
        c.set_orgs("altruism", dict.fromkeys(range(c.n), 1.0))
    if finance == "pooled":
        mean_off_diagonal = (c.ref_params["lens_sucker"] + c.ref_params["lens_temptation"]) / 2  # 7.15: S~ = T~
        c.set_params(finance_regime=ref.POOLED, transfers=True, sucker=mean_off_diagonal, temptation=mean_off_diagonal)
    elif finance == "signed control total":
        c.set_params(finance_regime=ref.CONTROL_TOTAL, transfers=True)
        c.set_system("signed_up", 1.0)
    if cap is not None:  # 7.15: a surplus cap that binds on many organisations
        c.set_params(surplus_cap=cap)
    signed = c.ref_system["signed_up"] == 1.0
    given_total, funding, reinvested = year_end(c.orgs, c.graph, c.arcs, c.params, c.ws, signed)
    balance, year_balance, trust, e_given, e_funding, e_reinvested = ref.reference_year_end(c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, signed)
    c.check_orgs(c.orgs.balance, balance, "balance")
    c.check_orgs(c.orgs.year_balance, year_balance, "year balance")
    c.check_arcs(c.arcs.trust, trust, "trust")
    _close(given_total, e_given, "transfers")
    _close(funding, e_funding, "sustainability funding")
    _close(reinvested, e_reinvested, "reinvested")


# ---------------------------------------------------------------------------------------------
# Phases 6-11: interventions (7.5), altruism (7.6), beliefs (7.12), commitment (7.13),
# local authorities (7.14), leaders settle (7.11), winter decays (7.16)
# ---------------------------------------------------------------------------------------------


@SUBMODEL_SETTINGS
@given(c=_cases(), certain=st.booleans(), autonomy=st.sampled_from((None, 0.25, 0.5)))
def test_system_balance_and_interventions(c, certain, autonomy):
    if certain:  # every eligible organisation is intervened on with π_i = 1 − ε_A·M (7.5)
        c.set_params(rate=(1.0, 1.0, 0.0), intervention_threshold=1e-9)
    if autonomy is not None:  # interior values, where π_i is neither 0 nor ρ_r
        c.set_params(autonomy=autonomy)
    expected_balance = ref.reference_system_balance(c.ref_orgs)
    _close(system_balance(c.orgs), expected_balance, "system balance")
    pressure_before = c.orgs.pressure.copy()
    # The drawn start-of-step progress, then progress/P_M below, at and beyond full maturity.
    for maturity in (None, 0.5, 1.0, 2.0):
        progress = c.ref_system["progress"] if maturity is None else maturity * c.ref_params["maturity_progress"]
        c.orgs.pressure[:] = pressure_before
        interventions(c.orgs, c.params, c.ws, c.key, c.t, expected_balance, progress)
        intervened, pressure = ref.reference_interventions(c.ref_orgs, c.ref_params, c.key, c.t, progress)
        c.check_orgs(c.ws.intervened, intervened, f"intervened at progress {progress}", exact=True)
        c.check_orgs(c.orgs.pressure, pressure, f"pressure at progress {progress}")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_update_altruism(c):
    c.load("live", "collaboration")
    update_altruism(c.orgs, c.params, c.ws)
    c.check_orgs(c.orgs.altruism, ref.reference_altruism(c.nx, c.ref_orgs, c.ref_params, c.action), "altruism")


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_update_beliefs(c):
    c.load("belief", "capacity", "live", "action")
    lead_capacity = c.inputs["lead_capacity"]
    mean_stress = c.inputs["mean_stress"]
    inclusive = c.inputs["inclusive"]
    update_beliefs(c.orgs, c.graph, c.arcs, c.params, c.ws, lead_capacity, mean_stress, inclusive)
    expected = ref.reference_beliefs(c.nx, c.ref_orgs, c.ref_params, c.action, c.inputs["capacity"], lead_capacity, mean_stress, inclusive)
    c.check_orgs(c.orgs.belief, expected, "belief")


@SUBMODEL_SETTINGS
@given(c=_cases(), informal_conditional=st.booleans())
def test_commitment(c, informal_conditional):
    if informal_conditional:  # the only regime in which commitment moves: more often than drawn
        c.set_params(conditional=True, statutory=False)
    c.load("live", "trust_sum", "vote")
    _, broke_down = c.outcome
    commitment(c.orgs, c.params, c.ws, broke_down)
    mean_trust_after = ref.reference_mean_trust(c.nx, c.ref_orgs, c.ref_arcs)
    expected = ref.reference_commitment(c.ref_orgs, c.ref_params, mean_trust_after, c.votes, broke_down)
    c.check_orgs(c.orgs.committed, expected, "committed", exact=True)


@SUBMODEL_SETTINGS
@given(c=_cases(), dynamic=st.booleans(), councils=st.one_of(st.none(), st.lists(st.integers(0, 3), min_size=8, max_size=8)))
def test_update_engagement(c, dynamic, councils):
    # Only local authorities move, and only when engagement is dynamic: more often than drawn
    # (``councils``: every organisation a local authority, in the engagement states given).
    if dynamic:
        c.set_params(la_dynamic=True)
    if councils is not None:
        c.set_orgs("kind", dict.fromkeys(range(c.n), ref.LOCAL_AUTHORITY))
        c.set_orgs("engagement", {i: float(councils[i]) for i in range(c.n)})
    c.load("live", "trust_sum")
    update_engagement(c.orgs, c.params, c.ws)
    political, engagement = ref.reference_engagement(c.ref_orgs, c.ref_params, ref.reference_mean_trust(c.nx, c.ref_orgs, c.ref_arcs))
    c.check_orgs(c.orgs.political, political, "political pressure")
    c.check_orgs(c.orgs.engagement, engagement, "engagement", exact=True)


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_leaders_settle_and_winter_decays(c):
    winter = c.ref_system["winter"]
    leaders_settle(c.orgs, c.params)
    winter_decays(c.params, c.system, winter)
    c.check_orgs(c.orgs.experience, ref.reference_leaders_settle(c.ref_orgs, c.ref_params), "experience")
    c.check_system({"winter": ref.reference_winter_decays(c.ref_params, winter)})


# ---------------------------------------------------------------------------------------------
# Phase 12: trust after finance, integration progress and the outputs (7.8)
# ---------------------------------------------------------------------------------------------


@SUBMODEL_SETTINGS
@given(c=_cases())
def test_trust_after_finance_and_record_outputs(c):
    c.load("action", "live", "collaboration", "net", "intervened")
    resolved, broke_down = c.outcome
    trust_after_finance(c.orgs, c.graph, c.arcs, c.ws)
    live_trust = ref.reference_live_trust(c.nx, c.ref_orgs, c.ref_arcs)
    c.check_orgs(c.ws.trust_sum, {i: total for i, (total, _) in live_trust.items()}, "Σ trust' over live arcs")

    capacity = c.inputs["capacity"]
    capacity_active, _, _ = ref.reference_leadership_capacity(c.ref_orgs, c.ref_params, capacity, int(c.ref_system["lead"]))
    month = c.inputs["monthly"]
    monthly = np.array(
        (system_balance(c.orgs), month["transfers"], month["sustainability_funding"], month["decision_latency"],
         month["winter_pressure"], month["safety"], month["leadership_capacity"], capacity_active, month["reinvested"])
    )
    out = np.full(len(METRICS), _FLOAT_SENTINEL)
    kind_trust = np.full((6, 6), _FLOAT_SENTINEL)
    size = 2.0 * c.ref_system["decision_loss"]  # 7.13: the size of the decision that closed
    record_outputs(c.orgs, c.params, c.ws, c.system, monthly, resolved, broke_down, size, out, kind_trust)
    progress, outputs = ref.reference_outputs(
        c.nx, c.ref_orgs, c.ref_arcs, c.ref_params, c.ref_system, c.action, c.inputs["net"], c.inputs["intervened"],
        capacity, month, resolved, broke_down, size,
    )
    assert set(outputs) - {"trust_by_kind"} == set(METRICS)
    for column, name in enumerate(METRICS):
        _close(out[column], outputs[name], name)
    for a in range(6):
        for b in range(6):
            _close(kind_trust[a, b], outputs["trust_by_kind"][a][b], f"trust from kind {a} to {b}")
    c.check_system({"progress": progress})


# ---------------------------------------------------------------------------------------------
# Serial and parallel=True compilations of every submodel with a prange loop: bit for bit
# ---------------------------------------------------------------------------------------------


def _random_case(seed: int, n: int = 40, edges: int = 160) -> dict:
    """A fixed medium system with every mechanism switched on, in the form of ``submodel_cases``."""
    rng = np.random.default_rng(seed)
    graph = nx.gnm_random_graph(n, edges, seed=seed)
    orgs = {}
    for i in range(n):
        kind = int(rng.integers(6))
        budget = float(rng.uniform(1.0, 500.0))
        balance = float(rng.uniform(-0.1, 0.1)) * budget
        unwilling = float(rng.random() < 0.1)
        orgs[i] = {
            "kind": kind, "principal": int(rng.integers(3)), "budget": budget, "balance": balance,
            "cost_pressure": float(rng.uniform(-0.1, 0.1)), "power": float(rng.random()), "affiliation": float(rng.random()),
            "achievement": float(rng.random()) + 0.01, "altruism": float(rng.random()), "capacity": float(rng.random()),
            "pressure": float(rng.random()), "gain_rate": float(rng.random()), "loss_rate": float(rng.random()),
            "active": float(rng.random() < 0.9), "committed": 0.0 if unwilling else float(rng.random() < 0.8),
            "unwilling": unwilling, "engagement": float(rng.integers(4)) if kind == 4 else 2.0,
            "political": float(rng.random()) if kind == 4 else 0.0, "belief": float(rng.random()),
            "experience": float(rng.random()), "year_balance": balance - float(rng.uniform(-0.1, 0.1)) * budget,
        }
    arcs = {}
    for i, j in graph.edges:
        stake = float(rng.uniform(0.0, 2.0))
        for arc in ((i, j), (j, i)):
            arcs[arc] = {"trust": float(rng.random()), "distance": float(rng.random()), "memory": float(rng.random()), "stake": stake}
    unit = {"capacity_cost": 0.5, "pressure_decay": 0.8, "progress_decay": 0.02, "concentration": 0.5, "turnover_trust_loss": 0.2,
            "newcomer_penalty": 0.5, "settling_rate": 0.1, "narrative_initial": 0.3, "build_rate": 0.05, "convergence": 0.3,
            "confidence_bound": 0.5, "narrative_decay": 0.01, "distance_drag": 0.5, "memory_retention": 0.9, "altruism_growth": 0.05,
            "altruism_erosion": 0.05, "support_threshold": 0.2, "majority": 0.5, "resolved_trust_gain": 0.1, "breakdown_trust_loss": 0.05,
            "commitment_trust_threshold": 0.4, "commitment_stress_threshold": 0.5, "reengage_margin": 0.05, "political_baseline": 0.2,
            "political_decay": 0.1, "absent_threshold": 0.1, "partner_threshold": 0.2, "full_threshold": 0.3, "linked_share": 0.5,
            "sustainability_share": 0.01, "risk_tolerance": 0.5, "signup_share": 0.75, "transfer_share": 0.5,
            "transfer_trust_gain": 0.2, "winter_capacity_loss": 0.5, "winter_cost": 0.02, "winter_decay": 0.7}
    params = {
        **unit, "reward": 2.0, "sucker": -1.0, "temptation": 3.0, "punishment": 0.0, "noise": 0.1, "legacy_weight": 0.5,
        "stress_scale": 0.05, "stress_weight": 0.1, "strength": (0.3, 0.2, 0.0), "focus": (0.2, 0.35, 0.0), "rate": (0.5, 0.5, 0.0),
        "conflict": 1.0, "intervention_threshold": 0.02, "intervention_push": 1.0, "system_assessment": False,
        "turnover_rate": 0.3, "statutory": False, "decision_rate": 0.5, "patience": 3, "narrative_weight": 0.3,
        "safety_weight": 0.3, "loss_weight": 0.5, "vote_noise": 0.2, "deliberation": 0.1, "resolved_progress": 1.0, "conditional": True,
        "la_dynamic": True, "political_weight": 0.5, "finance_regime": 1, "transfers": True, "invest_share": 0.01,
        "invest_return": 2.0, "invest_lag": 6, "invest_months": 12,
        "lens_sucker": -1.0, "lens_temptation": 3.0, "crowding_out": 0.3, "future_weight": 0.2, "purpose_weight": 0.3, "socialised_power": 0.5,
        "contact_rate": 0.03, "safety_buffer": 0.5, "lead_trust_loss": 0.2, "autonomy": 0.8, "maturity_progress": 20.0, "burning_platform": 0.02, "pooled_share": 0.0,
        "pooled_system_weight": 0.0, "surplus_cap": 0.02,
    }
    state = {"progress": 2.0, "winter": 0.4, "safety": 0.3, "signed_up": 1.0, "decision_open": 1.0, "decision_age": 1.0,
             "decision_loser": 3.0, "decisions_resolved": 1.0, "decisions_failed": 2.0, "lead": 0.0, "decision_loss": 0.5}
    votes = {i: (-1 if row["active"] != 1.0 or row["engagement"] < 2.0 else (int(rng.integers(2)) if row["committed"] == 1.0 else 0))
             for i, row in orgs.items()}
    return {
        "graph": graph, "orgs": orgs, "arcs": arcs, "params": params, "state": state, "key": 12345, "t": 12,
        "action": {arc: int(rng.integers(2)) for arc in sorted(arcs)},
        "capacity": {i: float(rng.random()) for i in range(n)},
        "push": {i: float(rng.uniform(-0.3, 0.3)) for i in range(n)},
        "lens_a": {i: float(rng.uniform(-0.3, 0.3)) for i in range(n)},
        "lens_b": {i: float(rng.uniform(-0.3, 0.3)) for i in range(n)},
        "mean_trust": {i: float(rng.random()) for i in range(n)},
        "net": {i: float(rng.uniform(-5.0, 5.0)) for i in range(n)},
        "intervened": {i: int(rng.integers(2)) for i in range(n)},
        "votes": votes, "outcome": "broke_down", "lead_capacity": 0.4, "mean_stress": 0.3, "inclusive": 0.8,
        "monthly": {},
    }


def _parallel_case(seed: int = 3) -> Case:
    c = Case(_random_case(seed))
    c.load("capacity", "push", "lens_a", "lens_b", "mean_trust", "net", "intervened", "vote", "belief", "live", "trust_sum",
           "collaboration", "action")
    return c


def _lenses(c):
    return normalised_payoffs(c.params)[:4]


def _system_lens(c):
    return normalised_payoffs(c.params)[4:]


def _future(c):
    i_r, _, _, i_p = _lenses(c)
    return i_r - i_p


# One closure-free wrapper per submodel with a prange loop, with the submodel's own parameters:
# compiled with parallel=True (and the engine's cache, so that a warm run does not recompile),
# the submodel's prange loop becomes a parallel loop of the wrapper, as in the step.


def _start_of_step(orgs, graph, arcs, ws):
    start_of_step(orgs, graph, arcs, ws)


def _effective_capacity(orgs, params, ws, winter):
    effective_capacity(orgs, params, ws, winter)


def _leaders_settle(orgs, params):
    leaders_settle(orgs, params)


def _regulator_push(orgs, params, ws):
    regulator_push(orgs, params, ws)


def _motive_lenses(orgs, params, ws, i_r, i_s, i_t, i_p):
    motive_lenses(orgs, params, ws, i_r, i_s, i_t, i_p)


def _vote(orgs, params, ws, system, key, t, safety):
    vote(orgs, params, ws, system, key, t, safety)


def _decide(orgs, graph, arcs, params, ws, key, t, a_sys, b_sys, future):
    decide(orgs, graph, arcs, params, ws, key, t, a_sys, b_sys, future)


def _payoffs(orgs, graph, arcs, params, ws, winter, invest, invest_return):
    payoffs(orgs, graph, arcs, params, ws, winter, invest, invest_return)


def _update_trust(orgs, graph, arcs, params, ws, safety):
    update_trust(orgs, graph, arcs, params, ws, safety)


def _trust_after_finance(orgs, graph, arcs, ws):
    trust_after_finance(orgs, graph, arcs, ws)


def _interventions(orgs, params, ws, key, t, system_balance, progress):
    interventions(orgs, params, ws, key, t, system_balance, progress)


def _update_altruism(orgs, params, ws):
    update_altruism(orgs, params, ws)


def _update_beliefs(orgs, graph, arcs, params, ws, lead_capacity, mean_stress, inclusive):
    update_beliefs(orgs, graph, arcs, params, ws, lead_capacity, mean_stress, inclusive)


def _commitment(orgs, params, ws, broke_down):
    commitment(orgs, params, ws, broke_down)


def _update_engagement(orgs, params, ws):
    update_engagement(orgs, params, ws)


#: Each submodel with a prange loop: (the submodel, its wrapper, its arguments on a prepared Case).
PARALLEL_CALLS = {
    "start_of_step": (start_of_step, _start_of_step, lambda c: (c.orgs, c.graph, c.arcs, c.ws)),
    "effective_capacity": (effective_capacity, _effective_capacity, lambda c: (c.orgs, c.params, c.ws, 0.4)),
    "leaders_settle": (leaders_settle, _leaders_settle, lambda c: (c.orgs, c.params)),
    "regulator_push": (regulator_push, _regulator_push, lambda c: (c.orgs, c.params, c.ws)),
    "motive_lenses": (motive_lenses, _motive_lenses, lambda c: (c.orgs, c.params, c.ws, *_lenses(c))),
    "vote": (vote, _vote, lambda c: (c.orgs, c.params, c.ws, c.system, c.key, c.t, 0.3)),
    "decide": (decide, _decide, lambda c: (c.orgs, c.graph, c.arcs, c.params, c.ws, c.key, c.t, *_system_lens(c), _future(c))),
    "payoffs": (payoffs, _payoffs, lambda c: (c.orgs, c.graph, c.arcs, c.params, c.ws, 0.4, *investment(c.params, 7))),
    "update_trust": (update_trust, _update_trust, lambda c: (c.orgs, c.graph, c.arcs, c.params, c.ws, 0.4)),
    "trust_after_finance": (trust_after_finance, _trust_after_finance, lambda c: (c.orgs, c.graph, c.arcs, c.ws)),
    "interventions": (interventions, _interventions, lambda c: (c.orgs, c.params, c.ws, c.key, c.t, -1.0, 5.0)),
    "update_altruism": (update_altruism, _update_altruism, lambda c: (c.orgs, c.params, c.ws)),
    "update_beliefs": (update_beliefs, _update_beliefs, lambda c: (c.orgs, c.graph, c.arcs, c.params, c.ws, 0.4, 0.3, 0.8)),
    "commitment": (commitment, _commitment, lambda c: (c.orgs, c.params, c.ws, True)),
    "update_engagement": (update_engagement, _update_engagement, lambda c: (c.orgs, c.params, c.ws)),
}


def _prange_submodels() -> set[str]:
    """Every public function of ``ics_abm.engine.submodels`` whose source has a ``prange`` loop."""
    found = set()
    for module_info in pkgutil.iter_modules(submodels_package.__path__):
        module = importlib.import_module(f"{submodels_package.__name__}.{module_info.name}")
        for name in getattr(module, "__all__", ()):
            function = getattr(getattr(module, name), "py_func", None)
            if function is not None and "prange(" in inspect.getsource(function):
                found.add(name)
    return found


def test_every_submodel_with_a_prange_loop_has_a_parallel_check():
    assert _prange_submodels() == set(PARALLEL_CALLS)
    for name, (submodel, wrapper, _) in PARALLEL_CALLS.items():
        # The wrapper passes the submodel's own parameters straight through.
        parameters = list(inspect.signature(submodel.py_func).parameters)
        assert list(inspect.signature(wrapper).parameters) == parameters, name
        assert f"{name}({', '.join(parameters)})" in inspect.getsource(wrapper), name


def _arrays(c):
    named = [(f"orgs.{f}", a) for f, a in c.orgs._asdict().items()] + [(f"arcs.{f}", a) for f, a in c.arcs._asdict().items()]
    named += [(f"ws.{f}", a) for f, a in c.ws._asdict().items()] + [("system", c.system)]
    return named


@pytest.mark.parametrize("name", sorted(PARALLEL_CALLS))
def test_parallel_compilation_is_bit_identical(name):
    submodel, wrapper, arguments = PARALLEL_CALLS[name]
    serial, parallel, before = _parallel_case(), _parallel_case(), _parallel_case()
    submodel(*arguments(serial))
    variants(wrapper).parallel(*arguments(parallel))
    wrote = False
    for (what, s), (_, p), (_, b) in zip(_arrays(serial), _arrays(parallel), _arrays(before)):
        assert s.dtype == p.dtype and s.shape == p.shape, what
        assert s.tobytes() == p.tobytes(), f"{name}: {what} differs between the serial and the parallel=True compilation"
        wrote = wrote or s.tobytes() != b.tobytes()
    assert wrote, f"{name}: the fixed case does not exercise the submodel (nothing changed)"
