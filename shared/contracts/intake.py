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
    channel: str = Field(description="web, liaison_station, deputy_suggestion, department_list, hotline")
    town: str
    category: str
    text: str
    submitted_at: datetime
    hotline_ticket_id: str = ""


@REGISTRY.register
class DemandStatusChanged(_Intake):
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
    EVENT = "hotline.status-changed"
    ticket_id: str
    demand_id: UUID
    status: str
    note: str = ""
