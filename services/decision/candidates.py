"""Candidate projects (候选项目) and the candidate list's approval chain (pure domain).

A candidate is drafted from residents' demands (lineage kept) and screened on the criteria
of seed 002/001/003. The list goes government draft → 主任会议 → 党委审定 → 常委会审议通过 →
大会主席团; any step can send it back with reasons, and every version stays in the record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.meta import Meta, RuleViolation

CRITERIA = ["necessity", "feasibility", "inclusiveness", "regional_balance",   # 必要性 可行性 普惠性 区域平衡
            "urgency", "benefit", "conditions"]                                # 最急需 最突出 最现实
STEPS = ["chairpersons", "party_committee", "standing_committee", "presidium"]
LEVELS = ["county", "town", "street"]


class Candidate(Aggregate):
    @event("Drafted")
    def __init__(self, meta: Meta, year: int, level: str, town: str, name: str, content: str,
                 implementing_body: str, investment: Decimal, deadline: date, requirements: str,
                 coverage: list[str], demand_ids: list[UUID], suggestion_ids: list[UUID]) -> None:
        if level not in LEVELS:
            raise RuleViolation(f"level must be one of {LEVELS}")
        if investment <= 0:
            raise RuleViolation("investment must be positive")
        self.county = meta.county
        self.year, self.level, self.town = year, level, town
        self.name, self.content, self.requirements = name, content, requirements
        self.implementing_body, self.investment, self.deadline = implementing_body, investment, deadline
        self.coverage = list(coverage)
        if not demand_ids:
            raise RuleViolation("a candidate comes from residents' demands (directly or through suggestions)")
        self.demand_ids = list(demand_ids)
        self.suggestion_ids = list(suggestion_ids)
        self.screening: dict = {}

    def screen(self, meta: Meta, scores: dict[str, int], reasons: dict[str, str]) -> None:
        unknown = (set(scores) | set(reasons)) - set(CRITERIA)
        if unknown:
            raise RuleViolation(f"unknown criteria {sorted(unknown)}; known: {CRITERIA}")
        if set(scores) != set(CRITERIA):
            raise RuleViolation(f"score every criterion: {CRITERIA}")
        if any(not 1 <= s <= 5 for s in scores.values()):
            raise RuleViolation("scores are 1 (weak) to 5 (strong)")
        self._screened(meta=meta, scores=dict(scores), reasons=dict(reasons))

    @event("Screened")
    def _screened(self, meta: Meta, scores: dict[str, int], reasons: dict[str, str]) -> None:
        self.screening = {"scores": scores, "reasons": reasons, "total": sum(scores.values()),
                          "by": meta.actor_id, "at": meta.occurred_at.isoformat()}

    def dossier(self) -> dict:
        return {"candidate_id": str(self.id), "name": self.name, "content": self.content,
                "implementing_body": self.implementing_body, "investment": str(self.investment),
                "deadline": self.deadline.isoformat(), "requirements": self.requirements,
                "coverage": self.coverage, "demand_ids": [str(d) for d in self.demand_ids],
                "suggestion_ids": [str(s) for s in self.suggestion_ids]}


class CandidateList(Aggregate):
    """The list of candidates for one year's vote, through its approval chain, in versions."""

    @event("Drafted")
    def __init__(self, meta: Meta, year: int, level: str, town: str, title: str, candidate_ids: list[UUID]) -> None:
        if not candidate_ids or len(set(candidate_ids)) != len(candidate_ids):
            raise RuleViolation("a list names at least one candidate, each once")
        self.county = meta.county
        self.year, self.level, self.town, self.title = year, level, town, title
        self.version = 1
        self.candidate_ids = list(candidate_ids)
        self.step = 0                       # index into STEPS of the next decision
        self.status = "in_review"
        self.history = [{"version": 1, "step": "government_draft", "decision": "drafted", "by": meta.actor_id,
                         "role": meta.actor_role, "at": meta.occurred_at.isoformat(), "reason": meta.reason,
                         "candidate_ids": [str(c) for c in candidate_ids]}]

    @property
    def pending_step(self) -> str | None:
        return STEPS[self.step] if self.status == "in_review" else None

    def approve(self, meta: Meta, step: str) -> None:
        if self.status != "in_review":
            raise RuleViolation(f"the list is {self.status}; nothing to approve")
        if step != STEPS[self.step]:
            raise RuleViolation(f"the next decision is {STEPS[self.step]}, not {step}")
        self._approved(meta=meta, step=step)

    @event("Approved")
    def _approved(self, meta: Meta, step: str) -> None:
        self.history.append(self._entry(meta, step, "approved"))
        self.step += 1
        if self.step == len(STEPS):
            self.status = "put_to_session"

    def send_back(self, meta: Meta, step: str) -> None:
        if self.status != "in_review" or step != STEPS[self.step]:
            raise RuleViolation(f"only the pending step ({self.pending_step}) can send the list back")
        if not meta.reason:
            raise RuleViolation("sending the list back needs a reason")
        self._sent_back(meta=meta, step=step)

    @event("SentBack")
    def _sent_back(self, meta: Meta, step: str) -> None:
        self.history.append(self._entry(meta, step, "sent_back"))
        self.status = "sent_back"

    def revise(self, meta: Meta, candidate_ids: list[UUID]) -> None:
        if self.status != "sent_back":
            raise RuleViolation("only a list sent back can be revised")
        if not candidate_ids or len(set(candidate_ids)) != len(candidate_ids):
            raise RuleViolation("a list names at least one candidate, each once")
        self._revised(meta=meta, candidate_ids=list(candidate_ids))

    @event("Revised")
    def _revised(self, meta: Meta, candidate_ids: list[UUID]) -> None:
        self.version += 1
        self.candidate_ids = list(candidate_ids)
        self.step, self.status = 0, "in_review"
        self.history.append({**self._entry(meta, "government_draft", "revised"),
                             "candidate_ids": [str(c) for c in candidate_ids]})

    def _entry(self, meta: Meta, step: str, decision: str) -> dict:
        return {"version": self.version, "step": step, "decision": decision, "by": meta.actor_id,
                "role": meta.actor_role, "at": meta.occurred_at.isoformat(), "reason": meta.reason}
