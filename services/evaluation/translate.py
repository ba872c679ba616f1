"""Evaluation's domain events -> published contracts."""

from __future__ import annotations

from collections.abc import Iterator

from shared.contracts import evaluation as c
from shared.contracts.envelope import Contract
from services.evaluation.domain import ProjectRating


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, ProjectRating.Opened):
        yield c.RatingRoundOpened(round_id=event.originator_id, year=event.year, project_ids=[event.project_id])
    elif isinstance(event, ProjectRating.Tallied):
        yield c.VerdictReached(round_id=event.originator_id, project_id=event.project_id, verdict=event.verdict,
                               satisfied=event.satisfied, basically_satisfied=event.basic,
                               unsatisfied=event.unsatisfied, rule_version=event.rule_version,
                               demand_ids=event.demand_ids)
