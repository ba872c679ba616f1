"""The composition root of supervision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from services.supervision.app.application import SERVICE, SupervisionApplication
from services.supervision.app.sweeper import periodic_sweep
from services.supervision.domain.rules import DEFAULTS
from services.supervision.http.oversight_api import make_oversight_router
from services.supervision.http.pages import make_pages
from services.supervision.http.plan_api import make_plan_router
from services.supervision.http.projects_api import make_router
from services.supervision.http.warnings_api import make_warnings_router
from services.supervision.inbound.handlers import subscriptions
from services.supervision.outbound.contracts import to_contracts
from services.supervision.read.projections import VERSION as VIEW_VERSION
from services.supervision.read.projections import project
from shared.audit.api import install_audit
from shared.config import Settings
from shared.runtime.service import ServiceRuntime, make_views
from shared.web.rules_api import make_rules_router
from shared.web.serving import create_service_app
from shared.web.templating import mount_static


def create_app(settings: Settings | None = None, *, start_runtime: bool = True) -> FastAPI:
    settings = settings or Settings(service=SERVICE)
    app = SupervisionApplication(env=settings.eventsourcing_env())
    views = make_views(settings)
    holder: dict[str, FastAPI] = {}

    def clock() -> datetime:  # the same clock as requests (tests may set app.state.clock)
        current: Callable[[], datetime] = getattr(holder["api"].state, "clock", lambda: datetime.now(UTC))
        return current()

    background = []
    if settings.supervision_sweep_seconds > 0:
        background.append(("warning-sweep", periodic_sweep(app, views, clock, settings.supervision_sweep_seconds)))
    runtime = ServiceRuntime(
        settings,
        app,
        views=views,
        project=project,
        translate=to_contracts,
        view_version=VIEW_VERSION,
        subscriptions=subscriptions(app),
        background=background,
    )
    routers = [
        make_router(app, views),
        make_plan_router(app),
        make_oversight_router(app),
        make_warnings_router(app, views),
        make_rules_router(app, SERVICE, DEFAULTS),
        make_pages(app, views),
    ]
    api = create_service_app(
        settings, runtime, routers, title="Shishi supervision (实施监督)", start_runtime=start_runtime
    )
    holder["api"] = api
    api.state.application = app
    mount_static(api, f"/{SERVICE}/static")
    install_audit(api, app, views, settings)
    return api
