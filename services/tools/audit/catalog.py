"""A service built by its own composition root for the offline tools (replay, export, bench): the
store alone comes from ``shared.audit.stores``; replay and export need the service's application and
read-model fold, exactly as it runs (``create_app(settings, start_runtime=False)``)."""

from __future__ import annotations

import importlib
from typing import Any

from shared.audit.stores import has_store, open_store, settings_for
from shared.config import Settings

__all__ = ["has_store", "open_service", "open_store", "settings_for"]


def open_service(settings: Settings) -> Any:
    """The service's FastAPI app built by its own ``create_app``, runtime not started."""
    module = importlib.import_module(f"services.{settings.service}.main")
    return module.create_app(settings, start_runtime=False)
