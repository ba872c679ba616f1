"""Rectification of a 不满意 project (整改), pure domain.

The order carries its deadline (session close + the county's months, default 3). The
government files its report; standing committee members rate again under the same rule;
still 不满意 -> the committee records its next step. A report not filed by the deadline
raises an overdue warning (once), found by a sweep that is given the date.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("9a7b6c5d-4e3f-4a1b-8c2d-1e0f9a8b7c6d")
NEXT_STEPS = ("special_inquiry", "formal_questioning", "special_investigation")


def rectification_id_for(project_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"rectification:{project_id}")


class Rectification(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Ordered(Aggregate.Created):
        meta: Meta
        project_id: UUID
        round_id: UUID
        name: str
        year: int
        deadline: date
        rule_version: int
        demand_ids: list[UUID]

    class ReportFiled(Aggregate.Event):
        meta: Meta
        text: str
        late: bool

    class OverdueWarned(Aggregate.Event):
        meta: Meta
        deadline: date
        days_overdue: int
        project_id: UUID

    class ReRated(Aggregate.Event):
        meta: Meta
        satisfied: int
        basic: int
        unsatisfied: int
        verdict: str
        rule_version: int
        project_id: UUID

    class NextStepRecorded(Aggregate.Event):
        meta: Meta
        step: str
        note: str
        project_id: UUID

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return rectification_id_for(project_id)

    @event(Ordered)
    def __init__(
        self,
        meta: Meta,
        project_id: UUID,
        round_id: UUID,
        name: str,
        year: int,
        deadline: date,
        rule_version: int,
        demand_ids: list[UUID],
    ) -> None:
        self.county = meta.county
        self.project_id = project_id
        self.round_id = round_id
        self.name = name
        self.year = year
        self.deadline = deadline
        self.rule_version = rule_version
        self.demand_ids = list(demand_ids)
        self.status = "ordered"
        self.report: str | None = None
        self.overdue_warned = False
        self.re_rating: dict[str, Any] | None = None
        self.next_step: str | None = None

    def file_report(self, meta: Meta, text: str) -> None:
        if self.status != "ordered":
            raise RuleViolation(f"整改报告已经提交 / rectification is {self.status}; the report was already filed")
        if not text.strip():
            raise RuleViolation("整改报告不能为空 / the rectification report is empty")
        late = china_date(meta.occurred_at) > self.deadline
        self._report_filed(meta=meta, text=text.strip(), late=late)

    @event(ReportFiled)
    def _report_filed(self, meta: Meta, text: str, late: bool) -> None:
        self.status = "reported"
        self.report = text

    def warn_if_overdue(self, meta: Meta, today: date) -> bool:
        """Raise the overdue warning once when the report is missing after the deadline."""
        if self.status != "ordered" or self.overdue_warned or today <= self.deadline:
            return False
        self._overdue(
            meta=meta, deadline=self.deadline, days_overdue=(today - self.deadline).days, project_id=self.project_id
        )
        return True

    @event(OverdueWarned)
    def _overdue(self, meta: Meta, deadline: date, days_overdue: int, project_id: UUID) -> None:
        self.overdue_warned = True

    def re_rate(
        self, meta: Meta, satisfied: int, basic: int, unsatisfied: int, verdict: str, rule_version: int
    ) -> None:
        """Standing committee members rate again, under the same rule."""
        if self.status != "reported":
            raise RuleViolation(
                f"须在政府提交整改报告后再次测评 / rectification is {self.status}; "
                "re-rating follows the government's report"
            )
        self._re_rated(
            meta=meta,
            satisfied=satisfied,
            basic=basic,
            unsatisfied=unsatisfied,
            verdict=verdict,
            rule_version=rule_version,
            project_id=self.project_id,
        )

    @event(ReRated)
    def _re_rated(
        self,
        meta: Meta,
        satisfied: int,
        basic: int,
        unsatisfied: int,
        verdict: str,
        rule_version: int,
        project_id: UUID,
    ) -> None:
        self.re_rating = {
            "satisfied": satisfied,
            "basically_satisfied": basic,
            "unsatisfied": unsatisfied,
            "verdict": verdict,
            "rule_version": rule_version,
        }
        self.status = "escalation_pending" if verdict == "unsatisfied" else "closed"

    def record_next_step(self, meta: Meta, step: str, note: str) -> None:
        if step not in NEXT_STEPS:
            raise RuleViolation(
                f"下一步须为专题询问、质询或特定问题调查 / next step must be one of {', '.join(NEXT_STEPS)}"
            )
        if self.status != "escalation_pending":
            raise RuleViolation(
                f"再次测评仍不满意后才能决定下一步 / rectification is {self.status}; "
                "a next step follows a second unsatisfied"
            )
        self._next_step(meta=meta, step=step, note=note, project_id=self.project_id)

    @event(NextStepRecorded)
    def _next_step(self, meta: Meta, step: str, note: str, project_id: UUID) -> None:
        self.next_step = step
        self.status = "escalated"


moved("services.evaluation.rectification", Rectification)  # stored before 2026-12 under the old module
