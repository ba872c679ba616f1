"""Decision's vote pages: candidate list with its approval chain, the staff session console,
the deputy's ballot page (mobile, confirm before cast) and the public results page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.decision.app.application import DecisionApplication
from services.decision.domain.candidate import CRITERIA
from services.decision.domain.candidate_list import STEPS
from services.decision.http.texts import register
from services.decision.read.vote_projections import BOXES, CANDIDATES, LISTS, RESULTS, SESSIONS
from shared.auth import Role
from shared.ballots.credentials import spaced
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.forms import FormDep
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"


def settle(request: Request, timeout: float = 3.0) -> None:
    """Wait until the read models include this request's events, so the next page shows them."""
    request.app.state.runtime.settle_views(timeout)


def make_vote_pages(app: DecisionApplication, views: ViewStore) -> APIRouter:
    register()
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/decision/static")

    def session_doc(request: Request, session_id: UUID) -> dict | None:
        principal = principal_of(request)
        doc = views.get(SESSIONS, str(session_id))
        return doc if doc and principal.covers(doc["county"]) else None

    def console(
        request: Request, session_id: UUID, flash: str = "", problem: dict | None = None, status_code: int = 200
    ) -> Response:
        principal = principal_of(request)
        doc = session_doc(request, session_id)
        if doc is None or not principal.has_any({Role.CONGRESS_STAFF}):
            return render(templates, request, "vote_denied.html", {}, status_code=404 if doc is None else 403)
        current = doc["rounds"][-1] if doc["rounds"] else None
        box = views.get(BOXES, current["box_id"]) if current else None
        lst = views.get(LISTS, doc["list_id"]) or {"candidate_ids": []}
        names = {c: (views.get(CANDIDATES, c) or {}).get("name", c) for c in lst["candidate_ids"]}
        present = set(doc["present"])
        issued = len(doc.get("received", [])) + len(doc.get("slips", []))
        cast = box["cast"] if box else 0
        if box and box["status"] == "open" and box["mode"] == "electronic":
            cast = app.ballots.count(box["id"])  # the urn: a number, no order, no times
        return render(
            templates,
            request,
            "session_console.html",
            {
                "s": doc,
                "current": current,
                "box": box,
                "names": names,
                "present": present,
                "received": set(doc.get("received", [])),
                "slips": set(doc.get("slips", [])),
                "issued": issued,
                "cast": cast,
                "quorum_needed": len(doc["roll"]) // 2 + 1,
                "flash": flash,
                "problem": problem,
            },
            status_code=status_code,
        )

    def act(request: Request, session_id: UUID, action: Callable[[Meta], object], ok: str) -> Response:
        principal = principal_of(request)
        doc = session_doc(request, session_id)
        if doc is None or not principal.has_any({Role.CONGRESS_STAFF}):
            return render(templates, request, "vote_denied.html", {}, status_code=403)
        try:
            result = action(meta_for(request, principal, doc["county"]))
        except (RuleViolation, NotFound, ValueError) as exc:
            return console(request, session_id, problem={"title": str(exc)}, status_code=409)
        settle(request)
        return console(request, session_id, flash=ok.format(result=result))

    @router.get("/candidates", response_class=HTMLResponse)
    def candidates(request: Request, county: str = "", year: int | None = None) -> Response:
        principal, county, allowed = viewer_county(request, county)
        if not (allowed and principal.roles):
            return render(templates, request, "vote_denied.html", {}, status_code=403 if principal.roles else 401)
        lists = [d for d in views.list(LISTS, county) if year is None or d["year"] == year]
        lists.sort(key=lambda d: d["drafted_at"], reverse=True)
        cands = {d["id"]: d for d in views.list(CANDIDATES, county)}
        return render(
            templates,
            request,
            "candidates.html",
            {"county": county, "lists": lists, "candidates": cands, "steps": STEPS, "criteria": CRITERIA},
        )

    @router.get("/sessions", response_class=HTMLResponse)
    def sessions(request: Request, county: str = "") -> Response:
        principal, county, allowed = viewer_county(request, county)
        if not (allowed and principal.roles):
            return render(templates, request, "vote_denied.html", {}, status_code=403 if principal.roles else 401)
        items = sorted(views.list(SESSIONS, county), key=lambda d: d["scheduled_at"], reverse=True)
        return render(templates, request, "sessions.html", {"county": county, "sessions": items})

    @router.get("/sessions/{session_id}/console", response_class=HTMLResponse)
    def console_page(request: Request, session_id: UUID) -> Response:
        return console(request, session_id)

    @router.post("/sessions/{session_id}/console/check-in", response_class=HTMLResponse)
    def console_check_in(request: Request, session_id: UUID, deputy_id: Annotated[str, Form()]) -> Response:
        return act(
            request,
            session_id,
            lambda m: app.check_in(m, session_id, deputy_id),
            "已签到。代表用本人账号在手机上领取电子选票，或向其发放一张投票码 / Checked in",
        )

    @router.post("/sessions/{session_id}/console/slip", response_class=HTMLResponse)
    def console_slip(request: Request, session_id: UUID, deputy_id: Annotated[str, Form()]) -> Response:
        return act(
            request,
            session_id,
            lambda m: app.hand_slip(m, session_id, deputy_id),
            "已记录发放一张投票码（系统不知道是哪一张）/ A code slip was handed out",
        )

    @router.post("/sessions/{session_id}/console/codes", response_class=HTMLResponse)
    def console_codes(request: Request, session_id: UUID, count: Annotated[int, Form()]) -> Response:
        """Print a pool of code slips: shown once on a printable page, only digests are kept."""
        principal = principal_of(request)
        doc = session_doc(request, session_id)
        if doc is None or not principal.has_any({Role.CONGRESS_STAFF}):
            return render(templates, request, "vote_denied.html", {}, status_code=403)
        try:
            codes = app.print_codes(meta_for(request, principal, doc["county"]), session_id, count)
        except RuleViolation as exc:
            return console(request, session_id, problem={"title": str(exc)}, status_code=409)
        settle(request)
        slips = [spaced(c) for c in codes]
        return render(templates, request, "code_slips.html", {"s": doc, "codes": slips})

    @router.post("/sessions/{session_id}/console/open", response_class=HTMLResponse)
    def console_open(
        request: Request,
        session_id: UUID,
        seats: Annotated[int, Form()],
        kind: Annotated[str, Form()] = "competitive",
        mode: Annotated[str, Form()] = "electronic",
    ) -> Response:
        return act(
            request, session_id, lambda m: app.open_vote(m, session_id, seats, kind, mode), "表决已开始 / Vote opened"
        )

    @router.post("/sessions/{session_id}/console/close", response_class=HTMLResponse)
    def console_close(request: Request, session_id: UUID) -> Response:
        return act(request, session_id, lambda m: app.close_vote(m, session_id), "表决已结束，结果已公布 / Vote closed")

    @router.post("/sessions/{session_id}/console/paper-box", response_class=HTMLResponse)
    def console_box(request: Request, session_id: UUID, form: FormDep) -> Response:
        try:
            counts: dict[str, dict[str, int]] = {}
            for key, value in form.items():
                if key.startswith("c:") and str(value).strip():
                    _, cid, choice = key.split(":")
                    counts.setdefault(cid, {})[choice] = int(str(value))
            numbers = {k: int(str(form.get(k, "0") or 0)) for k in ("issued", "returned", "invalid")}
        except ValueError:
            return console(request, session_id, problem={"title": "请填写整数 / Whole numbers please"}, status_code=422)
        box_no = str(form.get("box_no", "")).strip()
        return act(
            request,
            session_id,
            lambda m: app.enter_box(m, session_id, box_no, counts=counts, **numbers),
            f"第{box_no}号票箱已录入，待另一名计票人确认 / Box {box_no} entered",
        )

    @router.post("/sessions/{session_id}/console/paper-box/{box_no}/confirm", response_class=HTMLResponse)
    def console_confirm(request: Request, session_id: UUID, box_no: str) -> Response:
        return act(
            request,
            session_id,
            lambda m: app.confirm_box(m, session_id, box_no),
            f"第{box_no}号票箱已确认 / Box {box_no} confirmed",
        )

    # the deputy's ballot ------------------------------------------------------------------
    def ballot_context(request: Request, session_id: UUID) -> dict | None:
        doc = session_doc(request, session_id)
        if doc is None:
            return None
        current = doc["rounds"][-1] if doc["rounds"] and doc["rounds"][-1]["status"] == "open" else None
        closed = [r["round_no"] for r in doc["rounds"] if r["status"] != "open"]
        return {
            "s": doc,
            "current": current,
            "last_closed": closed[-1] if closed else None,
            "checked_in": principal_of(request).subject in doc["present"],
        }

    @router.get("/sessions/{session_id}/ballot", response_class=HTMLResponse)
    def ballot(request: Request, session_id: UUID) -> Response:
        """The deputy's ballot (mobile): check in, then the device takes its credential and casts
        anonymously (``static/ballots/ballot.js``): the page itself never sees a token."""
        principal = principal_of(request)
        ctx = ballot_context(request, session_id)
        if ctx is None or not principal.has_any({Role.DEPUTY}):
            return render(templates, request, "vote_denied.html", {}, status_code=404 if ctx is None else 403)
        return render(templates, request, "ballot.html", ctx)

    @router.post("/sessions/{session_id}/ballot/check-in", response_class=HTMLResponse)
    def ballot_check_in(request: Request, session_id: UUID) -> Response:
        principal = principal_of(request)
        ctx = ballot_context(request, session_id)
        if ctx is None or not principal.has_any({Role.DEPUTY}):
            return render(templates, request, "vote_denied.html", {}, status_code=403)
        try:
            app.check_in(meta_for(request, principal, ctx["s"]["county"]), session_id, principal.subject)
        except RuleViolation as exc:
            return render(templates, request, "ballot.html", {**ctx, "problem": {"title": str(exc)}}, status_code=409)
        settle(request)
        return RedirectResponse(f"/decision/sessions/{session_id}/ballot", status_code=303)

    # public results -----------------------------------------------------------------------
    @router.get("/results", response_class=HTMLResponse)
    def results(request: Request, county: str = "", year: int | None = None) -> Response:
        principal_of(request)
        county = county or "440781"
        items = [d for d in views.list(RESULTS, county) if year is None or d["year"] == year]
        items.sort(key=lambda d: d["year"], reverse=True)
        return render(templates, request, "results.html", {"county": county, "results": items, "year": year})

    return router
