"""Events published by evaluation (满意度测评)."""

from __future__ import annotations

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
