"""Intake's read models: the demand queue (no contact details in it)."""

from __future__ import annotations

from shared.views import ViewTx
from services.intake.domain import STAGE_STATUS, Demand

DEMAND = "demand"


def project(tx: ViewTx, event: object) -> None:
    if isinstance(event, Demand.Submitted):
        tx.put(DEMAND, str(event.originator_id), event.meta.county, {
            "id": str(event.originator_id), "county": event.meta.county, "channel": event.channel,
            "town": event.town, "category": event.category, "text": event.text,
            "tracking_code": event.tracking_code, "status": "received",
            "submitted_at": event.meta.occurred_at.isoformat(), "last_moved_at": event.meta.occurred_at.isoformat(),
            "hotline_ticket_id": event.hotline_ticket_id, "stages": [],
        })
    elif isinstance(event, Demand.StageNoted):
        def change(doc: dict) -> None:
            doc["status"] = event.status
            doc["last_moved_at"] = event.meta.occurred_at.isoformat()
            doc["stages"].append({"stage": event.stage, "ref": event.ref_id, "title": event.title})

        tx.update(DEMAND, str(event.originator_id), change)

