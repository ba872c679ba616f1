"""Decision's domain events -> published contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from uuid import UUID

from services.decision.domain.candidate import Candidate
from services.decision.domain.micro_escalation import MicroEscalation
from services.decision.domain.micro_project import MicroProject, project_id_for
from services.decision.domain.session import VoteSession
from shared.bus.translation import Translation
from shared.contracts import decision as c
from shared.contracts.envelope import Contract
from shared.kernel.china_time import china_date

OUTBOUND = Translation("decision")


@OUTBOUND.on(MicroProject.Proposed)
def proposed(event: MicroProject.Proposed) -> Iterator[Contract]:
    yield c.CandidateDrafted(
        candidate_id=event.originator_id, year=event.year, name=event.name, demand_ids=event.demand_ids
    )


@OUTBOUND.on(MicroProject.Approved)
def approved(event: MicroProject.Approved) -> Iterator[Contract]:
    yield c.ProjectAdopted(
        project_id=project_id_for(event.originator_id),
        candidate_id=event.originator_id,
        year=event.year,
        tier="micro",
        name=event.name,
        content=event.content,
        implementing_body=event.implementing_body,
        investment=event.investment,
        deadline=event.deadline,
        demand_ids=event.demand_ids,
        town=event.town,
    )


@OUTBOUND.on(MicroEscalation.Escalated)
def escalated(event: MicroEscalation.Escalated) -> Iterator[Contract]:
    yield c.MicroEscalated(
        escalation_id=event.originator_id,
        year=event.year,
        town=event.town,
        name=event.name,
        content=event.content,
        investment=event.investment,
        cap=event.cap,
        demand_ids=event.demand_ids,
        reason=event.reason,
        rule_version=event.rule_version,
    )


@OUTBOUND.on(Candidate.Drafted)
def drafted(event: Candidate.Drafted) -> Iterator[Contract]:
    yield c.CandidateDrafted(
        candidate_id=event.originator_id, year=event.year, name=event.name, demand_ids=event.demand_ids
    )


@OUTBOUND.on(VoteSession.Declared)
def declared(event: VoteSession.Declared) -> Iterator[Contract]:
    attending = event.result["attending"]
    yield c.VoteDeclared(
        session_id=event.originator_id,
        year=event.year,
        level=event.level,
        town=event.town,
        round_no=event.round_no,
        status=event.result["status"],
        attending=attending,
        elected=len(event.elected),
    )
    for e in event.elected:
        candidate_id = UUID(e["candidate_id"])
        yield c.ProjectAdopted(
            project_id=project_id_for(candidate_id),
            candidate_id=candidate_id,
            year=event.year,
            tier="major",
            name=e["name"],
            content=e["content"],
            implementing_body=e["implementing_body"],
            investment=Decimal(e["investment"]),
            deadline=date.fromisoformat(e["deadline"]),
            demand_ids=[UUID(d) for d in e["demand_ids"]],
            rank=e["rank"],
            yes_votes=e["yes"],
            no_votes=e["no"],
            abstain_votes=e["abstain"],
            attending=attending,
            session_id=event.originator_id,
            rule_version=event.rule_version,
            session_closed_on=china_date(event.meta.occurred_at),  # the session's calendar day in China
            town=e.get("town") or event.town,
        )


to_contracts = OUTBOUND  # what the outbox relay publishes for each stored event
TOPICS = OUTBOUND.topics()
