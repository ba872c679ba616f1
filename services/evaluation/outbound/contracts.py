"""Evaluation's domain events -> published contracts. Ballots, check-ins and residents'
individual ratings stay inside the service."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import NAMESPACE_URL, uuid5

from services.evaluation.domain.rating import ProjectRating
from services.evaluation.domain.rectification import Rectification
from services.evaluation.domain.round import RatingRound
from services.evaluation.domain.voice import ProjectVoice
from shared.bus.translation import Translation
from shared.contracts import evaluation as c
from shared.contracts.envelope import Contract

OUTBOUND = Translation("evaluation")


@OUTBOUND.on(ProjectRating.Opened)
def rating_opened(event: ProjectRating.Opened) -> Iterator[Contract]:
    yield c.RatingRoundOpened(round_id=event.originator_id, year=event.year, project_ids=[event.project_id])


@OUTBOUND.on(ProjectRating.Tallied)
def rating_tallied(event: ProjectRating.Tallied) -> Iterator[Contract]:
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


@OUTBOUND.on(RatingRound.Opened)
def round_opened(event: RatingRound.Opened) -> Iterator[Contract]:
    yield c.RatingRoundOpened(
        round_id=event.originator_id, year=event.rated_year, project_ids=[p["project_id"] for p in event.projects]
    )


@OUTBOUND.on(RatingRound.Confirmed)
def round_confirmed(event: RatingRound.Confirmed) -> Iterator[Contract]:
    yield c.ResultsConfirmed(
        round_id=event.originator_id,
        session_year=event.session_year,
        rated_year=event.rated_year,
        verdicts=event.verdicts,
    )


@OUTBOUND.on(RatingRound.Distributed)
def round_distributed(event: RatingRound.Distributed) -> Iterator[Contract]:
    yield c.ResultsDistributed(round_id=event.originator_id, recipient=event.recipient)


@OUTBOUND.on(Rectification.Ordered)
def rectification_ordered(event: Rectification.Ordered) -> Iterator[Contract]:
    yield c.RectificationOrdered(
        project_id=event.project_id,
        round_id=event.round_id,
        name=event.name,
        deadline=event.deadline,
        demand_ids=event.demand_ids,
    )


@OUTBOUND.on(Rectification.OverdueWarned)
def rectification_overdue(event: Rectification.OverdueWarned) -> Iterator[Contract]:
    yield c.RectificationOverdue(project_id=event.project_id, deadline=event.deadline, days_overdue=event.days_overdue)


@OUTBOUND.on(Rectification.ReRated)
def rectification_re_rated(event: Rectification.ReRated) -> Iterator[Contract]:
    yield c.ReRatingReached(
        project_id=event.project_id,
        verdict=event.verdict,
        satisfied=event.satisfied,
        basically_satisfied=event.basic,
        unsatisfied=event.unsatisfied,
        rule_version=event.rule_version,
    )


@OUTBOUND.on(Rectification.NextStepRecorded)
def rectification_next_step(event: Rectification.NextStepRecorded) -> Iterator[Contract]:
    yield c.RectificationEscalated(project_id=event.project_id, step=event.step, note=event.note)


@OUTBOUND.on(ProjectVoice.LookedBack)
def lookback_problem(event: ProjectVoice.LookedBack) -> Iterator[Contract]:
    if not (event.problem):
        return
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


to_contracts = OUTBOUND  # what the outbox relay publishes for each stored event
TOPICS = OUTBOUND.topics()
