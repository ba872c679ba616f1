"""Evaluation's JSON API: ratings of a county, tellers' counts for a project rated outside a
round, and residents' voice (ratings by tracking code, return visits, usage, look-back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.app.lineage import TrackingLookup, linked_projects, rater_key
from services.evaluation.domain.rating import ProjectRating, rating_id_for
from services.evaluation.read.projections import RATING
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import PlausibleDate, known_county
from shared.views.paging import of_year, page_in_store
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, principal_of, require_county
from shared.web.limits import client_address
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county
Level = Literal["satisfied", "basically_satisfied", "unsatisfied"]
STAFF_READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


class TallyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    satisfied: int = Field(ge=0, le=100_000, description="满意")
    basically_satisfied: int = Field(ge=0, le=100_000, description="基本满意")
    unsatisfied: int = Field(ge=0, le=100_000, description="不满意")


class ResidentRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tracking_code: str = Field(min_length=4, max_length=40, description="跟踪码 of the resident's demand")
    level: Level


class ReturnVisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visited_on: PlausibleDate
    respondent: str = Field(min_length=1, max_length=100, description="who was visited (回访对象)")
    level: Level
    note: str = Field(default="", max_length=2000)


class UsageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measured_on: PlausibleDate
    usage_rate: Decimal = Field(ge=0, le=1, description="使用率, a share between 0 and 1")
    basis: str = Field(min_length=2, max_length=500, description="how it was measured")


class LookbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checked_on: PlausibleDate
    in_use: bool
    held_up: bool
    residents_satisfied: bool
    problem: str = Field(default="", max_length=2000)


def rating_view(r: ProjectRating) -> dict:
    return {
        "id": str(r.id),
        "county": r.county,
        "project_id": str(r.project_id),
        "year": r.year,
        "tier": r.tier,
        "name": r.name,
        "status": r.status,
        "verdict": r.verdict,
        "counts": r.counts,
        "on_time": r.on_time,
        "rule_version": getattr(r, "rule_version", None),
        "round_id": str(r.round_id) if getattr(r, "round_id", None) else None,
    }


def resident_rater(
    app: EvaluationApplication, views: ViewStore, tracking: TrackingLookup
) -> Callable[[Request, UUID, str, str], None]:
    """Rate a project as the resident behind a tracking code, if their demand went into it (lineage)."""

    def rate(request: Request, project_id: UUID, code: str, level: str) -> None:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None:
            raise Problem(404, "Not found", "no such project rating", reason="not_found")
        if level not in ("satisfied", "basically_satisfied", "unsatisfied"):
            raise Problem(
                422, "Invalid request", "level: satisfied, basically_satisfied or unsatisfied", reason="invalid_request"
            )
        settings = request.app.state.settings
        proxies = frozenset(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
        resident = client_address(request.scope, proxies)
        token = request.headers.get("authorization", "")
        demand = tracking(code.strip(), client=resident, authorization=token) if 4 <= len(code.strip()) <= 40 else None
        if demand is None or demand.get("county") != doc["county"]:
            raise Problem(404, "Not found", "no demand with this tracking code", reason="unknown_tracking_code")
        if str(project_id) not in linked_projects(demand):
            raise Problem(403, "Forbidden", "this demand is not part of the project", reason="not_linked")
        meta = meta_for(request, principal_of(request), doc["county"], role="resident")
        app.resident_rate(meta, project_id, rater_key(doc["county"], code), level)

    return rate


def make_router(app: EvaluationApplication, views: ViewStore, tracking: TrackingLookup) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["evaluation"])

    def project_doc(project_id: UUID, principal: Principal | None = None) -> dict:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None or (principal is not None and not principal.covers(doc["county"])):
            raise Problem(404, "Not found", "no such project rating", reason="not_found")
        return doc

    @router.get("/counties/{county}/ratings", **PAGED)
    def ratings(
        county: County,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        paging: PagingDep,
        year: int | None = None,
    ) -> dict:
        """Published results: each project's verdict, counts, rectification and residents' voice (public),
        by year and name, a page at a time."""
        query = DocQuery(RATING, county, of_year(year), order=(("year", False), ("name", False)))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/projects/{project_id}/rating")
    def rating(project_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        found = app.find_as(ProjectRating, rating_id_for(project_id))
        if found is None:
            require_county(principal, None)  # 404
            raise AssertionError("unreachable")
        return rating_view(found)

    @router.get("/projects/{project_id}")
    def project_record(project_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """The project's whole evaluation record (public, like the session's results)."""
        return project_doc(project_id)

    @router.post("/projects/{project_id}/tally")
    def tally(
        project_id: UUID,
        body: TallyIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """Tellers' counts for a project rated outside a session round; the verdict follows the county's rule."""
        county = require_county(principal, getattr(app.find(rating_id_for(project_id)), "county", None))
        meta = meta_for(request, principal, county, role="teller")
        return rating_view(
            app.record_tally(meta, project_id, body.satisfied, body.basically_satisfied, body.unsatisfied)
        )

    rate_as_resident = resident_rater(app, views, tracking)

    @router.post("/projects/{project_id}/resident-ratings", status_code=201)
    def resident_rating(
        project_id: UUID,
        body: ResidentRatingIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
    ) -> dict:
        """A resident whose demand went into this project rates it, by the demand's tracking code (群众评)."""
        rate_as_resident(request, project_id, body.tracking_code, body.level)
        return {"project_id": str(project_id), "level": body.level, "recorded": True}

    @router.post("/projects/{project_id}/return-visits", status_code=201)
    def return_visit(
        project_id: UUID,
        body: ReturnVisitIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.DEPUTY, write=True))],
    ) -> dict:
        """回访 of a micro project or micro-wish after completion, with the satisfaction found."""
        doc = project_doc(project_id, principal)
        app.return_visit(
            meta_for(request, principal, doc["county"]),
            project_id,
            body.visited_on,
            body.respondent,
            body.level,
            body.note,
        )
        return {"project_id": str(project_id), "recorded": True}

    @router.post("/projects/{project_id}/usage", status_code=201)
    def usage(
        project_id: UUID,
        body: UsageIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))],
    ) -> dict:
        """使用率: how much the completed project is actually used, and how that was measured."""
        doc = project_doc(project_id, principal)
        app.measure_usage(
            meta_for(request, principal, doc["county"]), project_id, body.measured_on, body.usage_rate, body.basis
        )
        return {"project_id": str(project_id), "usage_rate": str(body.usage_rate)}

    @router.post("/projects/{project_id}/lookbacks", status_code=201)
    def lookback(
        project_id: UUID,
        body: LookbackIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.DEPUTY, write=True))],
    ) -> dict:
        """翌年回头看; a problem found is published for intake to open a new demand linked to the project."""
        doc = project_doc(project_id, principal)
        app.look_back(
            meta_for(request, principal, doc["county"]),
            project_id,
            body.checked_on,
            body.in_use,
            body.held_up,
            body.residents_satisfied,
            body.problem,
        )
        return {"project_id": str(project_id), "problem_found": bool(body.problem.strip())}

    @router.get("/counties/{county}/lookbacks/due", **PAGED)
    def lookbacks_due(
        county: County, principal: Annotated[Principal, Depends(allow(*STAFF_READERS))], on: date, paging: PagingDep
    ) -> dict:
        """Projects whose look-back is due on ``on`` and not yet done, the earliest first."""
        check_county(principal, county)
        due = (Condition("lookback_due", "<=", on.isoformat()), Condition("lookbacks", "=", "[]"))
        query = DocQuery(RATING, county, due, order=(("lookback_due", False), ("name", False)))

        def brief(d: dict) -> dict:
            return {"project_id": d["project_id"], "name": d["name"], "due": d["lookback_due"]}

        return {"county": county, "on": on.isoformat(), **page_in_store(views, query, paging, brief)}

    return router
