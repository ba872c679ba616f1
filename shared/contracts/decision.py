"""Events published by decision (票决)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import Field

from shared.contracts.envelope import Contract
from shared.contracts.registry import REGISTRY


class _Decision(Contract):
    SERVICE = "decision"


@REGISTRY.register
class CandidateDrafted(_Decision):
    """A candidate project (候选项目) was drafted from residents' demands (lineage kept)."""

    EVENT = "candidate-drafted"
    candidate_id: UUID
    year: int
    name: str
    demand_ids: list[UUID]


@REGISTRY.register
class ProjectAdopted(_Decision):
    """A candidate became one of the year's projects (民生实事项目) or an approved micro project."""

    EVENT = "project-adopted"
    project_id: UUID
    candidate_id: UUID
    year: int
    tier: str = Field(description="major or micro")
    name: str
    content: str
    implementing_body: str
    investment: Decimal
    deadline: date
    demand_ids: list[UUID]
    rank: int | None = None
    yes_votes: int | None = None
    no_votes: int | None = None
    abstain_votes: int | None = None
    attending: int | None = Field(default=None, description="deputies attending the vote (参会代表)")
    session_id: UUID | None = None
    rule_version: int | None = Field(default=None, description="the county's decision rule-set version applied")
    session_closed_on: date | None = Field(
        default=None,
        description="the day the vote's result was declared: the implementation plan is due "
        "within N days of it (major projects)",
    )
    town: str = Field(
        default="", description="the town/street of a micro project or of a town/street session's project"
    )


@REGISTRY.register
class MicroEscalated(_Decision):
    """A deputy's micro proposal exceeded the per-item cap (民生微实事 10万元 by default) and is handed
    back to intake as a project suggestion (so an item between tiers is never stranded).

    ``demand_ids`` are the residents' demands it came from; they stay available for a major candidate.
    """

    EVENT = "micro-escalated"
    escalation_id: UUID
    year: int
    town: str
    name: str
    content: str
    investment: Decimal
    cap: Decimal
    demand_ids: list[UUID]
    reason: str
    rule_version: int


@REGISTRY.register
class VoteDeclared(_Decision):
    """A vote's result was declared at a county, town or street session (票决): which towns and streets
    ran a vote at all (the coverage the articles ask about: 4 of 12 streets in Jiangmen)."""

    EVENT = "vote-declared"
    session_id: UUID
    year: int
    level: str = Field(description="county, town or street")
    town: str = Field(default="", description="the town/street of a town or street session")
    round_no: int
    status: str = Field(description="decided, runoff or void")
    attending: int
    elected: int
