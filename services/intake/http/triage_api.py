"""Intake's JSON API, part 2 (staff): triage and routing, reassessment with automatic escalation,
replies, closure, deadline warnings, the stranded view, duplicates, merge and split."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.intake.app.application import IntakeApplication
from services.intake.domain.demand import Demand, Kind
from services.intake.domain.rules import Scope, likely_duplicates
from services.intake.http.demands_api import READERS, County, now_of
from services.intake.read.projections import DEMAND, SUGGESTION
from services.intake.read.queue import overdue_unwarned, stranded
from shared.auth import Principal, Role
from shared.views.paging import page_in_store, page_of
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import allow, check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.requests import meta_for

STAFF = allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True)


class TriageIn(BaseModel):
    kind: Kind = Field(description="consultation, individual, common, micro_wish, project_suggestion")
    scope: Scope = Field(description="scope of impact: household, community, town, county")
    estimate: int = Field(default=0, ge=0, le=10_000_000_000, description="money needed, CNY")
    note: str = Field(default="", max_length=500)


class AssessmentIn(BaseModel):
    scope: Scope
    estimate: int = Field(ge=0, le=10_000_000_000)
    reason: str = Field(min_length=2, max_length=500)


class TextIn(BaseModel):
    text: str = Field(min_length=2, max_length=4000)


class MergeIn(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    demand_ids: list[UUID] = Field(min_length=1, max_length=500)
    reason: str = Field(default="", max_length=500)


class SplitIn(BaseModel):
    demand_ids: list[UUID] = Field(min_length=1, max_length=500)
    new_title: str = Field(default="", max_length=200, description="empty: the demands go back to the queue")
    reason: str = Field(min_length=2, max_length=500)


class LinkIn(BaseModel):
    duplicate_ids: list[UUID] = Field(min_length=1, max_length=200)


def demand_brief(d: Demand) -> dict:
    return {
        "id": str(d.id),
        "status": d.status,
        "kind": d.kind,
        "tier": d.tier,
        "owner": d.owner,
        "scope": d.scope,
        "estimate": d.estimate,
        "rules_version": d.rules_version,
        "due_at": d.due_at.isoformat() if d.due_at else None,
        "timeline": d.timeline,
    }


def make_triage_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["triage"])

    def county_of(demand_id: UUID, principal: Principal) -> str:
        found = app.find_as(Demand, demand_id)
        return require_county(principal, found.county if found is not None else None)

    @router.post("/demands/{demand_id}/triage")
    def triage(
        demand_id: UUID, body: TriageIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]
    ) -> dict:
        """Classify and route by the county's rule set (个性问题立行立改、共性问题形成建议)."""
        county = county_of(demand_id, principal)
        meta = meta_for(request, principal, county, reason=body.note)
        return demand_brief(app.triage(meta, demand_id, body.kind, body.scope, body.estimate))

    @router.post("/demands/{demand_id}/assessment")
    def reassess(
        demand_id: UUID, body: AssessmentIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]
    ) -> dict:
        """Revise scope or estimate; an item that outgrows its tier is escalated automatically."""
        county = county_of(demand_id, principal)
        return demand_brief(
            app.reassess(meta_for(request, principal, county, reason=body.reason), demand_id, body.scope, body.estimate)
        )

    @router.post("/demands/{demand_id}/reply")
    def reply(demand_id: UUID, body: TextIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]) -> dict:
        """Answer the resident (the 12345 hotline gets the reply for its tickets)."""
        county = county_of(demand_id, principal)
        return demand_brief(app.reply(meta_for(request, principal, county), demand_id, body.text))

    @router.post("/demands/{demand_id}/close")
    def close(demand_id: UUID, body: TextIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]) -> dict:
        """Close the demand with a note for the resident (and the hotline)."""
        county = county_of(demand_id, principal)
        return demand_brief(app.close_demand(meta_for(request, principal, county), demand_id, body.text))

    @router.get("/demands/{demand_id}/duplicates")
    def duplicates(demand_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """Likely duplicates: same town/street, same category, similar text."""
        county = county_of(demand_id, principal)
        doc = views.get(DEMAND, str(demand_id))
        if doc is None:
            return {"demand_id": str(demand_id), "items": []}
        _, rules = app.rules(county)
        found = likely_duplicates(doc, views.list(DEMAND, county), rules)
        return {"demand_id": str(demand_id), "items": [{**other, "similarity": score} for score, other in found]}

    @router.post("/demands/{demand_id}/duplicates")
    def link(demand_id: UUID, body: LinkIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]) -> dict:
        """Link duplicates to this demand in one action."""
        county = county_of(demand_id, principal)
        primary = app.link_duplicates(meta_for(request, principal, county), demand_id, body.duplicate_ids)
        return {"id": str(primary.id), "duplicates": primary.duplicates}

    @router.post("/counties/{county}/deadlines/check")
    def check_deadlines(county: County, request: Request, principal: Annotated[Principal, Depends(STAFF)]) -> dict:
        """Raise a warning event for every consultation past its reply deadline (also done periodically)."""
        check_county(principal, county)
        now = now_of(request)
        ids = overdue_unwarned(views.list(DEMAND, county), now)
        warned = app.warn_overdue(meta_for(request, principal, county), [UUID(i) for i in ids], now)
        return {"county": county, "warned": [str(w) for w in warned]}

    @router.get("/counties/{county}/stranded", **PAGED)
    def stranded_view(
        county: County, request: Request, principal: Annotated[Principal, Depends(allow(*READERS))], paging: PagingDep
    ) -> dict:
        """Demands with no owner or no movement for more than the county's stranded_days, the longest
        idle first, a page at a time (computed from the county's rules and the clock, then sliced)."""
        check_county(principal, county)
        version, rules = app.rules(county)
        items = stranded(views.list(DEMAND, county), now_of(request), rules)
        return {
            "county": county,
            "stranded_days": rules["stranded_days"],
            "rules_version": version,
            **page_of(items, paging),
        }

    @router.post("/counties/{county}/suggestions", status_code=201)
    def merge(county: County, body: MergeIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]) -> dict:
        """Merge demands into one project suggestion; each demand keeps its history and points to it."""
        check_county(principal, county)
        suggestion = app.merge(meta_for(request, principal, county, reason=body.reason), body.title, body.demand_ids)
        return {
            "id": str(suggestion.id),
            "title": suggestion.title,
            "demand_ids": [str(d) for d in suggestion.demand_ids],
        }

    @router.get("/counties/{county}/suggestions", **PAGED)
    def suggestions(
        county: County, principal: Annotated[Principal, Depends(allow(*READERS))], paging: PagingDep
    ) -> dict:
        """The county's project suggestions (merged demands), newest first, a page at a time."""
        check_county(principal, county)
        query = DocQuery(SUGGESTION, county, order=(("raised_at", True),))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/suggestions/{suggestion_id}")
    def suggestion(suggestion_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """A suggestion with every demand it contains and its history (merges and splits)."""
        found = app.find(suggestion_id)
        require_county(principal, getattr(found, "county", None))
        s = app.suggestion(suggestion_id)
        return {
            "id": str(s.id),
            "county": s.county,
            "title": s.title,
            "category": s.category,
            "towns": s.towns,
            "status": s.status,
            "split_from": str(s.split_from) if s.split_from else None,
            "demand_ids": [str(d) for d in s.demand_ids],
            "history": s.history,
            "demands": [views.get(DEMAND, str(d)) for d in s.demand_ids],
        }

    @router.post("/suggestions/{suggestion_id}/split")
    def split(
        suggestion_id: UUID, body: SplitIn, request: Request, principal: Annotated[Principal, Depends(STAFF)]
    ) -> dict:
        """Split demands off again: back to the queue, or into a new suggestion."""
        county = require_county(principal, getattr(app.find(suggestion_id), "county", None))
        meta = meta_for(request, principal, county, reason=body.reason)
        old, new = app.split(meta, suggestion_id, body.demand_ids, body.new_title)
        return {
            "id": str(old.id),
            "demand_ids": [str(d) for d in old.demand_ids],
            "status": old.status,
            "new_suggestion": {"id": str(new.id), "demand_ids": [str(d) for d in new.demand_ids]} if new else None,
        }

    return router
