"""Decision's use cases: the demand pool, micro projects, the county's decision rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from shared.application import NotFound, RuleBookMixin, ServiceApplication, UnitOfWork
from shared.meta import Meta, RuleViolation
from services.decision.domain import MicroProject, PooledDemand
from services.decision.rules import DEFAULTS, Rules
from services.decision.voting import VotingUseCases

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


class DecisionApplication(VotingUseCases, RuleBookMixin, ServiceApplication):
    name = "decision"

    def __init__(self, env: dict[str, str] | None = None, *, ballot_secret: bytes) -> None:
        if len(ballot_secret) < 16:
            raise ValueError("the ballot secret must be at least 16 bytes")
        super().__init__(env)
        self.ballot_secret = ballot_secret

    def rules(self, county: str) -> Rules:
        version, values = self.current_rules(SERVICE, county, DEFAULTS)
        return Rules(version, values)

    def revise(self, meta: Meta, changes: dict) -> Rules:
        version, values = self.revise_rules(SERVICE, meta, changes, DEFAULTS)
        return Rules(version, values)

    def pool_demand(self, uow: UnitOfWork, meta: Meta, demand_id: UUID, channel: str, town: str, category: str,
                    text: str) -> None:
        if uow.find(demand_id) is None:
            uow.add(PooledDemand(meta=meta, demand_id=demand_id, channel=channel, town=town, category=category,
                                 text=text))

    def propose_micro(self, meta: Meta, proposal: MicroProposal) -> MicroProject:
        if not proposal.demand_ids:
            raise RuleViolation("a micro project comes from at least one resident demand")
        rules = self.rules(meta.county)
        demands = []
        for demand_id in proposal.demand_ids:
            demand = self.find(demand_id)
            if not isinstance(demand, PooledDemand) or demand.county != meta.county:
                raise RuleViolation(f"demand {demand_id} is not in this county's pool")
            if demand.used_by is not None:
                raise RuleViolation(f"demand {demand_id} is already part of candidate {demand.used_by}")
            demands.append(demand)
        project = MicroProject(meta=meta, year=proposal.year, town=proposal.town, name=proposal.name,
                               content=proposal.content, implementing_body=proposal.implementing_body,
                               investment=proposal.investment, deadline=proposal.deadline,
                               demand_ids=proposal.demand_ids, rule_version=rules.version, cap=rules.micro_cap)
        for demand in demands:
            demand.use(meta=meta, candidate_id=project.id)
        self.save(project, *demands)
        return project

    def micro(self, project_id: UUID, county: str | None = None) -> MicroProject:
        project = self.load(project_id, county)
        if not isinstance(project, MicroProject):
            raise NotFound(str(project_id))
        return project

    def approve_micro(self, meta: Meta, project_id: UUID) -> MicroProject:
        project = self.micro(project_id, meta.county)
        project.approve(meta)
        self.save(project)
        return project

    def decline_micro(self, meta: Meta, project_id: UUID) -> MicroProject:
        project = self.micro(project_id, meta.county)
        project.decline(meta)
        self.save(project)
        return project
