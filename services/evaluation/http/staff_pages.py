"""The committee's results and rectification board: open a round, start, close, confirm and
distribute; paper boxes by two tellers (shown by name); rectification reports, re-rating, next step and
the deadline sweep. County-scoped; forms post back and redirect (303) with any refusal shown in the page's
language; numbers and dates typed wrong are said in Chinese, never as JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.domain.round import RECIPIENTS
from services.evaluation.http.feedback import day, whole
from services.evaluation.http.rectification_api import open_rectifications
from services.evaluation.read.projections import RATING, ROUND
from services.evaluation.read.rectifications import rectifications_query
from shared.auth import Role
from shared.divisions import county_name
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta
from shared.views.paging import Paging, page_in_store, page_of
from shared.views.store import ViewStore
from shared.web.feedback import back_with, done_then_back, problem_of
from shared.web.forms import FormDep
from shared.web.i18n import language, translate
from shared.web.paging import PageNumber
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
READERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
LEVELS = ("satisfied", "basically_satisfied", "unsatisfied")
PER_PAGE = 50  # rectification orders on one page of the board
LEVEL_NAMES = {"satisfied": ("满意票数", "satisfied"), "basically_satisfied": ("基本满意票数", "basically satisfied")}
LEVEL_NAMES["unsatisfied"] = ("不满意票数", "unsatisfied")


def make_staff_pages(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/evaluation/static")

    def act(request: Request, roles: set[Role], fn: Callable[[Meta], object], *, role: str | None = None) -> Response:
        principal, county, allowed = viewer_county(request, request.query_params.get("county", ""))
        back = f"/evaluation/board?county={county}"
        if not principal.has_any(roles) or not allowed or principal.roles <= {Role.AUDITOR, Role.PROVINCE_VIEWER}:
            return RedirectResponse("/login", status_code=303)
        return done_then_back(request, back, lambda: fn(meta_for(request, principal, county, role=role)))

    @router.get("/board", response_class=HTMLResponse)
    def board(request: Request, county: str = "", page_number: PageNumber = 1) -> Response:
        """The rating rounds (one a year) and the rectification orders, a page at a time."""
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        if not allowed:
            problem = problem_of(request, "无权查看该县 / County outside your scope")
            context: dict[str, Any] = {
                "county": county,
                "rounds": [],
                "result": page_of([], Paging()),
                "problem": problem,
            }
            return render(templates, request, "board.html", context, status_code=403)
        rounds = sorted(views.list(ROUND, county), key=lambda d: -d["session_year"])
        result = page_in_store(views, rectifications_query(county), Paging(page_number, PER_PAGE))
        lang = language(request)
        staff_word = translate(lang, "teller")
        for r in rounds:  # tellers by name: their login's, else "计票人"
            for box in r["paper_boxes"].values():
                box["entered"] = box.get("entered_by_name") or staff_word
                box["confirmed"] = box.get("confirmed_by_name") or (staff_word if box.get("confirmed_by") else "")
        return render(
            templates,
            request,
            "board.html",
            {
                "county": county,
                "county_name": county_name(county),
                "rounds": rounds,
                "result": result,
                "recipients": RECIPIENTS,
                "can_act": principal.has_any({Role.CONGRESS_STAFF}),
                "is_gov": principal.has_any({Role.GOV_UNIT}),
                "problem": problem_of(request),
            },
        )

    staff = {Role.CONGRESS_STAFF}

    @router.post("/board/rounds")
    def open_round(request: Request, form: FormDep) -> Response:
        def run(meta: Meta) -> None:
            mode = str(form.get("mode") or "electronic")
            if mode not in ("electronic", "paper"):
                raise ValueError("请选择电子投票或纸质选票 / mode must be electronic or paper")
            rated_year = whole(form, "rated_year", ("测评项目年度", "the projects' year"))
            session_year = whole(form, "session_year", ("人代会年度", "the session's year"))
            closes = day(form, "session_closes_on", ("闭会日期", "the session's closing day"))
            candidates = [
                UUID(d["project_id"])
                for d in views.list(RATING, meta.county)
                if d["year"] == rated_year and d["status"] == "open"
            ]
            app.open_round(meta, session_year, rated_year, closes, mode, candidates)

        return act(request, staff, run)

    @router.post("/board/rounds/{round_id}/boxes")
    def paper_box(request: Request, round_id: UUID, form: FormDep) -> Response:
        def run(meta: Meta) -> None:
            rnd = app.rating_round(round_id, meta.county)
            counts = {
                p["project_id"]: {
                    c: whole(form, f"{p['project_id']}:{c}", (f"{p['name']}的{LEVEL_NAMES[c][0]}", c), 0)
                    for c in LEVELS
                }
                for p in rnd.projects
            }
            box_no = str(form.get("box_no") or "").strip()
            if not box_no:
                raise ValueError("请填写票箱号 / give the box's number")
            app.enter_paper_box(
                meta,
                round_id,
                box_no,
                whole(form, "issued", ("发出票数", "issued")),
                whole(form, "returned", ("收回票数", "returned")),
                whole(form, "invalid", ("无效票数", "invalid"), 0),
                counts,
            )

        return act(request, staff, run, role="teller")

    @router.post("/board/rounds/{round_id}/boxes/{box_no}/confirm")
    def confirm_box(request: Request, round_id: UUID, box_no: str) -> Response:
        return act(request, staff, lambda m: app.confirm_paper_box(m, round_id, box_no), role="teller")

    @router.post("/board/rounds/{round_id}/{action}")
    def round_action(request: Request, round_id: UUID, action: str) -> Response:
        steps: dict[str, Callable[[Meta], object]] = {
            "start": lambda m: app.start_rating(m, round_id),
            "close": lambda m: app.close_round(m, round_id),
            "confirm": lambda m: app.confirm_round(m, round_id),
            "distribute": lambda m: app.distribute(
                m, round_id, [r for r in RECIPIENTS if r not in app.rating_round(round_id).distributed]
            ),
        }
        if action not in steps:
            return back_with("/evaluation/board", ValueError("未知的操作 / unknown action"))
        return act(request, staff, steps[action], role="presidium" if action == "confirm" else None)

    @router.post("/board/projects/{project_id}/report")
    def report(request: Request, project_id: UUID, form: FormDep) -> Response:
        text = str(form.get("text") or "")
        return act(request, {Role.GOV_UNIT}, lambda m: app.file_rectification_report(m, project_id, text))

    @router.post("/board/projects/{project_id}/re-rating")
    def re_rating(request: Request, project_id: UUID, form: FormDep) -> Response:
        def run(meta: Meta) -> None:
            s, b, u = (whole(form, c, LEVEL_NAMES[c]) for c in LEVELS)
            app.re_rate(meta, project_id, s, b, u)

        return act(request, staff, run, role="standing_committee")

    @router.post("/board/projects/{project_id}/next-step")
    def next_step(request: Request, project_id: UUID, form: FormDep) -> Response:
        step, note = str(form.get("step") or ""), str(form.get("note") or "")
        return act(request, staff, lambda m: app.record_next_step(m, project_id, step, note), role="standing_committee")

    @router.post("/board/sweep")
    def sweep(request: Request) -> Response:
        return act(
            request, staff, lambda m: app.sweep(m, china_date(m.occurred_at), open_rectifications(views, m.county))
        )

    return router
