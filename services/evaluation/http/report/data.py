"""Fold the evaluation event store into in-memory read models and compute the year's figures,
without a running service (the CLI reads ``--data-dir``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.http.metrics_api import metrics_for
from services.evaluation.read.metrics import across_counties
from services.evaluation.read.projections import ADOPTED, DEMAND, RATING, ROUND, project
from shared.config import Settings
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: how far a report is (a CLI draws it as a bar)."""


def load_views(data_dir: Path, progress: Progress | None = None) -> ViewStore:
    settings = Settings(service="evaluation", data_dir=data_dir)
    app = EvaluationApplication(env=settings.eventsourcing_env())
    views = ViewStore(sqlite_path=Path(":memory:"))
    updater = ViewUpdater(app, views, project, batch=2000)
    total = app.recorder.max_notification_id() or 0
    updater.check_version()
    while updater.catch_up_once() == updater.batch:
        if progress is not None:
            progress("fold the evaluation store", views.position(ViewUpdater.NAME), total)
    if progress is not None:
        progress("fold the evaluation store", total, total)
    app.close()
    return views


def report_data(views: ViewStore, scope: str, year: int) -> dict:
    """``scope``: one county code, or a prefix ending in ``*`` (``4407*``: every county of the city)."""
    prefix = scope.rstrip("*")
    counties = sorted(
        {
            d["county"]
            for kind in (RATING, ADOPTED, DEMAND)
            for d in views.list(kind)
            if (d["county"].startswith(prefix) if scope.endswith("*") else d["county"] == scope)
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
