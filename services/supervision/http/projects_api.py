"""Supervision's JSON API: the county's projects, tracking entries, completion and acceptance.

The plan, group, inspection and warning routes are in ``api_plan.py``, ``api_oversight.py``
and ``api_warnings.py``; all share ``owned`` and the project view below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from services.supervision.app.application import SupervisionApplication
from services.supervision.domain.project import Project
from services.supervision.domain.rules import county_progress
from services.supervision.read.projections import PROJECT
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import PlausibleDate, known_county
from shared.kernel.china_time import china_month
from shared.views.paging import of_year, page_across, page_in_store
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


class ProgressIn(BaseModel):
    """A monthly tracking entry: overall figures, or per task and per budget line (rolled up)."""

    model_config = ConfigDict(extra="forbid")
    period: str = Field(default="", pattern=rf"{PERIOD}|^$", description="the month covered, YYYY-MM")
    progress_pct: int | None = Field(default=None, ge=0, le=100)
    spent: Money | None = None
    task_progress: dict[str, Annotated[int, Field(ge=0, le=100)]] = Field(default_factory=dict)
    spent_by_line: dict[str, Money] = Field(default_factory=dict, description="cumulative spending per budget line")
    work_done: str = Field(default="", max_length=2000)
    problems: str = Field(default="", max_length=2000)
    note: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _figures(self) -> ProgressIn:
        if self.progress_pct is None and not self.task_progress:
            raise ValueError("请填写总体进度或各项任务的进度 / give progress_pct or task_progress")
        if self.spent is None and not self.spent_by_line:
            raise ValueError("请填写累计支出或各预算科目的累计支出 / give spent or spent_by_line")
        return self


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    completed_on: PlausibleDate
    spent: Money
    note: str = Field(default="", max_length=2000)
    reason: str = Field(
        default="",
        max_length=2000,
        description="required when the progress last reported is below 100%: what is left and why it counts as done",
    )


class AcceptanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["accepted", "rejected"]
    reason: str = Field(default="", max_length=2000)


def project_view(p: Project) -> dict:
    return {
        "id": str(p.id),
        "county": p.county,
        "year": p.year,
        "tier": p.tier,
        "name": p.name,
        "content": p.content,
        "implementing_body": p.implementing_body,
        "investment": str(p.investment),
        "deadline": p.deadline.isoformat(),
        "session_closed_on": p.session_closed_on.isoformat(),
        "progress_pct": p.progress_pct,
        "spent": str(p.spent),
        "status": p.status,
        "tracking": p.tracking,
        "reports": list(p.reports.values()),
        "demand_ids": [str(d) for d in p.demand_ids],
        "completed_on": p.completed_on.isoformat() if p.completed_on else None,
        "completion": p.completion,
        "plan": p.plans[-1] if p.plans else None,
        "original_plan": p.plans[0] if p.plans else None,
        "plan_versions": p.plans,
        "change_requests": list(p.changes.values()),
        "group": p.group,
        "inspections": p.inspections,
        "findings": list(p.findings.values()),
        "finding_counts": p.finding_counts(),
        "inquiries": p.inquiries,
        "audits": p.audits,
        "funds": p.funds(),
        "warnings": sorted(p.warnings.values(), key=lambda w: (w["raised_on"], w["key"])),
        "acceptance": p.acceptance,
    }


Owned = Callable[[UUID, Principal], Project]


def owner(app: SupervisionApplication) -> Owned:
    def owned(project_id: UUID, principal: Principal) -> Project:
        project = app.find(project_id)
        require_county(principal, getattr(project, "county", None))
        return app.project(project_id)

    return owned


def county_summary(items: list[dict]) -> dict:
    """Counts and the county's progress (projects weighted by investment) for a list of board docs."""
    return {
        "projects": len(items),
        "progress_pct": str(county_progress(items)),
        "accepted": sum(1 for d in items if d["status"] == "accepted"),
        "plans_missing": sum(1 for d in items if d.get("plan_status") == "missing"),
        "plans_late": sum(1 for d in items if d.get("plan_status") == "late"),
        "open_warnings": sum(d.get("open_warnings", 0) for d in items),
        "escalated_warnings": sum(d.get("escalated_warnings", 0) for d in items),
        "findings_found": sum(d.get("findings_found", 0) for d in items),
        "findings_solved": sum(d.get("findings_solved", 0) for d in items),
    }


SUMMED = ("investment", "progress_pct", "status", "plan_status")
COUNTED = ("open_warnings", "escalated_warnings", "findings_found", "findings_solved")


