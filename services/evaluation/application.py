"""Evaluation's use cases: open a rating when a project is handed over, record the tally."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from shared.application import NotFound, RuleBookMixin, ServiceApplication, UnitOfWork
from shared.meta import Meta, RuleViolation
from services.evaluation.domain import ProjectRating, rating_id_for
from services.evaluation.rules import DEFAULTS, verdict

SERVICE = "evaluation"


class EvaluationApplication(RuleBookMixin, ServiceApplication):
    name = "evaluation"

    def open_rating(self, uow: UnitOfWork, meta: Meta, project_id: UUID, year: int, tier: str, name: str,
                    demand_ids: list[UUID], completed_on: date, deadline: date, planned: str, spent: str) -> None:
        if uow.find(rating_id_for(project_id)) is None:
            uow.add(ProjectRating(meta=meta, project_id=project_id, year=year, tier=tier, name=name,
                                  demand_ids=demand_ids, on_time=completed_on <= deadline,
                                  planned_investment=planned, spent=spent))

    def rating(self, project_id: UUID, county: str | None = None) -> ProjectRating:
        rating = self.load(rating_id_for(project_id), county)
        if not isinstance(rating, ProjectRating):
            raise NotFound(str(project_id))
        return rating

    def record_tally(self, meta: Meta, project_id: UUID, satisfied: int, basic: int,
                     unsatisfied: int) -> ProjectRating:
        rating = self.rating(project_id, meta.county)
        version, rules = self.current_rules(SERVICE, meta.county, DEFAULTS)
        try:
            result = verdict(satisfied, basic, unsatisfied, rules)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from exc
        rating.record_tally(meta, satisfied, basic, unsatisfied, result, version)
        self.save(rating)
        return rating
