"""Where the offline tools (verify, replay, export, bench) find each service's event store,
without a running service or its domain code.

The verifier needs only the store's recorder (``open_store``), so it works even when a
service's code has moved on; replay and export build the service through its own composition
root (``create_app(settings, start_runtime=False)``), exactly as it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.config import Settings
from shared.persistence.application import ServiceApplication


def settings_for(service: str, data_dir: Path, base: Settings | None = None) -> Settings:
    """The settings a service runs with, for ``data_dir`` (persistence and PostgreSQL from ``base``)."""
    if base is None:
        return Settings(service=service, data_dir=data_dir)
    return base.model_copy(update={"service": service, "data_dir": data_dir, "port": 0})


def has_store(settings: Settings) -> bool:
    """Whether the service has an event store to open: its SQLite file, or its PostgreSQL database
    holding the events table (a deployment may run fewer than four services)."""
    if settings.persistence == "postgres":
        import psycopg

        env = settings.eventsourcing_env()
        try:
            with psycopg.connect(
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"],
                dbname=env["POSTGRES_DBNAME"],
                connect_timeout=10,
            ) as conn:
                table = f"{settings.service}_events"  # the eventsourcing recorder's table for the application name
                row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
                return bool(row and row[0])
        except psycopg.OperationalError as exc:
            if "does not exist" in str(exc):
                return False
            raise
    return (settings.service_dir / "events.sqlite").exists()


def open_store(settings: Settings) -> Any:
    """The service's event store without its domain code: use ``.recorder``; ``.close()`` after."""
    store = type(f"{settings.service.title()}Store", (ServiceApplication,), {"name": settings.service})
    return store(env=settings.eventsourcing_env())
