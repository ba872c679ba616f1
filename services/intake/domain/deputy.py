"""A deputy in the county's registry (代表名册; pure domain): level, town/street, deputy group.

Zhejiang gave every deputy at five levels a code residents scan (亮码亮身份, seed 004); the
registry is what those codes point at. A deputy is known across the services by ``deputy_id``,
the subject of their account (the supervision group, the vote's roll and the rating round name
them by it), so the registry keys each county's deputy by it. The registry keeps no phone number:
residents reach a deputy through the form their code opens, never by a published number.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.intake.domain.demand import NAMESPACE
from shared.kernel.meta import Meta, RuleViolation

# 全国、省、市、县、乡镇 — the five levels of people's congresses
LEVELS = ("national", "provincial", "city", "county", "township")
DEPUTY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")  # printed in codes and links as it is


def deputy_key(county: str, deputy_id: str) -> UUID:
    """One registry entry per county and deputy account."""
    return uuid5(NAMESPACE, f"deputy:{county}:{deputy_id}")


def _check(name: str, level: str, town: str, group: str) -> None:
    if not 1 <= len(name.strip()) <= 40:
        raise RuleViolation("代表姓名须为 1 至 40 个字 / a deputy's name has 1 to 40 characters", reason="invalid_name")
    if level not in LEVELS:
        raise RuleViolation(
            f"请选择代表层级 / unknown level {level!r}; one of {', '.join(LEVELS)}", reason="unknown_level"
        )
    if not town.strip():
        raise RuleViolation(
            "请选择代表所在的乡镇（街道） / a deputy belongs to a town or street", reason="unknown_town"
        )
    if len(group) > 60:
        raise RuleViolation(
            "代表小组名称最多 60 个字 / a deputy group's name has at most 60 characters", reason="invalid_group"
        )


class Deputy(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Registered(Aggregate.Created):
        meta: Meta
        deputy_id: str
        name: str
        level: str
        town: str
        group: str

    class Revised(Aggregate.Event):
        meta: Meta
        name: str
        level: str
        town: str
        group: str

    class Retired(Aggregate.Event):
        meta: Meta

    @staticmethod
    def create_id(meta: Meta, deputy_id: str, **_: Any) -> UUID:
        return deputy_key(meta.county, deputy_id)

    @event(Registered)
    def __init__(self, meta: Meta, deputy_id: str, name: str, level: str, town: str, group: str) -> None:
        if not DEPUTY_ID.match(deputy_id):
            raise RuleViolation(
                "a deputy's id is their account's subject: letters, digits, '.', '_' or '-', up to 100",
                reason="invalid_deputy_id",
            )
        _check(name, level, town, group)
        self.county = meta.county
        self.deputy_id = deputy_id
        self.name = name.strip()
        self.level = level
        self.town = town.strip()
        self.group = group.strip()
        self.active = True
        self.registered_at = meta.occurred_at

    def revise(self, meta: Meta, name: str, level: str, town: str, group: str) -> None:
        if not self.active:
            raise RuleViolation("这位代表已届满离任 / this deputy's term has ended", reason="deputy_retired")
        _check(name, level, town, group)
        if (name.strip(), level, town.strip(), group.strip()) == (self.name, self.level, self.town, self.group):
            return
        self._revised(meta=meta, name=name.strip(), level=level, town=town.strip(), group=group.strip())

    @event(Revised)
    def _revised(self, meta: Meta, name: str, level: str, town: str, group: str) -> None:
        self.name, self.level, self.town, self.group = name, level, town, group

    def retire(self, meta: Meta) -> None:
        """The term ended (or the deputy resigned): the entry and its record stay; the code stops reaching them."""
        if not self.active:
            return
        if not meta.reason:
            raise RuleViolation(
                "登记代表离任须说明理由 / ending a deputy's term in the registry needs a reason",
                reason="reason_required",
            )
        self._retired(meta=meta)

    @event(Retired)
    def _retired(self, meta: Meta) -> None:
        self.active = False
