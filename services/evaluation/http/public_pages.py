"""Evaluation's public and deputy pages: results, a round's attendance (by name) and published ballots,
the deputies' rating page (mobile; casting sends no identity), residents' rating by tracking code (a
second rating is answered kindly, in the page's language), and the metrics dashboard (ECharts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.app.deputy_names import DeputyNames
from services.evaluation.domain.rating import rating_id_for
from services.evaluation.http.report.render import FIGURES
from services.evaluation.http.texts import MESSAGES
from services.evaluation.read.figures import metrics_for
from services.evaluation.read.projections import RATING, ROUND
from shared.auth import Role
from shared.divisions import county_name
from shared.kernel.meta import RuleViolation
from shared.views.paging import Paging, of_year, page_in_store
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.feedback import back_with, problem_of, settle
from shared.web.i18n import language, register_messages, translate
from shared.web.paging import PageNumber
from shared.web.problems import Problem
from shared.web.refusals import refusal_text
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
PER_PAGE = 50  # ratings on one page of the public results
register_messages(MESSAGES)


ResidentRater = Callable[[Request, UUID, str, str], None]


# A resident's rating refused: what the page says, by the refusal's reason (zh, en).
RATING_REFUSALS = {
    "already_rated": (
        "您已经用这个跟踪码评价过这个项目了，感谢您的参与！每条诉求只能评价一次。",
        "You have already rated this project with this tracking code. Thank you! Each demand rates a project once.",
    ),
    "unknown_tracking_code": (
        "没有找到这个跟踪码，请核对后再输入。",
        "No demand has this tracking code: please check it and try again.",
    ),
    "not_linked": (
        "这条诉求没有纳入这个项目，只有诉求纳入本项目的群众可以评价它。",
        "This demand did not go into this project: only residents whose demand did may rate it.",
    ),
    "invalid_request": ("请选择满意、基本满意或不满意。", "Choose satisfied, basically satisfied or unsatisfied."),
}


def make_pages(
    app: EvaluationApplication, views: ViewStore, resident_rating: ResidentRater, deputy_names: DeputyNames
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/evaluation/static")

    @router.get("/", response_class=HTMLResponse)
    def results(request: Request, county: str = "", year: int | None = None, page_number: PageNumber = 1) -> Response:
        """The published ratings, the latest year first, a page at a time; the rounds (one a year) whole."""
        _, county, _ = viewer_county(request, county)
        query = DocQuery(RATING, county, of_year(year), order=(("year", True), ("name", False)))
        result = page_in_store(views, query, Paging(page_number, PER_PAGE))
        rounds = sorted(views.list(ROUND, county), key=lambda d: -d["session_year"])
        context = {"county": county, "county_name": county_name(county), "result": result, "rounds": rounds}
        return render(templates, request, "results.html", {**context, "year": year})

    @router.get("/rounds/{round_id}", response_class=HTMLResponse)
    def round_page(request: Request, round_id: UUID) -> Response:
        """Attendance by name (public, as the seeds publish it), results, and the published ballots: the
        projects numbered, so the list stays narrow on a phone and scrolls in its own box."""
        doc = views.get(ROUND, str(round_id))
        if doc is None:
            return render(templates, request, "missing.html", {"what": "round"}, status_code=404)
        names = {p["project_id"]: p["name"] for p in doc["projects"]}
        published = doc["published"] if doc["status"] in ("closed", "confirmed") else []
        present = attendance(doc, deputy_names, language(request))
        context = {
            "r": doc,
            "names": names,
            "published": published,
            "present": present,
            "county_name": county_name(doc["county"]),
        }
        return render(templates, request, "round.html", context)

    @router.get("/rate", response_class=HTMLResponse)
    def rate(request: Request, county: str = "") -> Response:
        """The deputy's ballot (mobile): check in with their account; the device takes a credential and
        casts anonymously (``static/ballots/ballot.js``)."""
        principal, county, _ = viewer_county(request, county)
        current = next(
            (
                d
                for d in sorted(views.list(ROUND, county), key=lambda d: -d["session_year"])
                if d["status"] in ("check_in", "rating")
            ),
            None,
        )
        return render(
            templates,
            request,
            "rate.html",
            {
                "county": county,
                "r": current,
                "is_deputy": principal.has_any({Role.DEPUTY}),
                "checked_in": current is not None and principal.subject in current["present"],
                "problem": problem_of(request),
            },
        )

    @router.post("/rate/check-in", response_class=HTMLResponse)
    def rate_check_in(request: Request, round_id: Annotated[UUID, Form()]) -> Response:
        """The deputy checks in (public attendance), then the page's script takes the ballot credential."""
        principal = principal_of(request)
        doc = views.get(ROUND, str(round_id))
        if doc is None or not principal.has_any({Role.DEPUTY}) or not principal.covers(doc["county"]):
            return RedirectResponse("/login", status_code=303)
        try:
            app.check_in(meta_for(request, principal, doc["county"]), round_id, principal.subject)
        except RuleViolation as exc:
            return back_with(f"/evaluation/rate?county={doc['county']}", exc)
        settle(request)
        return RedirectResponse(f"/evaluation/rate?county={doc['county']}", status_code=303)

    @router.get("/projects/{project_id}/rate", response_class=HTMLResponse)
    def resident_form(request: Request, project_id: UUID, code: str = "") -> Response:
        """The resident's rating form; the tracking page's link fills in their code."""
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None:
            return render(templates, request, "missing.html", {"what": "project"}, status_code=404)
        context = {"p": doc, "code": code.strip().upper()[:40], "county_name": county_name(doc["county"])}
        return render(templates, request, "resident_rate.html", context)

    @router.post("/projects/{project_id}/rate", response_class=HTMLResponse)
    def resident_submit(
        request: Request,
        project_id: UUID,
        tracking_code: Annotated[str, Form()] = "",
        level: Annotated[str, Form()] = "",
    ) -> Response:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None:
            return render(templates, request, "missing.html", {"what": "project"}, status_code=404)
        zh = language(request) == "zh"
        context: dict[str, Any] = {
            "p": doc,
            "code": tracking_code.strip().upper()[:40],
            "county_name": county_name(doc["county"]),
        }
        try:
            resident_rating(request, project_id, tracking_code, level)
        except Problem as exc:
            said = RATING_REFUSALS.get(exc.reason, RATING_REFUSALS["unknown_tracking_code"])
            context["problem"] = {"title": said[0] if zh else said[1], "detail": ""}
            return render(templates, request, "resident_rate.html", context, status_code=exc.status)
        except RuleViolation as exc:  # already rated: said kindly, not as an error
            said = RATING_REFUSALS.get(exc.reason) or (refusal_text(str(exc), "zh"), refusal_text(str(exc), "en"))
            status = 409 if exc.reason == "already_rated" else 422
            context.update(already=exc.reason == "already_rated", message=said[0] if zh else said[1])
            return render(templates, request, "resident_rate.html", context, status_code=status)
        return render(templates, request, "resident_rate.html", {**context, "done": True})

    @router.get("/metrics", response_class=HTMLResponse)
    def metrics_page(request: Request, county: str = "", year: int = 2025) -> Response:
        _, county, _ = viewer_county(request, county)
        m = metrics_for(views, county, year)
        figures = [(key, m[key]) for key, _ in FIGURES]
        lang = language(request)
        bar = {
            "tooltip": {},
            "grid": {"left": 170},
            "xAxis": {"type": "value", "max": 100},
            "yAxis": {"type": "category", "data": [translate(lang, key) for key, _ in figures], "inverse": True},
            "series": [
                {
                    "type": "bar",
                    "data": [None if f["value"] is None else round(f["value"] * 100, 1) for _, f in figures],
                }
            ],
        }
        pie = {
            "tooltip": {},
            "color": ["#1b7f3b", "#d89a00", "#b42318"],
            "series": [
                {
                    "type": "pie",
                    "radius": "60%",
                    "data": [{"name": translate(lang, f"verdict_{k}"), "value": v} for k, v in m["verdicts"].items()],
                }
            ],
        }
        return render(
            templates,
            request,
            "metrics.html",
            {
                "county": county,
                "county_name": county_name(county),
                "year": year,
                "m": m,
                "figures": figures,
                "bar": bar,
                "pie": pie,
            },
        )

    return router


def attendance(doc: dict, deputy_names: DeputyNames, lang: str) -> list[str]:
    """The deputies present, by name: from their own login at check-in, else intake's registry, else the
    role's name (never an account id)."""
    names: dict[str, str] = dict(doc.get("names") or {})
    if any(d not in names for d in doc["present"]):
        names = {**deputy_names(doc["county"]), **names}
    return [names.get(d) or translate(lang, "role_deputy") for d in doc["present"]]
