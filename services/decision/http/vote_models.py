"""Request bodies of the vote API (validated; bad input answers 422 problem+json)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.decision.domain.candidate import CRITERIA
from shared.contracts.plausible import PlausibleDate
from shared.web.ballots import RECEIPT_FIELD, ProofIn


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CandidateIn(_In):
    year: int = Field(ge=2000, le=2100)
    level: Literal["county", "town", "street"] = "county"
    town: str = Field(default="", max_length=40)
    name: str = Field(min_length=2, max_length=100)
    content: str = Field(min_length=2, max_length=4000)
    implementing_body: str = Field(min_length=2, max_length=100, description="实施主体")
    investment: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="投资额度 (CNY)")
    deadline: PlausibleDate = Field(description="完成时限")
    requirements: str = Field(default="", max_length=2000)
    coverage: list[str] = Field(default_factory=list, max_length=200, description="towns/streets covered")
    demand_ids: list[UUID] = Field(default_factory=list, max_length=2000, description="residents' demands absorbed")
    suggestion_ids: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        description="intake's project suggestions absorbed (their demands come along)",
    )


class ScreeningIn(_In):
    scores: dict[str, int] = Field(description=f"1..5 for each of {CRITERIA}")
    reasons: dict[str, str] = Field(default_factory=dict)


class ListIn(_In):
    year: int = Field(ge=2000, le=2100)
    level: Literal["county", "town", "street"] = "county"
    town: str = Field(default="", max_length=40)
    title: str = Field(min_length=2, max_length=200)
    candidate_ids: list[UUID] = Field(min_length=1, max_length=500)
    reason: str = Field(default="", max_length=500)


class ListDecisionIn(_In):
    step: Literal["chairpersons", "party_committee", "standing_committee", "presidium"]
    decision: Literal["approve", "send_back"]
    reason: str = Field(default="", max_length=1000)


class ReviseIn(_In):
    candidate_ids: list[UUID] = Field(min_length=1, max_length=500)
    reason: str = Field(min_length=2, max_length=1000)


class Deputy(_In):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=60)
    kind: Literal["deputy", "resident_representative"] = "deputy"


class SessionIn(_In):
    year: int = Field(ge=2000, le=2100)
    level: Literal["county", "town", "street"] = "county"
    town: str = Field(default="", max_length=40)
    name: str = Field(min_length=2, max_length=200)
    list_id: UUID
    roll: list[Deputy] = Field(min_length=1, max_length=2000)


class CheckInIn(_In):
    deputy_id: str = Field(min_length=1, max_length=80)


class OpenVoteIn(_In):
    seats: int = Field(ge=1, le=500)
    kind: Literal["competitive", "equal"] = "competitive"
    mode: Literal["electronic", "paper"] = "electronic"
    candidate_ids: list[UUID] | None = None


class BallotIn(_In):
    """An anonymous ballot: a credential's proof, or a printed code, never both."""

    marks: dict[str, Literal["yes", "no", "abstain"]]
    receipt: str = RECEIPT_FIELD
    proof: ProofIn | None = None
    code: str = Field(default="", max_length=20, description="a printed ballot code (10 letters and digits)")


class CodesIn(_In):
    count: int = Field(ge=1, le=2000)


class PaperBoxIn(_In):
    box_no: str = Field(min_length=1, max_length=20)
    issued: int = Field(ge=0)
    returned: int = Field(ge=0)
    invalid: int = Field(ge=0)
    counts: dict[str, dict[Literal["yes", "no", "abstain"], int]]
