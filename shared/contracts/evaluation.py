"""Events published by evaluation (满意度测评)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from shared.contracts.envelope import Contract
from shared.contracts.registry import REGISTRY


class _Evaluation(Contract):
    SERVICE = "evaluation"


@REGISTRY.register
class RatingRoundOpened(_Evaluation):
    EVENT = "rating-round-opened"
    round_id: UUID
    year: int
    project_ids: list[UUID]


@REGISTRY.register
class VerdictReached(_Evaluation):
    """满意 / 基本满意 / 不满意 for one project, with the counts and the rule version used."""

    EVENT = "verdict-reached"
    round_id: UUID
    project_id: UUID
    verdict: str = Field(description="satisfied, basically_satisfied, unsatisfied")
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rule_version: int
    demand_ids: list[UUID]


@REGISTRY.register
class ResultsConfirmed(_Evaluation):
    """The presidium (大会主席团) confirmed a session's rating results."""

    EVENT = "results-confirmed"
    round_id: UUID
    session_year: int
    rated_year: int
    verdicts: dict[str, str] = Field(description="project id -> satisfied, basically_satisfied, unsatisfied")


@REGISTRY.register
class ResultsDistributed(_Evaluation):
    """Confirmed results went to one recipient (one event each)."""

    EVENT = "results-distributed"
    round_id: UUID
    recipient: str = Field(description="all_deputies, party_committee, government, organisation_department")


@REGISTRY.register
class RectificationOrdered(_Evaluation):
    """A 不满意 project must be rectified; the government reports by the deadline."""

    EVENT = "rectification-ordered"
    project_id: UUID
    round_id: UUID
    name: str
    deadline: date
    demand_ids: list[UUID]


@REGISTRY.register
class RectificationOverdue(_Evaluation):
    """Warning: the rectification report was not filed by its deadline."""

    EVENT = "rectification-overdue"
    project_id: UUID
    deadline: date
    days_overdue: int


@REGISTRY.register
class ReRatingReached(_Evaluation):
    """Standing committee members rated the rectified project again, under the same rule."""

    EVENT = "re-rating-reached"
    project_id: UUID
    verdict: str
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rule_version: int


@REGISTRY.register
class RectificationEscalated(_Evaluation):
    """Still 不满意 after rectification: the committee's next step."""

    EVENT = "rectification-escalated"
    project_id: UUID
    step: str = Field(
        description="special_inquiry (专题询问), formal_questioning (质询), special_investigation (特定问题调查)"
    )
    note: str = ""


@REGISTRY.register
class LookbackProblemFound(_Evaluation):
    """翌年回头看 found a problem with a completed project: intake should open a new demand linked to it."""

    EVENT = "lookback-problem-found"
    lookback_id: UUID = Field(description="stable id of this finding (use it to derive the new demand's id)")
    project_id: UUID
    project_name: str
    town: str
    problem: str
    checked_on: date
    in_use: bool
    held_up: bool
    residents_satisfied: bool
    demand_ids: list[UUID] = Field(description="the project's original demands (lineage)")
