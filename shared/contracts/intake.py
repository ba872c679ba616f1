"""Events published by intake (民意征集). Contact details never appear here."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from shared.contracts.envelope import Contract
from shared.contracts.registry import REGISTRY


class _Intake(Contract):
    SERVICE = "intake"


@REGISTRY.register
class DemandSubmitted(_Intake):
    """A resident's demand (诉求) was received, from any channel."""

    EVENT = "demand-submitted"
    demand_id: UUID
    channel: str = Field(
        description="web, qr_code, liaison_station, deputy_suggestion, department_list, hotline, open311, lookback"
    )
    town: str
    category: str
    text: str
    submitted_at: datetime
    hotline_ticket_id: str = ""
    station_id: UUID | None = Field(default=None, description="the liaison station it was raised at or through")
    deputy_id: str = Field(default="", description="the deputy it was raised with (their account)")
    reception_id: UUID | None = Field(default=None, description="the reception (接待日) it was raised at")


@REGISTRY.register
class DemandStatusChanged(_Intake):
    """A demand's status changed (triaged, routed, escalated, replied, merged, closed, lineage stages ...)."""

    EVENT = "demand-status-changed"
    demand_id: UUID
    status: str
    note: str = ""


@REGISTRY.register
class HotlineTicketAccepted(_Intake):
    """Tells the 12345 hotline its ticket landed on one demand."""

    EVENT = "hotline.accepted"
    ticket_id: str
    demand_id: UUID
    tracking_code: str


@REGISTRY.register
class HotlineTicketStatusChanged(_Intake):
    """Each status change of the demand behind a 12345 ticket, with the hotline's ticket id."""

    EVENT = "hotline.status-changed"
    ticket_id: str
    demand_id: UUID
    status: str
    note: str = ""


@REGISTRY.register
class HotlineTicketReplied(_Intake):
    """A reply to the resident who called the 12345 hotline (the hotline relays it)."""

    EVENT = "hotline.replied"
    ticket_id: str
    demand_id: UUID
    text: str
    replied_at: datetime


@REGISTRY.register
class HotlineTicketClosed(_Intake):
    """The demand behind a 12345 ticket is closed (handled, merged away as duplicate, or finished)."""

    EVENT = "hotline.closed"
    ticket_id: str
    demand_id: UUID
    note: str = ""
    closed_at: datetime


@REGISTRY.register
class DemandRouted(_Intake):
    """Triage routed a demand to a tier, or escalated it to a higher one (escalated_from set).

    tier: department (direct handling, 立行立改), micro_wish (微心愿), micro (民生微实事), major
    (票决实事项目). The reason and the intake rule-set version it was decided under are kept.
    """

    EVENT = "demand-routed"
    demand_id: UUID
    kind: str = Field(description="consultation, individual, common, micro_wish, project_suggestion")
    tier: str
    reason: str
    rules_version: int
    scope: str = Field(description="household, community, town, county")
    estimate: int = Field(description="money estimate in CNY")
    escalated_from: str = ""


@REGISTRY.register
class ReplyOverdue(_Intake):
    """A consultation-type demand was not answered within its deadline (default 24 hours)."""

    EVENT = "reply-overdue"
    demand_id: UUID
    due_at: datetime


@REGISTRY.register
class SuggestionRaised(_Intake):
    """Staff merged residents' demands into one project suggestion (共性问题形成建议).

    For decision's pool: ``demand_ids`` are the original demands it absorbed (each was published
    earlier as ``intake.demand-submitted``); ``split_from`` is the suggestion it was split off
    from, if any. A candidate drafted from this suggestion should list these demand ids so each
    resident's tracking page keeps the lineage.
    """

    EVENT = "suggestion-raised"
    suggestion_id: UUID
    title: str
    category: str
    towns: list[str]
    demand_ids: list[UUID]
    split_from: UUID | None = None


@REGISTRY.register
class SuggestionSplit(_Intake):
    """Demands were taken out of a suggestion: ``remaining_demand_ids`` is what it now holds;
    ``removed_demand_ids`` went back to the queue, or into ``new_suggestion_id`` (raised separately)."""

    EVENT = "suggestion-split"
    suggestion_id: UUID
    removed_demand_ids: list[UUID]
    remaining_demand_ids: list[UUID]
    new_suggestion_id: UUID | None = None


@REGISTRY.register
class ResidentContactErased(_Intake):
    """A resident's contact details were erased (their key destroyed). Carries ids only."""

    EVENT = "resident-contact-erased"
    contact_id: UUID
    erased_at: datetime
