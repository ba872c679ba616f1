"""Supervision's part of the caller's worklist (the gateway's role home):
``GET /supervision/api/counties/{c}/worklist``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from services.supervision.app.application import SupervisionApplication
from services.supervision.http.projects_api import County
from services.supervision.read.projections import PROJECT
from services.supervision.read.warnings import open_warnings
from services.supervision.read.worklist import deputy_tasks, staff_tasks, unit_tasks
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.views.worklist import answer, staff_role
from shared.web.access import allow, check_county


def make_worklist_router(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["worklist"])

    @router.get("/counties/{county}/worklist")
    def worklist(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY))],
    ) -> dict:
        """What waits for the caller here: congress staff — change requests to decide, escalated and
        open warnings, findings to assign; a responsible unit — plans due, entries and reports missing,
        findings to answer, completions to report; a deputy on a supervision group — projects to inspect,
        answers to review."""
        check_county(principal, county)
        now = getattr(request.app.state, "clock", lambda: datetime.now(UTC))()
        projects = views.list(PROJECT, county)
        open_projects = [p for p in projects if p["status"] != "accepted"]
        files = [(p, app.project(UUID(p["id"]))) for p in open_projects]
        findings = [(p, f) for p, project in files for f in project.findings.values()]
        changes = [(p, c) for p, project in files for c in project.changes.values() if c["status"] == "pending"]
        warnings = open_warnings(views, county)
        by_role = []
        if principal.has_any({Role.CONGRESS_STAFF, Role.GOV_UNIT}):
            role = staff_role(principal)
            if role == "congress_staff":
                by_role.append((role, staff_tasks(warnings, findings, county, changes)))
            else:
                by_role.append((role, unit_tasks(projects, warnings, findings, app.rules(county)[1], county)))
        if Role.DEPUTY in principal.roles:
            by_role.append((Role.DEPUTY.value, deputy_tasks(projects, findings, principal.subject)))
        return answer("supervision", county, by_role, now)

    return router
