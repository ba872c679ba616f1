"""Residents' voice after completion, for the people who collect it: one project's evaluation record
(``/evaluation/projects/{id}``: verdict, residents' ratings, return visits 回访, usage 使用率, look-backs
翌年回头看) with the forms to record each, and the county's follow-up list (``/evaluation/followup``): micro
projects awaiting a return visit, projects without a usage measure, look-backs due. zh-CN first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.domain.rating import rating_id_for
from services.evaluation.domain.voice import LEVELS, RETURN_VISIT_TIERS
from services.evaluation.http.feedback import day, percent, yes_no
from services.evaluation.read.projections import RATING
from shared.auth import Principal, Role
from shared.divisions import county_name
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.feedback import back_with, problem_of, settle
from shared.web.forms import FormDep
from shared.web.requests import meta_for
from shared.web.templating import CHINA, make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
READERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
VISITORS = {Role.CONGRESS_STAFF, Role.DEPUTY}  # who record return visits and look-backs (as the API allows)
MEASURERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT}  # who measure usage


def today(request: Request) -> date:
    """Today in China (business dates are China time)."""
    return request.app.state.clock().astimezone(CHINA).date()


def writer(principal: Principal, roles: set[Role], county: str) -> bool:
    return (
        principal.has_any(roles)
        and principal.covers(county)
        and not principal.roles
        <= {
            Role.AUDITOR,
            Role.PROVINCE_VIEWER,
        }
    )


def make_project_pages(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/evaluation/static")

    @router.get("/projects/{project_id}", response_class=HTMLResponse)
    def project_page(request: Request, project_id: UUID) -> Response:
        """The project's evaluation record: public like the session's results; the forms for those who act."""
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None:
            return render(templates, request, "missing.html", {"what": "project"}, status_code=404)
        principal, _, _ = viewer_county(request, doc["county"])
        county = doc["county"]
        due = doc.get("lookback_due")
        context = {
            "p": doc,
            "county_name": county_name(county),
            "levels": LEVELS,
            "today": today(request).isoformat(),
            "can_visit": doc["tier"] in RETURN_VISIT_TIERS and writer(principal, VISITORS, county),
            "can_measure": writer(principal, MEASURERS, county),
            "can_look_back": writer(principal, VISITORS, county),
            "lookback_open": due is not None and due <= today(request).isoformat(),
            "problem": problem_of(request),
            "done": request.query_params.get("done", ""),
        }
        return render(templates, request, "project.html", context)

    def act(request: Request, project_id: UUID, roles: set[Role], run: Callable[[Meta], object], done: str) -> Response:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        back = f"/evaluation/projects/{project_id}"
        if doc is None:
            return RedirectResponse("/evaluation/", status_code=303)
        principal, county, _ = viewer_county(request, doc["county"])
        if not writer(principal, roles, county):
            return RedirectResponse("/login", status_code=303)
        try:
            run(meta_for(request, principal, county))
        except (RuleViolation, NotFound, ValueError) as exc:
            return back_with(back, exc)
        settle(request)
        return RedirectResponse(f"{back}?done={done}", status_code=303)

    @router.post("/projects/{project_id}/return-visits")
    def return_visit(request: Request, project_id: UUID, form: FormDep) -> Response:
        def run(meta: Meta) -> None:
            level = str(form.get("level") or "")
            if level not in LEVELS:
                raise ValueError("请选择回访对象的满意度 / choose the satisfaction found")
            respondent = str(form.get("respondent") or "").strip()
            if not respondent:
                raise ValueError("请填写回访对象 / say who was visited")
            app.return_visit(
                meta,
                project_id,
                day(form, "visited_on", ("回访日期", "the visit's date")),
                respondent[:100],
                level,
                str(form.get("note") or "").strip()[:2000],
            )

        return act(request, project_id, VISITORS, run, "visit")

    @router.post("/projects/{project_id}/usage")
    def usage(request: Request, project_id: UUID, form: FormDep) -> Response:
        def run(meta: Meta) -> None:
            app.measure_usage(
                meta,
                project_id,
                day(form, "measured_on", ("测量日期", "the date measured")),
                percent(form, "usage_pct", ("使用率", "usage")),
                str(form.get("basis") or "").strip()[:500],
            )

        return act(request, project_id, MEASURERS, run, "usage")

    @router.post("/projects/{project_id}/lookbacks")
    def lookback(request: Request, project_id: UUID, form: FormDep) -> Response:
        def run(meta: Meta) -> None:
            app.look_back(
                meta,
                project_id,
                day(form, "checked_on", ("回头看日期", "the look-back's date")),
                yes_no(form, "in_use", ("是否在用", "in use")),
                yes_no(form, "held_up", ("质量是否完好", "held up")),
                yes_no(form, "residents_satisfied", ("群众是否仍满意", "residents still satisfied")),
                str(form.get("problem") or "").strip()[:2000],
            )

        return act(request, project_id, VISITORS, run, "lookback")

    @router.get("/followup", response_class=HTMLResponse)
    def followup(request: Request, county: str = "") -> Response:
        """What is left to collect after completion: return visits, usage, look-backs due (by today in China)."""
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        if not allowed:
            refused = {"county": county, "problem": problem_of(request, OUTSIDE), "denied": True}
            return render(templates, request, "followup.html", refused, status_code=403)
        on = today(request).isoformat()
        docs = sorted(views.list(RATING, county), key=lambda d: (-d["year"], d["name"]))
        context: dict[str, Any] = {
            "county": county,
            "county_name": county_name(county),
            "today": on,
            "visits": [d for d in docs if d["tier"] in RETURN_VISIT_TIERS and not d["return_visits"]],
            "usage": [d for d in docs if not d.get("usage")],
            "lookbacks_due": [
                d for d in docs if d.get("lookback_due") and d["lookback_due"] <= on and not d["lookbacks"]
            ],
            "lookbacks_ahead": sorted(
                (d for d in docs if d.get("lookback_due") and d["lookback_due"] > on and not d["lookbacks"]),
                key=lambda d: d["lookback_due"],
            ),
            "done": [d for d in docs if d["lookbacks"]],
        }
        return render(templates, request, "followup.html", context)

    return router


OUTSIDE = "无权查看该县 / County outside your scope"
