"""The composition root of intake: create_app(settings) wires everything; nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import structlog
from fastapi import FastAPI

from services.intake.app.application import SERVICE, IntakeApplication
from services.intake.app.vault import make_vault
from services.intake.domain.rules import DEFAULTS
from services.intake.http.deadletters_api import make_deadletter_router
from services.intake.http.demands_api import make_router
from services.intake.http.deputies_api import make_deputy_router
from services.intake.http.open311_api import make_open311_router
from services.intake.http.resident_pages import make_pages
from services.intake.http.staff_pages import make_staff_pages
from services.intake.http.triage_api import make_triage_router
from services.intake.inbound.handlers import subscriptions
from services.intake.outbound.contracts import TOPICS as CONTRACT_TOPICS
from services.intake.outbound.contracts import to_contracts
from services.intake.read.projections import DEMAND, project
from services.intake.read.projections import TOPICS as VIEW_TOPICS
from services.intake.read.projections import VERSION as VIEW_VERSION
from services.intake.read.queue import overdue_unwarned
from shared.audit.api import install_audit
from shared.config import Settings
from shared.kernel.meta import Meta
from shared.runtime.service import ServiceRuntime, make_views
from shared.views.store import ViewStore
from shared.web.rules_api import make_rules_router
from shared.web.serving import create_service_app
from shared.web.templating import mount_static

log = structlog.get_logger("shishi.intake")


def sweep_deadlines(app: IntakeApplication, views: ViewStore, now: datetime) -> int:
    """Raise the warning event for every overdue consultation of every county (idempotent)."""
    warned = 0
    by_county: dict[str, list[str]] = {}
    for doc in views.list(DEMAND):
        by_county.setdefault(doc["county"], []).append(doc)  # type: ignore[arg-type]
    for county, docs in by_county.items():
        ids = overdue_unwarned(docs, now)  # type: ignore[arg-type]
        if ids:
            meta = Meta(
                county=county,
                actor_role="system",
                actor_id="deadline-watch",
                occurred_at=now,
                reason="consultation reply deadline passed",
            )
            warned += len(app.warn_overdue(meta, [UUID(i) for i in ids], now))
    return warned


class IntakeRuntime(ServiceRuntime):
    """The shared runtime plus intake's deadline watch (every ``interval`` seconds, on ``clock``)."""

    def __init__(self, *args, clock: Callable[[], datetime], interval: float = 60.0, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.clock = clock
        self.interval = interval

    async def start(self) -> None:
        await super().start()
        self._spawn(self._watch_deadlines(self._stopping), "deadline-watch")

    async def _watch_deadlines(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                warned = await asyncio.to_thread(sweep_deadlines, self.app, self.views, self.clock())  # type: ignore[arg-type]
                if warned:
                    log.info("consultations_overdue", warned=warned)
            except Exception as exc:  # noqa: BLE001 - retried on the next tick; nothing is lost
                log.error("deadline_watch_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.interval)


def create_app(settings: Settings | None = None, *, start_runtime: bool = True) -> FastAPI:
    settings = settings or Settings(service="intake")
    vault = make_vault(settings)
    app = IntakeApplication(env=settings.eventsourcing_env(), vault=vault)
    views = make_views(settings)
    holder: dict[str, FastAPI] = {}

    def clock() -> datetime:  # the FastAPI app's clock when a test sets one
        return getattr(holder["api"].state, "clock", lambda: datetime.now(UTC))()

    runtime = IntakeRuntime(
        settings,
        app,
        views=views,
        project=project,
        translate=to_contracts,
        view_version=VIEW_VERSION,
        subscriptions=subscriptions(app),
        clock=clock,
        view_topics=VIEW_TOPICS,
        contract_topics=CONTRACT_TOPICS,
    )
    routers = [
        make_router(app, views),
        make_triage_router(app, views),
        make_deputy_router(app, views),
        make_deadletter_router(app, views),
        make_rules_router(app, SERVICE, DEFAULTS),
        make_open311_router(app, views),
        make_pages(app, views),
        make_staff_pages(app, views),
    ]
    api = create_service_app(settings, runtime, routers, title="Shishi intake (民意征集)", start_runtime=start_runtime)
    holder["api"] = api
    api.state.application = app
    api.state.vault = vault
    mount_static(api, "/intake/static")
    install_audit(api, app, views, settings)
    return api
