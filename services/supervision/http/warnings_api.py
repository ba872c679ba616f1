"""Early warnings (预警督办): the county's list, resolution with a reason, and the sweep trigger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.supervision.app.application import SupervisionApplication
from services.supervision.http.projects_api import READERS, County, owner, project_view
from services.supervision.read.warnings import warnings_page
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.web.access import allow, check_county
from shared.web.paging import PAGED, PagingDep
from shared.web.requests import meta_for


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=2000)


def make_warnings_router(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision: warnings"])
    owned = owner(app)

    @router.get("/counties/{county}/warnings", **PAGED)
    def warnings(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        status: Literal["open", "resolved", "all"] = "open",
    ) -> dict:
        """The county's warnings, escalated ones first, a page at a time; ``escalated``: the open
        escalated warnings of the whole list."""
        check_county(principal, county)
        return {"county": county, **warnings_page(views, county, status, paging)}

    @router.post("/projects/{project_id}/warnings/{key}/resolve")
    def resolve(
        project_id: UUID,
        key: str,
        body: ResolveIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """Resolve a warning; only with a recorded reason."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.resolve_warning(meta, project_id, key))

    @router.post("/counties/{county}/sweep")
    def sweep(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
        now: datetime | None = None,
    ) -> dict:
        """Run the county's warning sweep for ``now`` (default: the service's clock): raises the due
        warnings once, escalates unresolved ones, clears those whose cause no longer holds."""
        check_county(principal, county)
        clock: Callable[[], datetime] = getattr(request.app.state, "clock", lambda: datetime.now(UTC))
        when = now or clock()
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        actions = app.sweep(county, when, getattr(request.state, "correlation_id", ""))
        return {"county": county, "now": when.isoformat(), "changed": len(actions), "actions": actions}

    return router
