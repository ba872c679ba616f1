"""Decision's read models: the demand pool and micro projects per county."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from services.decision.domain.micro_escalation import MicroEscalation
from services.decision.domain.micro_fund import MicroFund
from services.decision.domain.micro_project import MicroProject
from services.decision.domain.pooled_demand import PooledDemand
from services.decision.read.vote_projections import project_votes
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
VERSION = 1

POOL = "pool"
MICRO = "micro"
FUNDS = "micro_fund"


def project(tx: ViewTx, event: object) -> None:
    oid = str(getattr(event, "originator_id", ""))
    project_votes(tx, event)
    if isinstance(event, PooledDemand.Pooled):
        tx.put(
            POOL,
            oid,
            event.meta.county,
            {
                "id": oid,
                "county": event.meta.county,
                "channel": event.channel,
                "town": event.town,
                "category": event.category,
                "text": event.text,
                "pooled_at": event.meta.occurred_at.isoformat(),
                "used_by": None,
            },
        )
    elif isinstance(event, PooledDemand.Used):
        tx.update(POOL, oid, lambda d: d.update(used_by=str(event.candidate_id)))
    elif isinstance(event, MicroProject.Proposed):
        tx.put(
            MICRO,
            oid,
            event.meta.county,
            {
                "id": oid,
                "county": event.meta.county,
                "year": event.year,
                "town": event.town,
                "name": event.name,
                "content": event.content,
                "implementing_body": event.implementing_body,
                "investment": str(event.investment),
                "deadline": event.deadline.isoformat(),
                "demand_ids": [str(x) for x in event.demand_ids],
                "rule_version": event.rule_version,
                "status": "proposed",
                "proposed_at": event.meta.occurred_at.isoformat(),
                "respond_by": (event.meta.occurred_at + timedelta(days=getattr(event, "respond_within_days", 7)))
                .date()
                .isoformat(),
                "history": [
                    {"status": "proposed", "at": event.meta.occurred_at.isoformat(), "by": event.meta.actor_id}
                ],
            },
        )
    elif isinstance(event, MicroEscalation.Escalated):
        tx.put(
            MICRO,
            oid,
            event.meta.county,
            {
                "id": oid,
                "county": event.meta.county,
                "year": event.year,
                "town": event.town,
                "name": event.name,
                "content": event.content,
                "implementing_body": event.implementing_body,
                "investment": str(event.investment),
                "deadline": event.deadline.isoformat(),
                "demand_ids": [str(x) for x in event.demand_ids],
                "rule_version": event.rule_version,
                "status": "escalated",
                "reason": event.reason,
                "proposed_at": event.meta.occurred_at.isoformat(),
                "respond_by": None,
                "history": [
                    {
                        "status": "escalated",
                        "at": event.meta.occurred_at.isoformat(),
                        "by": event.meta.actor_id,
                        "reason": event.reason,
                    }
                ],
            },
        )
    elif isinstance(event, MicroFund.Opened):
        tx.put(
            FUNDS,
            oid,
            event.meta.county,
            {
                "id": oid,
                "county": event.meta.county,
                "town": event.town,
                "year": event.year,
                "allocated": "0",
                "committed": "0",
                "balance": "0",
                "entries": [],
            },
        )
    elif isinstance(event, (MicroFund.Allocated, MicroFund.Committed)):
        _project_fund(tx, oid, event)
    elif isinstance(event, (MicroProject.Accepted, MicroProject.Approved, MicroProject.Declined)):
        status = {MicroProject.Accepted: "accepted", MicroProject.Approved: "approved"}.get(type(event), "declined")

        def change(doc: dict) -> None:
            doc["status"] = status
            doc["history"].append(
                {
                    "status": status,
                    "at": event.meta.occurred_at.isoformat(),
                    "by": event.meta.actor_id,
                    "reason": event.meta.reason,
                }
            )

        tx.update(MICRO, oid, change)


def _project_fund(tx: ViewTx, oid: str, event: object) -> None:
    def change(doc: dict) -> None:
        allocated, committed = Decimal(doc["allocated"]), Decimal(doc["committed"])
        if isinstance(event, MicroFund.Allocated):
            allocated += event.amount
            entry = {"kind": "allocated", "amount": str(event.amount), "reason": event.meta.reason}
        else:
            committed += event.amount
            entry = {"kind": "committed", "amount": str(event.amount), "project_id": str(event.project_id)}
        entry.update(at=event.meta.occurred_at.isoformat(), by=event.meta.actor_id)
        doc.update(allocated=str(allocated), committed=str(committed), balance=str(allocated - committed))
        doc["entries"].append(entry)

    tx.update(FUNDS, oid, change)
