"""What a deputy's or a liaison station's code (亮码) opens, and their printable posters.

A deputy's code opens the phone form pre-filled with the county, the deputy, their station and
its town; a station's code with the station and its town. The form names the reception held at
that station at the moment of scanning, if one is (接待日, 夜间联络站)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from services.intake.read.registry import RECEPTION, STATION
from shared import divisions
from shared.views.store import ViewStore
from shared.web.posters import Poster

PRIVACY_LINE = "代表不公开个人电话：扫码填写即可联系代表，您的联系方式仅本县人大工作人员可见。"


def deputy_url(origin: str, county: str, deputy_id: str) -> str:
    return f"{origin}/intake/submit?county={county}&deputy={quote(deputy_id, safe='')}"


def station_url(origin: str, station_id: str) -> str:
    return f"{origin}/intake/submit?station={station_id}"


def level_title(county: str, level: str, town: str = "") -> str:
    """台山市人大代表 for a county deputy; 全国人大代表, 广东省人大代表, 江门市人大代表, 大江镇人大代表
    for the others."""
    path = dict(divisions.path_of(county))
    names = list(path.values())
    by_level = {
        "national": "全国",
        "provincial": names[0] if names else "省",
        "city": names[1] if len(names) > 2 else "市",
        "county": divisions.county_name(county),
        "township": town or "乡镇",
    }
    return f"{by_level.get(level, level)}人大代表"


def stations_of(views: ViewStore, county: str, deputy_id: str) -> list[dict[str, Any]]:
    """The stations a deputy is assigned to."""
    return [s for s in views.list(STATION, county) if deputy_id in s["deputy_ids"]]


def home_station(views: ViewStore, county: str, deputy: dict[str, Any]) -> dict[str, Any] | None:
    mine = stations_of(views, county, deputy["deputy_id"])
    mine.sort(key=lambda s: (s["town"] != deputy["town"], s["name"]))
    return mine[0] if mine else None


def reception_now(views: ViewStore, county: str, station_id: str, now: datetime) -> dict[str, Any] | None:
    """The reception held at this station right now, if any."""
    for r in views.list(RECEPTION, county):
        if (
            r["station_id"] == station_id
            and r["status"] != "cancelled"
            and datetime.fromisoformat(r["starts_at"]) <= now <= datetime.fromisoformat(r["ends_at"])
        ):
            return r
    return None


def deputy_poster(origin: str, deputy: dict[str, Any], station: dict[str, Any] | None) -> Poster:
    county = deputy["county"]
    facts = [("所在镇街", deputy["town"])]
    if deputy["group"]:
        facts.append(("代表小组", deputy["group"]))
    if station is not None:
        facts += [("联络站", station["name"]), ("地址", station["address"]), ("接待时间", station["hours"])]
    return Poster(
        banner="人大代表 亮码亮身份",
        title=f"{deputy['name']} 代表",
        subtitle=level_title(county, deputy["level"], deputy["town"]),
        facts=facts,
        url=deputy_url(origin, county, deputy["deputy_id"]),
        call="手机扫码，向代表反映诉求（民意码上见）",
        footer=f"{divisions.full_name(county)}人大常委会 · {PRIVACY_LINE}",
    )


def station_poster(origin: str, station: dict[str, Any], names: dict[str, str]) -> Poster:
    county = station["county"]
    deputies = "、".join(names.get(d, d) for d in station["deputy_ids"]) or "—"
    return Poster(
        banner="人大代表联络站",
        title=station["name"],
        subtitle=f"{divisions.county_name(county)} · {station['town']}",
        facts=[("地址", station["address"]), ("接待时间", station["hours"]), ("进站代表", deputies)],
        url=station_url(origin, station["id"]),
        call="手机扫码，向联络站代表反映诉求（民意码上见）",
        footer=f"{divisions.full_name(county)}人大常委会 · {PRIVACY_LINE}",
    )
