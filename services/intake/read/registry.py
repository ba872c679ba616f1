"""Read models of the registries and the receptions: one document per deputy, liaison station
and reception. No phone number is kept for anyone (the registry holds none)."""

from __future__ import annotations

from services.intake.domain.deputy import Deputy
from services.intake.domain.reception import Reception
from services.intake.domain.station import LiaisonStation
from shared.views.fold import Fold
from shared.views.store import ViewTx

DEPUTY = "deputy"
STATION = "station"
RECEPTION = "reception"

REGISTRY_FOLD = Fold("intake registries")


@REGISTRY_FOLD.on(Deputy.Registered)
def deputy_registered(tx: ViewTx, event: Deputy.Registered) -> None:
    oid = str(event.originator_id)
    tx.put(
        DEPUTY,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "deputy_id": event.deputy_id,
            "name": event.name,
            "level": event.level,
            "town": event.town,
            "group": event.group,
            "active": True,
            "registered_at": event.meta.occurred_at.isoformat(),
            "retired_at": None,
        },
    )


@REGISTRY_FOLD.on(Deputy.Revised)
def deputy_revised(tx: ViewTx, event: Deputy.Revised) -> None:
    tx.update(
        DEPUTY,
        str(event.originator_id),
        lambda d: d.update(name=event.name, level=event.level, town=event.town, group=event.group),
    )


@REGISTRY_FOLD.on(Deputy.Retired)
def deputy_retired(tx: ViewTx, event: Deputy.Retired) -> None:
    at = event.meta.occurred_at.isoformat()
    tx.update(DEPUTY, str(event.originator_id), lambda d: d.update(active=False, retired_at=at))


@REGISTRY_FOLD.on(LiaisonStation.Opened)
def station_opened(tx: ViewTx, event: LiaisonStation.Opened) -> None:
    oid = str(event.originator_id)
    tx.put(
        STATION,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "name": event.name,
            "town": event.town,
            "address": event.address,
            "hours": event.hours,
            "deputy_ids": list(event.deputy_ids),
            "opened_at": event.meta.occurred_at.isoformat(),
        },
    )


@REGISTRY_FOLD.on(LiaisonStation.Revised)
def station_revised(tx: ViewTx, event: LiaisonStation.Revised) -> None:
    tx.update(
        STATION,
        str(event.originator_id),
        lambda d: d.update(name=event.name, town=event.town, address=event.address, hours=event.hours),
    )


@REGISTRY_FOLD.on(LiaisonStation.RosterChanged)
def station_roster(tx: ViewTx, event: LiaisonStation.RosterChanged) -> None:
    def change(d: dict) -> None:
        d["deputy_ids"] = [x for x in d["deputy_ids"] if x not in event.left] + list(event.joined)

    tx.update(STATION, str(event.originator_id), change)


@REGISTRY_FOLD.on(Reception.Scheduled)
def reception_scheduled(tx: ViewTx, event: Reception.Scheduled) -> None:
    oid = str(event.originator_id)
    station = tx.get(STATION, str(event.station_id)) or {}
    tx.put(
        RECEPTION,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "station_id": str(event.station_id),
            "station_name": station.get("name", ""),
            "town": event.town,
            "kind": event.kind,
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "topic": event.topic,
            "deputy_ids": list(event.deputy_ids),
            "present": [],
            "status": "scheduled",
            "held_recorded_at": None,
            "cancel_reason": "",
        },
    )


@REGISTRY_FOLD.on(Reception.AttendanceRecorded)
def reception_attended(tx: ViewTx, event: Reception.AttendanceRecorded) -> None:
    at = event.meta.occurred_at.isoformat()
    tx.update(
        RECEPTION,
        str(event.originator_id),
        lambda d: d.update(present=list(event.present), status="held", held_recorded_at=at),
    )


@REGISTRY_FOLD.on(Reception.Cancelled)
def reception_cancelled(tx: ViewTx, event: Reception.Cancelled) -> None:
    tx.update(
        RECEPTION,
        str(event.originator_id),
        lambda d: d.update(status="cancelled", cancel_reason=event.meta.reason),
    )
