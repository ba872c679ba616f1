"""Decision's domain events -> published contracts."""

from __future__ import annotations

from collections.abc import Iterator

from shared.contracts import decision as c
from shared.contracts.envelope import Contract
from services.decision.domain import MicroProject, project_id_for


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, MicroProject.Proposed):
        yield c.CandidateDrafted(candidate_id=event.originator_id, year=event.year, name=event.name,
                                 demand_ids=event.demand_ids)
    elif isinstance(event, MicroProject.Approved):
        yield c.ProjectAdopted(project_id=project_id_for(event.originator_id), candidate_id=event.originator_id,
                               year=event.year, tier="micro", name=event.name, content=event.content,
                               implementing_body=event.implementing_body, investment=event.investment,
                               deadline=event.deadline, demand_ids=event.demand_ids)
