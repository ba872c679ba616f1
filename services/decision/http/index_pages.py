"""Decision's home: what each role may do here, and nothing it may not (no link answers 403); a deputy's
open ballots first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.decision.http.page_frame import DEPUTY, DRAFTERS, GOV, READERS, STAFF, PageFrame
from services.decision.read.vote_projections import SESSIONS
from shared.views.store import ViewStore
from shared.web.viewer import viewer_county


def make_index_pages(views: ViewStore, frame: PageFrame) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request, county: str = "") -> Response:
        principal, county, allowed = viewer_county(request, county)
        reader = allowed and principal.has_any(READERS)
        ballots = []
        if allowed and principal.has_any(DEPUTY):
            ballots = [
                s
                for s in views.list(SESSIONS, county)
                if s["status"] != "decided" and principal.subject in {d["id"] for d in s["roll"]}
            ]
        context = {
            "county": county,
            "reader": reader,
            "ballots": ballots,
            "can_draft": reader and principal.has_any(DRAFTERS),
            "is_staff": reader and principal.has_any(STAFF),
            "is_gov": reader and principal.has_any(GOV),
            "is_deputy": reader and principal.has_any(DEPUTY),
        }
        return frame.page(request, "decision_index.html", context)

    return router
