"""Supervision's use cases: open a project file, follow its progress, accept its completion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from shared.application import NotFound, RuleBookMixin, ServiceApplication, UnitOfWork
from shared.meta import Meta
from services.supervision.domain import Project

SERVICE = "supervision"


class SupervisionApplication(RuleBookMixin, ServiceApplication):
    name = "supervision"

    def open_project(self, uow: UnitOfWork, meta: Meta, project_id: UUID, year: int, tier: str, name: str,
                     content: str, implementing_body: str, investment: Decimal, deadline: date,
                     demand_ids: list[UUID]) -> None:
        if uow.find(project_id) is None:
            uow.add(Project(meta=meta, project_id=project_id, year=year, tier=tier, name=name, content=content,
                            implementing_body=implementing_body, investment=investment, deadline=deadline,
                            demand_ids=demand_ids))

    def project(self, project_id: UUID, county: str | None = None) -> Project:
        project = self.load(project_id, county)
        if not isinstance(project, Project):
            raise NotFound(str(project_id))
        return project

    def report_progress(self, meta: Meta, project_id: UUID, progress_pct: int, spent: Decimal, note: str) -> Project:
        project = self.project(project_id, meta.county)
        project.report_progress(meta, progress_pct, spent, note)
        self.save(project)
        return project

    def report_completion(self, meta: Meta, project_id: UUID, completed_on: date, spent: Decimal,
                          note: str) -> Project:
        project = self.project(project_id, meta.county)
        project.report_completion(meta, completed_on, spent, note)
        self.save(project)
        return project

    def accept(self, meta: Meta, project_id: UUID, verdict: str) -> Project:
        project = self.project(project_id, meta.county)
        project.accept(meta, verdict)
        self.save(project)
        return project
