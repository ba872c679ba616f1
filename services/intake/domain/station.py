"""A deputy liaison station (代表联络站, "家站室点"; pure domain): its town/street, address,
reception times and the deputies assigned to it.

Seed 002 puts all 721 deputies of four levels into 34 liaison stations; seed 000 names night
liaison stations (夜间联络站). Residents reach a station by its code; receptions are held there.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation


def _check(name: str, town: str, address: str, hours: str) -> None:
    if not 2 <= len(name.strip()) <= 60:
        raise RuleViolation(
            "联络站名称须为 2 至 60 个字 / a station's name has 2 to 60 characters", reason="invalid_name"
        )
    if not town.strip():
        raise RuleViolation(
            "请选择联络站所在的乡镇（街道） / a station belongs to a town or street", reason="unknown_town"
        )
    if not 2 <= len(address.strip()) <= 200:
        raise RuleViolation(
            "联络站地址须为 2 至 200 个字 / a station's address has 2 to 200 characters", reason="invalid_address"
        )
    if not 2 <= len(hours.strip()) <= 200:
        raise RuleViolation(
            "请填写接待时间（2 至 200 个字） / say when the station receives residents (2 to 200 characters)",
            reason="invalid_hours",
        )


class LiaisonStation(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta
        name: str
        town: str
        address: str
        hours: str
        deputy_ids: list[str]

    class Revised(Aggregate.Event):
        meta: Meta
        name: str
        town: str
        address: str
        hours: str

    class RosterChanged(Aggregate.Event):
        meta: Meta
        joined: list[str]
        left: list[str]

    @event(Opened)
    def __init__(self, meta: Meta, name: str, town: str, address: str, hours: str, deputy_ids: list[str]) -> None:
        _check(name, town, address, hours)
        if len(set(deputy_ids)) != len(deputy_ids):
            raise RuleViolation("同一位代表选了两次 / a deputy is listed twice", reason="duplicate_deputy")
        self.county = meta.county
        self.name = name.strip()
        self.town = town.strip()
        self.address = address.strip()
        self.hours = hours.strip()
        self.deputy_ids = list(deputy_ids)
        self.opened_at = meta.occurred_at

    def revise(self, meta: Meta, name: str, town: str, address: str, hours: str) -> None:
        _check(name, town, address, hours)
        new = (name.strip(), town.strip(), address.strip(), hours.strip())
        if new != (self.name, self.town, self.address, self.hours):
            self._revised(meta=meta, name=new[0], town=new[1], address=new[2], hours=new[3])

    @event(Revised)
    def _revised(self, meta: Meta, name: str, town: str, address: str, hours: str) -> None:
        self.name, self.town, self.address, self.hours = name, town, address, hours

    def assign(self, meta: Meta, deputy_ids: list[str]) -> None:
        """The station's deputies become ``deputy_ids`` (who joined and who left is recorded)."""
        if len(set(deputy_ids)) != len(deputy_ids):
            raise RuleViolation("同一位代表选了两次 / a deputy is listed twice", reason="duplicate_deputy")
        joined = [d for d in deputy_ids if d not in self.deputy_ids]
        left = [d for d in self.deputy_ids if d not in deputy_ids]
        if joined or left:
            self._roster_changed(meta=meta, joined=joined, left=left)

    @event(RosterChanged)
    def _roster_changed(self, meta: Meta, joined: list[str], left: list[str]) -> None:
        self.deputy_ids = [d for d in self.deputy_ids if d not in left] + joined
