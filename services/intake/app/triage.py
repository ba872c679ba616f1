"""Triage use cases: classify, route by the county's rule set, reassess (automatic escalation),
reply, close, and the 24-hour consultation deadline. Time always comes in through ``Meta`` or
``now``; nothing here reads a clock."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.intake.app.core import IntakeCore
from services.intake.domain import rules as r
from services.intake.domain.demand import Demand
from shared.kernel.meta import Meta, RuleViolation


class Triage(IntakeCore):
    def triage(self, meta: Meta, demand_id: UUID, kind: str, scope: str, estimate: int) -> Demand:
        """Classify and route in one step: the routing decision names its reason and rule version."""
        demand = self.demand(demand_id, meta.county)
        version, rules = self.rules(meta.county)
        try:
            tier, reason = r.route(kind, scope, estimate, demand.category, rules)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from exc
        if kind != demand.kind:
            demand.classify(meta, kind, r.reply_due(kind, demand.submitted_at, rules))
        if demand.tier and r.outgrows(demand.tier, tier):
            demand.escalate(meta, tier, reason, version, scope, estimate)
        else:
            demand.route(meta, tier, reason, version, scope, estimate)
        self.save(demand)
        return demand

    def reassess(self, meta: Meta, demand_id: UUID, scope: str, estimate: int) -> Demand:
        """A revised scope or estimate; when the item outgrows its tier it is escalated at once."""
        demand = self.demand(demand_id, meta.county)
        if not demand.tier:
            raise RuleViolation("这条诉求尚未分流 / the demand has not been routed yet")
        version, rules = self.rules(meta.county)
        try:
            tier, reason = r.route(demand.kind, scope, estimate, demand.category, rules)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from exc
        if r.outgrows(demand.tier, tier):
            demand.escalate(meta, tier, reason, version, scope, estimate)
        else:
            demand.reassess(meta, scope, estimate, version)
        self.save(demand)
        return demand

    def reply(self, meta: Meta, demand_id: UUID, text: str) -> Demand:
        demand = self.demand(demand_id, meta.county)
        demand.reply(meta, text)
        self.save(demand)
        return demand

    def close_demand(self, meta: Meta, demand_id: UUID, note: str) -> Demand:
        demand = self.demand(demand_id, meta.county)
        if len(note.strip()) < 2:
            raise RuleViolation("办结须填写给群众的说明 / closing needs a note for the resident")
        demand.close(meta, note.strip())
        self.save(demand)
        return demand

    def warn_overdue(self, meta: Meta, demand_ids: list[UUID], now: datetime) -> list[UUID]:
        """Raise one warning event per consultation past its deadline (idempotent)."""
        warned, changed = [], []
        for demand_id in demand_ids:
            demand = self.find(demand_id)
            if isinstance(demand, Demand) and demand.county == meta.county and demand.warn_overdue(meta, now):
                warned.append(demand.id)
                changed.append(demand)
        if changed:
            self.save(*changed)
        return warned
