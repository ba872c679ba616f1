"""Decision's JSON API: the demand pool, micro projects (立办制)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.decision.app.application import DecisionApplication, MicroProposal
from services.decision.domain.micro_escalation import MicroEscalation
from services.decision.domain.micro_project import MicroProject
from services.decision.read.micro_list import micro_projects_page
from services.decision.read.projections import FUNDS, POOL
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import PlausibleDate, known_county
from shared.kernel.china_time import china_date
from shared.views.paging import of_year, page_in_store
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore
from shared.web.access import allow, check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county
READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


class MicroIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    town: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=2, max_length=100)
    content: str = Field(min_length=2, max_length=4000)
    implementing_body: str = Field(min_length=2, max_length=100, description="实施主体")
    investment: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="投资额度 (CNY)")
    deadline: PlausibleDate = Field(description="完成时限")
    demand_ids: list[UUID] = Field(min_length=1, max_length=500)


class FundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    town: str = Field(min_length=1, max_length=40)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="CNY added to the year's fund")
    reason: str = Field(min_length=2, max_length=500)


class Reason(BaseModel):
    reason: str = Field(default="", max_length=500)


def micro_view(p: MicroProject) -> dict:
    return {
        "id": str(p.id),
        "county": p.county,
        "year": p.year,
        "town": p.town,
        "name": p.name,
        "content": p.content,
        "implementing_body": p.implementing_body,
        "investment": str(p.investment),
        "deadline": p.deadline.isoformat(),
        "demand_ids": [str(d) for d in p.demand_ids],
        "status": p.status,
        "rule_version": p.rule_version,
        "project_id": str(p.project_id),
        "respond_by": p.respond_by.isoformat(),
    }


def make_router(app: DecisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["decision"])

    @router.get("/counties/{county}/pool", **PAGED)
    def pool(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        include_used: bool = False,
    ) -> dict:
        """Residents' demands available for candidate and micro projects, newest first, a page at a time."""
        check_county(principal, county)
        unused = () if include_used else (Condition("used_by", "is null"),)
        query = DocQuery(POOL, county, unused, order=(("pooled_at", True),))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/counties/{county}/micro-projects", **PAGED)
    def micro_projects(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        status: str | None = None,
        overdue: bool = False,
    ) -> dict:
        """The county's micro projects, newest first, a page at a time. ``overdue=true``: proposals the
        government has not accepted or declined within N days."""
        check_county(principal, county)
        today = china_date(meta_for(request, principal, county).occurred_at).isoformat()
        return {"county": county, **micro_projects_page(views, county, today, paging, status, overdue)}

    @router.post("/counties/{county}/micro-projects", status_code=201)
    def propose_micro(
        county: County,
        body: MicroIn,
        request: Request,
        response: Response,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """A deputy proposes a micro project (代表提) from demands in the pool. Over the per-item cap it is
        not refused but escalated to intake as a project suggestion: 202 with status ``escalated``."""
        check_county(principal, county)
        project = app.propose_micro(meta_for(request, principal, county), MicroProposal(**body.model_dump()))
        if isinstance(project, MicroEscalation):
            response.status_code = 202
            return {
                "id": str(project.id),
                "county": project.county,
                "year": project.year,
                "town": project.town,
                "name": project.name,
                "investment": str(project.investment),
                "cap": str(project.cap),
                "status": project.status,
                "reason": project.reason,
                "rule_version": project.rule_version,
                "demand_ids": [str(d) for d in project.demand_ids],
            }
        return micro_view(project)

    @router.post("/micro-projects/{project_id}/accept")
    def accept_micro(
        project_id: UUID,
        body: Reason,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, write=True))],
    ) -> dict:
        """The government office accepts the proposal (承办) — within the county's N days (micro_decline_days)."""
        county = require_county(principal, getattr(app.find(project_id), "county", None))
        meta = meta_for(request, principal, county, reason=body.reason)
        return micro_view(app.accept_micro(meta, project_id))

    @router.get("/counties/{county}/micro-funds", **PAGED)
    def micro_funds(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        year: int | None = None,
    ) -> dict:
        """Each town/street's yearly special fund: allocated, committed, balance (never negative), by
        year and town, a page at a time."""
        check_county(principal, county)
        query = DocQuery(FUNDS, county, of_year(year), order=(("year", False), ("town", False)))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.post("/counties/{county}/micro-funds", status_code=201)
    def allocate_fund(
        county: County,
        body: FundIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))],
    ) -> dict:
        check_county(principal, county)
        fund = app.allocate_micro_fund(
            meta_for(request, principal, county, reason=body.reason), body.town, body.year, body.amount
        )
        return {
            "id": str(fund.id),
            "town": fund.town,
            "year": fund.year,
            "allocated": str(fund.allocated),
            "committed": str(fund.committed),
            "balance": str(fund.balance),
        }

    @router.get("/micro-projects/{project_id}")
    def micro_detail(project_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        project = app.find(project_id)
        require_county(principal, getattr(project, "county", None))
        return micro_view(app.micro(project_id))

    @router.post("/micro-projects/{project_id}/approve")
    def approve_micro(
        project_id: UUID,
        body: Reason,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """The town/street presidium or standing committee approves: the project goes to supervision."""
        county = require_county(principal, getattr(app.find(project_id), "county", None))
        meta = meta_for(request, principal, county, reason=body.reason)
        return micro_view(app.approve_micro(meta, project_id))

    @router.post("/micro-projects/{project_id}/decline")
    def decline_micro(
        project_id: UUID,
        body: Reason,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))],
    ) -> dict:
        county = require_county(principal, getattr(app.find(project_id), "county", None))
        meta = meta_for(request, principal, county, reason=body.reason)
        return micro_view(app.decline_micro(meta, project_id))

    return router
