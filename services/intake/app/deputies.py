"""Deputies' work on demands: the inbox (代表线上接单: accept, answer, forward, turn into a
suggestion) and micro-wishes (微心愿: claim 认领, fund, fulfil, return visit 回访)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args
from uuid import UUID

from services.intake.app.merging import Merging
from services.intake.app.triage import Triage
from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from shared.kernel.meta import Meta, RuleViolation

FundingSource = Literal["social_donor", "deputy", "special_fund"]
Satisfaction = Literal["satisfied", "basically_satisfied", "unsatisfied"]
FUNDING_SOURCES: tuple[FundingSource, ...] = get_args(FundingSource)
SATISFACTION: tuple[Satisfaction, ...] = get_args(Satisfaction)


class DeputyWork(Triage, Merging):
    def deputy_act(
        self, meta: Meta, demand_id: UUID, action: str, note: str = "", forward_to: str = "", title: str = ""
    ) -> Demand | ProjectSuggestion:
        """accept / answer / forward / suggest, from the deputy's inbox."""
        demand = self.demand(demand_id, meta.county)
        if meta.actor_id not in demand.deputies:
            raise RuleViolation("这条诉求不在您的接单列表中 / this demand is not in your inbox")
        if action == "answer":
            return self.reply(meta, demand_id, note)
        if action == "suggest":
            return self.merge(meta, title or note or demand.text[:40], [demand_id])
        demand.deputy_act(meta, action, note, forward_to)
        self.save(demand)
        return demand

    def wish_step(
        self,
        meta: Meta,
        demand_id: UUID,
        step: str,
        *,
        source: str = "",
        amount: str = "",
        note: str = "",
        satisfaction: str = "",
    ) -> Demand:
        demand = self.demand(demand_id, meta.county)
        details: dict[str, Any] = {}
        if step == "funded":
            if source not in FUNDING_SOURCES:
                raise RuleViolation(
                    "请选择资金来源：社会捐助、代表个人或专项资金 / "
                    f"funding source must be one of {', '.join(FUNDING_SOURCES)}"
                )
            try:
                value = Decimal(amount)
            except InvalidOperation as exc:
                raise RuleViolation(f"金额须为数字 / amount {amount!r} is not a number") from exc
            if value <= 0:
                raise RuleViolation("金额须大于零 / amount must be positive")
            details = {"source": source, "amount": str(value)}
        elif step == "fulfilled":
            if len(note.strip()) < 2:
                raise RuleViolation("请说明心愿是如何实现的 / describe how the wish was fulfilled")
            details = {"note": note.strip()}
        elif step == "visited":
            if satisfaction not in SATISFACTION:
                raise RuleViolation(
                    f"请选择满意、基本满意或不满意 / satisfaction must be one of {', '.join(SATISFACTION)}"
                )
            details = {"satisfaction": satisfaction, "note": note.strip()}
        demand.wish_step(meta, step, **details)
        self.save(demand)
        return demand
