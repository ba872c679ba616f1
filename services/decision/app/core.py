"""Decision's use cases: the demand pool, micro projects, the county's decision rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.decision.domain.micro_escalation import MicroEscalation
from services.decision.domain.micro_fund import MicroFund, fund_id
from services.decision.domain.micro_project import MicroProject
from services.decision.domain.pooled_demand import PooledDemand
from services.decision.domain.pooled_suggestion import PooledSuggestion
from services.decision.domain.rules import DEFAULTS, RANGES, Rules, within_micro_cap
from shared.ballots.application import BallotingApplication
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound, UnitOfWork

SERVICE = "decision"


@dataclass(frozen=True)
class MicroProposal:
    year: int
    town: str
    name: str
    content: str
    implementing_body: str
    investment: Decimal
    deadline: date
    demand_ids: list[UUID]


class DecisionCore(BallotingApplication):
    name = "decision"
    RULE_RANGES = RANGES

    def rules(self, county: str) -> Rules:
        version, values = self.current_rules(SERVICE, county, DEFAULTS)
        return Rules(version, values)

    def revise(self, meta: Meta, changes: dict[str, Any]) -> Rules:
        version, values = self.revise_rules(SERVICE, meta, changes, DEFAULTS)
        return Rules(version, values)

    def pool_demand(
        self, uow: UnitOfWork, meta: Meta, demand_id: UUID, channel: str, town: str, category: str, text: str
    ) -> None:
        if uow.find(demand_id) is None:
            uow.add(
                PooledDemand(meta=meta, demand_id=demand_id, channel=channel, town=town, category=category, text=text)
            )

    def pool_suggestion(
        self,
        uow: UnitOfWork,
        meta: Meta,
        suggestion_id: UUID,
        title: str,
        category: str,
        towns: list[str],
        demand_ids: list[UUID],
        split_from: UUID | None,
    ) -> None:
        if uow.find(suggestion_id) is None:
            uow.add(
                PooledSuggestion(
                    meta=meta,
                    suggestion_id=suggestion_id,
                    title=title,
                    category=category,
                    towns=towns,
                    demand_ids=demand_ids,
                    split_from=split_from,
                )
            )

    def split_suggestion(self, uow: UnitOfWork, meta: Meta, suggestion_id: UUID, remaining: list[UUID]) -> None:
        suggestion = uow.find(suggestion_id)
        if isinstance(suggestion, PooledSuggestion) and suggestion.used_by is None:
            suggestion.split(meta=meta, remaining_demand_ids=remaining)

    def propose_micro(self, meta: Meta, proposal: MicroProposal) -> MicroProject | MicroEscalation:
        """A deputy's proposal; one over the per-item cap is escalated to intake as a project suggestion
        (its demands stay in the pool, free for a major candidate)."""
        if not proposal.demand_ids:
            raise RuleViolation("微实事至少来自一条群众诉求 / a micro project comes from at least one resident demand")
        rules = self.rules(meta.county)
        demands = []
        for demand_id in proposal.demand_ids:
            demand = self.find(demand_id)
            if not isinstance(demand, PooledDemand) or demand.county != meta.county:
                raise RuleViolation(f"所选诉求不在本县的民意池中 / demand {demand_id} is not in this county's pool")
            if demand.used_by is not None:
                raise RuleViolation(
                    f"所选诉求已纳入其他项目 / demand {demand_id} is already part of candidate {demand.used_by}"
                )
            demands.append(demand)
        if not within_micro_cap(proposal.investment, rules):
            escalation = MicroEscalation(
                meta=meta,
                **proposal.__dict__,
                cap=rules.micro_cap,
                rule_version=rules.version,
                reason=f"投资额 {proposal.investment} 元超过微实事单项上限 {rules.micro_cap} 元"
                f"（规则第 {rules.version} 版），已转为项目建议，按票决实事项目办理"
                f" / investment {proposal.investment} exceeds the micro-project cap {rules.micro_cap} "
                f"(rule v{rules.version}): escalated as a project suggestion",
            )
            self.save(escalation)
            return escalation
        project = MicroProject(
            meta=meta,
            year=proposal.year,
            town=proposal.town,
            name=proposal.name,
            content=proposal.content,
            implementing_body=proposal.implementing_body,
            investment=proposal.investment,
            deadline=proposal.deadline,
            demand_ids=proposal.demand_ids,
            rule_version=rules.version,
            cap=rules.micro_cap,
            respond_within_days=int(rules.values["micro_decline_days"]),
        )
        for demand in demands:
            demand.use(meta=meta, candidate_id=project.id)
        self.save(project, *demands)
        return project

    def micro(self, project_id: UUID, county: str | None = None) -> MicroProject:
        project = self.load(project_id, county)
        if not isinstance(project, MicroProject):
            raise NotFound(str(project_id))
        return project

    def accept_micro(self, meta: Meta, project_id: UUID) -> MicroProject:
        project = self.micro(project_id, meta.county)
        project.accept(meta)
        self.save(project)
        return project

    def approve_micro(self, meta: Meta, project_id: UUID) -> MicroProject:
        """Approve and fund: the town's yearly fund (when allocated) is charged in the same transaction,
        so concurrent approvals can never overspend it."""
        project = self.micro(project_id, meta.county)
        fund = self.find(fund_id(meta.county, project.town, project.year))
        if isinstance(fund, MicroFund):
            fund.commit(meta, project.id, project.investment)
        elif self.rules(meta.county).values["micro_fund_required"]:
            raise RuleViolation(
                f"{project.town}尚未安排 {project.year} 年微实事专项资金"
                f" / no {project.year} micro fund is allocated for {project.town}",
                reason="no_fund",
            )
        project.approve(meta)
        self.save(project, *([fund] if isinstance(fund, MicroFund) else []))
        return project

    def allocate_micro_fund(self, meta: Meta, town: str, year: int, amount: Decimal) -> MicroFund:
        fund = self.find(fund_id(meta.county, town, year))
        if not isinstance(fund, MicroFund):
            fund = MicroFund(meta=meta, town=town, year=year)
        fund.allocate(meta, amount)
        self.save(fund)
        return fund

    def decline_micro(self, meta: Meta, project_id: UUID) -> MicroProject:
        project = self.micro(project_id, meta.county)
        project.decline(meta)
        self.save(project)
        return project
