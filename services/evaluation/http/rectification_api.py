"""Rectification over HTTP: the government's report, the committee's re-rating, the next step,
and the staff-triggered sweep for missed deadlines (the service also sweeps periodically)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.domain.rating import rating_id_for
from services.evaluation.domain.rectification import Rectification
from services.evaluation.read.projections import RATING
from services.evaluation.read.rectifications import rectifications_query
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import known_county
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta
from shared.views.paging import page_in_store
from shared.views.store import ViewStore
from shared.web.access import allow, check_county
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=2, max_length=20_000, description="the government's rectification report")


class ReRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    satisfied: int = Field(ge=0, le=10_000)
    basically_satisfied: int = Field(ge=0, le=10_000)
    unsatisfied: int = Field(ge=0, le=10_000)


class NextStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: Literal["special_inquiry", "formal_questioning", "special_investigation"]
    note: str = Field(default="", max_length=2000)


def open_rectifications(views: ViewStore, county: str) -> list[UUID]:
    return [
        UUID(d["project_id"])
        for d in views.list(RATING, county)
        if d.get("rectification") and d["rectification"]["status"] == "ordered"
    ]


def make_rectification_router(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["rectification"])

    def county_of(project_id: UUID, principal: Principal) -> str:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None or not doc.get("rectification") or not principal.covers(doc["county"]):
            raise Problem(404, "Not found", "no rectification for this project", reason="not_found")
        return doc["county"]

    def view(r: Rectification) -> dict[str, Any]:
        return {
            "project_id": str(r.project_id),
            "status": r.status,
            "deadline": r.deadline.isoformat(),
            "re_rating": r.re_rating,
            "next_step": r.next_step,
        }

    @router.get("/counties/{county}/rectifications", **PAGED)
    def rectifications(
        county: County,
        principal: Annotated[
            Principal,
            Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)),
        ],
        paging: PagingDep,
    ) -> dict:
        """The rectification board: every order, its deadline, report, re-rating and next step, the
        earliest deadline first, a page at a time."""
        check_county(principal, county)
        query = rectifications_query(county)

        def row(d: dict) -> dict:
            return {"project_id": d["project_id"], "name": d["name"], "year": d["year"], **d["rectification"]}

        return {"county": county, **page_in_store(views, query, paging, row)}

    @router.post("/projects/{project_id}/rectification/report")
    def report(
        project_id: UUID,
        body: ReportIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, write=True))],
    ) -> dict:
        county = county_of(project_id, principal)
        return view(app.file_rectification_report(meta_for(request, principal, county), project_id, body.text))

    @router.post("/projects/{project_id}/rectification/re-rating")
    def re_rating(
        project_id: UUID,
        body: ReRatingIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """Standing committee members' counts; the verdict follows the same rule as the first rating."""
        county = county_of(project_id, principal)
        return view(
            app.re_rate(
                meta_for(request, principal, county, role="standing_committee"),
                project_id,
                body.satisfied,
                body.basically_satisfied,
                body.unsatisfied,
            )
        )

    @router.post("/projects/{project_id}/rectification/next-step")
    def next_step(
        project_id: UUID,
        body: NextStepIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """Still 不满意: 专题询问, 质询 or 特定问题调查."""
        county = county_of(project_id, principal)
        return view(
            app.record_next_step(
                meta_for(request, principal, county, role="standing_committee"), project_id, body.step, body.note
            )
        )

    @router.post("/counties/{county}/sweep")
    def sweep(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
        now: Annotated[datetime | None, Query(description="the moment to judge deadlines at")] = None,
    ) -> dict:
        """Raise an overdue warning on every rectification whose report is missing after its deadline."""
        check_county(principal, county)
        meta = meta_for(request, principal, county, reason="deadline sweep")
        if now is not None:
            meta = Meta(**{**meta.__dict__, "occurred_at": now})
        today = china_date(meta.occurred_at)  # deadlines are days in China
        warned = app.sweep(meta, today, open_rectifications(views, county))
        return {"county": county, "on": today.isoformat(), "warned": warned}

    return router
