"""A project suggestion (建议) merged from many demands, with lineage both ways (pure domain).

"共性问题形成建议": staff merge demands into one suggestion; nothing is destroyed — each demand
keeps its own history and points to the suggestion; the suggestion lists every demand it holds,
and a split records which demands left and where they went.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved


class ProjectSuggestion(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Raised(Aggregate.Created):
        meta: Meta
        title: str
        category: str
        towns: list[str]
        demand_ids: list[UUID]
        split_from: UUID | None = None

    class Split(Aggregate.Event):
        meta: Meta
        demand_ids: list[UUID]
        into: UUID | None
        remaining: list[UUID]

    @event(Raised)
    def __init__(
        self,
        meta: Meta,
        title: str,
        category: str,
        towns: list[str],
        demand_ids: list[UUID],
        split_from: UUID | None = None,
    ) -> None:
        if len(title.strip()) < 2:
            raise RuleViolation("项目建议须有名称（至少 2 个字） / a suggestion needs a title")
        if not demand_ids:
            raise RuleViolation("请至少选择一条诉求 / a suggestion needs at least one demand")
        self.county = meta.county
        self.title = title.strip()
        self.category = category
        self.towns = list(towns)
        self.demand_ids = list(demand_ids)
        self.split_from = split_from
        self.status = "open"
        self.history: list[dict[str, Any]] = [
            {
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "action": "raised",
                "demand_ids": [str(d) for d in demand_ids],
                "ref": str(split_from) if split_from else "",
                "reason": meta.reason,
            }
        ]

    def split(self, meta: Meta, demand_ids: list[UUID], into: UUID | None) -> None:
        """Take ``demand_ids`` out (into a new suggestion ``into``, or back to the queue)."""
        missing = [str(d) for d in demand_ids if d not in self.demand_ids]
        if missing:
            raise RuleViolation(f"所选诉求不在这条建议中 / not part of this suggestion: {', '.join(missing)}")
        if not demand_ids:
            raise RuleViolation("请选择要拆出的诉求 / choose the demands to split off")
        remaining = [d for d in self.demand_ids if d not in demand_ids]
        self._split(meta=meta, demand_ids=list(demand_ids), into=into, remaining=remaining)

    @event(Split)
    def _split(self, meta: Meta, demand_ids: list[UUID], into: UUID | None, remaining: list[UUID]) -> None:
        self.demand_ids = list(remaining)
        if not self.demand_ids:
            self.status = "dissolved"
        self.history.append(
            {
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "action": "split",
                "demand_ids": [str(d) for d in demand_ids],
                "ref": str(into) if into else "",
                "reason": meta.reason,
            }
        )


moved("services.intake.suggestion", ProjectSuggestion)  # stored before 2026-12 under the old module
