"""Decision's vote pages: scheduling a session (its roll picked from intake's deputies registry, residents'
representatives entered by hand), the staff session console, a round's attendance and published ballots,
the deputy's ballot page (mobile, confirm before cast) and the public results page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.decision.app.application import DecisionApplication
from services.decision.app.roll import DeputyRegistry
from services.decision.domain.candidate import LEVELS
from services.decision.http.page_frame import DEPUTY, READERS, STAFF, PageFrame, filled, labels, today
from services.decision.http.result_sheet import shared_ranks
from services.decision.http.vote_models import SessionIn
from services.decision.read.vote_projections import BOXES, CANDIDATES, LISTS, RESULTS, SESSIONS
from shared import divisions
from shared.ballots.credentials import spaced
from shared.ballots.recount import recount
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound
from shared.views.paging import Paging, of_year, page_in_store
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.feedback import settle
from shared.web.forms import FormDep
from shared.web.i18n import language, translate
from shared.web.paging import PageNumber
from shared.web.requests import meta_for
from shared.web.viewer import viewer_county

SESSIONS_PER_PAGE = 20  # sessions on one page of the sessions and of the results (each with its projects)
SESSION_LABELS = {
    "year": "f_year",
    "level": "f_level",
    "town": "f_town",
    "name": "f_session_name",
    "list_id": "f_list",
    "roll": "f_roll",
}


def make_vote_pages(
    app: DecisionApplication, views: ViewStore, frame: PageFrame, deputies: DeputyRegistry
) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def session_doc(request: Request, session_id: UUID) -> dict | None:
        principal = principal_of(request)
        doc = views.get(SESSIONS, str(session_id))
        return doc if doc and principal.covers(doc["county"]) else None

    def roll_names(doc: dict) -> dict[str, str]:
        return {d["id"]: d.get("name") or d["id"] for d in doc["roll"]}

    # -- scheduling a session ---------------------------------------------------------------------
    def schedule_page(request: Request, county: str, entered: dict, status_code: int = 200, **extra: Any) -> Response:
        lists = [d for d in views.list(LISTS, county) if d["status"] == "put_to_session"]
        lists.sort(key=lambda d: d["drafted_at"], reverse=True)
        registry = deputies(county)
        context = {
            "county": county,
            "f": entered,
            "lists": lists,
            "registry": sorted(registry, key=lambda d: (d["town"], d["name"])) if registry is not None else None,
            "levels": LEVELS,
            "towns": [name for _, name in divisions.towns_of(county)],
            **extra,
        }
        return frame.page(request, "session_new.html", context, status_code=status_code)

    @router.get("/sessions/new", response_class=HTMLResponse)
    def new_session(request: Request, county: str = "", list_id: Annotated[str, Query(alias="list")] = "") -> Response:
        _, county, refused = frame.gate(request, county, STAFF)
        if refused:
            return refused
        chosen = views.get(LISTS, list_id) if list_id else None
        year = chosen["year"] if chosen else today(request).year
        entered: dict[str, Any] = {
            "list_id": list_id,
            "year": year,
            "level": chosen["level"] if chosen else "county",
            "town": chosen["town"] if chosen else "",
            "name": f"{year}年{divisions.county_name(county)}人民代表大会",
            "deputies": [],
            "representatives": "",
        }
        return schedule_page(request, county, entered)

    @router.post("/sessions", response_class=HTMLResponse)
    def schedule(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, str(form.get("county") or ""), STAFF)
        if refused:
            return refused

        def text(key: str) -> str:
            return str(form.get(key) or "").strip()

        entered: dict[str, Any] = {k: text(k) for k in ("list_id", "year", "level", "town", "name", "representatives")}
        entered["deputies"] = [str(v) for v in form.getlist("deputies")]
        known = {d["deputy_id"]: d for d in deputies(county) or []}
        roll: list[dict[str, str]] = [
            {"id": d, "name": known[d]["name"], "kind": "deputy"} for d in entered["deputies"] if d in known
        ]
        roll += [
            {"id": f"rep-{uuid4().hex[:12]}", "name": name.strip(), "kind": "resident_representative"}
            for name in entered["representatives"].splitlines()
            if name.strip()
        ]
        fields = filled({k: entered[k] for k in ("list_id", "year", "level", "town", "name")})
        try:
            body = SessionIn.model_validate({**fields, "roll": roll})
        except ValidationError as exc:
            problem = frame.invalid(request, exc, labels(request, SESSION_LABELS))
            return schedule_page(request, county, entered, 422, problem=problem)
        meta = meta_for(request, principal, county)
        done = frame.act(
            request,
            lambda: app.schedule_session(
                meta, body.year, body.level, body.town, body.name, body.list_id, [d.model_dump() for d in body.roll]
            ),
            lambda s: f"/decision/sessions/{s.id}/console",
        )
        if isinstance(done, str):
            return schedule_page(request, county, entered, 409, problem={"title": done})
        return done

    @router.get("/sessions", response_class=HTMLResponse)
    def sessions(request: Request, county: str = "", page_number: PageNumber = 1) -> Response:
        """The county's sessions, the latest scheduled first, a page at a time."""
        principal, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        latest = DocQuery(SESSIONS, county, order=(("scheduled_at", True),))
        context = {
            "county": county,
            "sessions": page_in_store(views, latest, Paging(page_number, SESSIONS_PER_PAGE)),
            "is_staff": principal.has_any(STAFF),
            "is_deputy": principal.has_any(DEPUTY),
            "me": principal.subject,
        }
        return frame.page(request, "sessions.html", context)

    # -- the console ------------------------------------------------------------------------------
    def console(
        request: Request, session_id: UUID, flash: str = "", problem: dict | None = None, status_code: int = 200
    ) -> Response:
        principal = principal_of(request)
        doc = session_doc(request, session_id)
        if doc is None or not principal.has_any(STAFF):
            return frame.denied(request, 404 if doc is None else 403)
        current = doc["rounds"][-1] if doc["rounds"] else None
        box = views.get(BOXES, current["box_id"]) if current else None
        lst = views.get(LISTS, doc["list_id"]) or {"candidate_ids": []}
        names = {c: (views.get(CANDIDATES, c) or {}).get("name", c) for c in lst["candidate_ids"]}
        for r in doc["rounds"]:
            names |= {c["candidate_id"]: c["name"] for c in r["candidates"]}
        present = set(doc["present"])
        issued = len(doc.get("received", [])) + len(doc.get("slips", []))
        cast = box["cast"] if box else 0
        if box and box["status"] == "open" and box["mode"] == "electronic":
            cast = app.ballots.count(box["id"])  # the urn: a number, no order, no times
        return frame.page(
            request,
            "session_console.html",
            {
                "s": doc,
                "county": doc["county"],
                "current": current,
                "box": box,
                "names": names,
                "present": present,
                "received": set(doc.get("received", [])),
                "slips": set(doc.get("slips", [])),
                "issued": issued,
                "cast": cast,
                "quorum_needed": len(doc["roll"]) // 2 + 1,
                "shared": shared_ranks(doc),
                "flash": flash,
                "problem": problem,
            },
            status_code=status_code,
        )

    def act(request: Request, session_id: UUID, action: Callable[[Meta], object], ok: str) -> Response:
        principal = principal_of(request)
        doc = session_doc(request, session_id)
        if doc is None or not principal.has_any(STAFF):
            return frame.denied(request)
        try:
            action(meta_for(request, principal, doc["county"]))
        except (RuleViolation, NotFound, ValueError) as exc:
            return console(request, session_id, problem={"title": frame.refusal(request, exc)}, status_code=409)
        settle(request)
        return console(request, session_id, flash=ok)

    def said(request: Request, key: str, **kwargs: object) -> str:
        return translate(language(request), key, **kwargs)

    @router.get("/sessions/{session_id}/console", response_class=HTMLResponse)
    def console_page(request: Request, session_id: UUID) -> Response:
        return console(request, session_id)

    @router.post("/sessions/{session_id}/console/check-in", response_class=HTMLResponse)
    def console_check_in(request: Request, session_id: UUID, form: FormDep) -> Response:
        deputy_id = str(form.get("deputy_id") or "")
        return act(
            request, session_id, lambda m: app.check_in(m, session_id, deputy_id), said(request, "flash_checked_in")
        )

    @router.post("/sessions/{session_id}/console/slip", response_class=HTMLResponse)
    def console_slip(request: Request, session_id: UUID, form: FormDep) -> Response:
        deputy_id = str(form.get("deputy_id") or "")
        return act(request, session_id, lambda m: app.hand_slip(m, session_id, deputy_id), said(request, "flash_slip"))

    @router.post("/sessions/{session_id}/console/codes", response_class=HTMLResponse)
    def console_codes(request: Request, session_id: UUID, form: FormDep) -> Response:
        """Print a pool of code slips: shown once on a printable page, only digests are kept."""
        principal = principal_of(request)
        doc = session_doc(request, session_id)
        if doc is None or not principal.has_any(STAFF):
            return frame.denied(request)
        try:
            count = int(str(form.get("count") or ""))
        except ValueError:
            return console(request, session_id, problem={"title": said(request, "whole_numbers")}, status_code=422)
        try:
            codes = app.print_codes(meta_for(request, principal, doc["county"]), session_id, count)
        except RuleViolation as exc:
            return console(request, session_id, problem={"title": frame.refusal(request, exc)}, status_code=409)
        settle(request)
        slips = [spaced(c) for c in codes]
        return frame.page(request, "code_slips.html", {"s": doc, "codes": slips})

    @router.post("/sessions/{session_id}/console/open", response_class=HTMLResponse)
    def console_open(request: Request, session_id: UUID, form: FormDep) -> Response:
        try:
            seats = int(str(form.get("seats") or ""))
        except ValueError:
            return console(request, session_id, problem={"title": said(request, "whole_numbers")}, status_code=422)
        kind = str(form.get("kind") or "competitive")
        mode = str(form.get("mode") or "electronic")
        return act(
            request,
            session_id,
            lambda m: app.open_vote(m, session_id, seats, kind, mode),
            said(request, "flash_opened"),
        )

    @router.post("/sessions/{session_id}/console/close", response_class=HTMLResponse)
    def console_close(request: Request, session_id: UUID) -> Response:
        return act(request, session_id, lambda m: app.close_vote(m, session_id), said(request, "flash_closed"))

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
            return console(request, session_id, problem={"title": said(request, "whole_numbers")}, status_code=422)
        box_no = str(form.get("box_no", "")).strip()
        return act(
            request,
            session_id,
            lambda m: app.enter_box(m, session_id, box_no, counts=counts, **numbers),
            said(request, "flash_box_entered", box=box_no),
        )

    @router.post("/sessions/{session_id}/console/paper-box/{box_no}/confirm", response_class=HTMLResponse)
    def console_confirm(request: Request, session_id: UUID, box_no: str) -> Response:
        return act(
            request,
            session_id,
            lambda m: app.confirm_box(m, session_id, box_no),
            said(request, "flash_box_confirmed", box=box_no),
        )

    # -- a round: attendance by name, published ballots ---------------------------------------------
    @router.get("/sessions/{session_id}/rounds/{round_no}", response_class=HTMLResponse)
    def round_page(request: Request, session_id: UUID, round_no: int) -> Response:
        """Who attended and received a ballot (public record, by name), and once the round closes its
        ballots as published, in random order, with a recount from them (for the readers of the API)."""
        principal, _, refused = frame.gate(request, "", READERS)
        doc = session_doc(request, session_id)
        if refused:
            return refused
        if doc is None or not 1 <= round_no <= len(doc["rounds"]):
            return frame.denied(request, 404)
        r = doc["rounds"][round_no - 1]
        box = views.get(BOXES, r["box_id"]) or {}
        names = roll_names(doc)
        present = set(r.get("issued_to") or doc["present"])
        closed = box.get("status") == "closed"
        check = (
            recount({**box, "ballots": box.get("published") or [], "boxes": list(box["boxes"].values())})
            if closed
            else None
        )
        return frame.page(
            request,
            "round.html",
            {
                "s": doc,
                "county": doc["county"],
                "r": r,
                "box": box,
                "closed": closed,
                "items": {c["candidate_id"]: c["name"] for c in r["candidates"]},
                "present": [names[d["id"]] for d in doc["roll"] if d["id"] in present],
                "absent": [names[d["id"]] for d in doc["roll"] if d["id"] not in present],
                "received": [names.get(d, d) for d in [*doc.get("received", []), *doc.get("slips", [])]],
                "recount": check,
                "shared": shared_ranks(doc),
                "is_staff": principal.has_any(STAFF),
            },
        )

    # -- the deputy's ballot ------------------------------------------------------------------------
    def ballot_context(request: Request, session_id: UUID) -> dict | None:
        doc = session_doc(request, session_id)
        if doc is None:
            return None
        current = doc["rounds"][-1] if doc["rounds"] and doc["rounds"][-1]["status"] == "open" else None
        closed = [r["round_no"] for r in doc["rounds"] if r["status"] != "open"]
        return {
            "s": doc,
            "county": doc["county"],
            "current": current,
            "last_closed": closed[-1] if closed else None,
            "checked_in": principal_of(request).subject in doc["present"],
        }

    @router.get("/sessions/{session_id}/ballot", response_class=HTMLResponse)
    def ballot(request: Request, session_id: UUID) -> Response:
        """The deputy's ballot (mobile): check in, then the device takes its credential and casts
        anonymously (``static/ballots/ballot.js``): the page itself never sees a token. Shown from the
        read models once they hold every stored event: a vote opened a moment ago is on it."""
        principal = principal_of(request)
        settle(request)
        ctx = ballot_context(request, session_id)
        if ctx is None or not principal.has_any(DEPUTY):
            return frame.denied(request, 404 if ctx is None else 403)
        return frame.page(request, "ballot.html", ctx)

    @router.post("/sessions/{session_id}/ballot/check-in", response_class=HTMLResponse)
    def ballot_check_in(request: Request, session_id: UUID) -> Response:
        principal = principal_of(request)
        ctx = ballot_context(request, session_id)
        if ctx is None or not principal.has_any(DEPUTY):
            return frame.denied(request)
        try:
            app.check_in(meta_for(request, principal, ctx["s"]["county"]), session_id, principal.subject)
        except RuleViolation as exc:
            problem = {"title": frame.refusal(request, exc)}
            return frame.page(request, "ballot.html", {**ctx, "problem": problem}, status_code=409)
        settle(request)
        return RedirectResponse(f"/decision/sessions/{session_id}/ballot", status_code=303)

    # -- public results ------------------------------------------------------------------------------
    @router.get("/results", response_class=HTMLResponse)
    def results(request: Request, county: str = "", year: int | None = None, page_number: PageNumber = 1) -> Response:
        """Public: each decided session's result, the latest first, a page of sessions at a time."""
        _, county, _ = viewer_county(request, county)
        query = DocQuery(RESULTS, county, of_year(year), order=(("year", True), ("name", True)))
        result = page_in_store(views, query, Paging(page_number, SESSIONS_PER_PAGE))
        items = result["items"]
        attendance = {}
        for r in items:
            doc = views.get(SESSIONS, r["session_id"]) or {"roll": [], "present": []}
            present = set(doc["present"])
            attendance[r["id"]] = {
                "roll": len(doc["roll"]),
                "names": [d.get("name") or "" for d in doc["roll"] if d["id"] in present],
            }
            ranks = [e["rank"] for e in r["elected"]]
            r["shared"] = {rank for rank in ranks if ranks.count(rank) > 1}
        context = {"county": county, "result": result, "year": year, "attendance": attendance}
        return frame.page(request, "results.html", context)

    return router
