"""The county's registries, edited by congress staff: deputies (level, town/street, deputy
group) and liaison stations (town/street, address, reception times, the deputies assigned)."""

from __future__ import annotations

from uuid import UUID

from services.intake.app.core import IntakeCore
from services.intake.domain.deputy import Deputy, deputy_key
from services.intake.domain.station import LiaisonStation
from shared import divisions
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound


def town_name(county: str, town: str) -> str:
    """A town/street of the county by name (a 9-digit code is turned into its name). Counties the
    registry of divisions does not list (an older code) take any name."""
    town = town.strip()
    towns = divisions.towns_of(county)
    if not towns:
        return town
    for code, name in towns:
        if town in (code, name):
            return name
    raise RuleViolation(
        f"“{town}”不是{divisions.county_name(county)}的乡镇（街道） / {town!r} is not a town or street of "
        f"{divisions.county_name(county)}",
        reason="unknown_town",
    )


class RegistryWork(IntakeCore):
    # -- deputies ----------------------------------------------------------------------------------
    def deputy(self, county: str, deputy_id: str) -> Deputy:
        found = self.find_as(Deputy, deputy_key(county, deputy_id))
        if found is None or found.county != county:
            raise NotFound(deputy_id)
        return found

    def register_deputy(self, meta: Meta, deputy_id: str, name: str, level: str, town: str, group: str) -> Deputy:
        if self.find_as(Deputy, deputy_key(meta.county, deputy_id)) is not None:
            raise RuleViolation(
                f"这位代表（{deputy_id}）已经登记 / deputy {deputy_id} is already registered",
                reason="already_registered",
            )
        deputy = Deputy(
            meta=meta, deputy_id=deputy_id, name=name, level=level, town=town_name(meta.county, town), group=group
        )
        self.save(deputy)
        return deputy

    def revise_deputy(self, meta: Meta, deputy_id: str, name: str, level: str, town: str, group: str) -> Deputy:
        deputy = self.deputy(meta.county, deputy_id)
        deputy.revise(meta, name, level, town_name(meta.county, town), group)
        self.save(deputy)
        return deputy

    def retire_deputy(self, meta: Meta, deputy_id: str) -> Deputy:
        deputy = self.deputy(meta.county, deputy_id)
        deputy.retire(meta)
        self.save(deputy)
        return deputy

    def _active_deputies(self, county: str, deputy_ids: list[str]) -> None:
        for deputy_id in deputy_ids:
            found = self.find_as(Deputy, deputy_key(county, deputy_id))
            if found is None:
                raise RuleViolation(
                    f"代表名册中没有这位代表（{deputy_id}） / no deputy {deputy_id} in the registry of {county}",
                    reason="unknown_deputy",
                )
            if not found.active:
                raise RuleViolation(
                    f"这位代表已届满离任 / deputy {deputy_id}'s term has ended", reason="deputy_retired"
                )

    # -- liaison stations --------------------------------------------------------------------------
    def station(self, station_id: UUID, county: str | None = None) -> LiaisonStation:
        found = self.find_as(LiaisonStation, station_id)
        if found is None or (county is not None and found.county != county):
            raise NotFound(str(station_id))
        return found

    def open_station(
        self, meta: Meta, name: str, town: str, address: str, hours: str, deputy_ids: list[str]
    ) -> LiaisonStation:
        self._active_deputies(meta.county, deputy_ids)
        station = LiaisonStation(
            meta=meta,
            name=name,
            town=town_name(meta.county, town),
            address=address,
            hours=hours,
            deputy_ids=list(deputy_ids),
        )
        self.save(station)
        return station

    def revise_station(
        self, meta: Meta, station_id: UUID, name: str, town: str, address: str, hours: str
    ) -> LiaisonStation:
        station = self.station(station_id, meta.county)
        station.revise(meta, name, town_name(meta.county, town), address, hours)
        self.save(station)
        return station

    def assign_deputies(self, meta: Meta, station_id: UUID, deputy_ids: list[str]) -> LiaisonStation:
        station = self.station(station_id, meta.county)
        self._active_deputies(meta.county, [d for d in deputy_ids if d not in station.deputy_ids])
        station.assign(meta, list(deputy_ids))
        self.save(station)
        return station
