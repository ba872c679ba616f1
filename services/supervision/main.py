"""The composition root of supervision: ``create_app(settings)`` wires everything; nothing at import time."""

from __future__ import annotations

from fastapi import FastAPI

from services.supervision.app.application import SERVICE, SupervisionApplication
from services.supervision.app.sweeper import warning_sweep
from services.supervision.app.worklists import Worklists
from services.supervision.domain.rules import DEFAULTS, RANGES
from services.supervision.http.audit_texts import AUDIT_NAMES
from services.supervision.http.change_pages import make_change_pages
from services.supervision.http.duty_api import make_duty_router
from services.supervision.http.inspect_pages import make_inspect_pages
from services.supervision.http.oversight_api import make_oversight_router
from services.supervision.http.page_frame import PageFrame
from services.supervision.http.pages import make_pages
from services.supervision.http.plan_api import make_plan_router
from services.supervision.http.projects_api import make_router
from services.supervision.http.record_pages import make_record_pages
from services.supervision.http.report_pages import make_report_pages
from services.supervision.http.rules_texts import RULE_TEXTS
from services.supervision.http.session_pages import make_session_pages
from services.supervision.http.site_codes import make_site_codes_router
from services.supervision.http.staff_pages import make_staff_pages
from services.supervision.http.unit_pages import make_unit_pages
from services.supervision.http.warnings_api import make_warnings_router
from services.supervision.http.worklist_api import make_worklist_router
from services.supervision.http.worklists_api import make_worklists_router
from services.supervision.inbound.handlers import subscriptions
from services.supervision.outbound.contracts import OUTBOUND
from services.supervision.read.projections import FOLD, VERSION
from shared.audit.api import install_audit
from shared.config import Settings
from shared.runtime.jobs import Clock
from shared.runtime.service import ServiceRuntime
from shared.views.store import make_views
from shared.web.rules_api import make_rules_router
from shared.web.rules_pages import make_rules_pages
from shared.web.serving import create_service_app
from shared.web.templating import mount_static


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, start_runtime: bool = True) -> FastAPI:
    settings = settings or Settings(service=SERVICE)
    app = SupervisionApplication(env=settings.eventsourcing_env())
    views = make_views(settings, VERSION)
    runtime = ServiceRuntime(
        settings,
        app,
        views=views,
        fold=FOLD,
        view_version=VERSION,
        outbound=OUTBOUND,
        subscriptions=subscriptions(app),
        jobs=[warning_sweep(app, views, settings.supervision_sweep_seconds)],
        clock=clock or Clock(),
        factory=f"{__name__}:create_app",
    )
    lists, frame = Worklists(app, views), PageFrame(app)
    routers = [
        make_router(app, views),
        make_plan_router(app),
        make_oversight_router(app),
        make_warnings_router(app, views),
        make_site_codes_router(app, views),
        make_duty_router(app, views),
        make_worklist_router(app, views),
        make_rules_router(app, SERVICE, DEFAULTS, RANGES),
        make_worklists_router(lists),
        make_rules_pages(app, SERVICE, DEFAULTS, RANGES, RULE_TEXTS),
        make_pages(app, views),
        make_unit_pages(frame, lists),
        make_staff_pages(frame, lists),
        make_inspect_pages(frame, lists),
        make_change_pages(frame),
        make_report_pages(frame, lists),
        make_record_pages(frame),
        make_session_pages(frame),
    ]
    api = create_service_app(
        settings, runtime, routers, title="Shishi supervision (实施监督)", start_runtime=start_runtime
    )
    mount_static(api, f"/{SERVICE}/static")
    install_audit(api, app, views, settings, AUDIT_NAMES)
    return api
