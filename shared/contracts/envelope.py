"""The envelope every integration event travels in, and the base of every payload."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

COUNTY_PATTERN = r"^\d{6}$"


class Contract(BaseModel):
    """A published event payload. Subclasses name their service, event and schema version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    SERVICE: ClassVar[str]
    EVENT: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return f"{cls.SERVICE}.{cls.EVENT}"

    @classmethod
    def subject(cls, county: str) -> str:
        return f"shishi.{county}.{cls.SERVICE}.{cls.EVENT}"


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str = Field(description="resident, deputy, gov_unit, congress_staff, system, hotline, ballot ...")
    id: str = Field(description="who; never a deputy's id for a secret ballot")


class Envelope(BaseModel):
    """What goes on the wire: metadata plus a payload validated against the registered model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str
    schema_version: int = Field(ge=1)
    county: str = Field(pattern=COUNTY_PATTERN, description="6-digit 行政区划代码")
    occurred_at: AwareDatetime = Field(description="business time")
    recorded_at: AwareDatetime = Field(description="when the producing service recorded it")
    actor: Actor
    correlation_id: str = ""
    causation_id: str = ""
    payload: dict[str, Any]

    def subject(self) -> str:
        service, _, event = self.type.partition(".")
        return f"shishi.{self.county}.{service}.{event}"
