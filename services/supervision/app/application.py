"""Supervision's use cases: a project's year from its file to accepted completion, and the
county's warning sweep (预警督办), which raises due warnings exactly once for a given ``now``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from services.supervision.domain.project import Project
from services.supervision.domain.project_index import ProjectIndex, index_id
from services.supervision.domain.rules import DEFAULTS, RANGES, check_rules, project_progress
from services.supervision.domain.warning_rules import causes, escalation_due, plan_due_on
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta
from shared.persistence.application import NotFound, ServiceApplication, UnitOfWork

SERVICE = "supervision"
SWEEPER = "warning-sweep"


class SupervisionApplication(ServiceApplication):
    name = "supervision"
    RULE_RANGES = RANGES

    def rules(self, county: str) -> tuple[int, dict[str, Any]]:
        return self.current_rules(SERVICE, county, DEFAULTS)

    def revise_rules(
        self, service: str, meta: Meta, changes: dict[str, Any], defaults: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """A county's revision is checked as a whole before it is recorded (409 with the reason)."""
        _, current = self.rules(meta.county)
        check_rules({**current, **changes})
        return super().revise_rules(service, meta, changes, defaults)

    def open_project(
        self,
        uow: UnitOfWork,
        meta: Meta,
        project_id: UUID,
        year: int,
        tier: str,
        name: str,
        content: str,
        implementing_body: str,
        investment: Decimal,
        deadline: date,
        demand_ids: list[UUID],
        session_closed_on: date | None = None,
        town: str = "",
    ) -> None:
        if uow.find(project_id) is not None:
            return
        uow.add(
            Project(
                meta=meta,
                project_id=project_id,
                year=year,
                tier=tier,
                name=name,
                content=content,
                implementing_body=implementing_body,
                investment=investment,
                deadline=deadline,
                demand_ids=demand_ids,
                session_closed_on=session_closed_on,
                town=town,
            )
        )
        index = uow.find(index_id(meta.county))
        if index is None:
            index = uow.add(ProjectIndex(meta=meta))
        assert isinstance(index, ProjectIndex)
        index.list_project(meta, project_id)

    def project(self, project_id: UUID, county: str | None = None) -> Project:
        project = self.load(project_id, county)
        if not isinstance(project, Project):
            raise NotFound(str(project_id))
        return project

    def project_ids(self, county: str) -> list[UUID]:
        index = self.find(index_id(county))
        return list(index.project_ids) if isinstance(index, ProjectIndex) else []

    def _change(self, meta: Meta, project_id: UUID, fn: Callable[[Project], None]) -> Project:
        project = self.project(project_id, meta.county)
        fn(project)
        self.save(project)
        return project

    # -- session close, plan and changes --------------------------------------------------------

    def record_session_close(self, meta: Meta, project_id: UUID, closed_on: date) -> Project:
        return self._change(meta, project_id, lambda p: p.record_session_close(meta, closed_on))

    def record_county_session_close(self, meta: Meta, year: int, closed_on: date) -> list[str]:
        """The close of the county's annual session, for every major project of that year."""
        projects = [
            p
            for p in (self.project(pid) for pid in self.project_ids(meta.county))
            if p.tier == "major" and p.year == year and p.session_closed_on != closed_on
        ]
        for p in projects:
            p.record_session_close(meta, closed_on)
        if projects:
            self.save(*projects)
        return [str(p.id) for p in projects]

    # -- plan and changes ---------------------------------------------------------------------

    def file_plan(self, meta: Meta, project_id: UUID, plan: dict[str, Any]) -> Project:
        _, rules = self.rules(meta.county)
        return self._change(
            meta, project_id, lambda p: p.file_plan(meta, plan, plan_due_on(p.session_closed_on, rules))
        )

    def request_change(
        self,
        meta: Meta,
        project_id: UUID,
        request_id: str,
        kind: str,
        new_deadline: date | None,
        plan: dict[str, Any] | None,
    ) -> Project:
        return self._change(meta, project_id, lambda p: p.request_change(meta, request_id, kind, new_deadline, plan))

    def decide_change(self, meta: Meta, project_id: UUID, request_id: str, approved: bool) -> Project:
        return self._change(meta, project_id, lambda p: p.decide_change(meta, request_id, approved))

    # -- cadence and funds ----------------------------------------------------------------------

    def report_progress(
        self,
        meta: Meta,
        project_id: UUID,
        progress_pct: int | None,
        spent: Decimal | None,
        note: str,
        period: str = "",
        task_progress: dict[str, int] | None = None,
        spent_by_line: dict[str, Decimal] | None = None,
        work_done: str = "",
        problems: str = "",
    ) -> Project:
        """A tracking entry. With task progress the project's progress is rolled up from the plan's
        tasks (weighted by budget); with spending per budget line the total is their sum."""

        def apply(p: Project) -> None:
            pct = progress_pct
            if task_progress and p.plans:
                previous: dict[str, Any] = next(
                    (e["task_progress"] for e in reversed(p.tracking) if e["task_progress"]), {}
                )
                pct = project_progress(p.plans[-1]["tasks"], {**previous, **task_progress})
            total = spent
            if spent_by_line:
                total = sum(spent_by_line.values(), Decimal("0"))
            p.report_progress(
                meta,
                p.progress_pct if pct is None else pct,
                p.spent if total is None else total,
                note,
                period,
                task_progress,
                {k: str(v) for k, v in (spent_by_line or {}).items()},
                work_done,
                problems,
            )

        return self._change(meta, project_id, apply)

    def file_report(self, meta: Meta, project_id: UUID, kind: str, period: str, text: str) -> Project:
        return self._change(meta, project_id, lambda p: p.file_report(meta, kind, period, text))

    def record_audit(self, meta: Meta, project_id: UUID, audit: dict[str, Any]) -> Project:
        return self._change(meta, project_id, lambda p: p.record_audit(meta, audit))

    # -- group, inspections, findings, inquiries ------------------------------------------------

    def assign_group(
        self, meta: Meta, project_id: UUID, deputies: list[dict[str, Any]], residents: list[dict[str, Any]]
    ) -> Project:
        _, rules = self.rules(meta.county)
        return self._change(meta, project_id, lambda p: p.assign_group(meta, deputies, residents, rules))

    def change_roster(self, meta: Meta, project_id: UUID, join: list[dict[str, Any]], leave: list[str]) -> Project:
        _, rules = self.rules(meta.county)
        return self._change(meta, project_id, lambda p: p.change_roster(meta, join, leave, rules))

    def record_inspection(
        self, meta: Meta, project_id: UUID, inspection: dict[str, Any], findings: list[dict[str, Any]]
    ) -> Project:
        return self._change(meta, project_id, lambda p: p.record_inspection(meta, inspection, findings))

    def assign_finding(self, meta: Meta, project_id: UUID, finding_id: str, unit: str) -> Project:
        return self._change(meta, project_id, lambda p: p.assign_finding(meta, finding_id, unit))

    def answer_finding(self, meta: Meta, project_id: UUID, finding_id: str, answer: str) -> Project:
        return self._change(meta, project_id, lambda p: p.answer_finding(meta, finding_id, answer))

    def review_finding(self, meta: Meta, project_id: UUID, finding_id: str, accepted: bool) -> Project:
        return self._change(meta, project_id, lambda p: p.review_finding(meta, finding_id, accepted))

    def record_inquiry(self, meta: Meta, project_id: UUID, inquiry: dict[str, Any]) -> Project:
        return self._change(meta, project_id, lambda p: p.record_inquiry(meta, inquiry))

    # -- warnings -------------------------------------------------------------------------------

    def resolve_warning(self, meta: Meta, project_id: UUID, key: str) -> Project:
        return self._change(meta, project_id, lambda p: p.resolve_warning(meta, key))

    def sweep(self, county: str, now: datetime, correlation_id: str = "") -> list[dict[str, Any]]:
        """Raise the warnings due on ``now`` for every project of the county, exactly once per
        cause; escalate the ones left unresolved; resolve (with the reason) those whose cause
        no longer holds. Running it again with the same ``now`` changes nothing."""
        version, rules = self.rules(county)
        meta = Meta(
            county=county,
            actor_role="system",
            actor_id=SWEEPER,
            occurred_at=now,
            correlation_id=correlation_id or f"sweep:{county}:{now.isoformat()}",
        )
        actions: list[dict[str, Any]] = []
        for project_id in self.project_ids(county):
            for attempt in range(3):
                try:
                    actions += self._sweep_project(project_id, meta, rules, version)
                    break
                except IntegrityError:  # a concurrent write to the same project: reload and retry
                    if attempt == 2:
                        raise
        return actions

    def _sweep_project(self, project_id: UUID, meta: Meta, rules: dict[str, Any], version: int) -> list[dict[str, Any]]:
        project = self.project(project_id)
        today = china_date(meta.occurred_at)  # the day in China, whatever the clock's zone
        holding = causes(project, rules, today)
        actions = []
        for key, (kind, detail) in sorted(holding.items()):
            if project.raise_warning(meta, key, kind, detail, version):
                actions.append({"project_id": str(project_id), "key": key, "action": "raised"})
        for key, warning in sorted(project.warnings.items()):
            if warning["status"] != "open":
                continue
            if key not in holding:
                project.resolve_warning(
                    replace(meta, reason=f"{today} 起原因已消除 / cleared: the cause no longer holds on {today}"), key
                )
                actions.append({"project_id": str(project_id), "key": key, "action": "cleared"})
            elif escalation_due(project, warning, rules, today):
                project.escalate_warning(meta, key)
                actions.append({"project_id": str(project_id), "key": key, "action": "escalated"})
        if actions:
            self.save(project)
        return actions

    # -- completion ---------------------------------------------------------------------------

    def report_completion(self, meta: Meta, project_id: UUID, completed_on: date, spent: Decimal, note: str) -> Project:
        return self._change(meta, project_id, lambda p: p.report_completion(meta, completed_on, spent, note))

    def accept(self, meta: Meta, project_id: UUID, verdict: str) -> Project:
        return self._change(meta, project_id, lambda p: p.accept(meta, verdict))
