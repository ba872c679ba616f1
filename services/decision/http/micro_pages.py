"""Decision's pages for micro projects (民生微实事 立办制: 代表提、政府办、人大督) and their funds.

A deputy proposes a micro project from demands in the pool, picked from a list; over the county's per-item
cap it is escalated as a project suggestion (said in Chinese on its page). The government accepts it or
declines it with a reason within N days (overdue ones are marked); congress staff approve it, charging the
town's yearly fund in the same step; staff or the government allocate each town's or street's yearly fund,
and its ledger shows every allocation and charge, who (by name) and when."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.decision.app.application import DecisionApplication, MicroProposal
from services.decision.http.page_frame import DEPUTY, GOV, READERS, STAFF, PageFrame, filled, labels, today
from services.decision.http.pool_api import FundIn, MicroIn
from services.decision.read.micro_list import micro_projects_page, with_overdue
from services.decision.read.projections import FUNDS, MICRO, POOL
from shared import divisions
from shared.views.paging import Paging
from shared.views.store import ViewStore
from shared.web.forms import FormDep
from shared.web.paging import PageNumber
from shared.web.requests import meta_for

MICRO_LABELS = {
    "year": "f_year",
    "town": "f_town",
    "name": "f_name",
    "content": "f_content",
    "implementing_body": "f_implementing_body",
    "investment": "f_investment",
    "deadline": "f_deadline",
    "demand_ids": "f_demands",
}
FUND_LABELS = {"year": "f_year", "town": "f_town", "amount": "f_amount", "reason": "f_fund_reason"}
PROPOSERS = DEPUTY | STAFF
PER_PAGE = 50  # micro projects on one page of the list
FUNDERS = STAFF | GOV


def make_micro_pages(app: DecisionApplication, views: ViewStore, frame: PageFrame) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def towns(county: str) -> list[str]:
        return [name for _, name in divisions.towns_of(county)]

    @router.get("/micro", response_class=HTMLResponse)
    def micro_list(request: Request, county: str = "", page_number: PageNumber = 1) -> Response:
        principal, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        result = micro_projects_page(views, county, today(request).isoformat(), Paging(page_number, PER_PAGE))
        context = {"county": county, "result": result, "can_propose": principal.has_any(PROPOSERS)}
        return frame.page(request, "micro.html", context)

    def propose_page(request: Request, county: str, entered: dict, status_code: int = 200, **extra: Any) -> Response:
        town = entered.get("town") or request.query_params.get("town", "")
        free = [d for d in views.list(POOL, county) if d["used_by"] is None and (not town or d["town"] == town)]
        free.sort(key=lambda d: d["pooled_at"], reverse=True)
        free.sort(key=lambda d: d["id"] not in entered.get("demand_ids", []))
        context = {
            "county": county,
            "f": entered,
            "pool": free[:200],
            "towns": towns(county),
            "cap": app.rules(county).micro_cap,
            **extra,
        }
        return frame.page(request, "micro_new.html", context, status_code=status_code)

    @router.get("/micro/new", response_class=HTMLResponse)
    def new_micro(request: Request, county: str = "", town: str = "") -> Response:
        _, county, refused = frame.gate(request, county, PROPOSERS)
        if refused:
            return refused
        return propose_page(request, county, {"year": today(request).year, "town": town, "demand_ids": []})

    @router.post("/micro", response_class=HTMLResponse)
    def propose(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, str(form.get("county") or ""), PROPOSERS)
        if refused:
            return refused
        keys = ("year", "town", "name", "content", "implementing_body", "investment", "deadline")
        entered: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in keys}
        entered["demand_ids"] = [str(v) for v in form.getlist("demand_ids")]
        try:
            body = MicroIn(**filled(entered))
        except ValidationError as exc:
            problem = frame.invalid(request, exc, labels(request, MICRO_LABELS))
            return propose_page(request, county, entered, 422, problem=problem)
        meta = meta_for(request, principal, county)
        done = frame.act(
            request,
            lambda: app.propose_micro(meta, MicroProposal(**body.model_dump())),
            lambda p: f"/decision/micro/{p.id}",
        )
        if isinstance(done, str):
            return propose_page(request, county, entered, 409, problem={"title": done})
        return done

    def micro_page(request: Request, project_id: UUID, status_code: int = 200, **extra: Any) -> Response:
        principal, _, refused = frame.gate(request, "", READERS)
        doc = views.get(MICRO, str(project_id))
        if refused:
            return refused
        if doc is None or not principal.covers(doc["county"]):
            return frame.denied(request, 404)
        doc = with_overdue(doc, today(request).isoformat())
        open_ = doc["status"] in ("proposed", "accepted")
        context = {
            "county": doc["county"],
            "p": doc,
            "demands": [views.get(POOL, d) or {"id": d, "text": ""} for d in doc["demand_ids"]],
            "can_accept": principal.has_any(GOV) and doc["status"] == "proposed",
            "can_approve": principal.has_any(STAFF) and open_,
            "can_decline": principal.has_any(GOV | STAFF) and open_,
            "entered": {},
            **extra,
        }
        return frame.page(request, "micro_project.html", context, status_code=status_code)

    @router.get("/micro/{project_id}", response_class=HTMLResponse)
    def micro_detail(request: Request, project_id: UUID) -> Response:
        return micro_page(request, project_id)

    @router.post("/micro/{project_id}", response_class=HTMLResponse)
    def micro_step(request: Request, project_id: UUID, form: FormDep) -> Response:
        """accept (the government), approve (congress staff, charging the town's fund), decline (either,
        with a reason)."""
        doc = views.get(MICRO, str(project_id))
        step = str(form.get("step") or "")
        roles = {"accept": GOV, "approve": STAFF, "decline": GOV | STAFF}.get(step, frozenset())
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", roles)
        if refused or doc is None:
            return refused or frame.denied(request, 404)
        reason = str(form.get("reason") or "").strip()
        meta = meta_for(request, principal, county, reason=reason)
        command = {"accept": app.accept_micro, "approve": app.approve_micro, "decline": app.decline_micro}[step]
        done = frame.act(request, lambda: command(meta, project_id), lambda _: f"/decision/micro/{project_id}")
        if isinstance(done, str):
            return micro_page(request, project_id, 409, problem={"title": done}, entered={"reason": reason})
        return done

    # -- the towns' yearly funds -------------------------------------------------------------------------
    def funds_page(request: Request, county: str, status_code: int = 200, **extra: Any) -> Response:
        principal, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        year = request.query_params.get("year", "")
        items = [d for d in views.list(FUNDS, county) if not year or str(d["year"]) == year]
        items.sort(key=lambda d: (-d["year"], d["town"]))
        projects = {d["id"]: d["name"] for d in views.list(MICRO, county)}
        context = {
            "county": county,
            "funds": items,
            "projects": projects,
            "towns": towns(county),
            "year": today(request).year,
            "can_allocate": principal.has_any(FUNDERS),
            "f": {},
            **extra,
        }
        return frame.page(request, "funds.html", context, status_code=status_code)

    @router.get("/funds", response_class=HTMLResponse)
    def funds(request: Request, county: str = "") -> Response:
        return funds_page(request, county)

    @router.post("/funds", response_class=HTMLResponse)
    def allocate(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, str(form.get("county") or ""), FUNDERS)
        if refused:
            return refused
        entered = {k: str(form.get(k) or "").strip() for k in ("year", "town", "amount", "reason")}
        try:
            body = FundIn(**filled(entered))
        except ValidationError as exc:
            problem = frame.invalid(request, exc, labels(request, FUND_LABELS))
            return funds_page(request, county, 422, problem=problem, f=entered)
        meta = meta_for(request, principal, county, reason=body.reason)
        amount = Decimal(body.amount)
        done = frame.act(
            request,
            lambda: app.allocate_micro_fund(meta, body.town, body.year, amount),
            lambda _: f"/decision/funds?county={county}",
        )
        if isinstance(done, str):
            return funds_page(request, county, 409, problem={"title": done}, f=entered)
        return done

    return router
