"""Reception days at the liaison stations (接待日, 夜间联络站, 代表夜聊): a station schedules a
reception, the deputies present are recorded, or it is cancelled with a reason."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.intake.app.registry import RegistryWork
from services.intake.domain.reception import Reception
from shared.kernel.meta import Meta
from shared.persistence.application import NotFound


class ReceptionWork(RegistryWork):
    def reception(self, reception_id: UUID, county: str | None = None) -> Reception:
        found = self.find_as(Reception, reception_id)
        if found is None or (county is not None and found.county != county):
            raise NotFound(str(reception_id))
        return found

    def schedule_reception(
        self,
        meta: Meta,
        station_id: UUID,
        kind: str,
        starts_at: datetime,
        ends_at: datetime,
        topic: str,
        deputy_ids: list[str],
    ) -> Reception:
        station = self.station(station_id, meta.county)
        self._active_deputies(meta.county, deputy_ids)
        reception = Reception(
            meta=meta,
            station_id=station.id,
            town=station.town,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            topic=topic,
            deputy_ids=list(deputy_ids),
        )
        self.save(reception)
        return reception

    def record_attendance(self, meta: Meta, reception_id: UUID, present: list[str]) -> Reception:
        reception = self.reception(reception_id, meta.county)
        self._active_deputies(meta.county, present)
        reception.record_attendance(meta, list(present))
        self.save(reception)
        return reception

    def cancel_reception(self, meta: Meta, reception_id: UUID) -> Reception:
        reception = self.reception(reception_id, meta.county)
        reception.cancel(meta)
        self.save(reception)
        return reception
