"""The 24-hour reply deadline of consultations (咨询类诉求24小时内答复): every overdue consultation of a
county raises its warning once. Run every minute by the runtime, with the service's clock."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.intake.app.application import IntakeApplication
from services.intake.read.projections import DEMAND
from services.intake.read.queue import overdue_unwarned
from shared.kernel.meta import Meta
from shared.runtime.jobs import CountySweep
from shared.views.store import ViewStore

EVERY_SECONDS = 60.0


def deadline_watch(app: IntakeApplication, views: ViewStore, every: float = EVERY_SECONDS) -> CountySweep:
    def sweep(county: str, now: datetime) -> int:
        ids = overdue_unwarned(views.list(DEMAND, county), now)
        if not ids:
            return 0
        meta = Meta(county, "system", "deadline-watch", now, reason="consultation reply deadline passed")
        return len(app.warn_overdue(meta, [UUID(i) for i in ids], now))

    return CountySweep("deadline-watch", every, lambda: views.counties(DEMAND), sweep)
