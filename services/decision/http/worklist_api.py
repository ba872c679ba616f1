"""Decision's part of the caller's worklist (the gateway's role home): ``GET /decision/api/counties/{c}/worklist``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.decision.http.votes_api import County
from services.decision.read.projections import MICRO
from services.decision.read.vote_projections import LISTS, SESSIONS
from services.decision.read.worklist import deputy_tasks, government_tasks, staff_tasks
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.views.worklist import answer, staff_role
from shared.web.access import allow, check_county


def make_worklist_router(views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["worklist"])

    @router.get("/counties/{county}/worklist")
    def worklist(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY))],
    ) -> dict:
        """What waits for the caller here: congress staff — lists at a step of the approval chain,
        sessions to schedule and hold, micro projects to approve; a government office — lists sent back,
        micro projects to answer; a deputy — sessions whose roll names them (their ballot page)."""
        check_county(principal, county)
        now = getattr(request.app.state, "clock", lambda: datetime.now(UTC))()
        lists, sessions, micro = (views.list(kind, county) for kind in (LISTS, SESSIONS, MICRO))
        by_role = []
        if principal.has_any({Role.CONGRESS_STAFF, Role.GOV_UNIT}):
            role = staff_role(principal)
            staff = role == "congress_staff"
            by_role.append(
                (role, staff_tasks(lists, sessions, micro, county) if staff else government_tasks(lists, micro, county))
            )
        if Role.DEPUTY in principal.roles:
            by_role.append((Role.DEPUTY.value, deputy_tasks(sessions, principal.subject)))
        return answer("decision", county, by_role, now)

    return router
