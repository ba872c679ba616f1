"""The composition root of evaluation."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime

from fastapi import FastAPI

from services.evaluation.app.application import SERVICE, EvaluationApplication
from services.evaluation.app.lineage import TrackingLookup, intake_tracking
from services.evaluation.app.sweeper import run_periodic_sweep
from services.evaluation.domain.rules import DEFAULTS
from services.evaluation.http.metrics_api import make_metrics_router
from services.evaluation.http.public_pages import make_pages
from services.evaluation.http.ratings_api import make_router, resident_rater
from services.evaluation.http.rectification_api import make_rectification_router
from services.evaluation.http.rounds_api import make_rounds_router
from services.evaluation.http.staff_pages import make_staff_pages
from services.evaluation.inbound.handlers import subscriptions
from services.evaluation.outbound.contracts import to_contracts
from services.evaluation.read.projections import VERSION as VIEW_VERSION
from services.evaluation.read.projections import project
from shared.audit.api import install_audit
from shared.config import DEFAULT_PORTS, Settings
from shared.runtime.service import ServiceRuntime, make_views
from shared.web.rules_api import make_rules_router
from shared.web.serving import create_service_app
from shared.web.templating import mount_static

SWEEP_INTERVAL_SECONDS = 3600.0


class EvaluationRuntime(ServiceRuntime):
    """The shared runtime plus the periodic deadline sweep."""

    sweep_interval = SWEEP_INTERVAL_SECONDS

    async def start(self) -> None:
        await super().start()
        app, views = self.app, self.views
        self._spawn(
            run_periodic_sweep(
                app,
                views,
                lambda: datetime.now(UTC),  # type: ignore[arg-type]
                self.sweep_interval,
                self._stopping,
            ),
            "sweep",
        )


def intake_url() -> str:
    """Intake's address: from ``SHISHI_UPSTREAMS`` (set by ``shishi up``), else its default port."""
    upstreams = json.loads(os.environ.get("SHISHI_UPSTREAMS") or "{}")
    return upstreams.get("intake", f"http://127.0.0.1:{DEFAULT_PORTS['intake']}")


def create_app(
    settings: Settings | None = None, *, start_runtime: bool = True, tracking: TrackingLookup | None = None
) -> FastAPI:
    settings = settings or Settings(service=SERVICE)
    secret = hashlib.sha256(b"evaluation-ballots:" + settings.resolved_jwt_secret().encode()).digest()
    app = EvaluationApplication(env=settings.eventsourcing_env(), ballot_secret=secret)
    views = make_views(settings)
    runtime = EvaluationRuntime(
        settings,
        app,
        views=views,
        project=project,
        translate=to_contracts,
        view_version=VIEW_VERSION,
        subscriptions=subscriptions(app),
    )
    tracking = tracking or intake_tracking(intake_url())
    routers = [
        make_router(app, views, tracking),
        make_rounds_router(app, views),
        make_rectification_router(app, views),
        make_metrics_router(views),
        make_rules_router(app, SERVICE, DEFAULTS),
        make_pages(app, views, resident_rater(app, views, tracking)),
        make_staff_pages(app, views),
    ]
    api = create_service_app(settings, runtime, routers, title="Shishi evaluation (评议)", start_runtime=start_runtime)
    api.state.application = app
    api.state.views = views
    mount_static(api, f"/{SERVICE}/static")
    install_audit(api, app, views, settings)
    return api
