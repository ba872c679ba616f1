"""The candidate list and its approval chain (pure domain): government draft → 主任会议 → 党委审定 →
常委会审议通过 → 大会主席团; any step can send it back with reasons, and every version stays in the record."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

STEPS = ["chairpersons", "party_committee", "standing_committee", "presidium"]
STEP_NAMES = {
    "government_draft": "政府拟定",
    "chairpersons": "主任会议",
    "party_committee": "党委审定",
    "standing_committee": "常委会审议通过",
    "presidium": "大会主席团",
}
STATUS_NAMES = {"in_review": "审议中", "sent_back": "已退回", "put_to_session": "已提交大会"}


class CandidateList(Aggregate):
    """The list of candidates for one year's vote, through its approval chain, in versions."""

    # Events: the fields of each are the arguments of the method that records it.
    class Drafted(Aggregate.Created):
        meta: Meta
        year: int
        level: str
        town: str
        title: str
        candidate_ids: list[UUID]

    class Approved(Aggregate.Event):
        meta: Meta
        step: str

    class SentBack(Aggregate.Event):
        meta: Meta
        step: str

    class Revised(Aggregate.Event):
        meta: Meta
        candidate_ids: list[UUID]

    @event(Drafted)
    def __init__(self, meta: Meta, year: int, level: str, town: str, title: str, candidate_ids: list[UUID]) -> None:
        if not candidate_ids or len(set(candidate_ids)) != len(candidate_ids):
            raise RuleViolation("清单至少列入一个候选项目，且不得重复 / a list names at least one candidate, each once")
        self.county = meta.county
        self.year, self.level, self.town, self.title = year, level, town, title
        self.version = 1
        self.candidate_ids = list(candidate_ids)
        self.step = 0  # index into STEPS of the next decision
        self.status = "in_review"
        self.history = [
            {
                "version": 1,
                "step": "government_draft",
                "decision": "drafted",
                "by": meta.actor_id,
                "role": meta.actor_role,
                "by_name": meta.actor_name,
                "at": meta.occurred_at.isoformat(),
                "reason": meta.reason,
                "candidate_ids": [str(c) for c in candidate_ids],
            }
        ]

    @property
    def pending_step(self) -> str | None:
        return STEPS[self.step] if self.status == "in_review" else None

    def approve(self, meta: Meta, step: str) -> None:
        if self.status != "in_review":
            raise RuleViolation(
                f"清单{STATUS_NAMES[self.status]}，没有待审环节 / the list is {self.status}; nothing to approve"
            )
        if step != STEPS[self.step]:
            raise RuleViolation(
                f"下一个审定环节是{STEP_NAMES[STEPS[self.step]]}，不是{STEP_NAMES.get(step, step)}"
                f" / the next decision is {STEPS[self.step]}, not {step}"
            )
        self._approved(meta=meta, step=step)

    @event(Approved)
    def _approved(self, meta: Meta, step: str) -> None:
        self.history.append(self._entry(meta, step, "approved"))
        self.step += 1
        if self.step == len(STEPS):
            self.status = "put_to_session"

    def send_back(self, meta: Meta, step: str) -> None:
        if self.status != "in_review" or step != STEPS[self.step]:
            pending = STEP_NAMES.get(self.pending_step or "", "无")
            raise RuleViolation(
                f"只有待审环节（{pending}）可以退回清单"
                f" / only the pending step ({self.pending_step}) can send the list back"
            )
        if not meta.reason:
            raise RuleViolation("退回清单须说明理由 / sending the list back needs a reason")
        self._sent_back(meta=meta, step=step)

    @event(SentBack)
    def _sent_back(self, meta: Meta, step: str) -> None:
        self.history.append(self._entry(meta, step, "sent_back"))
        self.status = "sent_back"

    def revise(self, meta: Meta, candidate_ids: list[UUID]) -> None:
        if self.status != "sent_back":
            raise RuleViolation("只有被退回的清单才能修改 / only a list sent back can be revised")
        if not candidate_ids or len(set(candidate_ids)) != len(candidate_ids):
            raise RuleViolation("清单至少列入一个候选项目，且不得重复 / a list names at least one candidate, each once")
        self._revised(meta=meta, candidate_ids=list(candidate_ids))

    @event(Revised)
    def _revised(self, meta: Meta, candidate_ids: list[UUID]) -> None:
        self.version += 1
        self.candidate_ids = list(candidate_ids)
        self.step, self.status = 0, "in_review"
        self.history.append(
            {**self._entry(meta, "government_draft", "revised"), "candidate_ids": [str(c) for c in candidate_ids]}
        )

    def _entry(self, meta: Meta, step: str, decision: str) -> dict[str, Any]:
        return {
            "version": self.version,
            "step": step,
            "decision": decision,
            "by": meta.actor_id,
            "role": meta.actor_role,
            "by_name": meta.actor_name,
            "at": meta.occurred_at.isoformat(),
            "reason": meta.reason,
        }


moved("services.decision.candidates", CandidateList)  # stored before 2026-12 under the old module
