"""Evaluation's use cases. The session's rating round, rectification and residents' voice live
in their own modules (mixins) and are composed here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.evaluation.domain.adopted_project import AdoptedProject
from services.evaluation.domain.demand_record import DemandRecord
from services.evaluation.domain.ledger import adopted_id_for, demand_record_id_for, vote_record_id_for
from services.evaluation.domain.rating import ProjectRating, rating_id_for
from services.evaluation.domain.rules import DEFAULTS, RANGES, lookback_due, verdict
from services.evaluation.domain.voice import ProjectVoice, voice_id_for
from services.evaluation.domain.vote_record import VoteRecord
from shared.ballots.application import BallotingApplication
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound, UnitOfWork

SERVICE = "evaluation"


class EvaluationCore(BallotingApplication):
    name = "evaluation"
    RULE_RANGES = RANGES

    def rules(self, county: str) -> tuple[int, dict[str, Any]]:
        return self.current_rules(SERVICE, county, DEFAULTS)

    # inbound ------------------------------------------------------------------------------
    def open_rating(
        self,
        uow: UnitOfWork,
        meta: Meta,
        project_id: UUID,
        year: int,
        tier: str,
        name: str,
        demand_ids: list[UUID],
        completed_on: date,
        deadline: date,
        planned: str,
        spent: str,
        town: str = "",
    ) -> None:
        if uow.find(rating_id_for(project_id)) is None:
            uow.add(
                ProjectRating(
                    meta=meta,
                    project_id=project_id,
                    year=year,
                    tier=tier,
                    name=name,
                    demand_ids=demand_ids,
                    on_time=completed_on <= deadline,
                    planned_investment=planned,
                    spent=spent,
                    completed_on=completed_on,
                    deadline=deadline,
                    town=town,
                )
            )
        if uow.find(voice_id_for(project_id)) is None:
            _, rules = self.rules(meta.county)
            uow.add(
                ProjectVoice(
                    meta=meta,
                    project_id=project_id,
                    year=year,
                    tier=tier,
                    name=name,
                    town=town,
                    completed_on=completed_on,
                    lookback_due=lookback_due(completed_on, rules),
                    demand_ids=demand_ids,
                )
            )

    def record_adopted(
        self, uow: UnitOfWork, meta: Meta, project_id: UUID, year: int, tier: str, name: str, deadline: date
    ) -> None:
        if uow.find(adopted_id_for(project_id)) is None:
            uow.add(
                AdoptedProject(meta=meta, project_id=project_id, year=year, tier=tier, name=name, deadline=deadline)
            )

    def record_vote(
        self,
        uow: UnitOfWork,
        meta: Meta,
        session_id: UUID,
        round_no: int,
        year: int,
        level: str,
        town: str,
        status: str,
    ) -> None:
        if uow.find(vote_record_id_for(session_id, round_no)) is None:
            uow.add(
                VoteRecord(
                    meta=meta,
                    session_id=session_id,
                    round_no=round_no,
                    year=year,
                    level=level,
                    town=town,
                    status=status,
                )
            )

    def record_demand(
        self,
        uow: UnitOfWork,
        meta: Meta,
        demand_id: UUID,
        channel: str,
        town: str,
        category: str,
        submitted_at: datetime,
    ) -> None:
        if uow.find(demand_record_id_for(demand_id)) is None:
            uow.add(
                DemandRecord(
                    meta=meta,
                    demand_id=demand_id,
                    channel=channel,
                    town=town,
                    category=category,
                    submitted_at=submitted_at,
                )
            )

    def record_demand_routing(
        self, uow: UnitOfWork, meta: Meta, demand_id: UUID, kind: str, tier: str, scope: str
    ) -> None:
        record = uow.find(demand_record_id_for(demand_id))
        if not isinstance(record, DemandRecord):
            raise RuleViolation(f"诉求尚未登记就收到分流 / routing for demand {demand_id} before its submission")
        record.routed(meta, kind, tier, scope)

    def record_demand_status(self, uow: UnitOfWork, meta: Meta, demand_id: UUID, status: str, note: str) -> None:
        record = uow.find(demand_record_id_for(demand_id))
        if not isinstance(record, DemandRecord):
            raise RuleViolation(f"诉求尚未登记就收到状态 / status for demand {demand_id} before its submission")
        record.status_seen(meta, status, note)

    # ratings ------------------------------------------------------------------------------
    def rating(self, project_id: UUID, county: str | None = None) -> ProjectRating:
        rating = self.load(rating_id_for(project_id), county)
        if not isinstance(rating, ProjectRating):
            raise NotFound(str(project_id))
        return rating

    def record_tally(self, meta: Meta, project_id: UUID, satisfied: int, basic: int, unsatisfied: int) -> ProjectRating:
        """Tellers' counts for a project rated outside a session round."""
        rating = self.rating(project_id, meta.county)
        version, rules = self.rules(meta.county)
        try:
            result = verdict(satisfied, basic, unsatisfied, rules)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from exc
        rating.record_tally(meta, satisfied, basic, unsatisfied, result, version)
        self.save(rating)
        return rating
