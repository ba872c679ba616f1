"""Intake's JSON API, part 4 (staff): dead letters (死信) with their reasons, re-submission after
correction, and dismissal. Resolutions are recorded in intake's store, so the view shows who
resolved each one and when."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.intake.app.application import IntakeApplication
from services.intake.app.deadletters import StillMalformed, resubmittable
from services.intake.app.sealed_letters import open_letter
from services.intake.domain.deadletter_resolution import DeadLetterResolution
from services.intake.http.demands_api import County
from services.intake.read.projections import RESOLUTION
from shared.auth import Principal, Role
from shared.bus.deadletter import DeadLetter, list_deadletters
from shared.kernel.meta import Meta
from shared.views.paging import page_of
from shared.views.store import ViewStore
from shared.web.access import allow, check_county
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for


class ResolutionIn(BaseModel):
    action: Literal["resubmit", "dismiss"]
    body: Any = Field(default=None, description="the corrected message (JSON object) for resubmit")
    reason: str = Field(default="", max_length=500)


def letter_view(letter: DeadLetter, resolution: dict | None) -> dict:
    return {
        **letter.as_dict(),
        "resolution": resolution,
        "resolved": resolution is not None,
        "resubmittable": resubmittable(letter),
    }


async def resolve_letter(
    app: IntakeApplication, js: Any, county: str, sequence: int, meta: Meta, action: str, corrected: Any
) -> DeadLetterResolution:
    """Apply the corrected ticket (``resubmit``) or ``dismiss`` dead letter ``sequence``, and record who
    did it: the letter is read from NATS here, the use case runs in a thread. Refusals are problems."""
    if js is None:
        raise Problem(503, "Unavailable", "not connected to NATS", reason="nats_unavailable")
    letter = next((x for x in await opened_letters(app, js, county) if x.sequence == sequence), None)
    if letter is None:
        raise Problem(404, "Not found", f"no dead letter {sequence} in county {county}", reason="not_found")
    try:
        return await asyncio.to_thread(app.resolve_dead_letter, meta, letter, action, corrected)
    except StillMalformed as exc:
        raise Problem(422, "Still malformed", str(exc), reason="still_malformed") from exc


async def opened_letters(app: IntakeApplication, js: Any, county: str) -> list[DeadLetter]:
    """A county's dead letters, hotline tickets' bodies opened with the caller's key (or erased)."""
    letters = await list_deadletters(js, county=county, limit=1000)
    return await asyncio.to_thread(lambda: [open_letter(app, x) for x in letters])


def make_deadletter_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["dead letters"])

    async def letters(request: Request, county: str) -> list[DeadLetter]:
        runtime = request.app.state.runtime
        if runtime.js is None:
            raise Problem(503, "Unavailable", "not connected to NATS", reason="nats_unavailable")
        return await opened_letters(app, runtime.js, county)

    @router.get("/counties/{county}/deadletters", **PAGED)
    async def deadletters(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.AUDITOR))],
        paging: PagingDep,
        resolved: bool | None = None,
    ) -> dict:
        """Messages that could not be processed, with their reasons (死信) and how each was resolved, a
        page at a time (read from the dead-letter stream, at most 1,000; ``open`` counts them all)."""
        check_county(principal, county)
        found = await letters(request, county)
        resolutions = {d["sequence"]: d for d in await asyncio.to_thread(views.list, RESOLUTION, county)}
        items = [letter_view(x, resolutions.get(x.sequence)) for x in found]
        if resolved is not None:
            items = [i for i in items if i["resolved"] == resolved]
        return {"county": county, "open": sum(1 for i in items if not i["resolved"]), **page_of(items, paging)}

    @router.get("/deadletters/without-county", **PAGED)
    async def deadletters_without_county(
        request: Request, principal: Annotated[Principal, Depends(allow(Role.ADMIN, Role.AUDITOR))], paging: PagingDep
    ) -> dict:
        """Dead letters whose subject names no valid county (they belong to no county's staff): for the
        installation's administrators and auditors, so nothing dead-lettered is out of sight."""
        if Role.ADMIN not in principal.roles and "*" not in principal.counties:
            raise Problem(
                403, "Forbidden", "only an administrator or an auditor of every county sees these", reason="forbidden"
            )
        items = [letter_view(x, None) for x in await letters(request, "unknown")]
        return {"county": "unknown", **page_of(items, paging)}

    @router.post("/counties/{county}/deadletters/{sequence}")
    async def resolve(
        county: County,
        sequence: int,
        body: ResolutionIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))],
    ) -> dict:
        """Re-submit a corrected hotline ticket to its original subject, or dismiss the dead letter."""
        check_county(principal, county)
        meta = meta_for(request, principal, county, reason=body.reason)
        resolution = await resolve_letter(
            app, request.app.state.runtime.js, county, sequence, meta, body.action, body.body
        )
        return {
            "sequence": sequence,
            "action": resolution.action,
            "resolved_by": resolution.resolved_by,
            "resolved_at": resolution.resolved_at,
            "note": resolution.note,
        }

    return router
