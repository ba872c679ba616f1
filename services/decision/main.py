"""The composition root of decision: ``create_app(settings)`` wires everything; nothing at import time."""

from __future__ import annotations

from fastapi import FastAPI

from services.decision.app.application import SERVICE, DecisionApplication
from services.decision.app.roll import DeputyRegistry, intake_deputies
from services.decision.domain.rules import DEFAULTS, RANGES
from services.decision.http.audit_texts import AUDIT_NAMES
from services.decision.http.candidate_pages import make_candidate_pages
from services.decision.http.duty_api import make_duty_router
from services.decision.http.index_pages import make_index_pages
from services.decision.http.micro_pages import make_micro_pages
from services.decision.http.page_frame import PageFrame
from services.decision.http.pool_api import make_router
from services.decision.http.rules_texts import RULE_TEXTS
from services.decision.http.vote_pages import make_vote_pages
from services.decision.http.votes_api import make_vote_router
from services.decision.http.worklist_api import make_worklist_router
from services.decision.inbound.handlers import subscriptions
from services.decision.outbound.contracts import OUTBOUND
from services.decision.read.projections import FOLD, VERSION
from shared.audit.api import install_audit
from shared.config import Settings, upstream_url
from shared.runtime.jobs import Clock
from shared.runtime.service import ServiceRuntime
from shared.views.store import make_views
from shared.web.rules_api import make_rules_router
from shared.web.rules_pages import make_rules_pages
from shared.web.serving import create_service_app
from shared.web.templating import mount_static


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    start_runtime: bool = True,
    deputies: DeputyRegistry | None = None,
) -> FastAPI:
    """``deputies``: where a session's roll is picked from (intake's public deputies registry)."""
    settings = settings or Settings(service=SERVICE)
    app = DecisionApplication(env=settings.eventsourcing_env())
    views = make_views(settings, VERSION)
    runtime = ServiceRuntime(
        settings,
        app,
        views=views,
        fold=FOLD,
        view_version=VERSION,
        outbound=OUTBOUND,
        subscriptions=subscriptions(app),
        jobs=[],
        clock=clock or Clock(),
        factory=f"{__name__}:create_app",
    )
    frame = PageFrame()
    routers = [
        make_router(app, views),
        make_vote_router(app, views),
        make_duty_router(views),
        make_worklist_router(views),
        make_rules_router(app, SERVICE, DEFAULTS, RANGES),
        make_rules_pages(app, SERVICE, DEFAULTS, RANGES, RULE_TEXTS),
        make_index_pages(views, frame),
        make_candidate_pages(app, views, frame),
        make_vote_pages(app, views, frame, deputies or intake_deputies(upstream_url("intake"))),
        make_micro_pages(app, views, frame),
    ]
    api = create_service_app(settings, runtime, routers, title="Shishi decision (票决)", start_runtime=start_runtime)
    mount_static(api, f"/{SERVICE}/static")
    install_audit(api, app, views, settings, AUDIT_NAMES)
    return api
