"""The rules of docs/model.md section 7 as an idiomatic Mesa 3 model (issue 16).

What a Mesa user would write: organisations are ``mesa.Agent`` subclasses
(:mod:`tests.idiomatic_agents`) holding their state as attributes and their relationships as a
dict ``partner -> Tie``; the model steps them through ``model.agents`` / AgentSet operations
(``shuffle_do`` where the order cannot matter, ``do`` in index order where 7.0 fixes it,
``select`` for the active organisations, ``agents_by_type`` for the local authorities), one method
per phase of 7.0; a ``mesa.DataCollector`` records the system table of 7.8. Random numbers are
the kernel's counter-based uniforms (7.9), so the outputs can be checked against
``ics_abm.experiments.batch.system_table`` (``tests/test_idiomatic_mesa.py``), and the initial
state is drawn from ``self.rng`` by the project's one builder (6.1), as ``ICSModel`` draws it.

Not covered: scheduled events (7.16), which act between steps; a scenario with events is refused.

    model = IdiomaticICS(load_scenario("scenarios/default.toml"), seed=0)
    for _ in range(120):
        model.step()
    table = model.datacollector.get_model_vars_dataframe()
"""

from __future__ import annotations

import math

import mesa

from ics_abm.engine.graph import arc_sources
from ics_abm.engine.initial import StateTemplate
from ics_abm.metrics import METRICS
from tests.idiomatic_agents import STATE, LocalAuthority, Organisation, Tie
from tests.reference import (
    CONTROL_TOTAL,
    LOCAL_AUTHORITY,
    POOLED,
    reference_integration_progress,
    reference_maturity,
    reference_normalised_payoffs,
    reference_payoff_matrix,
    reference_system_lens,
    reference_uniform,
)

__all__ = ["IdiomaticICS"]


def _mean(values: list) -> float:
    return sum(values) / len(values) if values else math.nan


