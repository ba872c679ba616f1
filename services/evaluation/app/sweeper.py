"""The periodic deadline sweep of rectifications: each county's open rectifications are checked against
the day (from the service's clock), so a missed report deadline raises its warning without anyone asking."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.read.projections import RATING
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta
from shared.runtime.jobs import CountySweep
from shared.views.store import ViewStore

EVERY_SECONDS = 3600.0


def overdue_rectifications(app: EvaluationApplication, views: ViewStore, county: str, now: datetime) -> list[str]:
    """Warn on each of the county's ordered rectifications whose report is overdue; their project ids."""
    ordered = [
        UUID(doc["project_id"])
        for doc in views.list(RATING, county)
        if doc.get("rectification") and doc["rectification"]["status"] == "ordered"
    ]
    if not ordered:
        return []
    meta = Meta(county, "system", "deadline-sweep", now, reason="deadline sweep")
    return app.sweep(meta, china_date(now), ordered)


def rectification_sweep(app: EvaluationApplication, views: ViewStore, every: float = EVERY_SECONDS) -> CountySweep:
    def sweep(county: str, now: datetime) -> int:
        return len(overdue_rectifications(app, views, county, now))

    return CountySweep("rectification-sweep", every, lambda: views.counties(RATING), sweep)
