"""The index of a county's project files, so a warning sweep visits every one of them."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta
from shared.kernel.topics import moved

INDEX_NAMESPACE = UUID("5b0f3c8e-2d4a-4e61-9a7b-3c1d2e4f6a80")


def index_id(county: str) -> UUID:
    return uuid5(INDEX_NAMESPACE, f"supervision-projects:{county}")


class ProjectIndex(Aggregate):
    """The project files of one county, so a warning sweep visits every one of them."""

    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta

    class Listed(Aggregate.Event):
        meta: Meta
        project_id: UUID

    @staticmethod
    def create_id(meta: Meta, **_: Any) -> UUID:
        return index_id(meta.county)

    @event(Opened)
    def __init__(self, meta: Meta) -> None:
        self.county = meta.county
        self.project_ids: list[UUID] = []

    def list_project(self, meta: Meta, project_id: UUID) -> None:
        if project_id not in self.project_ids:
            self._listed(meta=meta, project_id=project_id)

    @event(Listed)
    def _listed(self, meta: Meta, project_id: UUID) -> None:
        self.project_ids.append(project_id)


# Stored under services/supervision/domain.py first, then services/supervision/project_index.py (until 2026-12).
moved("services.supervision.domain", ProjectIndex)
moved("services.supervision.project_index", ProjectIndex)
