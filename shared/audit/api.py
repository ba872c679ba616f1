"""The audit API every service mounts under ``/<service>/api/audit``: checkpoints and the public
key, inclusion and consistency proofs, any aggregate as of any moment, its event history, and
the county's read models as of any moment. ``install_audit`` is the one line a service's
``main.py`` adds: routes, pages, the auditor-read recorder and the log follower."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Path, Query

from shared.audit.asof import (
    Basis,
    aggregate_as_of,
    basis_name,
    dashboard_as_of,
    history_entry,
    live_summary,
    parse_moment,
    state_of,
    views_as_of,
)
from shared.audit.context import AuditContext
from shared.audit.leaf import StoredRecord
from shared.audit.names import Catalogue
from shared.audit.pages import make_audit_pages
from shared.audit.reads_fold import AUDITOR_READ, with_auditor_reads
from shared.audit.reads_recorder import install_read_recorder
from shared.audit.signing import public_key_text
from shared.auth import Principal, Role
from shared.config import Settings
from shared.contracts.envelope import COUNTY_PATTERN
from shared.views.fold import Fold
from shared.views.paging import page_in_store
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import DEFAULT_PROBLEMS, Problem

AUDIT_READERS = (Role.AUDITOR, Role.CONGRESS_STAFF, Role.PROVINCE_VIEWER)
BasisQuery = Annotated[
    Basis,
    Query(description="business: when each event happened (default); recorded: when it was stored; occurred: business"),
]


def moment(as_of: str | None) -> datetime | None:
    if as_of is None or as_of == "":
        return None
    try:
        return parse_moment(as_of)
    except ValueError as exc:
        raise Problem(422, "Invalid request", str(exc), reason="invalid_as_of") from exc


def county_of(aggregate: object, events: list) -> str | None:
    county = getattr(aggregate, "county", None)
    if county is None and events:
        county = getattr(getattr(events[0], "meta", None), "county", None)
    return county


def county_dashboard(app: Any, project: Fold, when: datetime | None, basis: Basis, county: str) -> dict[str, Any]:
    """The county's read models as of ``when``, folded afresh from the events (in a thread: it reads the store)."""
    replayed = views_as_of(app, project, when, basis, county)
    try:
        return dashboard_as_of(replayed, county)
    finally:
        replayed.close()


