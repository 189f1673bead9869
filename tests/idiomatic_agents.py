"""The organisations of :mod:`tests.idiomatic_mesa`: ``mesa.Agent`` subclasses whose state is their
own attributes and whose relationships are a dict ``partner -> Tie``.

Each method is one organisation's part of a submodel of docs/model.md section 7, written as a Mesa
user would write it: the organisation reads its own attributes, its ties and its partners'
attributes. The pure scalar formulas shared with the test oracle (the stress of 7.5, the loss rate
of 7.3, the counter-based uniform of 7.9, ...) are imported from :mod:`tests.reference`, so the
rules are written once; the state and the iteration are the agents'.
"""

from __future__ import annotations

import math

import mesa

from tests.reference import (
    clip,
    reference_conflict,
    reference_engagement_weight,
    reference_loss_rate,
    reference_memory,
    reference_omega,
    reference_stress,
)

__all__ = ["Tie", "Organisation", "LocalAuthority", "STATE"]

#: The organisation state of docs/model.md 2.1, one attribute each (``ics_abm.engine.state.Organisations``).
STATE = ("kind", "principal", "budget", "balance", "cost_pressure", "power", "affiliation", "achievement", "altruism",
         "capacity", "pressure", "gain_rate", "loss_rate", "active", "committed", "unwilling", "engagement",
         "political", "belief", "experience", "year_balance")


def logistic(u: float) -> float:
    """A standard logistic variate from a uniform in (0, 1) (7.2, 7.13)."""
    return math.log(u) - math.log(1 - u)


class Tie:
    """One direction of a relationship (an arc of 7.0), owned by its source organisation."""

    __slots__ = ("owner", "partner", "index", "trust", "distance", "memory", "stake", "action", "reverse")

    def __init__(self, owner, partner, index: int, trust: float, distance: float, memory: float, stake: float):
        self.owner, self.partner, self.index = owner, partner, index  # index: the arc's number in 7.9's streams
        self.trust, self.distance, self.memory, self.stake = trust, distance, memory, stake
        self.action = 0
        self.reverse: Tie | None = None  # the partner's tie back


