"""The 12345 hotline's inbound ticket: the hotline platform publishes it on
``hotline.<county>.tickets`` (plain JSON, not enveloped: it is the hotline's own message)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import PastMoment

HOTLINE_SUBJECT = "hotline.{county}.tickets"


class HotlineTicket(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str = Field(min_length=1, max_length=64, description="the hotline's own ticket id")
    county: str = Field(pattern=COUNTY_PATTERN)
    received_at: PastMoment = Field(
        description="with its UTC offset, e.g. 2026-03-01T09:00:00+08:00; from 2000-01-01 to a day after now"
    )
    category: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=4000)
    town: str = Field(default="", max_length=40, description="乡镇/街道")
    caller_name: str = Field(default="", max_length=60)
    caller_phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @staticmethod
    def subject(county: str) -> str:
        return HOTLINE_SUBJECT.format(county=county)
