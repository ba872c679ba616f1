"""Intake's read models: the demand queue, project suggestions and dead-letter resolutions, and
(``registry.py``) the registries of deputies and liaison stations and their receptions.
No contact details ever enter a read model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.intake.domain.contact import ResidentContact
from services.intake.domain.deadletter_resolution import DeadLetterResolution
from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from services.intake.read.registry import REGISTRY_FOLD
from shared.kernel.meta import Recorded
from shared.kernel.rulebook import RuleBook
from shared.views.fold import Fold
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
# 2: no contact_index documents (an erasure names its demand).
# 3: a demand's media_url (Open311), and when each county's intake rules last changed (open311_changeset).
# 4: a demand names its source (station, deputy, reception) and the deputies' own actions on it.
# 5: who did it by name (Meta.actor_name): deputies' actions, micro-wish steps, suggestions' history,
#    dead-letter resolutions.
VERSION = 5

DEMAND = "demand"
SUGGESTION = "suggestion"
RESOLUTION = "deadletter_resolution"
OPEN311_CHANGESET = "open311_changeset"  # per county: when its rules (which shape its Open311 services) last changed


def _moved(doc: dict, event: Recorded) -> None:
    doc["last_moved_at"] = max(doc["last_moved_at"], event.meta.occurred_at.isoformat())


def _demand(tx: ViewTx, event: Recorded, change: Callable[[dict], None]) -> None:
    def apply(doc: dict) -> None:
        change(doc)
        _moved(doc, event)

    tx.update(DEMAND, str(event.originator_id), apply)


FOLD = Fold("intake")


def _deputy_action(event: Recorded, action: str) -> dict[str, str]:
    return {
        "by": event.meta.actor_id,
        "by_name": event.meta.actor_name,
        "action": action,
        "at": event.meta.occurred_at.isoformat(),
    }


@FOLD.on(Demand.Submitted)
def submitted(tx: ViewTx, event: Demand.Submitted) -> None:
    demand_id, county, at = str(event.originator_id), event.meta.county, event.meta.occurred_at.isoformat()
    contact_id = str(event.contact_id) if event.contact_id else None
    tx.put(
        DEMAND,
        demand_id,
        county,
        {
            "id": demand_id,
            "county": county,
            "channel": event.channel,
            "town": event.town,
            "category": event.category,
            "text": event.text,
            "tracking_code": event.tracking_code,
            "status": "received",
            "submitted_at": at,
            "last_moved_at": at,
            "hotline_ticket_id": event.hotline_ticket_id,
            "stages": [],
            "kind": "",
            "tier": "",
            "owner": "",
            "scope": "",
            "estimate": 0,
            "rules_version": 0,
            "due_at": None,
            "replied_at": None,
            "warned": False,
            "merged_into": None,
            "duplicate_of": None,
            "duplicates": [],
            "deputies": [],
            "wish": {},
            "contact_id": contact_id,
            "contact_erased": False,
            "location": event.location or {},
            "attachments": len(event.attachments or []),
            "media_url": media_url_of(event.attachments or []),
            "station_id": str(event.station_id) if event.station_id else None,
            "deputy_id": event.deputy_id,
            "reception_id": str(event.reception_id) if event.reception_id else None,
            "deputy_actions": [],
        },
    )


def media_url_of(attachments: list[Any]) -> str | None:
    """The URL an Open311 client gave as ``media_url`` (kept since 2026-12; before, only its length)."""
    for attachment in attachments:
        if isinstance(attachment, dict) and attachment.get("name") == "media_url" and attachment.get("url"):
            return str(attachment["url"])
    return None


@FOLD.on(RuleBook.Opened, RuleBook.Revised)
def rules_changed(tx: ViewTx, event: RuleBook.Opened | RuleBook.Revised) -> None:
    county = event.meta.county
    tx.put(OPEN311_CHANGESET, county, county, {"county": county, "changed_at": event.meta.occurred_at.isoformat()})


@FOLD.on(Demand.Classified)
def classified(tx: ViewTx, event: Demand.Classified) -> None:
    def classified(doc: dict) -> None:
        doc["kind"] = event.kind
        doc["due_at"] = event.due_at.isoformat() if event.due_at else None
        doc["status"] = "triaged" if doc["status"] == "received" else doc["status"]

    _demand(tx, event, classified)


@FOLD.on(Demand.Routed, Demand.Escalated)
def routed_or_escalated(tx: ViewTx, event: Demand.Routed | Demand.Escalated) -> None:
    escalated = isinstance(event, Demand.Escalated)
    tier = event.to_tier if isinstance(event, Demand.Escalated) else event.tier

    def routed(doc: dict[str, Any]) -> None:
        doc["tier"] = tier
        doc["owner"] = doc["tier"] if escalated or not doc["owner"] else doc["owner"]
        doc["scope"], doc["estimate"], doc["rules_version"] = event.scope, event.estimate, event.rules_version
        if escalated:
            doc["status"] = "escalated"
        elif doc["status"] in ("received", "triaged", "routed"):
            doc["status"] = "routed"
        doc["stages"].append({"stage": "escalated" if escalated else "routed", "ref": "", "title": event.reason})

    _demand(tx, event, routed)


@FOLD.on(Demand.Reassessed)
def reassessed(tx: ViewTx, event: Demand.Reassessed) -> None:
    def reassessed(doc: dict) -> None:
        doc["scope"], doc["estimate"], doc["rules_version"] = event.scope, event.estimate, event.rules_version

    _demand(tx, event, reassessed)


@FOLD.on(Demand.Replied)
def replied(tx: ViewTx, event: Demand.Replied) -> None:
    def replied(doc: dict) -> None:
        doc["replied_at"] = doc["replied_at"] or event.meta.occurred_at.isoformat()
        doc["status"] = "replied" if doc["status"] in ("received", "triaged", "routed") else doc["status"]
        if event.meta.actor_role == "deputy":  # a deputy answered from their inbox
            doc["deputy_actions"].append(_deputy_action(event, "answer"))

    _demand(tx, event, replied)


@FOLD.on(Demand.OverdueWarned)
def overdue_warned(tx: ViewTx, event: Demand.OverdueWarned) -> None:
    tx.update(DEMAND, str(event.originator_id), lambda doc: doc.update(warned=True))


@FOLD.on(Demand.Closed)
def closed(tx: ViewTx, event: Demand.Closed) -> None:
    _demand(tx, event, lambda doc: doc.update(status="closed"))


@FOLD.on(Demand.MergedInto)
def merged_into(tx: ViewTx, event: Demand.MergedInto) -> None:
    _demand(
        tx, event, lambda doc: doc.update(status="merged", owner="suggestion", merged_into=str(event.suggestion_id))
    )


@FOLD.on(Demand.SplitOut)
def split_out(tx: ViewTx, event: Demand.SplitOut) -> None:
    def split(doc: dict) -> None:
        doc["merged_into"] = None
        doc["owner"] = doc["tier"]
        doc["status"] = "routed" if doc["tier"] else "triaged" if doc["kind"] else "received"

    _demand(tx, event, split)


@FOLD.on(Demand.MarkedDuplicate)
def marked_duplicate(tx: ViewTx, event: Demand.MarkedDuplicate) -> None:
    _demand(tx, event, lambda doc: doc.update(status="duplicate", duplicate_of=str(event.primary_id)))


@FOLD.on(Demand.DuplicateAbsorbed)
def duplicate_absorbed(tx: ViewTx, event: Demand.DuplicateAbsorbed) -> None:
    tx.update(DEMAND, str(event.originator_id), lambda doc: doc["duplicates"].append(str(event.other_id)))


@FOLD.on(Demand.PushedToDeputy)
def pushed_to_deputy(tx: ViewTx, event: Demand.PushedToDeputy) -> None:
    tx.update(DEMAND, str(event.originator_id), lambda doc: doc["deputies"].append(event.deputy_id))


@FOLD.on(Demand.DeputyActed)
def deputy_acted(tx: ViewTx, event: Demand.DeputyActed) -> None:
    def acted(doc: dict) -> None:
        doc["owner"] = f"deputy:{event.meta.actor_id}" if event.action == "accept" else event.forward_to
        if event.forward_to.startswith("deputy:") and event.forward_to[7:] not in doc["deputies"]:
            doc["deputies"].append(event.forward_to[7:])
        doc["deputy_actions"].append(_deputy_action(event, event.action))

    _demand(tx, event, acted)


@FOLD.on(Demand.WishStep)
def wish_step(tx: ViewTx, event: Demand.WishStep) -> None:
    def wish(doc: dict) -> None:
        doc["wish"][event.step] = {
            "at": event.meta.occurred_at.isoformat(),
            "by": event.meta.actor_id,
            "by_name": event.meta.actor_name,
            **event.details,
        }
        if event.step == "claimed":
            doc["owner"] = f"deputy:{event.meta.actor_id}"
        doc["status"] = {"claimed": "claimed", "funded": "claimed", "fulfilled": "fulfilled", "visited": "closed"}[
            event.step
        ]

    _demand(tx, event, wish)


@FOLD.on(Demand.StageNoted)
def stage_noted(tx: ViewTx, event: Demand.StageNoted) -> None:
    def change(doc: dict) -> None:
        doc["status"] = event.status
        doc["stages"].append({"stage": event.stage, "ref": event.ref_id, "title": event.title})

    _demand(tx, event, change)


@FOLD.on(ResidentContact.Erased)
def erased(tx: ViewTx, event: ResidentContact.Erased) -> None:
    for demand_id in _demands_of_contact(tx, event):
        tx.update(DEMAND, demand_id, lambda doc: doc.update(contact_erased=True))


@FOLD.on(ProjectSuggestion.Raised)
def raised(tx: ViewTx, event: ProjectSuggestion.Raised) -> None:
    tx.put(
        SUGGESTION,
        str(event.originator_id),
        event.meta.county,
        {
            "id": str(event.originator_id),
            "county": event.meta.county,
            "title": event.title,
            "category": event.category,
            "towns": event.towns,
            "demand_ids": [str(d) for d in event.demand_ids],
            "split_from": str(event.split_from) if event.split_from else None,
            "status": "open",
            "raised_at": event.meta.occurred_at.isoformat(),
            "raised_by": event.meta.actor_id,
            "raised_by_name": event.meta.actor_name,
            "history": [
                {
                    "action": "raised",
                    "at": event.meta.occurred_at.isoformat(),
                    "by": event.meta.actor_id,
                    "by_name": event.meta.actor_name,
                    "reason": event.meta.reason,
                    "demand_ids": [str(d) for d in event.demand_ids],
                }
            ],
        },
    )


@FOLD.on(ProjectSuggestion.Split)
def split(tx: ViewTx, event: ProjectSuggestion.Split) -> None:
    def split_suggestion(doc: dict) -> None:
        removed = {str(d) for d in event.demand_ids}
        doc["demand_ids"] = [d for d in doc["demand_ids"] if d not in removed]
        doc["status"] = "open" if doc["demand_ids"] else "dissolved"
        doc["history"].append(
            {
                "action": "split",
                "at": event.meta.occurred_at.isoformat(),
                "by": event.meta.actor_id,
                "by_name": event.meta.actor_name,
                "reason": event.meta.reason,
                "demand_ids": sorted(removed),
                "into": str(event.into) if event.into else None,
            }
        )

    tx.update(SUGGESTION, str(event.originator_id), split_suggestion)


@FOLD.on(DeadLetterResolution.Resolved)
def resolved(tx: ViewTx, event: DeadLetterResolution.Resolved) -> None:
    tx.put(
        RESOLUTION,
        f"{event.meta.county}:{event.sequence}",
        event.meta.county,
        {
            "county": event.meta.county,
            "sequence": event.sequence,
            "action": event.action,
            "subject": event.subject,
            "note": event.note,
            "resolved_by": event.meta.actor_id,
            "resolved_by_name": event.meta.actor_name,
            "resolved_at": event.meta.occurred_at.isoformat(),
            "reason": event.meta.reason,
        },
    )


FOLD.include(REGISTRY_FOLD)  # deputies, liaison stations and receptions
project = FOLD  # the projector the runtime's updater calls
TOPICS = FOLD.topics()


def _demands_of_contact(tx: ViewTx, event: ResidentContact.Erased) -> list[str]:
    """The demand whose contact was erased: named by the event, or, in an event stored before it
    named it, found by the demand's ``contact_id`` among the county's demands (a scan, once per
    such erasure)."""
    demand_id = event.demand_id
    if demand_id is not None:
        return [str(demand_id)]
    return tx.find(DEMAND, event.meta.county, "contact_id", str(event.originator_id))