class Organisation(mesa.Agent):
    """An organisation of the integrated care system (docs/model.md 2.1)."""

    def __init__(self, model, index: int, **state):
        super().__init__(model)
        self.index = index
        for name in STATE:
            setattr(self, name, state[name])
        self.ties: dict[Organisation, Tie] = {}  # partner -> tie, partners in index order
        self.live: list[Tie] = []
        self.mean_trust = 0.0
        self.h = self.push = self.a_lens = self.b_lens = self.pay = self.net = 0.0
        self.intervened = 0
        self.next_belief = self.belief
        self.year_result = self.given = self.received = 0.0

    # -- 7.10 who takes part ---------------------------------------------------------------
    @property
    def at_table(self) -> bool:
        return self.active == 1.0 and self.committed == 1.0 and self.engagement >= 1

    @property
    def stress(self) -> float:
        return reference_stress(self.balance, self.budget, self.model.params)

    def observe(self) -> None:
        """7.10: the live ties and the mean trust over them (``q̄_i``)."""
        self.live = [tie for tie in self.ties.values() if tie.partner.active == 1.0] if self.active == 1.0 else []
        total = 0.0
        for tie in self.live:
            total = total + tie.trust
        self.mean_trust = total / len(self.live) if self.live else 0.0

    # -- phase 0: 7.11 leader turnover --------------------------------------------------------
    def lose_leader(self) -> None:
        """7.11: the leader leaves; the lead organisation's departure shakes every live relationship."""
        p = self.model.params
        if self.index == self.model.lead:
            loss = p["concentration"] * p["lead_trust_loss"] * self.experience
            for organisation in self.model.agents:
                for tie in organisation.ties.values():
                    if organisation.active == 1.0 and tie.partner.active == 1.0:
                        tie.trust = (1 - loss) * tie.trust
        self.experience = 0.0
        self.belief = p["narrative_initial"]
        for tie in self.ties.values():
            tie.trust = (1 - p["turnover_trust_loss"]) * tie.trust
            tie.reverse.trust = (1 - p["turnover_trust_loss"]) * tie.reverse.trust

    # -- phase 1: derived quantities (7.1, 7.5, 7.11) and the vote (7.13) ----------------------
    def derive(self, winter: float) -> None:
        """``h_i`` (7.11), ``Δ_i`` (7.5) and the motive lens ``a_i``, ``b_i`` (7.1)."""
        p, m = self.model.params, self.model
        self.h = self.capacity * (1 - p["capacity_cost"] * self.pressure) * (1 - p["winter_capacity_loss"] * winter) * (
            1 - p["newcomer_penalty"] * (1 - self.experience))
        s_r, phi_r = p["strength"][self.principal], p["focus"][self.principal]
        self.push = s_r * (phi_r - (1 - phi_r) * (1 + p["intervention_push"] * self.pressure)) - p["stress_weight"] * self.stress
        channelled = p["socialised_power"] * self.belief * self.power
        omega = reference_omega(self.power - channelled, self.affiliation, self.achievement + channelled)
        self.a_lens = -((m.I_R - omega) ** 2) - -((m.I_T - omega) ** 2)
        self.b_lens = -((m.I_S - omega) ** 2) - -((m.I_P - omega) ** 2)

    def vote(self) -> bool:
        """7.13: support the open hard decision?"""
        if self.committed != 1.0:
            return False
        p, m = self.model.params, self.model
        is_loser = 1.0 if self.index == m.decision_loser else 0.0
        support = ((self.mean_trust - p["support_threshold"]) + p["narrative_weight"] * (self.belief - 0.5) + p["safety_weight"] * m.safety
                   + p["deliberation"] * m.decision_age - p["loss_weight"] * m.decision_loss * (1 - self.altruism) * is_loser)
        if p["vote_noise"] != 0:
            support = support + p["vote_noise"] * logistic(m.uniform(self.index, 4, m.steps - int(m.decision_age)))
        return support > 0

    # -- phase 2: 7.2 decisions ----------------------------------------------------------------
    def decide(self) -> None:
        """7.2, 7.10: collaborate (1) or act for itself (0) on every tie."""
        p, m = self.model.params, self.model
        for tie in self.ties.values():
            tie.action = 0
        if not self.at_table:
            return
        alpha = self.altruism + m.w_P * (1 - self.altruism)
        crowding = p["crowding_out"] * (1 - self.h)
        for tie in self.live:
            q = tie.trust
            advantage = ((1 - alpha) * (q * self.a_lens + (1 - q) * self.b_lens) + alpha * (q * m.a_Y + (1 - q) * m.b_Y)
                         + p["future_weight"] * q * (m.I_R - m.I_P) + p["purpose_weight"] * (self.belief - 0.5) + self.push
                         + reference_conflict(p, self.principal, tie.partner.principal))
            if p["noise"] != 0:
                advantage = advantage + p["noise"] * logistic(m.uniform(tie.index, 0))
            collaborate = advantage > 0
            if collaborate and crowding > 0 and m.uniform(tie.index, 5) < crowding:
                collaborate = False  # crowded out by the day job
            tie.action = 1 if collaborate else 0

    # -- phase 3: 7.4, 7.15 payoffs and the month's net result ---------------------------------
    def collect_payoffs(self, winter: float, invest: float, returns: float) -> None:
        p, m = self.model.params, self.model
        total = 0.0
        for tie in self.live:
            total = total + tie.stake * m.payoff(tie.action, tie.reverse.action)
        self.pay = total
        B = self.budget
        self.net = (total - B * self.cost_pressure / 12 - p["winter_cost"] * winter * B / 12 - p["invest_share"] * B / 12 * invest
                    + p["invest_return"] * p["invest_share"] * B / 12 * returns) if self.active == 1.0 else 0.0

    # -- phase 4: 7.3, 7.7 trust and memory ----------------------------------------------------
    def update_trust(self, safety: float) -> None:
        p = self.model.params
        for tie in self.live:
            partner = tie.partner
            together = min(self.h, partner.h)
            reached = 1 - p["distance_drag"] * tie.distance
            e = tie.reverse.action
            q = tie.trust
            if e == 1:
                q = q + self.gain_rate * reached * together * (1 - q)
            else:
                q = q - reference_loss_rate(p, self.loss_rate, together, tie.memory, safety) * q
            if self.at_table and partner.at_table:
                q = q + p["contact_rate"] * reached * together * (1 - q)
            tie.trust = q
            tie.memory = reference_memory(p, tie.memory, e)

    # -- phase 5: 7.15 year-end transfers --------------------------------------------------------
    def give(self, raised: list) -> float:
        """7.15: a surplus organisation gives part of its year result to partners in deficit."""
        y = self.year_result
        if not y > 0:
            return 0.0
        offer = self.model.params["transfer_share"] * self.altruism * y
        in_deficit = [tie for tie in self.live if tie.partner.year_result < 0]
        deficit = sum(-tie.partner.year_result for tie in in_deficit)
        if deficit == 0 or offer == 0 or all(tie.trust == 0 for tie in in_deficit):
            return 0.0
        amounts = [(tie, offer * tie.trust * (-tie.partner.year_result) / deficit) for tie in in_deficit]
        self.given = sum(amount for _, amount in amounts)
        for tie, amount in amounts:
            if amount > 0:
                tie.partner.received = tie.partner.received + amount
                raised.append(tie.reverse)
        return self.given

    # -- phases 6-11 ----------------------------------------------------------------------------
    def face_regulator(self, system_balance: float, maturity: float) -> None:
        """7.5: an organisation in deficit may be intervened on; pressure decays otherwise."""
        p, m = self.model.params, self.model
        rho = p["rate"][self.principal]
        eligible = rho > 0 and self.balance < 0 and (not p["system_assessment"] or system_balance < 0)
        self.intervened = 0
        if eligible:
            chance = rho * (1 - p["autonomy"] * maturity) * min(1.0, (-self.balance / self.budget) / p["intervention_threshold"])
            self.intervened = 1 if m.uniform(self.index, 1) < chance else 0
        self.pressure = 1.0 if self.intervened == 1 else p["pressure_decay"] * self.pressure

    def update_altruism(self) -> None:
        """7.6: mutual collaboration grows the system hat; pressure and stress wear it down."""
        p = self.model.params
        mutual = sum(1 for tie in self.live if tie.action == 1 and tie.reverse.action == 1)
        w = mutual / len(self.live) if self.live else 0.0
        alpha = self.altruism
        self.altruism = alpha + p["altruism_growth"] * (1 - alpha) * w - p["altruism_erosion"] * alpha * max(self.pressure, self.stress)

    def plan_belief(self, h_lead: float, mean_stress: float, inclusive: float) -> None:
        """7.12, first pass: the new belief from start-of-step beliefs (applied by :meth:`adopt_belief`)."""
        p = self.model.params
        x = self.belief
        build = ((p["build_rate"] * ((1 - p["concentration"]) * self.h + p["concentration"] * h_lead) + p["burning_platform"] * mean_stress)
                 * inclusive * reference_engagement_weight(self.engagement) * self.committed * (1 - x))
        close = 0.0
        for tie in self.live:
            x_j = tie.partner.belief
            if tie.action * tie.reverse.action == 1 and abs(x_j - x) < p["confidence_bound"]:
                close = close + (x_j - x)
        mix = (p["convergence"] / len(self.live)) * close if self.live else 0.0
        self.next_belief = clip(x + build + mix - p["narrative_decay"] * x, 0.0, 1.0)

    def adopt_belief(self) -> None:
        self.belief = self.next_belief

    def review_commitment(self) -> None:
        """7.13: conditional commitment (informal governance), from trust after the month's finance."""
        p = self.model.params
        if self.unwilling == 1.0:
            return
        if self.committed == 1.0:
            if self.mean_trust < p["commitment_trust_threshold"] or self.stress > p["commitment_stress_threshold"]:
                self.committed = 0.0
        elif self.mean_trust >= p["commitment_trust_threshold"] + p["reengage_margin"] and self.stress <= p["commitment_stress_threshold"]:
            self.committed = 1.0

    def engage(self) -> None:
        """7.14: only local authorities change their engagement."""

    def settle(self) -> None:
        """7.11: a new leader settles in."""
        self.experience = self.experience + self.model.params["settling_rate"] * (1 - self.experience)


class LocalAuthority(Organisation):
    """A local authority: outside the NHS, its engagement follows trust and political pressure (7.14)."""

    def engage(self) -> None:
        p = self.model.params
        self.political = self.political + p["political_decay"] * (p["political_baseline"] - self.political)
        score = self.mean_trust - p["political_weight"] * self.political
        if not p["la_dynamic"]:
            return
        if self.engagement == 3:
            self.engagement = 3.0 if score >= p["partner_threshold"] else 1.0
        elif score < p["absent_threshold"]:
            self.engagement = 0.0
        elif score < p["full_threshold"]:
            self.engagement = 1.0
        else:
            self.engagement = 2.0