def make_audit_router(ctx: AuditContext, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api/audit", tags=["audit"])
    app = ctx.app

    @router.get("/public-key")
    def public_key(principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """The Ed25519 key this service signs its checkpoints with (base64 of the 32 raw bytes)."""
        return {
            "service": ctx.service,
            "algorithm": "Ed25519",
            "key_id": ctx.signer.key_id,
            "public_key": public_key_text(ctx.signer.public),
        }

    @router.get("/checkpoints")
    def checkpoints(principal: Annotated[Principal, Depends(allow(*AUDIT_READERS))]) -> dict:
        """Every signed checkpoint (tree size, root hash, time) of this service's log, oldest first."""
        ctx.follower.catch_up()
        items = [c.as_dict() for c in ctx.log.checkpoints()]
        return {
            "service": ctx.service,
            "log_size": ctx.log.size(),
            "public_key": public_key_text(ctx.signer.public),
            "checkpoints": items,
        }

    @router.get("/proofs/consistency")
    def consistency(
        principal: Annotated[Principal, Depends(allow(*AUDIT_READERS))],
        first: Annotated[int, Query(alias="from", ge=0)],
        second: Annotated[int, Query(alias="to", ge=0)],
    ) -> dict:
        """Proof that the checkpoint of size ``to`` extends the one of size ``from`` (RFC 9162 §2.1.4)."""
        by_size = {c.size: c for c in ctx.log.checkpoints()}
        if first not in by_size or second not in by_size:
            raise Problem(
                404,
                "Not found",
                "both sizes must be checkpoint sizes",
                reason="no_such_checkpoint",
                sizes=sorted(by_size),
            )
        if first > second:
            raise Problem(422, "Invalid request", "from must not exceed to", reason="invalid_range")
        proof = ctx.log.consistency(first, second)
        return {
            "service": ctx.service,
            "from": by_size[first].as_dict(),
            "to": by_size[second].as_dict(),
            "proof": [p.hex() for p in proof],
        }

    @router.get("/proofs/inclusion")
    def inclusion(
        principal: Annotated[Principal, Depends(allow(*AUDIT_READERS))],
        aggregate_id: UUID,
        version: Annotated[int, Query(ge=1, le=2**31 - 1)],
    ) -> dict:
        """Proof that one stored event is in the log under a signed checkpoint (RFC 9162 §2.1.3)."""
        stored = list(app.recorder.select_events(aggregate_id, gt=version - 1, lte=version))
        aggregate, events = aggregate_as_of(app, aggregate_id, None)
        require_county(principal, county_of(aggregate, events) if stored else None)
        found = ctx.leaf_of(aggregate_id, version)
        if found is None:
            raise Problem(404, "Not found", "no such event", reason="not_found")
        index, notification_id, leaf = found
        checkpoint = ctx.covering_checkpoint(index)
        proof = ctx.log.inclusion(index, checkpoint.size)
        s = stored[0]
        record = StoredRecord(notification_id, aggregate_id, s.originator_version, s.topic, s.state)
        body = {
            "service": ctx.service,
            "aggregate_id": str(aggregate_id),
            "version": version,
            "notification_id": notification_id,
            "leaf_index": index,
            "leaf_hash": leaf.hex(),
            "checkpoint": checkpoint.as_dict(),
            "proof": [p.hex() for p in proof],
            "event": history_entry(events[version - 1]),
        }
        if record.leaf_hash() == leaf:
            body["leaf_data"] = base64.b64encode(record.encode()).decode()
        return body

    @router.get("/aggregates/{aggregate_id}")
    def aggregate(
        aggregate_id: UUID,
        principal: Annotated[Principal, Depends(allow(*AUDIT_READERS))],
        as_of: str | None = None,
        basis: BasisQuery = "business",
    ) -> dict:
        """Any aggregate as it was at ``as_of``, by business time (``basis=business``, the default: when
        each event happened) or recorded time (``basis=recorded``: when it was stored); a date means the
        end of that day, China time."""
        when = moment(as_of)
        current, events = aggregate_as_of(app, aggregate_id, None)
        require_county(principal, county_of(current, events) if events else None)
        past, _ = aggregate_as_of(app, aggregate_id, when, basis)
        if past is None:
            raise Problem(404, "Not found", f"{aggregate_id} did not exist yet at {as_of}", reason="not_yet_existing")
        return {
            "service": ctx.service,
            "as_of": as_of,
            "basis": basis_name(basis),
            **state_of(past),
            "current_version": current.version,
            "history": [history_entry(e) for e in events[: past.version]],
        }

    @router.get("/aggregates/{aggregate_id}/history")
    def history(aggregate_id: UUID, principal: Annotated[Principal, Depends(allow(*AUDIT_READERS))]) -> dict:
        """Every event of one object: who did what, when (business and recorded time) and why."""
        ctx.follower.catch_up()
        current, events = aggregate_as_of(app, aggregate_id, None)
        require_county(principal, county_of(current, events) if events else None)
        items = []
        for event in events:
            entry = history_entry(event)
            leaf = ctx.log.leaf_of(aggregate_id, event.originator_version)
            entry["leaf_index"] = leaf[0] if leaf else None
            items.append(entry)
        return {
            "service": ctx.service,
            "aggregate_id": str(aggregate_id),
            "type": type(current).__name__,
            "events": items,
            "live": live_summary(app, current),
        }

    @router.get("/counties/{county}/reads", **PAGED)
    def auditor_reads(
        county: Annotated[str, Path(pattern=COUNTY_PATTERN)],
        principal: Annotated[Principal, Depends(allow(Role.AUDITOR, Role.CONGRESS_STAFF))],
        paging: PagingDep,
    ) -> dict:
        """Every read an auditor made of this county's data here (each one is an event), newest first,
        a page at a time."""
        check_county(principal, county)
        query = DocQuery(AUDITOR_READ, county, order=(("at", True),))
        return {"service": ctx.service, "county": county, **page_in_store(views, query, paging)}

    @router.get("/counties/{county}/views")
    async def county_views(
        county: Annotated[str, Path(pattern=COUNTY_PATTERN)],
        principal: Annotated[Principal, Depends(allow(*AUDIT_READERS))],
        as_of: str | None = None,
        basis: BasisQuery = "business",
    ) -> dict:
        """The county's read models (dashboards) as of a moment, rebuilt from the events whose business
        time (``basis=business``, default) or recorded time (``basis=recorded``) is not later."""
        check_county(principal, county)
        when = moment(as_of)
        project = ctx.project
        kinds = await asyncio.to_thread(county_dashboard, app, project, when, basis, county)
        return {
            "service": ctx.service,
            "county": county,
            "as_of": as_of,
            "basis": basis_name(basis),
            "counts": {k: len(v) for k, v in kinds.items()},
            "views": kinds,
        }

    return router


def install_audit(
    api: FastAPI, app: object, views: ViewStore, settings: Settings, names: Catalogue | None = None
) -> AuditContext:
    """Mount the audit API and pages, record auditor reads, and follow the log while serving.
    ``names``: the service's catalogue of its events, objects and fields (the pages' Chinese)."""
    ctx = AuditContext.build(app, settings)
    ctx.names = (names or Catalogue()).with_shared()
    runtime = api.state.runtime
    runtime.use_fold(with_auditor_reads(runtime.fold))
    ctx.project = runtime.fold
    prefix = f"/{settings.service}"
    api.include_router(make_audit_router(ctx, views), prefix=prefix, responses=DEFAULT_PROBLEMS)
    api.include_router(make_audit_pages(ctx, views), prefix=prefix)
    install_read_recorder(api, app, settings.service)
    api.state.audit = ctx
    runtime.add_follower("audit", lambda stopping: ctx.follower.run(stopping, runtime))
    return ctx
