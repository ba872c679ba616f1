"""Intake's aggregates: a resident's demand (诉求), its tracking-code index and the resident's
contact details, kept apart from the demand so they can be made erasable."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from shared.meta import Meta, RuleViolation

NAMESPACE = UUID("0b6f4f0e-8d7b-4a8e-9a55-4b7c1c3f2a11")
CHANNELS = ("web", "liaison_station", "deputy_suggestion", "department_list", "hotline")

# What each upstream stage means on a resident's tracking page (lineage).
STAGE_STATUS = {
    "candidate": "in_candidate",
    "adopted": "adopted",
    "project": "in_progress",
    "progress": "in_progress",
    "completed": "completed",
    "verdict": "rated",
}


STAGE_ORDER = ["submitted", *STAGE_STATUS]


def hotline_demand_id(county: str, ticket_id: str) -> UUID:
    """A hotline ticket always lands on the same demand, however often it is delivered."""
    return uuid5(NAMESPACE, f"hotline:{county}:{ticket_id}")


def tracking_index_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"tracking:{code.upper()}")


class Demand(Aggregate):
    """A demand from any channel. Its timeline shows what became of it at every later stage."""

    @staticmethod
    def create_id(hotline_ticket_id: str = "", meta: Meta | None = None, **_: Any) -> UUID:
        if hotline_ticket_id and meta is not None:
            return hotline_demand_id(meta.county, hotline_ticket_id)
        return uuid4()

    @event("Submitted")
    def __init__(
        self,
        meta: Meta,
        channel: str,
        town: str,
        category: str,
        text: str,
        contact_id: UUID | None,
        tracking_code: str,
        location: dict | None = None,
        attachments: list | None = None,
        hotline_ticket_id: str = "",
    ) -> None:
        if channel not in CHANNELS:
            raise RuleViolation(f"unknown channel {channel!r}")
        self.county = meta.county
        self.channel = channel
        self.town = town
        self.category = category
        self.text = text
        self.contact_id = contact_id
        self.tracking_code = tracking_code
        self.location = location or {}
        self.attachments = attachments or []
        self.hotline_ticket_id = hotline_ticket_id
        self.submitted_at = meta.occurred_at
        self.status = "received"
        self.timeline: list[dict] = [
            {"stage": "submitted", "at": meta.occurred_at.isoformat(), "title": category, "ref": ""}
        ]

    def note_stage(self, meta: Meta, stage: str, ref_id: str, title: str, detail: str = "") -> None:
        """Record what an upstream service did with this demand (idempotent per stage and ref)."""
        if stage not in STAGE_STATUS:
            raise RuleViolation(f"unknown stage {stage!r}")
        if any(e["stage"] == stage and e["ref"] == ref_id and e.get("detail", "") == detail for e in self.timeline):
            return
        # Stages arrive from several services in any order: the furthest one reached is the status.
        reached = [e["stage"] for e in self.timeline if e["stage"] in STAGE_STATUS] + [stage]
        status = STAGE_STATUS[max(reached, key=STAGE_ORDER.index)]
        self._stage_noted(meta=meta, stage=stage, ref_id=ref_id, title=title, detail=detail,
                          hotline_ticket_id=self.hotline_ticket_id, status=status)

    @event("StageNoted")
    def _stage_noted(self, meta: Meta, stage: str, ref_id: str, title: str, detail: str, hotline_ticket_id: str,
                     status: str) -> None:
        self.timeline.append(
            {"stage": stage, "at": meta.occurred_at.isoformat(), "title": title, "ref": ref_id, "detail": detail}
        )
        # The timeline is kept in the order of the loop (business time, then stage).
        self.timeline.sort(key=lambda e: (e["at"], STAGE_ORDER.index(e["stage"])))
        self.status = status


class TrackingCode(Aggregate):
    """Index: tracking code -> demand, so a resident follows a demand without an account."""

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return tracking_index_id(code)

    @event("Issued")
    def __init__(self, meta: Meta, code: str, demand_id: UUID) -> None:
        self.county = meta.county
        self.code = code
        self.demand_id = demand_id


class ResidentContact(Aggregate):
    """Name, phone and exact address: never published on NATS, readable only by staff of the county."""

    @event("Recorded")
    def __init__(self, meta: Meta, name: str, phone: str, address: str) -> None:
        self.county = meta.county
        self.name = name
        self.phone = phone
        self.address = address
