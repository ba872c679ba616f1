"""Residents' voice on a completed project, pure domain: residents' ratings (群众评) through
lineage, return visits (回访) for micro projects and micro-wishes, the usage measure (使用率),
and the look-back one year after completion (翌年回头看)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70")
LEVELS = ("satisfied", "basically_satisfied", "unsatisfied")
RETURN_VISIT_TIERS = ("micro", "micro_wish")


def voice_id_for(project_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"voice:{project_id}")


class ProjectVoice(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta
        project_id: UUID
        year: int
        tier: str
        name: str
        town: str
        completed_on: date | None
        lookback_due: date | None
        demand_ids: list[UUID] | None = None

    class ResidentRated(Aggregate.Event):
        meta: Meta
        rater_key: str
        level: str

    class ReturnVisited(Aggregate.Event):
        meta: Meta
        visited_on: date
        respondent: str
        level: str
        note: str

    class UsageMeasured(Aggregate.Event):
        meta: Meta
        measured_on: date
        usage_rate: str
        basis: str

    class LookedBack(Aggregate.Event):
        meta: Meta
        checked_on: date
        in_use: bool
        held_up: bool
        residents_satisfied: bool
        problem: str
        project_id: UUID
        name: str
        town: str
        demand_ids: list[UUID]

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return voice_id_for(project_id)

    @event(Opened)
    def __init__(
        self,
        meta: Meta,
        project_id: UUID,
        year: int,
        tier: str,
        name: str,
        town: str,
        completed_on: date | None,
        lookback_due: date | None,
        demand_ids: list[UUID] | None = None,
    ) -> None:
        self.county = meta.county
        self.demand_ids = list(demand_ids or [])
        self.project_id = project_id
        self.year = year
        self.tier = tier
        self.name = name
        self.town = town
        self.completed_on = completed_on
        self.lookback_due = lookback_due
        self.raters: set[str] = set()
        self.lookbacks: list[dict[str, Any]] = []

    def rate(self, meta: Meta, rater_key: str, level: str) -> None:
        """A resident whose demand is in this project rates it, once per demand (keyed by its tracking code)."""
        if level not in LEVELS:
            raise RuleViolation(f"请选择满意、基本满意或不满意 / level must be one of {', '.join(LEVELS)}")
        if rater_key in self.raters:
            raise RuleViolation(
                "您已经用这个跟踪码评价过这个项目，每条诉求只能评价一次 / this demand has already rated the project",
                reason="already_rated",
            )
        self._resident_rated(meta=meta, rater_key=rater_key, level=level)

    @event(ResidentRated)
    def _resident_rated(self, meta: Meta, rater_key: str, level: str) -> None:
        self.raters.add(rater_key)

    def return_visit(self, meta: Meta, visited_on: date, respondent: str, level: str, note: str) -> None:
        if self.tier not in RETURN_VISIT_TIERS:
            raise RuleViolation("回访只适用于微实事和微心愿 / return visits are for micro projects and micro-wishes")
        if level not in LEVELS:
            raise RuleViolation(f"请选择满意、基本满意或不满意 / level must be one of {', '.join(LEVELS)}")
        if self.completed_on is not None and visited_on < self.completed_on:
            raise RuleViolation("回访日期须在项目完工之后 / a return visit follows completion")
        self._visited(meta=meta, visited_on=visited_on, respondent=respondent, level=level, note=note)

    @event(ReturnVisited)
    def _visited(self, meta: Meta, visited_on: date, respondent: str, level: str, note: str) -> None:
        pass

    def measure_usage(self, meta: Meta, measured_on: date, usage_rate: Decimal, basis: str) -> None:
        """使用率: the share (0..1) of the intended use actually seen (beds filled, visits per capacity ...)."""
        if not Decimal(0) <= usage_rate <= Decimal(1):
            raise RuleViolation("使用率须在 0 到 1 之间 / usage rate is a share between 0 and 1")
        if not basis.strip():
            raise RuleViolation("请说明使用率是如何测得的 / say how the usage was measured")
        self._usage(meta=meta, measured_on=measured_on, usage_rate=str(usage_rate), basis=basis.strip())

    @event(UsageMeasured)
    def _usage(self, meta: Meta, measured_on: date, usage_rate: str, basis: str) -> None:
        pass

    def look_back(
        self, meta: Meta, checked_on: date, in_use: bool, held_up: bool, residents_satisfied: bool, problem: str
    ) -> None:
        """翌年回头看: is it used, did it hold, are residents still satisfied. A problem feeds intake."""
        if checked_on > china_date(meta.occurred_at):
            raise RuleViolation("回头看的日期不能晚于今天 / a look-back cannot be dated in the future")
        if self.lookback_due is not None and checked_on < self.lookback_due:
            raise RuleViolation(
                f"回头看自 {self.lookback_due.isoformat()} 起才到期 / "
                f"the look-back is due from {self.lookback_due.isoformat()}"
            )
        if not (in_use and held_up and residents_satisfied) and not problem.strip():
            raise RuleViolation("请描述发现的问题 / describe the problem found")
        self._looked_back(
            meta=meta,
            checked_on=checked_on,
            in_use=in_use,
            held_up=held_up,
            residents_satisfied=residents_satisfied,
            problem=problem.strip(),
            project_id=self.project_id,
            name=self.name,
            town=self.town,
            demand_ids=self.demand_ids,
        )

    @event(LookedBack)
    def _looked_back(
        self,
        meta: Meta,
        checked_on: date,
        in_use: bool,
        held_up: bool,
        residents_satisfied: bool,
        problem: str,
        project_id: UUID,
        name: str,
        town: str,
        demand_ids: list[UUID],
    ) -> None:
        self.lookbacks.append({"checked_on": checked_on.isoformat(), "problem": problem})


moved("services.evaluation.voice", ProjectVoice)  # stored before 2026-12 under the old module
