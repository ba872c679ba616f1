"""Evaluation's public and deputy pages: results, a round's attendance and published ballots,
the deputies' rating page (mobile; casting sends no identity), residents' rating by tracking
code, and the metrics dashboard (ECharts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.domain.rating import rating_id_for
from services.evaluation.http.metrics_api import metrics_for
from services.evaluation.http.report.render import FIGURES
from services.evaluation.http.texts import MESSAGES
from services.evaluation.read.projections import RATING, ROUND
from shared.auth import Role
from shared.kernel.meta import RuleViolation
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.i18n import language, register_messages, translate
from shared.web.problems import Problem
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
register_messages(MESSAGES)


ResidentRater = Callable[[Request, UUID, str, str], None]


def make_pages(app: EvaluationApplication, views: ViewStore, resident_rating: ResidentRater) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/evaluation/static")

    @router.get("/", response_class=HTMLResponse)
    def results(request: Request, county: str = "", year: int | None = None) -> Response:
        _, county, _ = viewer_county(request, county)
        items = sorted(
            (d for d in views.list(RATING, county) if year is None or d["year"] == year),
            key=lambda d: (-d["year"], d["name"], d["id"]),
        )
        rounds = sorted(views.list(ROUND, county), key=lambda d: -d["session_year"])
        return render(templates, request, "results.html", {"county": county, "items": items, "rounds": rounds})

    @router.get("/rounds/{round_id}", response_class=HTMLResponse)
    def round_page(request: Request, round_id: UUID) -> Response:
        doc = views.get(ROUND, str(round_id))
        if doc is None:
            raise Problem(404, "Not found", "no such rating round", reason="not_found")
        names = {p["project_id"]: p["name"] for p in doc["projects"]}
        published = doc["published"] if doc["status"] in ("closed", "confirmed") else []
        return render(templates, request, "round.html", {"r": doc, "names": names, "published": published})

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
            },
        )

    @router.post("/rate/check-in", response_class=HTMLResponse)
    def rate_check_in(request: Request, round_id: Annotated[UUID, Form()]) -> Response:
        """The deputy checks in (public attendance), then the page's script takes the ballot credential."""
        principal = principal_of(request)
        doc = views.get(ROUND, str(round_id))
        if doc is None or not principal.has_any({Role.DEPUTY}) or not principal.covers(doc["county"]):
            raise Problem(403, "Forbidden", "only a deputy of the county checks in here", reason="forbidden")
        try:
            app.check_in(meta_for(request, principal, doc["county"]), round_id, principal.subject)
        except RuleViolation as exc:
            raise Problem(409, "Refused by a rule", str(exc), reason=exc.reason) from exc
        request.app.state.runtime.settle_views()
        return RedirectResponse(f"/evaluation/rate?county={doc['county']}", status_code=303)

    @router.get("/projects/{project_id}/rate", response_class=HTMLResponse)
    def resident_form(request: Request, project_id: UUID) -> Response:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None:
            raise Problem(404, "Not found", "no such project", reason="not_found")
        return render(templates, request, "resident_rate.html", {"p": doc})

    @router.post("/projects/{project_id}/rate", response_class=HTMLResponse)
    def resident_submit(
        request: Request, project_id: UUID, tracking_code: Annotated[str, Form()], level: Annotated[str, Form()]
    ) -> Response:
        doc = views.get(RATING, str(rating_id_for(project_id)))
        if doc is None:
            raise Problem(404, "Not found", "no such project", reason="not_found")
        try:
            resident_rating(request, project_id, tracking_code, level)
        except Problem as exc:
            return render(
                templates,
                request,
                "resident_rate.html",
                {"p": doc, "problem": {"title": exc.title, "detail": exc.detail}},
                status_code=exc.status,
            )
        return render(templates, request, "resident_rate.html", {"p": doc, "done": True})

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
            {"county": county, "year": year, "m": m, "figures": figures, "bar": bar, "pie": pie},
        )

    return router
