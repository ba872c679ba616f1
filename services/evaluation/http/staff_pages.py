"""The committee's results and rectification board: open a round, start, close, confirm and
distribute; paper boxes by two tellers; rectification reports, re-rating, next step and the
deadline sweep. County-scoped; forms post back and redirect (303) with any refusal shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.domain.round import RECIPIENTS
from services.evaluation.http.rectification_api import open_rectifications
from services.evaluation.read.projections import RATING, ROUND
from shared.auth import Role
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
READERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}


def make_staff_pages(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/evaluation/static")

    def act(request: Request, roles: set[Role], fn: Callable[..., object], *, role: str | None = None) -> Response:
        principal, county, allowed = viewer_county(request, request.query_params.get("county", ""))
        back = f"/evaluation/board?county={county}"
        if not principal.has_any(roles) or not allowed or principal.roles <= {Role.AUDITOR, Role.PROVINCE_VIEWER}:
            return RedirectResponse("/login", status_code=303)
        try:
            fn(meta_for(request, principal, county, role=role))
        except (RuleViolation, NotFound, ValueError) as exc:
            return RedirectResponse(f"{back}&error={quote(str(exc))}", status_code=303)
        return RedirectResponse(back, status_code=303)

    @router.get("/board", response_class=HTMLResponse)
    def board(request: Request, county: str = "") -> Response:
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        if not allowed:
            return render(
                templates,
                request,
                "board.html",
                {
                    "county": county,
                    "rounds": [],
                    "items": [],
                    "problem": {"title": "无权查看该县 / County outside your scope", "detail": county},
                },
                status_code=403,
            )
        rounds = sorted(views.list(ROUND, county), key=lambda d: -d["session_year"])
        items = sorted(
            (d for d in views.list(RATING, county) if d.get("rectification")),
            key=lambda d: (d["rectification"]["deadline"], d["name"]),
        )
        error = request.query_params.get("error")
        return render(
            templates,
            request,
            "board.html",
            {
                "county": county,
                "rounds": rounds,
                "items": items,
                "recipients": RECIPIENTS,
                "can_act": principal.has_any({Role.CONGRESS_STAFF}),
                "is_gov": principal.has_any({Role.GOV_UNIT}),
                "problem": {"title": error, "detail": ""} if error else None,
            },
        )

    staff = {Role.CONGRESS_STAFF}

    @router.post("/board/rounds")
    def open_round(
        request: Request,
        session_year: Annotated[int, Form()],
        rated_year: Annotated[int, Form()],
        session_closes_on: Annotated[date, Form()],
        mode: Annotated[str, Form()] = "electronic",
    ) -> Response:
        def run(meta: Meta) -> None:
            if mode not in ("electronic", "paper"):
                raise ValueError("mode must be electronic or paper")
            candidates = [
                UUID(d["project_id"])
                for d in views.list(RATING, meta.county)
                if d["year"] == rated_year and d["status"] == "open"
            ]
            app.open_round(meta, session_year, rated_year, session_closes_on, mode, candidates)

        return act(request, staff, run)

    @router.post("/board/rounds/{round_id}/boxes")
    def paper_box(
        request: Request,
        round_id: UUID,
        box_no: Annotated[str, Form()],
        issued: Annotated[int, Form()],
        returned: Annotated[int, Form()],
        invalid: Annotated[int, Form()],
    ) -> Response:
        def run(meta: Meta) -> None:
            rnd = app.rating_round(round_id, meta.county)
            counts = {}
            for p in rnd.projects:
                counts[p["project_id"]] = {
                    c: int(form_value(request, f"{p['project_id']}:{c}") or 0)
                    for c in ("satisfied", "basically_satisfied", "unsatisfied")
                }
            app.enter_paper_box(meta, round_id, box_no, issued, returned, invalid, counts)

        return act(request, staff, run, role="teller")

    @router.post("/board/rounds/{round_id}/boxes/{box_no}/confirm")
    def confirm_box(request: Request, round_id: UUID, box_no: str) -> Response:
        return act(request, staff, lambda m: app.confirm_paper_box(m, round_id, box_no), role="teller")

    @router.post("/board/rounds/{round_id}/{action}")
    def round_action(request: Request, round_id: UUID, action: str) -> Response:
        steps = {
            "start": lambda m: app.start_rating(m, round_id),
            "close": lambda m: app.close_round(m, round_id),
            "confirm": lambda m: app.confirm_round(m, round_id),
            "distribute": lambda m: app.distribute(
                m, round_id, [r for r in RECIPIENTS if r not in app.rating_round(round_id).distributed]
            ),
        }
        if action not in steps:
            return RedirectResponse(f"/evaluation/board?error={quote('unknown action')}", status_code=303)
        return act(request, staff, steps[action], role="presidium" if action == "confirm" else None)

    @router.post("/board/projects/{project_id}/report")
    def report(request: Request, project_id: UUID, text: Annotated[str, Form()]) -> Response:
        return act(request, {Role.GOV_UNIT}, lambda m: app.file_rectification_report(m, project_id, text))

    @router.post("/board/projects/{project_id}/re-rating")
    def re_rating(
        request: Request,
        project_id: UUID,
        satisfied: Annotated[int, Form()],
        basically_satisfied: Annotated[int, Form()],
        unsatisfied: Annotated[int, Form()],
    ) -> Response:
        return act(
            request,
            staff,
            lambda m: app.re_rate(m, project_id, satisfied, basically_satisfied, unsatisfied),
            role="standing_committee",
        )

    @router.post("/board/projects/{project_id}/next-step")
    def next_step(
        request: Request, project_id: UUID, step: Annotated[str, Form()], note: Annotated[str, Form()] = ""
    ) -> Response:
        return act(request, staff, lambda m: app.record_next_step(m, project_id, step, note), role="standing_committee")

    @router.post("/board/sweep")
    def sweep(request: Request) -> Response:
        return act(
            request, staff, lambda m: app.sweep(m, china_date(m.occurred_at), open_rectifications(views, m.county))
        )

    return router


def form_value(request: Request, name: str) -> str:
    """A field of the already-parsed form (FastAPI keeps it on the request)."""
    form = getattr(request, "_form", None)
    return str(form.get(name, "")) if form is not None else ""
