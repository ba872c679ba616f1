"""The year's figures for the report, from evaluation's own read models (caught up first), without a
running service (the CLI reads ``--data-dir``): no replay of the store."""

from __future__ import annotations

from collections.abc import Callable

from services.evaluation.read.figures import metrics_for
from services.evaluation.read.metrics import across_counties
from services.evaluation.read.projections import ADOPTED, DEMAND, RATING, ROUND
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: how far a report is (a CLI draws it as a bar)."""


def catch_up(updater: ViewUpdater, progress: Progress | None = None) -> None:
    """Bring the service's own read models up to its store (usually nothing is left: the running
    service keeps them folded), saying how far it is; guarded like every fold, so a running service
    folding meanwhile never has an event applied twice."""
    total = updater.app.recorder.max_notification_id() or 0
    updater.check_version()
    updater.catch_up_in_bulk()
    while updater.catch_up_once() == updater.batch:
        if progress is not None:
            progress("fold the evaluation store", updater.views.position(ViewUpdater.NAME), total)
    if progress is not None:
        progress("fold the evaluation store", total, total)


def report_data(views: ViewStore, scope: str, year: int) -> dict:
    """``scope``: one county code, or a prefix ending in ``*`` (``4407*``: every county of the city)."""
    prefix = scope.rstrip("*")
    counties = sorted(
        {
            county
            for kind in (RATING, ADOPTED, DEMAND)
            for county in views.counties(kind)
            if (county.startswith(prefix) if scope.endswith("*") else county == scope)
        }
    )
    per_county = [metrics_for(views, c, year) for c in counties]
    rounds = {c: [r for r in views.list(ROUND, c) if r["rated_year"] == year] for c in counties}
    return {
        "scope": scope,
        "year": year,
        "counties": per_county,
        "totals": across_counties(per_county),
        "rounds": rounds,
    }
