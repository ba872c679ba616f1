"""Use cases of residents' voice: residents' ratings, return visits, usage, look-back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from services.evaluation.app.core import EvaluationCore
from services.evaluation.domain.rating import ProjectRating, rating_id_for
from services.evaluation.domain.rules import lookback_due
from services.evaluation.domain.voice import ProjectVoice, voice_id_for
from shared.kernel.meta import Meta
from shared.persistence.application import NotFound


class VoiceCases(EvaluationCore):
    def voice(self, project_id: UUID, county: str | None = None) -> ProjectVoice:
        found = self.find(voice_id_for(project_id))
        if isinstance(found, ProjectVoice):
            if county is not None and found.county != county:
                raise NotFound(str(project_id))
            return found
        # A rating opened before residents' voice existed: open its voice from the rating.
        rating = self.load(rating_id_for(project_id), county)
        if not isinstance(rating, ProjectRating):
            raise NotFound(str(project_id))
        _, rules = self.rules(rating.county)
        meta = Meta(
            county=rating.county,
            actor_role="system",
            actor_id="evaluation",
            occurred_at=rating.modified_on,
            reason="residents' voice opened for an earlier rating",
        )
        return ProjectVoice(
            meta=meta,
            project_id=project_id,
            year=rating.year,
            tier=rating.tier,
            name=rating.name,
            town=rating.town,
            completed_on=rating.completed_on,
            lookback_due=lookback_due(rating.completed_on, rules) if rating.completed_on else None,
            demand_ids=rating.demand_ids,
        )

    def resident_rate(self, meta: Meta, project_id: UUID, rater_key: str, level: str) -> ProjectVoice:
        v = self.voice(project_id, meta.county)
        v.rate(meta, rater_key, level)
        self.save(v)
        return v

    def return_visit(
        self, meta: Meta, project_id: UUID, visited_on: date, respondent: str, level: str, note: str
    ) -> ProjectVoice:
        v = self.voice(project_id, meta.county)
        v.return_visit(meta, visited_on, respondent, level, note)
        self.save(v)
        return v

    def measure_usage(
        self, meta: Meta, project_id: UUID, measured_on: date, usage_rate: Decimal, basis: str
    ) -> ProjectVoice:
        v = self.voice(project_id, meta.county)
        v.measure_usage(meta, measured_on, usage_rate, basis)
        self.save(v)
        return v

    def look_back(
        self,
        meta: Meta,
        project_id: UUID,
        checked_on: date,
        in_use: bool,
        held_up: bool,
        residents_satisfied: bool,
        problem: str,
    ) -> ProjectVoice:
        v = self.voice(project_id, meta.county)
        v.look_back(meta, checked_on, in_use, held_up, residents_satisfied, problem)
        self.save(v)
        return v
