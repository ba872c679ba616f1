"""People by name on intake's pages: the name an official's login gave (``Meta.actor_name``, kept in the
read models as ``by_name``), else the deputies' registry, else the role's name; never a bare account id."""

from __future__ import annotations

from typing import Any

from services.intake.read.registry import DEPUTY
from shared.views.store import ViewStore
from shared.web.i18n import translate


class Names:
    """Who is who in one county, for one page."""

    def __init__(self, views: ViewStore, county: str, lang: str) -> None:
        self.lang = lang
        self.deputies = {d["deputy_id"]: d["name"] for d in views.list(DEPUTY, county)} if county else {}

    def person(self, account: str, name: str = "", role: str = "") -> str:
        """``name`` if the login gave one, else the registry's, else the role's name (or 工作人员)."""
        if name:
            return name
        if account in self.deputies:
            return self.deputies[account]
        return translate(self.lang, f"role_{role}") if role else translate(self.lang, "someone_official")

    def deputy(self, account: str) -> str:
        return self.deputies.get(account) or translate(self.lang, "role_deputy")

    def by(self, entry: dict[str, Any], role: str = "") -> str:
        """Who did a step recorded as ``{"by": account, "by_name": name}``."""
        return self.person(str(entry.get("by", "")), str(entry.get("by_name", "")), role)

    def owner(self, owner: str) -> str:
        """``deputy:<account>`` → the deputy's name; a tier → its name; ``suggestion`` → 项目建议."""
        if owner.startswith("deputy:"):
            return f"{translate(self.lang, 'role_deputy')} {self.deputy(owner[7:])}"
        if owner in ("department", "micro_wish", "micro", "major"):
            return translate(self.lang, f"tier_{owner}")
        if owner == "suggestion":
            return translate(self.lang, "owner_suggestion")
        return owner
