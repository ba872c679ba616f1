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
    if settings.persistence == "postgres":
        return True
    return (settings.service_dir / "events.sqlite").exists()


def open_store(settings: Settings) -> Any:
    """The service's event store without its domain code: use ``.recorder``; ``.close()`` after."""
    store = type(f"{settings.service.title()}Store", (ServiceApplication,), {"name": settings.service})
    return store(env=settings.eventsourcing_env())
