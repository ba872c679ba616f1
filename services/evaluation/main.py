"""The composition root of evaluation."""

from __future__ import annotations

from fastapi import FastAPI

from shared.config import Settings
from shared.rules_api import make_rules_router
from shared.runtime import ServiceRuntime, make_views
from shared.serving import create_service_app
from shared.web.templating import mount_static
from services.evaluation.api import make_router
from services.evaluation.application import SERVICE, EvaluationApplication
from services.evaluation.handlers import subscriptions
from services.evaluation.pages import make_pages
from services.evaluation.projections import project
from services.evaluation.rules import DEFAULTS
from services.evaluation.translate import to_contracts


def create_app(settings: Settings | None = None, *, start_runtime: bool = True) -> FastAPI:
    settings = settings or Settings(service=SERVICE)
    app = EvaluationApplication(env=settings.eventsourcing_env())
    views = make_views(settings)
    runtime = ServiceRuntime(settings, app, views=views, project=project, translate=to_contracts,
                             subscriptions=subscriptions(app))
    routers = [make_router(app, views), make_rules_router(app, SERVICE, DEFAULTS), make_pages(app, views)]
    api = create_service_app(settings, runtime, routers, title="Shishi evaluation (评议)", start_runtime=start_runtime)
    api.state.application = app
    mount_static(api, f"/{SERVICE}/static")
    return api
