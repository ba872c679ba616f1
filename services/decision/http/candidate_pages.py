"""Decision's pages for candidate projects and their approval chain.

The government (gov_unit, or congress staff) drafts a candidate from residents' demands in the pool and
intake's project suggestions, picked from lists (never typed ids), screens it 1–5 with reasons on the
seven criteria, and drafts the list; congress staff record each step of the chain (主任会议 → 党委审定 →
常委会审议通过 → 大会主席团), approving or sending it back with a reason; a list sent back is revised into
a new version. Every decision shows who (by name) and when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from services.decision.app.application import DecisionApplication
from services.decision.app.voting import CandidateDraft
from services.decision.domain.candidate import CRITERIA, LEVELS
from services.decision.domain.candidate_list import STEPS
from services.decision.http.page_frame import DRAFTERS, READERS, STAFF, PageFrame, filled, labels, today
from services.decision.http.vote_models import CandidateIn, ListIn, ReviseIn
from services.decision.read.projections import POOL
from services.decision.read.vote_projections import CANDIDATES, LISTS, SUGGESTIONS
from shared import divisions
from shared.views.store import ViewStore
from shared.web.forms import FormDep
from shared.web.i18n import language, translate
from shared.web.requests import meta_for

CANDIDATE_LABELS = {
    "year": "f_year",
    "level": "f_level",
    "town": "f_town",
    "name": "f_name",
    "content": "f_content",
    "implementing_body": "f_implementing_body",
    "investment": "f_investment",
    "deadline": "f_deadline",
    "requirements": "f_requirements",
    "coverage": "f_coverage",
    "demand_ids": "f_demands",
    "suggestion_ids": "f_suggestions",
}
LIST_LABELS = {
    "year": "f_year",
    "level": "f_level",
    "town": "f_town",
    "title": "f_title",
    "candidate_ids": "f_candidates",
    "reason": "f_reason",
}
POOL_SHOWN = 200  # demands offered at once in the picker (filter for more)


def _text(form: FormData, key: str) -> str:
    return str(form.get(key) or "").strip()


def _ids(form: FormData, key: str) -> list[str]:
    return [str(v) for v in form.getlist(key) if str(v).strip()]


def make_candidate_pages(app: DecisionApplication, views: ViewStore, frame: PageFrame) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def towns(county: str) -> list[str]:
        return [name for _, name in divisions.towns_of(county)]

    def pool(county: str, town: str = "", category: str = "", keyword: str = "", keep: Iterable[str] = ()) -> dict:
        """The demands still in the pool, filtered, newest first; those already ticked always shown."""
        kept = set(keep)
        free = [d for d in views.list(POOL, county) if d["used_by"] is None]

        def wanted(d: dict) -> bool:
            return (
                (not town or d["town"] == town)
                and (not category or d["category"] == category)
                and (not keyword or keyword in d["text"])
            )

        match = [d for d in free if d["id"] in kept or wanted(d)]
        match.sort(key=lambda d: d["pooled_at"], reverse=True)
        match.sort(key=lambda d: d["id"] not in kept)  # stable: the ticked first, then the newest
        return {
            "demands": match[:POOL_SHOWN],
            "total": len(match),
            "towns": sorted({d["town"] for d in free}),
            "categories": sorted({d["category"] for d in free}),
        }

    def draft_page(
        request: Request, county: str, entered: dict[str, Any], status_code: int = 200, **extra: Any
    ) -> Response:
        filters = {k: request.query_params.get(k, "") for k in ("town_filter", "category", "q")}
        picked = pool(county, filters["town_filter"], filters["category"], filters["q"], entered.get("demand_ids", []))
        suggestions = [d for d in views.list(SUGGESTIONS, county) if d["used_by"] is None]
        suggestions.sort(key=lambda d: d["pooled_at"], reverse=True)
        context = {
            "county": county,
            "f": entered,
            "filters": filters,
            "pool": picked,
            "suggestions": suggestions,
            "levels": LEVELS,
            "towns": towns(county),
            **extra,
        }
        return frame.page(request, "candidate_new.html", context, status_code=status_code)

    def candidates_page(
        request: Request, county: str, year: int | None = None, status_code: int = 200, **extra: Any
    ) -> Response:
        principal, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        lists = [d for d in views.list(LISTS, county) if year is None or d["year"] == year]
        lists.sort(key=lambda d: d["drafted_at"], reverse=True)
        cands = [d for d in views.list(CANDIDATES, county) if year is None or d["year"] == year]
        cands.sort(key=lambda d: d["drafted_at"], reverse=True)
        return frame.page(
            request,
            "candidates.html",
            {
                "county": county,
                "lists": lists,
                "candidates": {d["id"]: d for d in cands},
                "ordered": cands,
                "steps": STEPS,
                "criteria": CRITERIA,
                "levels": LEVELS,
                "towns": towns(county),
                "year": today(request).year,
                "can_draft": principal.has_any(DRAFTERS),
                "list_form": {},
                **extra,
            },
            status_code=status_code,
        )

    @router.get("/candidates", response_class=HTMLResponse)
    def candidates(request: Request, county: str = "", year: int | None = None) -> Response:
        return candidates_page(request, county, year)

    @router.get("/candidates/new", response_class=HTMLResponse)
    def new_candidate(request: Request, county: str = "") -> Response:
        _, county, refused = frame.gate(request, county, DRAFTERS)
        if refused:
            return refused
        return draft_page(request, county, {"year": today(request).year, "level": "county"})

    @router.post("/candidates", response_class=HTMLResponse)
    def draft_candidate(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, _text(form, "county"), DRAFTERS)
        if refused:
            return refused
        fields = ("year", "level", "town", "name", "content", "implementing_body", "investment", "deadline")
        entered: dict[str, Any] = {k: _text(form, k) for k in (*fields, "requirements")}
        entered |= {k: _ids(form, k) for k in ("coverage", "demand_ids", "suggestion_ids")}
        names = labels(request, CANDIDATE_LABELS)
        try:
            body = CandidateIn(**filled(entered))
        except ValidationError as exc:
            return draft_page(request, county, entered, 422, problem=frame.invalid(request, exc, names))
        lang = language(request)
        if not body.demand_ids and not body.suggestion_ids:
            problem = {"title": translate(lang, "pick_hint")}
            return draft_page(request, county, entered, 422, problem=problem)
        if body.level != "county" and not body.town:
            problem = {"title": f"请选择{names['town']}" if lang == "zh" else f"{names['town']} is required"}
            return draft_page(request, county, entered, 422, problem=problem)
        meta = meta_for(request, principal, county)
        done = frame.act(
            request,
            lambda: app.draft_candidate(meta, CandidateDraft(**body.model_dump())),
            lambda c: f"/decision/candidates/{c.id}",
        )
        if isinstance(done, str):
            return draft_page(request, county, entered, 409, problem={"title": done})
        return done

    def candidate_page(request: Request, candidate_id: UUID, status_code: int = 200, **extra: Any) -> Response:
        principal, county, refused = frame.gate(request, "", READERS)
        doc = views.get(CANDIDATES, str(candidate_id))
        if refused:
            return refused
        if doc is None or not principal.covers(doc["county"]):
            return frame.denied(request, 404)
        demands = [views.get(POOL, d) or {"id": d, "text": "", "town": "", "category": ""} for d in doc["demand_ids"]]
        suggestions = [views.get(SUGGESTIONS, s) for s in doc.get("suggestion_ids", [])]
        on_lists = [lst for lst in views.list(LISTS, doc["county"]) if doc["id"] in lst["candidate_ids"]]
        context = {
            "county": doc["county"],
            "c": doc,
            "demands": demands,
            "suggestions": [s for s in suggestions if s],
            "on_lists": on_lists,
            "criteria": CRITERIA,
            "can_screen": principal.has_any(DRAFTERS),
            "entered": {},
            **extra,
        }
        return frame.page(request, "candidate.html", context, status_code=status_code)

    @router.get("/candidates/{candidate_id}", response_class=HTMLResponse)
    def candidate(request: Request, candidate_id: UUID) -> Response:
        return candidate_page(request, candidate_id)

    @router.post("/candidates/{candidate_id}/screening", response_class=HTMLResponse)
    def screen(request: Request, candidate_id: UUID, form: FormDep) -> Response:
        doc = views.get(CANDIDATES, str(candidate_id))
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", DRAFTERS)
        if refused or doc is None:
            return refused or frame.denied(request, 404)
        lang = language(request)
        scores: dict[str, int] = {}
        reasons = {c: _text(form, f"reason:{c}") for c in CRITERIA if _text(form, f"reason:{c}")}
        missing = []
        for criterion in CRITERIA:
            value = _text(form, f"score:{criterion}")
            if value in {"1", "2", "3", "4", "5"}:
                scores[criterion] = int(value)
            else:
                missing.append(translate(lang, f"crit_{criterion}"))
        entered = {"scores": scores, "reasons": reasons}
        if missing:
            sentences = [f"请为“{m}”评分（1 至 5）" if lang == "zh" else f"Score '{m}' (1 to 5)" for m in missing]
            problem = {"title": sentences[0], "errors": sentences[1:]}
            return candidate_page(request, candidate_id, 422, problem=problem, entered=entered)
        meta = meta_for(request, principal, county)
        done = frame.act(
            request,
            lambda: app.screen_candidate(meta, candidate_id, scores, reasons),
            lambda _: f"/decision/candidates/{candidate_id}",
        )
        if isinstance(done, str):
            return candidate_page(request, candidate_id, 409, problem={"title": done}, entered=entered)
        return done

    # -- the list and its chain -----------------------------------------------------------------------
    @router.post("/lists", response_class=HTMLResponse)
    def draft_list(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, _text(form, "county"), DRAFTERS)
        if refused:
            return refused
        entered: dict[str, Any] = {k: _text(form, k) for k in ("year", "level", "town", "title", "reason")}
        entered["candidate_ids"] = _ids(form, "candidate_ids")

        def again(status: int, problem: dict) -> Response:
            return candidates_page(request, county, None, status, problem=problem, list_form=entered)

        try:
            body = ListIn(**filled(entered))
        except ValidationError as exc:
            return again(422, frame.invalid(request, exc, labels(request, LIST_LABELS)))
        meta = meta_for(request, principal, county, reason=body.reason)
        done = frame.act(
            request,
            lambda: app.draft_list(meta, body.year, body.level, body.town, body.title, body.candidate_ids),
            lambda lst: f"/decision/lists/{lst.id}",
        )
        return again(409, {"title": done}) if isinstance(done, str) else done

    def list_page(request: Request, list_id: UUID, status_code: int = 200, **extra: Any) -> Response:
        principal, _, refused = frame.gate(request, "", READERS)
        doc = views.get(LISTS, str(list_id))
        if refused:
            return refused
        if doc is None or not principal.covers(doc["county"]):
            return frame.denied(request, 404)
        every = {d["id"]: d for d in views.list(CANDIDATES, doc["county"])}
        context = {
            "county": doc["county"],
            "l": doc,
            "on_list": [every[c] for c in doc["candidate_ids"] if c in every],
            "screened": sorted(
                (d for d in every.values() if d["screening"] and d["year"] == doc["year"]), key=lambda d: d["name"]
            ),
            "steps": STEPS,
            "can_decide": principal.has_any(STAFF) and doc["status"] == "in_review",
            "can_revise": principal.has_any(DRAFTERS) and doc["status"] == "sent_back",
            "can_schedule": principal.has_any(STAFF) and doc["status"] == "put_to_session",
            "entered": {},
            **extra,
        }
        return frame.page(request, "candidate_list.html", context, status_code=status_code)

    @router.get("/lists/{list_id}", response_class=HTMLResponse)
    def candidate_list(request: Request, list_id: UUID) -> Response:
        return list_page(request, list_id)

    @router.post("/lists/{list_id}/decision", response_class=HTMLResponse)
    def decide(request: Request, list_id: UUID, form: FormDep) -> Response:
        doc = views.get(LISTS, str(list_id))
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", STAFF)
        if refused or doc is None:
            return refused or frame.denied(request, 404)
        approve = _text(form, "decision") == "approve"
        reason = _text(form, "reason")
        meta = meta_for(request, principal, county, reason=reason)
        done = frame.act(
            request,
            lambda: app.decide_list(meta, list_id, _text(form, "step"), approve),
            lambda _: f"/decision/lists/{list_id}",
        )
        if isinstance(done, str):
            return list_page(request, list_id, 409, problem={"title": done}, entered={"reason": reason})
        return done

    @router.post("/lists/{list_id}/revise", response_class=HTMLResponse)
    def revise(request: Request, list_id: UUID, form: FormDep) -> Response:
        doc = views.get(LISTS, str(list_id))
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", DRAFTERS)
        if refused or doc is None:
            return refused or frame.denied(request, 404)
        entered = {"candidate_ids": _ids(form, "candidate_ids"), "reason": _text(form, "reason")}
        try:
            body = ReviseIn(**filled(entered))
        except ValidationError as exc:
            problem = frame.invalid(request, exc, labels(request, {**LIST_LABELS, "reason": "f_reason_revise"}))
            return list_page(request, list_id, 422, problem=problem, entered=entered)
        meta = meta_for(request, principal, county, reason=body.reason)
        done = frame.act(
            request, lambda: app.revise_list(meta, list_id, body.candidate_ids), lambda _: f"/decision/lists/{list_id}"
        )
        if isinstance(done, str):
            return list_page(request, list_id, 409, problem={"title": done}, entered=entered)
        return done

    return router
