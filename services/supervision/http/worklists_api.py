"""What each role has to do next, as JSON (the same lists the pages act from; a role home can show them):
the responsible unit's, congress staff's, and a supervision group deputy's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.supervision.app.worklists import Worklists
from services.supervision.http.projects_api import READERS, County
from shared.auth import Principal, Role
from shared.kernel.china_time import china_date
from shared.web.access import allow, check_county


def make_worklists_router(lists: Worklists) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision: worklists"])

    def today(request: Request) -> datetime:
        clock: Callable[[], datetime] = request.app.state.clock
        return clock()

    @router.get("/counties/{county}/worklists/unit")
    def unit_worklist(
        county: County, request: Request, principal: Annotated[Principal, Depends(allow(*READERS))], unit: str = ""
    ) -> dict:
        """Per open project: the plan due (days left, late), the monthly entries due (late ones marked),
        the findings to answer, whether completion can be reported, an acceptance sent back; open warnings.
        ``unit``: only the projects whose file names that unit (implementing body, task unit, finding)."""
        check_county(principal, county)
        return lists.unit(county, china_date(today(request)), unit)

    @router.get("/counties/{county}/worklists/staff")
    def staff_worklist(
        county: County, request: Request, principal: Annotated[Principal, Depends(allow(*READERS))]
    ) -> dict:
        """Groups to form, plans overdue, findings to assign or awaiting their inspector, acceptances due."""
        check_county(principal, county)
        return lists.staff(county, china_date(today(request)))

    @router.get("/me/worklist")
    def deputy_worklist(principal: Annotated[Principal, Depends(allow(Role.DEPUTY))]) -> dict:
        """A group deputy's projects, the answers to their findings to review, the acceptance checks due."""
        return lists.deputy([c for c in principal.counties if c.isdigit()], principal.subject)

    return router
