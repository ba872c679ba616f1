"""Stored topics of aggregates whose module moved (pure).

The event store records each event with its class's topic, ``module:Class.Event``. When an
aggregate's module moves (2026-12: every service took the one-shape layout), events stored
before the move still name the old module. ``moved`` registers the old topics with the
library, so those events load as before, and remembers them, so a follower that reads only the
topics it handles (``shared.persistence.notifications.event_topics``) reads the old ones too.
"""

from __future__ import annotations

from eventsourcing.utils import register_topic

_MOVED: dict[tuple[str, str], list[str]] = {}


def moved(old_module: str, *classes: type) -> None:
    """Events stored under ``old_module:<Class>`` (and its event classes) resolve to ``classes``."""
    for cls in classes:
        register_topic(f"{old_module}:{cls.__qualname__}", cls)
        olds = _MOVED.setdefault((cls.__module__, cls.__qualname__), [])
        if old_module not in olds:
            olds.append(old_module)


def legacy_topics(topic: str) -> list[str]:
    """The topics an event class was stored under before its module moved (none if it never moved)."""
    module, _, qualname = topic.partition(":")
    top = qualname.split(".", 1)[0]
    return [f"{old}:{qualname}" for old in _MOVED.get((module, top), [])]
