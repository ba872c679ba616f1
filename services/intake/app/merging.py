"""Merging use cases: many demands into one project suggestion (with lineage), split again, and
linking duplicates in one action. Nothing is destroyed: each demand keeps its own history."""

from __future__ import annotations

from uuid import UUID

from services.intake.app.core import IntakeCore
from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import UnitOfWork


class Merging(IntakeCore):
    def _demands(self, uow: UnitOfWork, meta: Meta, demand_ids: list[UUID]) -> list[Demand]:
        if len(set(demand_ids)) != len(demand_ids):
            raise RuleViolation("同一条诉求选了两次 / a demand is listed twice")
        found = []
        for demand_id in demand_ids:
            demand = uow.find(demand_id)
            if not isinstance(demand, Demand) or demand.county != meta.county:
                raise RuleViolation(f"本县没有这条诉求 / no demand {demand_id} in county {meta.county}")
            found.append(demand)
        return found

    def merge(self, meta: Meta, title: str, demand_ids: list[UUID]) -> ProjectSuggestion:
        """共性问题形成建议: merge demands into one project suggestion."""
        uow = UnitOfWork(self)
        demands = self._demands(uow, meta, demand_ids)
        categories = sorted({d.category for d in demands})
        suggestion = ProjectSuggestion(
            meta=meta,
            title=title,
            category=categories[0] if len(categories) == 1 else "other",
            towns=sorted({d.town for d in demands}),
            demand_ids=demand_ids,
        )
        for demand in demands:
            demand.merge_into(meta, suggestion.id, suggestion.title)
        self.save(suggestion, *demands)
        return suggestion

    def split(
        self, meta: Meta, suggestion_id: UUID, demand_ids: list[UUID], new_title: str = ""
    ) -> tuple[ProjectSuggestion, ProjectSuggestion | None]:
        """Take demands out of a suggestion: back to the queue, or into a new suggestion (``new_title``)."""
        uow = UnitOfWork(self)
        suggestion = self.suggestion(suggestion_id, meta.county)
        demands = self._demands(uow, meta, demand_ids)
        new = None
        if new_title:
            new = ProjectSuggestion(
                meta=meta,
                title=new_title,
                category=suggestion.category,
                towns=sorted({d.town for d in demands}),
                demand_ids=demand_ids,
                split_from=suggestion.id,
            )
        suggestion.split(meta, demand_ids, new.id if new else None)
        for demand in demands:
            demand.split_out(meta, suggestion.id)
            if new is not None:
                demand.merge_into(meta, new.id, new.title)
        self.save(suggestion, *([new] if new else []), *demands)
        return suggestion, new

    def suggestion(self, suggestion_id: UUID, county: str | None = None) -> ProjectSuggestion:
        from shared.persistence.application import NotFound

        found = self.load(suggestion_id, county)
        if not isinstance(found, ProjectSuggestion):
            raise NotFound(str(suggestion_id))
        return found

    def link_duplicates(self, meta: Meta, primary_id: UUID, duplicate_ids: list[UUID]) -> Demand:
        """Link likely duplicates to one primary demand in one action (e.g. many callers, one road)."""
        if primary_id in duplicate_ids:
            raise RuleViolation("主诉求不能是它自己的重复诉求 / the primary demand cannot be its own duplicate")
        uow = UnitOfWork(self)
        primary, *others = self._demands(uow, meta, [primary_id, *duplicate_ids])
        if not others:
            raise RuleViolation("请至少选择一条重复诉求 / choose at least one duplicate")
        for other in others:
            other.mark_duplicate_of(meta, primary)
            primary.absorb_duplicate(meta, other.id)
        self.save(primary, *others)
        return primary