def summary_of(views: ViewStore, query: DocQuery) -> dict:
    """:func:`county_summary` over every document ``query`` names, reading only the fields summed
    (numbers come back as text from PostgreSQL: the counts are made ints)."""
    rows = []
    for row in views.fields(query, (*SUMMED, *COUNTED)):
        doc = dict(zip(SUMMED, row[: len(SUMMED)], strict=True))
        doc.update((name, int(value or 0)) for name, value in zip(COUNTED, row[len(SUMMED) :], strict=True))
        rows.append(doc)
    return county_summary(rows)


def make_router(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision"])
    owned = owner(app)

    @router.get("/counties/{county}/projects", **PAGED)
    def projects(
        county: County,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        paging: PagingDep,
        year: int | None = None,
        tier: Literal["major", "micro"] | None = None,
    ) -> dict:
        """The public progress board of a county (民生实事进度榜): projects are public information, by
        year and name, a page at a time. ``summary`` covers every project of the board (all pages):
        ``summary.progress_pct`` is the county's progress, projects weighted by investment."""
        wanted = (*of_year(year), *((Condition("tier", "=", tier),) if tier else ()))
        query = DocQuery(PROJECT, county, wanted, order=(("year", False), ("name", False)))
        return {"county": county, "summary": summary_of(views, query), **page_in_store(views, query, paging)}

    @router.get("/projects/{project_id}")
    def project_detail(project_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """The whole file: every plan version, entries, reports, group, findings, funds, warnings."""
        return project_view(owned(project_id, principal))

    @router.get("/me/projects", **PAGED)
    def my_projects(
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, Role.RESIDENT))], paging: PagingDep
    ) -> dict:
        """A supervision group member's workspace: the projects whose group they serve on, county by
        county, by year and name, a page at a time."""
        member = Condition("members", "contains", json.dumps(principal.subject, ensure_ascii=False))  # an element
        order = (("year", False), ("name", False))
        parts = [DocQuery(PROJECT, c, (member,), order=order) for c in principal.counties if c.isdigit()]
        return {"member": principal.subject, **page_across(views, parts, paging)}

    @router.post("/projects/{project_id}/progress")
    def progress(
        project_id: UUID,
        body: ProgressIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, write=True))],
    ) -> dict:
        """The responsible unit's monthly tracking entry (一月一跟踪)."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county)
        if body.period and body.period > china_month(meta.occurred_at):
            raise Problem(
                422,
                "Invalid request",
                "月度跟踪不能填报尚未开始的月份 / an entry cannot cover a month that has not begun",
                reason="future_period",
            )
        return project_view(
            app.report_progress(
                meta,
                project_id,
                body.progress_pct,
                body.spent,
                body.note,
                body.period,
                body.task_progress,
                body.spent_by_line,
                body.work_done,
                body.problems,
            )
        )

    @router.post("/projects/{project_id}/completion")
    def completion(
        project_id: UUID,
        body: CompletionIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, write=True))],
    ) -> dict:
        """The responsible unit reports the project complete; below 100% reported progress only with a
        ``reason`` (409 ``completion_reason_required`` without one)."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason.strip())
        return project_view(app.report_completion(meta, project_id, body.completed_on, body.spent, body.note))

    @router.post("/projects/{project_id}/acceptance")
    def acceptance(
        project_id: UUID,
        body: AcceptanceIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """The supervision group's acceptance check (验收); accepted projects go to evaluation."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.accept(meta, project_id, body.verdict))

    @router.get("/counties/{county}/summary")
    def summary(
        county: County, principal: Annotated[Principal, Depends(allow(*READERS))], year: int | None = None
    ) -> dict:
        """Counts per county: projects, progress, plans missing/late, warnings, findings found/solved."""
        check_county(principal, county)
        items = [d for d in views.list(PROJECT, county) if year is None or d["year"] == year]
        return {"county": county, "year": year, **county_summary(items)}

    @router.get("/summaries")
    def summaries(
        principal: Annotated[Principal, Depends(allow(*READERS))],
        year: int | None = None,
        scope: Annotated[str, Query(pattern=r"^\d{0,6}$", description="a code prefix (4407); empty: all")] = "",
    ) -> dict:
        """The summary of every county with projects that the caller may read (under ``scope``), in one
        answer: the province view without a request per county."""
        items = {}
        for county in views.counties(PROJECT):
            if county.startswith(scope) and principal.covers(county):
                projects = [d for d in views.list(PROJECT, county) if year is None or d["year"] == year]
                items[county] = {"county": county, "year": year, **county_summary(projects)}
        return {"items": items}

    return router
