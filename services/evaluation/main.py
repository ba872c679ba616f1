"""The composition root of evaluation: ``create_app(settings)`` wires everything; nothing at import time.

``shishi report`` imports this module for :func:`annual_report` alone, and a county-year's report must
stay under 100 MB: the web stack, the bus and the service's runtime (about 40 MB of imports) are
imported by :func:`create_app` when it composes the service, not here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from services.evaluation.app.application import SERVICE, EvaluationApplication
from services.evaluation.http.report.data import Progress as ReportProgress
from services.evaluation.http.report.data import catch_up, report_data
from services.evaluation.read.projections import FOLD, VERSION
from shared.audit.reads_fold import with_auditor_reads
from shared.config import Settings, upstream_url
from shared.views.store import make_views
from shared.views.updater import ViewUpdater

if TYPE_CHECKING:
    from fastapi import FastAPI

    from services.evaluation.app.deputy_names import DeputyNames
    from services.evaluation.app.lineage import TrackingLookup
    from shared.runtime.jobs import Clock


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    start_runtime: bool = True,
    tracking: TrackingLookup | None = None,
    deputy_names: DeputyNames | None = None,
) -> FastAPI:
    """``tracking``: how to ask intake whether a resident's demand went into a project (its public API);
    ``deputy_names``: how to name deputies evaluation's events do not name (intake's public registry)."""
    from services.evaluation.app.deputy_names import intake_deputy_names
    from services.evaluation.app.lineage import intake_tracking
    from services.evaluation.app.sweeper import rectification_sweep
    from services.evaluation.domain.rules import DEFAULTS, RANGES
    from services.evaluation.http.audit_texts import AUDIT_NAMES
    from services.evaluation.http.duty_api import make_duty_router
    from services.evaluation.http.metrics_api import make_metrics_router
    from services.evaluation.http.project_pages import make_project_pages
    from services.evaluation.http.public_pages import make_pages
    from services.evaluation.http.ratings_api import make_router, resident_rater
    from services.evaluation.http.rectification_api import make_rectification_router
    from services.evaluation.http.rounds_api import make_rounds_router
    from services.evaluation.http.rules_texts import RULE_TEXTS
    from services.evaluation.http.staff_pages import make_staff_pages
    from services.evaluation.http.worklist_api import make_worklist_router
    from services.evaluation.inbound.handlers import subscriptions
    from services.evaluation.outbound.contracts import OUTBOUND
    from shared.audit.api import install_audit
    from shared.runtime.jobs import Clock
    from shared.runtime.service import ServiceRuntime
    from shared.web.limits import RateRule
    from shared.web.rules_api import make_rules_router
    from shared.web.rules_pages import make_rules_pages
    from shared.web.serving import create_service_app
    from shared.web.templating import mount_static

    settings = settings or Settings(service=SERVICE)
    app = EvaluationApplication(env=settings.eventsourcing_env())
    views = make_views(settings, VERSION)
    runtime = ServiceRuntime(
        settings,
        app,
        views=views,
        fold=FOLD,
        view_version=VERSION,
        outbound=OUTBOUND,
        subscriptions=subscriptions(app),
        jobs=[rectification_sweep(app, views)],
        clock=clock or Clock(),
        factory=f"{__name__}:create_app",
    )
    tracking = tracking or intake_tracking(upstream_url("intake"))
    deputy_names = deputy_names or intake_deputy_names(upstream_url("intake"))
    routers = [
        make_router(app, views, tracking),
        make_rounds_router(app, views),
        make_rectification_router(app, views),
        make_metrics_router(views),
        make_duty_router(views),
        make_worklist_router(views),
        make_rules_router(app, SERVICE, DEFAULTS, RANGES),
        make_rules_pages(app, SERVICE, DEFAULTS, RANGES, RULE_TEXTS),
        make_pages(app, views, resident_rater(app, views, tracking), deputy_names),
        make_staff_pages(app, views),
        make_project_pages(app, views),
    ]
    rating = settings.rate_limit_rating  # residents rate by tracking code, without an account
    anonymous = [
        RateRule("rating", "POST", r"^/evaluation/api/projects/[^/]+/resident-ratings$", rating),
        RateRule("rating-form", "POST", r"^/evaluation/projects/[^/]+/rate$", rating),
    ]
    api = create_service_app(
        settings,
        runtime,
        routers,
        title="Shishi evaluation (评议)",
        start_runtime=start_runtime,
        rate_limited=anonymous,
    )
    mount_static(api, f"/{SERVICE}/static")
    install_audit(api, app, views, settings, AUDIT_NAMES)
    return api


# -- public entry point for the tools: the annual report (``shishi report``) ----------------------------------
def annual_report(
    data_dir: Path, county: str, year: int, fmt: str, progress: ReportProgress | None = None
) -> bytes | None:
    """The year's report of a county, or of every county under a prefix (``4407*``), as PDF or HTML
    bytes, from evaluation's read models under ``data_dir`` (no running service; the models are
    caught up with the store first, which a running service has already done); None without data.
    ``progress(stage, done, total)`` hears how far it is. A PDF without a CJK font to embed raises
    ``shared.web.pdf_fonts.FontUnavailable``."""
    settings = Settings(service=SERVICE, data_dir=data_dir)
    app = EvaluationApplication(env=settings.eventsourcing_env())
    views = make_views(settings, VERSION)
    fold = with_auditor_reads(FOLD)  # as the running service folds (``create_app``): the same read models
    try:
        catch_up(ViewUpdater(app, views, fold, topics=fold.topics(), version=VERSION), progress)
        data = report_data(views, county, year)
    finally:
        views.close()
        app.close()
    if not data["counties"]:
        return None
    if progress is not None:
        progress(f"write the {fmt.upper()}", 0, 1)
    from services.evaluation.http.report.render import render_html, render_pdf

    content = render_pdf(data) if fmt == "pdf" else render_html(data).encode()
    if progress is not None:
        progress(f"write the {fmt.upper()}", 1, 1)
    return content
