"""The periodic early-warning sweep (预警督办): every county that has project files, with the service's
clock. The sweep is idempotent (a cause is warned once), so running it often is harmless; staff and
tests trigger the same sweep with an explicit ``now`` through the API or ``shishi supervision sweep``.
"""

from __future__ import annotations

from datetime import datetime

from services.supervision.app.application import SupervisionApplication
from services.supervision.read.projections import PROJECT
from shared.runtime.jobs import CountySweep
from shared.views.store import ViewStore


def warning_sweep(app: SupervisionApplication, views: ViewStore, every: float) -> CountySweep:
    """``every`` seconds (``SHISHI_SUPERVISION_SWEEP_SECONDS``; 0: only on request)."""

    def sweep(county: str, now: datetime) -> int:
        return len(app.sweep(county, now))

    return CountySweep("warning-sweep", every, lambda: views.counties(PROJECT), sweep)
