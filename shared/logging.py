"""structlog set-up: JSON lines, with county / correlation / event ids bound per request or message."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import structlog


def configure_logging(*, service: str, level: str = "INFO", json: bool = True, file: Path | None = None) -> None:
    """Configure structlog once per process (called by the composition root, never at import)."""
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        # the log file stays open for the life of the process
        logger_factory=structlog.PrintLoggerFactory(file=open(file, "a", buffering=1) if file else sys.stderr),  # noqa: SIM115
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)


def get_logger(name: str = "shishi") -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
