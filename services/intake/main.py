"""The composition root of intake: ``create_app(settings)`` wires everything; nothing at import time."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI

from services.intake.app.application import SERVICE, IntakeApplication
from services.intake.app.deadlines import deadline_watch
from services.intake.app.vault import make_vault
from services.intake.domain.demand import Demand
from services.intake.domain.rules import DEFAULTS, RANGES
from services.intake.domain.similarity import DEFAULT_THRESHOLD, SimilarityIndex
from services.intake.http.audit_texts import AUDIT_NAMES
from services.intake.http.codes_api import make_codes_router
from services.intake.http.deadletter_pages import make_deadletter_pages
from services.intake.http.deadletters_api import make_deadletter_router
from services.intake.http.demands_api import make_router
from services.intake.http.deputies_api import make_deputy_router
from services.intake.http.entry_pages import make_entry_pages
from services.intake.http.liaison_pages import make_liaison_pages
from services.intake.http.open311_api import make_open311_router
from services.intake.http.receptions_api import make_receptions_router
from services.intake.http.registry_api import make_registry_router
from services.intake.http.registry_pages import make_registry_pages
from services.intake.http.resident_pages import make_pages
from services.intake.http.rules_texts import rule_texts
from services.intake.http.staff_pages import make_staff_pages
from services.intake.http.triage_api import make_triage_router
from services.intake.http.worklist_api import make_worklist_router
from services.intake.inbound.handlers import handle_ticket, subscriptions
from services.intake.outbound.contracts import OUTBOUND
from services.intake.read.projections import FOLD, VERSION
from shared.audit.api import install_audit
from shared.bus.consumer import Handler
from shared.config import Settings
from shared.persistence.application import ServiceApplication
from shared.persistence.notifications import event_topics
from shared.runtime.jobs import Clock
from shared.runtime.service import ServiceRuntime
from shared.views.store import make_views
from shared.web.limits import RateRule
from shared.web.rules_api import make_rules_router
from shared.web.rules_pages import make_rules_pages
from shared.web.serving import create_service_app
from shared.web.templating import mount_static


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, start_runtime: bool = True) -> FastAPI:
    settings = settings or Settings(service=SERVICE)
    vault = make_vault(settings)
    app = IntakeApplication(env=settings.eventsourcing_env(), vault=vault)
    views = make_views(settings, VERSION)
    runtime = ServiceRuntime(
        settings,
        app,
        views=views,
        fold=FOLD,
        view_version=VERSION,
        outbound=OUTBOUND,
        subscriptions=subscriptions(app),
        jobs=[deadline_watch(app, views)],
        clock=clock or Clock(),
        factory=f"{__name__}:create_app",
    )
    routers = [
        make_router(app, views),
        make_triage_router(app, views),
        make_deputy_router(app, views),
        make_deadletter_router(app, views),
        make_rules_router(app, SERVICE, DEFAULTS, RANGES),
        make_rules_pages(app, SERVICE, DEFAULTS, RANGES, rule_texts(views)),
        make_open311_router(app, views),
        make_registry_router(app, views),
        make_codes_router(app, views),
        make_receptions_router(app, views),
        make_worklist_router(app, views),
        make_pages(app, views),
        make_staff_pages(app, views),
        make_entry_pages(app, views),
        make_deadletter_pages(app, views),
        make_registry_pages(app, views),
        make_liaison_pages(app, views),
    ]
    api = create_service_app(
        settings,
        runtime,
        routers,
        title="Shishi intake (民意征集)",
        start_runtime=start_runtime,
        rate_limited=anonymous_limits(settings),
    )
    api.state.vault = vault
    mount_static(api, f"/{SERVICE}/static")
    install_audit(api, app, views, settings, AUDIT_NAMES)
    return api


def anonymous_limits(settings: Settings) -> list[RateRule]:
    """The anonymous routes, limited per client address: submitting, looking up by tracking code, Open311."""
    submit, lookup = settings.rate_limit_submit, settings.rate_limit_lookup
    return [
        RateRule("submit", "POST", r"^/intake/api/demands$", submit),
        RateRule("submit-form", "POST", r"^/intake/submit$", submit),
        RateRule("open311", "POST", r"^/intake/open311/v2/requests\.json$", submit),
        RateRule("track", "GET", r"^/intake/(api/)?track/[^/]+$", lookup),
        RateRule("open311-token", "GET", r"^/intake/open311/v2/tokens/[^/]+\.json$", lookup),
    ]


# -- public entry points for the tools (benchmarks): the hotline path as the consumer runs it --------------
SUBMITTED_TOPICS = event_topics(Demand.Submitted)


def ticket_handler(app: ServiceApplication) -> Handler:
    """What intake's consumer does with each hotline ticket (``process_batch`` it in batches), for
    intake's application as ``create_app`` built it."""
    if not isinstance(app, IntakeApplication):
        raise TypeError(f"intake's ticket handler needs intake's application, not {type(app).__name__}")
    return handle_ticket(app)


# -- public entry points for the tools: the duplicate measure (``shishi similarity measure``) -------------------
DUPLICATE_THRESHOLD = DEFAULT_THRESHOLD  # the default of the county rule ``duplicate_threshold``


def duplicate_index(docs: Iterable[tuple[str, str]]) -> SimilarityIndex:
    """The index intake builds over a town's and category's demands ``(id, text)`` to suggest duplicates:
    ``.score(a, b)`` and ``.likely(text, k, threshold)``."""
    return SimilarityIndex(docs)
