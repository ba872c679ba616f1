"""Decision's read models: the demand pool and micro projects per county."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from services.decision.domain.micro_escalation import MicroEscalation
from services.decision.domain.micro_fund import MicroFund
from services.decision.domain.micro_project import MicroProject
from services.decision.domain.pooled_demand import PooledDemand
from services.decision.read.vote_projections import VOTE_FOLD
from shared.kernel.china_time import china_date
from shared.views.fold import Fold
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
VERSION = 4  # 2: sessions record ballot keys and who received a ballot; a box's cast count set at close
# 3: a micro project's respond_by is counted from the day of its proposal in China time, not in UTC
# 4: who did it by name (the login's name in each event's meta), every screening of a candidate

POOL = "pool"
MICRO = "micro"
FUNDS = "micro_fund"


FOLD = Fold("decision")


@FOLD.on(PooledDemand.Pooled)
def pooled(tx: ViewTx, event: PooledDemand.Pooled) -> None:
    oid = str(event.originator_id)
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


@FOLD.on(PooledDemand.Used)
def used(tx: ViewTx, event: PooledDemand.Used) -> None:
    oid = str(event.originator_id)
    tx.update(POOL, oid, lambda d: d.update(used_by=str(event.candidate_id)))


@FOLD.on(MicroProject.Proposed)
def proposed(tx: ViewTx, event: MicroProject.Proposed) -> None:
    oid = str(event.originator_id)
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
            "respond_by": (
                china_date(event.meta.occurred_at) + timedelta(days=getattr(event, "respond_within_days", 7))
            ).isoformat(),
            "proposed_by": event.meta.actor_id,
            "proposed_by_name": event.meta.actor_name,
            "history": [
                {
                    "status": "proposed",
                    "at": event.meta.occurred_at.isoformat(),
                    "by": event.meta.actor_id,
                    "by_name": event.meta.actor_name,
                    "role": event.meta.actor_role,
                }
            ],
        },
    )


@FOLD.on(MicroEscalation.Escalated)
def escalated(tx: ViewTx, event: MicroEscalation.Escalated) -> None:
    oid = str(event.originator_id)
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
                    "by_name": event.meta.actor_name,
                    "role": event.meta.actor_role,
                    "reason": event.reason,
                }
            ],
        },
    )


@FOLD.on(MicroFund.Opened)
def opened(tx: ViewTx, event: MicroFund.Opened) -> None:
    oid = str(event.originator_id)
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


@FOLD.on(MicroFund.Allocated, MicroFund.Committed)
def allocated_or_committed(tx: ViewTx, event: MicroFund.Allocated | MicroFund.Committed) -> None:
    oid = str(event.originator_id)
    _project_fund(tx, oid, event)


@FOLD.on(MicroProject.Accepted, MicroProject.Approved, MicroProject.Declined)
def micro_decided(tx: ViewTx, event: MicroProject.Accepted | MicroProject.Approved | MicroProject.Declined) -> None:
    oid = str(event.originator_id)
    status = {MicroProject.Accepted: "accepted", MicroProject.Approved: "approved"}.get(type(event), "declined")

    def change(doc: dict) -> None:
        doc["status"] = status
        doc["history"].append(
            {
                "status": status,
                "at": event.meta.occurred_at.isoformat(),
                "by": event.meta.actor_id,
                "by_name": event.meta.actor_name,
                "role": event.meta.actor_role,
                "reason": event.meta.reason,
            }
        )

    tx.update(MICRO, oid, change)


def _project_fund(tx: ViewTx, oid: str, event: MicroFund.Allocated | MicroFund.Committed) -> None:
    def change(doc: dict[str, Any]) -> None:
        allocated, committed = Decimal(doc["allocated"]), Decimal(doc["committed"])
        entry: dict[str, str]
        if isinstance(event, MicroFund.Allocated):
            allocated += event.amount
            entry = {"kind": "allocated", "amount": str(event.amount), "reason": event.meta.reason}
        else:
            committed += event.amount
            entry = {"kind": "committed", "amount": str(event.amount), "project_id": str(event.project_id)}
        entry.update(
            at=event.meta.occurred_at.isoformat(),
            by=event.meta.actor_id,
            by_name=event.meta.actor_name,
            role=event.meta.actor_role,
        )
        doc.update(allocated=str(allocated), committed=str(committed), balance=str(allocated - committed))
        doc["entries"].append(entry)

    tx.update(FUNDS, oid, change)


FOLD.include(VOTE_FOLD)  # the vote's read models (candidates, lists, sessions, boxes, results)
project = FOLD  # the projector the runtime's updater calls
TOPICS = FOLD.topics()
