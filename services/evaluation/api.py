"""Evaluation's JSON API: ratings of a county, and the tellers' tally of a project's rating."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.access import PUBLIC, allow, require_county
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.requests import meta_for
from shared.views import ViewStore
from services.evaluation.application import EvaluationApplication
from services.evaluation.domain import ProjectRating, rating_id_for
from services.evaluation.projections import RATING

County = Annotated[str, Path(pattern=COUNTY_PATTERN)]


class TallyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    satisfied: int = Field(ge=0, le=100_000, description="满意")
    basically_satisfied: int = Field(ge=0, le=100_000, description="基本满意")
    unsatisfied: int = Field(ge=0, le=100_000, description="不满意")


def rating_view(r: ProjectRating) -> dict:
    return {"id": str(r.id), "county": r.county, "project_id": str(r.project_id), "year": r.year, "tier": r.tier,
            "name": r.name, "status": r.status, "verdict": r.verdict, "counts": r.counts, "on_time": r.on_time,
            "rule_version": getattr(r, "rule_version", None)}


def make_router(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["evaluation"])

    @router.get("/counties/{county}/ratings")
    def ratings(county: County, principal: Annotated[Principal, Depends(allow(PUBLIC))],
                year: int | None = None) -> dict:
        """Published results: each project's verdict and counts (public, like the session's results)."""
        items = [d for d in views.list(RATING, county) if year is None or d["year"] == year]
        items.sort(key=lambda d: (d["year"], d["name"]))
        return {"county": county, "total": len(items), "items": items}

    @router.get("/projects/{project_id}/rating")
    def rating(project_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        found = app.find(rating_id_for(project_id))
        if not isinstance(found, ProjectRating):
            require_county(principal, None)
        return rating_view(found)

    @router.post("/projects/{project_id}/tally")
    def tally(project_id: UUID, body: TallyIn, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]) -> dict:
        """Tellers record the counted ballots; the verdict follows the county's rule (recorded with its version)."""
        found = app.find(rating_id_for(project_id))
        require_county(principal, getattr(found, "county", None))
        meta = meta_for(request, principal, found.county, role="teller")
        return rating_view(app.record_tally(meta, project_id, body.satisfied, body.basically_satisfied,
                                            body.unsatisfied))

    return router
