from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

CRITERIA = [
    "necessity",
    "feasibility",
    "inclusiveness",
    "regional_balance",  # 必要性 可行性 普惠性 区域平衡
    "urgency",
    "benefit",
    "conditions",
]  # 最急需 最突出 最现实


LEVELS = ["county", "town", "street"]
LEVEL_NAMES = {"county": "县（市、区）", "town": "乡镇", "street": "街道"}


class Candidate(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Drafted(Aggregate.Created):
        meta: Meta
        year: int
        level: str
        town: str
        name: str
        content: str
        implementing_body: str
        investment: Decimal
        deadline: date
        requirements: str
        coverage: list[str]
        demand_ids: list[UUID]
        suggestion_ids: list[UUID]

    class Screened(Aggregate.Event):
        meta: Meta
        scores: dict[str, int]
        reasons: dict[str, str]

    @event(Drafted)
    def __init__(
        self,
        meta: Meta,
        year: int,
        level: str,
        town: str,
        name: str,
        content: str,
        implementing_body: str,
        investment: Decimal,
        deadline: date,
        requirements: str,
        coverage: list[str],
        demand_ids: list[UUID],
        suggestion_ids: list[UUID],
    ) -> None:
        if level not in LEVELS:
            raise RuleViolation(f"层级须为县（市、区）、乡镇或街道 / level must be one of {LEVELS}")
        if investment <= 0:
            raise RuleViolation("投资额须大于零 / investment must be positive")
        self.county = meta.county
        self.year, self.level, self.town = year, level, town
        self.name, self.content, self.requirements = name, content, requirements
        self.implementing_body, self.investment, self.deadline = implementing_body, investment, deadline
        self.coverage = list(coverage)
        if not demand_ids:
            raise RuleViolation(
                "候选项目须来自群众诉求（直接选取或经项目建议）"
                " / a candidate comes from residents' demands (directly or through suggestions)"
            )
        self.demand_ids = list(demand_ids)
        self.suggestion_ids = list(suggestion_ids)
        self.screening: dict[str, Any] = {}

    def screen(self, meta: Meta, scores: dict[str, int], reasons: dict[str, str]) -> None:
        unknown = (set(scores) | set(reasons)) - set(CRITERIA)
        if unknown:
            raise RuleViolation(f"未知的初审标准 / unknown criteria {sorted(unknown)}; known: {CRITERIA}")
        if set(scores) != set(CRITERIA):
            raise RuleViolation(f"七项初审标准都须评分 / score every criterion: {CRITERIA}")
        if any(not 1 <= s <= 5 for s in scores.values()):
            raise RuleViolation("评分为 1（弱）至 5（强）/ scores are 1 (weak) to 5 (strong)")
        self._screened(meta=meta, scores=dict(scores), reasons=dict(reasons))

    @event(Screened)
    def _screened(self, meta: Meta, scores: dict[str, int], reasons: dict[str, str]) -> None:
        self.screening = {
            "scores": scores,
            "reasons": reasons,
            "total": sum(scores.values()),
            "by": meta.actor_id,
            "at": meta.occurred_at.isoformat(),
        }

    def dossier(self) -> dict[str, Any]:
        return {
            "candidate_id": str(self.id),
            "name": self.name,
            "content": self.content,
            "implementing_body": self.implementing_body,
            "investment": str(self.investment),
            "deadline": self.deadline.isoformat(),
            "requirements": self.requirements,
            "coverage": self.coverage,
            "demand_ids": [str(d) for d in self.demand_ids],
            "suggestion_ids": [str(s) for s in self.suggestion_ids],
        }


moved("services.decision.candidates", Candidate)  # stored before 2026-12 under the old module