class IdiomaticICS(mesa.Model):
    """An integrated care system of organisations (docs/model.md), one month per ``step()``."""

    def __init__(self, scenario, seed: int):
        super().__init__(rng=seed)
        if scenario.events:
            raise ValueError("IdiomaticICS does not apply scheduled events (7.16)")
        initial = StateTemplate(scenario).build(self.rng)  # 6.1: every set-up draw from the model's generator
        params = initial.params._asdict()
        for name in ("strength", "focus", "rate"):
            params[name] = tuple(float(x) for x in params[name])
        self.params = params
        self.key = initial.key
        for name, value in zip(("progress", "winter", "safety", "signed_up", "decision_open", "decision_age", "decision_loser",
                                "decisions_resolved", "decisions_failed", "lead", "decision_loss"), initial.system.tolist()):
            setattr(self, name, value)
        self.lead = int(self.lead)
        self.decision_loser = int(self.decision_loser)
        # 7.1, 7.2, 7.4: the payoffs as the lens sees them and as they are paid.
        self.I_R, self.I_S, self.I_T, self.I_P, _ = reference_normalised_payoffs(params)
        self.a_Y, self.b_Y = reference_system_lens(params)
        self.matrix = reference_payoff_matrix(params)
        self.w_P = params["pooled_system_weight"] if int(params["finance_regime"]) == POOLED else 0.0

        orgs, graph, arcs = initial.organisations, initial.graph, initial.arcs
        self.organisations = []
        for i in range(orgs.kind.size):
            state = {name: getattr(orgs, name)[i].item() for name in STATE}
            kind = LocalAuthority if state["kind"] == LOCAL_AUTHORITY else Organisation
            self.organisations.append(kind(self, i, **state))
        for k, (i, j) in enumerate(zip(arc_sources(graph).tolist(), graph.target.tolist())):
            owner, partner = self.organisations[i], self.organisations[j]
            owner.ties[partner] = Tie(owner, partner, k, float(arcs.trust[k]), float(arcs.distance[k]), float(arcs.memory[k]),
                                      float(arcs.stake[k]))
        for organisation in self.organisations:
            for partner, tie in organisation.ties.items():
                tie.reverse = partner.ties[organisation]

        self.datacollector = mesa.DataCollector(model_reporters={name: getattr(self, f"_report_{name}", name) for name in METRICS})

    # -- helpers ----------------------------------------------------------------------------
    def uniform(self, index: int, stream: int, t: int | None = None) -> float:
        """7.9: the counter-based uniform of this month (or of month ``t``)."""
        return reference_uniform(self.key, self.steps if t is None else t, index, stream)

    def payoff(self, own: int, partner: int) -> float:
        R, S, T, P = self.matrix
        if own == 1:
            return R if partner == 1 else S
        return T if partner == 1 else P

    # -- the month: phases 0-12 of docs/model.md 7.0 -------------------------------------------
    def step(self) -> None:
        self.active = self.agents.select(lambda o: o.active == 1.0)
        self.winter_used, self.safety_used = self.winter, self.safety
        self.leader_turnover()  # 0
        self.agents.do("observe")
        self.open_hard_decision()
        self.sign_up()
        self.derive()  # 1
        self.agents.shuffle_do("decide")  # 2
        self.payoffs()  # 3
        self.active.shuffle_do("update_trust", self.safety_used)  # 4
        self.hard_decision_outcome()  # 4b
        self.finances()  # 5
        self.interventions()  # 6
        self.active.shuffle_do("update_altruism")  # 7
        self.beliefs()  # 8
        self.commitment()  # 9
        self.local_authorities()  # 10
        self.winter = self.params["winter_decay"] * self.winter  # 11
        self.active.do("settle")
        self.integration_progress()  # 12
        self.datacollector.collect(self)

    def leader_turnover(self) -> None:
        """7.11: active organisations, in index order, may lose their leader."""
        if self.params["turnover_rate"] > 0:
            self.active.select(lambda o: self.uniform(o.index, 2) < self.params["turnover_rate"]).do("lose_leader")

    def open_hard_decision(self) -> None:
        """7.13: a hard decision may open; its loser is drawn in proportion to budget among the NHS providers."""
        if self.decision_open == 1.0 or not self.active:
            return
        self.maturity = reference_maturity(self.params, self.progress)
        if not self.uniform(0, 3) < self.params["decision_rate"] * self.maturity:
            return
        providers = self.active.select(lambda o: o.principal == 0)
        eligible = providers if sum(providers.get("budget")) > 0 else self.active
        target = self.uniform(1, 3) * sum(eligible.get("budget"))
        cumulative, loser = 0.0, list(eligible)[-1]
        for organisation in eligible:
            cumulative = cumulative + organisation.budget
            if target < cumulative:
                loser = organisation
                break
        self.decision_loser, self.decision_loss = loser.index, self.uniform(2, 3)
        self.decision_age, self.decision_open = 0.0, 1.0

    def sign_up(self) -> None:
        """7.15: at a year start under a control total, the system signs up if enough at the table agree."""
        if int(self.params["finance_regime"]) != CONTROL_TOTAL or (self.steps - 1) % 12 != 0:
            return
        mean_stress = _mean(self.active.get("stress")) if self.active else 0.0
        table = self.agents.select(lambda o: o.at_table)
        agree = table.select(lambda o: self.params["linked_share"] * (1 - o.mean_trust * (1 - mean_stress))
                             <= self.params["risk_tolerance"] * (1 - o.stress))
        self.signed_up = 1.0 if len(table) > 0 and len(agree) / len(table) >= self.params["signup_share"] else 0.0

    def derive(self) -> None:
        """Phase 1: start-of-step means, capacities, lenses, the system's leadership and the votes."""
        self.mean_stress = _mean(self.active.get("stress")) if self.active else 0.0
        weights = [(1.0 if o.engagement >= 2 else 0.5 if o.engagement >= 1 else 0.0) * o.committed for o in self.active]
        self.inclusive = sum(weights) / len(weights) if weights else 0.0
        self.agents.do("derive", self.winter_used)
        chi = self.params["concentration"]
        mean_h = _mean(self.active.get("h")) if self.active else 0.0
        lead = self.organisations[self.lead] if 0 <= self.lead < len(self.organisations) else None
        self.h_lead = lead.h if lead is not None and lead.active == 1.0 else mean_h
        self.leadership = chi * self.h_lead + (1 - chi) * mean_h if self.active else 0.0
        # 7.13: the votes and their count.
        self.votes = {}
        self.latency, self.resolved, self.broke_down = math.nan, False, False
        if self.decision_open == 1.0:
            self.votes = {o: o.vote() for o in self.active.select(lambda o: o.engagement >= 2)}
            support = sum(self.votes.values())
            if self.params["statutory"]:
                self.resolved = bool(self.votes) and support / len(self.votes) >= self.params["majority"]
            else:
                self.resolved = bool(self.votes) and support == len(self.votes)
            if self.resolved:
                self.latency = float(self.decision_age + 1)
            else:
                self.decision_age = self.decision_age + 1
                self.broke_down = self.decision_age >= self.params["patience"]

    def payoffs(self) -> None:
        """7.4, 7.15: payoffs of the month and net results."""
        invest = 1.0 if self.steps <= int(self.params["invest_months"]) else 0.0
        lag = int(self.params["invest_lag"])
        returns = 1.0 if lag < self.steps <= int(self.params["invest_months"]) + lag else 0.0
        self.agents.do("collect_payoffs", self.winter_used, invest, returns)

    def hard_decision_outcome(self) -> None:
        """7.13: a resolved decision raises trust on every live tie; one that broke down cuts it."""
        self.size = 2 * self.decision_loss
        if not (self.resolved or self.broke_down):
            return
        gain = min(1.0, self.size * self.params["resolved_trust_gain"])
        loss = min(1.0, self.size * self.params["breakdown_trust_loss"])
        for organisation in self.active:
            for tie in organisation.live:
                tie.trust = tie.trust + gain * (1 - tie.trust) if self.resolved else (1 - loss) * tie.trust
        self.decision_open, self.decision_age, self.decision_loser, self.decision_loss = 0.0, 0.0, -1, 0.0
        if self.resolved:
            self.decisions_resolved += 1
        else:
            self.decisions_failed += 1

    def finances(self) -> None:
        """7.4, 7.15: pooling, balances, and at a year end transfers, funding and the surplus cap."""
        if int(self.params["finance_regime"]) == POOLED:
            total_net, total_budget = sum(self.active.get("net")), sum(self.active.get("budget"))
            share = self.params["pooled_share"]
            for o in self.active:
                o.net = (1 - share) * o.net + share * o.budget * total_net / total_budget
        for o in self.active:
            o.balance = o.balance + o.net
        self.transfers = self.funding = self.reinvested = 0.0
        if self.steps % 12 == 0:
            self.year_end()

    def year_end(self) -> None:
        p, regime = self.params, int(self.params["finance_regime"])
        for o in self.active:
            o.year_result, o.given, o.received = o.balance - o.year_balance, 0.0, 0.0
        if p["transfers"] and (regime == POOLED or (regime == CONTROL_TOTAL and self.signed_up == 1.0)):
            raised: list[Tie] = []
            for o in self.active:
                self.transfers = self.transfers + o.give(raised)
            for o in self.active:
                o.balance = o.balance - o.given + o.received
            for tie in raised:
                tie.trust = tie.trust + p["transfer_trust_gain"] * (1 - tie.trust)
        system_met = 1.0 if sum(self.active.get("year_result")) >= 0 else 0.0
        for o in self.active:
            funding = p["sustainability_share"] * o.budget
            own = 1.0 if o.year_result + o.received - o.given >= 0 else 0.0
            if regime == POOLED:
                payment = funding * system_met
            elif regime == CONTROL_TOTAL and self.signed_up == 1.0:
                payment = funding * ((1 - p["linked_share"]) * own + p["linked_share"] * system_met)
            else:
                payment = funding * own
            o.balance = o.balance + payment
            self.funding = self.funding + payment
        for o in self.active:
            cap = p["surplus_cap"] * o.budget
            if o.balance > cap:
                self.reinvested = self.reinvested + (o.balance - cap)
                o.balance = cap
            o.year_balance = o.balance

    def interventions(self) -> None:
        """7.5: regulators intervene on organisations in deficit (earned autonomy with maturity)."""
        system_balance = sum(self.active.get("balance"))
        self.active.do("face_regulator", system_balance, reference_maturity(self.params, self.progress))

    def beliefs(self) -> None:
        """7.12: beliefs move synchronously: every new belief is planned from the old ones, then adopted."""
        self.active.do("plan_belief", self.h_lead, self.mean_stress, self.inclusive)
        self.active.do("adopt_belief")

    def commitment(self) -> None:
        """7.13: conditional commitment from trust after the month; walk-away after a breakdown."""
        self.agents.do("observe")  # q̄' after every trust change of the month
        if self.params["conditional"] and not self.params["statutory"]:
            self.active.do("review_commitment")
            if self.broke_down:
                for o, supported in self.votes.items():
                    if not supported:
                        o.committed = 0.0

    def local_authorities(self) -> None:
        """7.14: political pressure and engagement of the active local authorities."""
        if LocalAuthority in self.agents_by_type:
            self.agents_by_type[LocalAuthority].select(lambda o: o.active == 1.0).do("engage")

    def integration_progress(self) -> None:
        """7.8: trusted joint working this month, and the stock of integration progress."""
        live = [tie for o in self.active for tie in o.live]
        self.live_ties = live
        mutual_trust = 0.0
        for tie in live:
            mutual_trust = mutual_trust + tie.action * tie.reverse.action * tie.trust
        self.joint_working = mutual_trust / len(live) if live else 0.0
        self.progress = reference_integration_progress(self.params, self.progress, self.joint_working, self.resolved, self.broke_down, self.size)

    # -- the system table (7.8): one reporter per metric ---------------------------------------
    def _report_collaboration_rate(self) -> float:
        return _mean([tie.action for tie in self.live_ties])

    def _report_mutual_rate(self) -> float:
        return _mean([tie.action * tie.reverse.action for tie in self.live_ties])

    def _report_mean_trust(self) -> float:
        return _mean([tie.trust for tie in self.live_ties])

    def _report_system_surplus(self) -> float:
        return sum(self.active.get("net"))

    def _report_system_balance(self) -> float:
        return sum(self.active.get("balance"))

    def _report_n_deficit(self) -> int:
        return len(self.active.select(lambda o: o.balance < 0))

    def _report_interventions(self) -> int:
        return sum(self.active.get("intervened"))

    def _report_integration_progress(self) -> float:
        return self.progress

    def _report_mean_altruism(self) -> float:
        return _mean(self.active.get("altruism"))

    def _report_mean_pressure(self) -> float:
        return _mean(self.active.get("pressure"))

    def _report_mean_capacity(self) -> float:
        return _mean(self.active.get("h"))

    def _report_shared_narrative(self) -> float:
        return _mean(self.active.get("belief"))

    def _report_committed_share(self) -> float:
        return _mean([1 if o.committed == 1.0 else 0 for o in self.active])

    def _report_decision_latency(self) -> float:
        return self.latency

    def _report_transfers(self) -> float:
        return self.transfers

    def _report_sustainability_funding(self) -> float:
        return self.funding

    def _report_la_engagement(self) -> float:
        return _mean(self.active.select(lambda o: o.kind == LOCAL_AUTHORITY).get("engagement"))

    def _report_winter_pressure(self) -> float:
        return self.winter_used

    def _report_safety(self) -> float:
        return self.safety_used

    def _report_leadership_capacity(self) -> float:
        return self.leadership

    def _report_active_organisations(self) -> int:
        return len(self.active)
