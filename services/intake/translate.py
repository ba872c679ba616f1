"""Intake's domain events -> published contracts (contact details never leave the service)."""

from __future__ import annotations

from collections.abc import Iterator

from shared.contracts import intake as c
from shared.contracts.envelope import Contract
from services.intake.domain import STAGE_STATUS, Demand


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, Demand.Submitted):
        yield c.DemandSubmitted(
            demand_id=event.originator_id, channel=event.channel, town=event.town, category=event.category,
            text=event.text, submitted_at=event.meta.occurred_at, hotline_ticket_id=event.hotline_ticket_id,
        )
        if event.hotline_ticket_id:
            yield c.HotlineTicketAccepted(
                ticket_id=event.hotline_ticket_id, demand_id=event.originator_id, tracking_code=event.tracking_code
            )
    elif isinstance(event, Demand.StageNoted):
        status = event.status
        yield c.DemandStatusChanged(demand_id=event.originator_id, status=status, note=event.title)
        if event.hotline_ticket_id:
            yield c.HotlineTicketStatusChanged(
                ticket_id=event.hotline_ticket_id, demand_id=event.originator_id, status=status, note=event.title
            )
