"""The composition root of intake: create_app(settings) wires everything; nothing at import time."""

from __future__ import annotations

from fastapi import FastAPI

from shared.config import Settings
from shared.runtime import ServiceRuntime, make_views
from shared.serving import create_service_app
from shared.web.templating import mount_static
from services.intake.api import make_router
from services.intake.application import IntakeApplication
from services.intake.handlers import subscriptions
from services.intake.pages import make_pages
from services.intake.projections import project
from services.intake.translate import to_contracts


def create_app(settings: Settings | None = None, *, start_runtime: bool = True) -> FastAPI:
    settings = settings or Settings(service="intake")
    app = IntakeApplication(env=settings.eventsourcing_env())
    views = make_views(settings)
    runtime = ServiceRuntime(settings, app, views=views, project=project, translate=to_contracts,
                             subscriptions=subscriptions(app))
    api = create_service_app(settings, runtime, [make_router(app, views), make_pages(app, views)],
                             title="Shishi intake (民意征集)", start_runtime=start_runtime)
    api.state.application = app
    mount_static(api, "/intake/static")
    return api
