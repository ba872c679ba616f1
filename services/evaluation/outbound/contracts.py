"""Evaluation's domain events -> published contracts. Ballots, check-ins and residents'
individual ratings stay inside the service."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import NAMESPACE_URL, uuid5

from services.evaluation.domain.rating import ProjectRating
from services.evaluation.domain.rectification import Rectification
from services.evaluation.domain.round import RatingRound
from services.evaluation.domain.voice import ProjectVoice
from shared.contracts import evaluation as c
from shared.contracts.envelope import Contract


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, ProjectRating.Opened):
        yield c.RatingRoundOpened(round_id=event.originator_id, year=event.year, project_ids=[event.project_id])
    elif isinstance(event, ProjectRating.Tallied):
        yield c.VerdictReached(
            round_id=event.round_id or event.originator_id,
            project_id=event.project_id,
            verdict=event.verdict,
            satisfied=event.satisfied,
            basically_satisfied=event.basic,
            unsatisfied=event.unsatisfied,
            rule_version=event.rule_version,
            demand_ids=event.demand_ids,
        )
    elif isinstance(event, RatingRound.Opened):
        yield c.RatingRoundOpened(
            round_id=event.originator_id, year=event.rated_year, project_ids=[p["project_id"] for p in event.projects]
        )
    elif isinstance(event, RatingRound.Confirmed):
        yield c.ResultsConfirmed(
            round_id=event.originator_id,
            session_year=event.session_year,
            rated_year=event.rated_year,
            verdicts=event.verdicts,
        )
    elif isinstance(event, RatingRound.Distributed):
        yield c.ResultsDistributed(round_id=event.originator_id, recipient=event.recipient)
    elif isinstance(event, Rectification.Ordered):
        yield c.RectificationOrdered(
            project_id=event.project_id,
            round_id=event.round_id,
            name=event.name,
            deadline=event.deadline,
            demand_ids=event.demand_ids,
        )
    elif isinstance(event, Rectification.OverdueWarned):
        yield c.RectificationOverdue(
            project_id=event.project_id, deadline=event.deadline, days_overdue=event.days_overdue
        )
    elif isinstance(event, Rectification.ReRated):
        yield c.ReRatingReached(
            project_id=event.project_id,
            verdict=event.verdict,
            satisfied=event.satisfied,
            basically_satisfied=event.basic,
            unsatisfied=event.unsatisfied,
            rule_version=event.rule_version,
        )
    elif isinstance(event, Rectification.NextStepRecorded):
        yield c.RectificationEscalated(project_id=event.project_id, step=event.step, note=event.note)
    elif isinstance(event, ProjectVoice.LookedBack) and event.problem:
        yield c.LookbackProblemFound(
            lookback_id=uuid5(NAMESPACE_URL, f"shishi:lookback:{event.originator_id}:{event.originator_version}"),
            project_id=event.project_id,
            project_name=event.name,
            town=event.town,
            problem=event.problem,
            checked_on=event.checked_on,
            in_use=event.in_use,
            held_up=event.held_up,
            residents_satisfied=event.residents_satisfied,
            demand_ids=event.demand_ids,
        )
