"""Evaluation's part of the caller's worklist (the gateway's role home):
``GET /evaluation/api/counties/{c}/worklist``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.evaluation.http.rounds_api import County
from services.evaluation.read.projections import RATING, ROUND
from services.evaluation.read.worklist import deputy_tasks, government_tasks, staff_tasks
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.views.worklist import answer, staff_role
from shared.web.access import allow, check_county
from shared.web.templating import CHINA


def make_worklist_router(views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["worklist"])

    @router.get("/counties/{county}/worklist")
    def worklist(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY))],
    ) -> dict:
        """What waits for the caller here: congress staff — projects to rate, rounds to run through,
        rectification reports due and to rate again, look-backs due; a government office — its
        rectification reports due; a deputy — a rating round open for them."""
        check_county(principal, county)
        now = getattr(request.app.state, "clock", lambda: datetime.now(UTC))()
        ratings, rounds = views.list(RATING, county), views.list(ROUND, county)
        by_role = []
        if principal.has_any({Role.CONGRESS_STAFF, Role.GOV_UNIT}):
            role = staff_role(principal)
            if role == "congress_staff":
                by_role.append((role, staff_tasks(ratings, rounds, now.astimezone(CHINA).date(), county)))
            else:
                by_role.append((role, government_tasks(ratings, county)))
        if Role.DEPUTY in principal.roles:
            by_role.append((Role.DEPUTY.value, deputy_tasks(rounds, county)))
        return answer("evaluation", county, by_role, now)

    return router
