"""Intake's part of the caller's worklist (the gateway's role home): ``GET /intake/api/counties/{c}/worklist``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.intake.app.application import IntakeApplication
from services.intake.http.demands_api import County, now_of
from services.intake.read.projections import DEMAND
from services.intake.read.worklist import deputy_tasks, staff_tasks
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.views.worklist import answer, staff_role
from shared.web.access import allow, check_county


def make_worklist_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["worklist"])

    @router.get("/counties/{county}/worklist")
    def worklist(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY))],
    ) -> dict:
        """What waits for the caller here, by the roles they hold: staff — replies overdue and due,
        demands to triage, stranded demands; a deputy — their inbox, micro-wishes to claim."""
        check_county(principal, county)
        now = now_of(request)
        docs = views.list(DEMAND, county)
        by_role = []
        if principal.has_any({Role.CONGRESS_STAFF, Role.GOV_UNIT}):
            by_role.append((staff_role(principal), staff_tasks(docs, now, app.rules(county)[1], county)))
        if Role.DEPUTY in principal.roles:
            by_role.append((Role.DEPUTY.value, deputy_tasks(docs, principal.subject, county)))
        return answer("intake", county, by_role, now)

    return router
