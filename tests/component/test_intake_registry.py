"""Deputies and liaison stations through intake's HTTP API and pages (no NATS needed): registries
edited by congress staff and read by anyone, with no phone number anywhere; codes that a real
decoder reads and that open the phone form pre-filled, so the demand records its channel and
source; posters with every font embedded, one by one and in batch; receptions scheduled and
attended, with what became of their demands; the county's overview with its flagged towns; and
demands stored before they named a source still load and fold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from eventsourcing.persistence import StoredEvent
from pydantic_core import from_json, to_json

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.app.vault import ContactVault
from services.intake.read.projections import DEMAND, project
from shared.kernel.meta import Meta
from shared.views.store import ViewStore
from tests.fixtures.pdf import decode_qr, font_rows, page_count
from tests.fixtures.service import InProcessService

A, B = "440781", "440703"
T0 = datetime(2026, 3, 10, 3, tzinfo=UTC)  # 11:00 in China
PHONE = "13912345678"


class Registry(InProcessService):
    """Intake in this process, at the desk of a county's congress staff."""

    def __init__(self, tmp_path: Path, **settings: str) -> None:
        super().__init__("intake", tmp_path, county=A, now=T0, settings=settings or None)

    def deputy(self, deputy_id: str, name: str, town: str = "台城街道", level: str = "county", group: str = "") -> dict:
        body = {"deputy_id": deputy_id, "name": name, "level": level, "town": town, "group": group}
        return self.call("POST", f"/counties/{A}/deputies", json=body, expect=201)

    def station(self, name: str, town: str, deputies: list[str]) -> dict:
        body = {
            "name": name,
            "town": town,
            "address": f"{town}人民路1号",
            "hours": "每周三 19:00–21:00",
            "deputy_ids": deputies,
        }
        return self.call("POST", f"/counties/{A}/stations", json=body, expect=201)

    def reception(
        self, station_id: str, starts: str, ends: str, deputies: list[str], kind: str = "reception_day"
    ) -> dict:
        body = {"kind": kind, "starts_at": starts, "ends_at": ends, "deputy_ids": deputies, "topic": "听取群众意见"}
        return self.call("POST", f"/stations/{station_id}/receptions", json=body, expect=201)


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Registry]:
    r = Registry(tmp_path)
    yield r
    r.client.close()


def test_staff_keep_the_registries_anyone_reads_them_and_no_phone_number_is_taken(reg: Registry) -> None:
    zhang = reg.deputy("dep-zhang", "张三", group="台城代表小组")
    assert zhang == {
        "deputy_id": "dep-zhang",
        "county": A,
        "name": "张三",
        "level": "county",
        "town": "台城街道",
        "group": "台城代表小组",
        "active": True,
    }
    by_code = reg.deputy("dep-li", "李四", town="440781102", level="township")  # a town by its 9-digit code
    assert by_code["town"] != "440781102" and by_code["town"].endswith("镇")
    unknown = reg.call(
        "POST",
        f"/counties/{A}/deputies",
        json={"deputy_id": "x1", "name": "王五", "level": "county", "town": "火星镇"},
        expect=409,
    )
    assert unknown["reason"] == "unknown_town"
    again = reg.call(
        "POST",
        f"/counties/{A}/deputies",
        json={"deputy_id": "dep-zhang", "name": "张三", "level": "county", "town": "台城街道"},
        expect=409,
    )
    assert again["reason"] == "already_registered"
    # privacy: the registry takes no phone number at all
    with_phone = {"deputy_id": "dep-wang", "name": "王五", "level": "county", "town": "台城街道", "phone": PHONE}
    assert reg.call("POST", f"/counties/{A}/deputies", json=with_phone, expect=422)["status"] == 422
    # only congress staff edit; another county's staff cannot touch this one
    assert reg.call(
        "POST",
        f"/counties/{A}/deputies",
        "deputy",
        json={k: v for k, v in with_phone.items() if k != "phone"},
        expect=403,
    )
    reg.call(
        "POST",
        f"/counties/{A}/deputies",
        "congress_staff",
        county=B,
        json={"deputy_id": "z", "name": "赵", "level": "county", "town": "台城街道"},
        expect=403,
    )

    station = reg.station("台城街道人大代表联络站", "台城街道", ["dep-zhang"])
    moved = reg.call(
        "PUT", f"/stations/{station['id']}/deputies", json={"deputy_ids": ["dep-li"], "reason": "调整进站代表"}
    )
    assert moved["deputy_ids"] == ["dep-li"]
    assert (
        reg.call("PUT", f"/stations/{station['id']}/deputies", json={"deputy_ids": ["nobody"]}, expect=409)["reason"]
        == "unknown_deputy"
    )
    revised = reg.call(
        "PUT",
        f"/counties/{A}/deputies/dep-zhang",
        json={"name": "张三", "level": "provincial", "town": "台城街道", "group": "台城代表小组"},
    )
    assert revised["level"] == "provincial"

    public = reg.call("GET", f"/counties/{A}/deputies", None)
    assert sorted(d["deputy_id"] for d in public["items"]) == ["dep-li", "dep-zhang"]
    one = reg.call("GET", f"/counties/{A}/deputies/dep-li", None)
    assert one["stations"][0]["name"] == "台城街道人大代表联络站"
    page = reg.client.get(f"/intake/deputies/{A}/dep-li")
    assert page.status_code == 200 and "李四" in page.text and 'id="no-phone"' in page.text
    assert PHONE not in str(public) + str(one) + page.text
    assert not any("phone" in key for d in [*public["items"], one] for key in d)

    retired = reg.call("POST", f"/counties/{A}/deputies/dep-zhang/retire", json={"reason": "任期届满"})
    assert retired["active"] is False
    assert [d["deputy_id"] for d in reg.call("GET", f"/counties/{A}/deputies", None)["items"]] == ["dep-li"]


def test_a_deputys_code_opens_the_prefilled_form_and_the_demand_records_channel_and_source(reg: Registry) -> None:
    reg.deputy("dep-zhang", "张三")
    station = reg.station("台城街道人大代表联络站", "台城街道", ["dep-zhang"])
    png = reg.client.get(f"/intake/api/counties/{A}/deputies/dep-zhang/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    (url,) = decode_qr(png.content)
    parts = urlsplit(url)
    assert parts.path == "/intake/submit" and parse_qs(parts.query) == {"county": [A], "deputy": ["dep-zhang"]}
    svg = reg.client.get(f"/intake/api/counties/{A}/deputies/dep-zhang/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content

    form = reg.client.get(f"{parts.path}?{parts.query}")
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.text))
    assert hidden == {"county": A, "station": station["id"], "deputy": "dep-zhang"}  # no reception going on now
    assert "张三" in form.text and 'value="台城街道"' in form.text  # the town is pre-filled
    sent = reg.client.post(
        "/intake/submit",
        data={**hidden, "town": "台城街道", "category": "roads", "text": "幸福路路灯坏了", "phone": PHONE},
    )
    assert sent.status_code == 200 and "/intake/track/" in str(sent.url)
    reg.catch_up()
    (doc,) = reg.call("GET", f"/counties/{A}/demands")["items"]
    assert (doc["channel"], doc["deputy_id"], doc["station_id"], doc["reception_id"]) == (
        "qr_code",
        "dep-zhang",
        station["id"],
        None,
    )
    inbox = reg.call("GET", f"/counties/{A}/inbox", "deputy", subject="dep-zhang")
    assert [d["id"] for d in inbox["items"]] == [doc["id"]]  # 代表线上接单: it reached the deputy

    # a station's code names no county: the station says which, and who receives it
    (station_url,) = decode_qr(reg.client.get(f"/intake/api/stations/{station['id']}/qr.png").content)
    assert urlsplit(station_url).query == f"station={station['id']}"
    # a code scanned without a source is refused through the API
    bare = {"county": A, "channel": "qr_code", "town": "台城街道", "category": "roads", "text": "无来源"}
    assert reg.call("POST", "/intake/api/demands", None, json=bare, expect=422)["reason"] == "source_required"
    other = {**bare, "deputy_id": "dep-zhang", "county": B}
    assert reg.call("POST", "/intake/api/demands", None, json=other, expect=409)["reason"] == "unknown_source"


def test_codes_print_the_public_origin(tmp_path: Path) -> None:
    configured = Registry(tmp_path / "a", public_origin="https://rd.taishan.example")
    configured.deputy("dep-zhang", "张三")
    assert decode_qr(configured.client.get(f"/intake/api/counties/{A}/deputies/dep-zhang/qr.png").content) == [
        "https://rd.taishan.example/intake/submit?county=440781&deputy=dep-zhang"
    ]
    proxied = Registry(tmp_path / "b")
    proxied.deputy("dep-zhang", "张三")
    through_gateway = proxied.client.get(
        f"/intake/api/counties/{A}/deputies/dep-zhang/qr.png",
        headers={"x-forwarded-host": "shishi.example:8000", "x-forwarded-proto": "https"},
    )
    assert decode_qr(through_gateway.content) == [
        "https://shishi.example:8000/intake/submit?county=440781&deputy=dep-zhang"
    ]


def test_posters_embed_every_font_one_by_one_and_in_batch(reg: Registry, tmp_path: Path) -> None:
    reg.deputy("dep-zhang", "张三")
    reg.deputy("dep-li", "李四", town="大江镇")
    reg.deputy("dep-wu", "吴六", town="大江镇")
    taicheng = reg.station("台城街道人大代表联络站", "台城街道", ["dep-zhang"])
    reg.station("大江镇夜间联络站", "大江镇", ["dep-li"])
    staff = reg.auth("congress_staff")
    one = reg.client.get(f"/intake/api/counties/{A}/deputies/dep-zhang/poster.pdf", headers=staff)
    assert one.status_code == 200 and one.headers["content-type"] == "application/pdf"
    assert page_count(one.content, tmp_path) == 1
    county = reg.client.get(f"/intake/api/counties/{A}/posters.pdf", headers=staff)
    assert page_count(county.content, tmp_path) == 5  # 2 stations, their 2 deputies, 1 deputy in no station
    town = reg.client.get(f"/intake/api/counties/{A}/posters.pdf", params={"town": "大江镇"}, headers=staff)
    assert page_count(town.content, tmp_path) == 3
    station = reg.client.get(f"/intake/api/stations/{taicheng['id']}/poster.pdf", headers=staff)
    for pdf in (one.content, county.content, town.content, station.content):
        rows = font_rows(pdf, tmp_path)
        assert rows and all(row["emb"] == "yes" for row in rows), rows
    assert reg.client.get(f"/intake/api/counties/{A}/posters.pdf").status_code == 401  # printing is for staff
    assert (
        reg.client.get(
            f"/intake/api/counties/{A}/posters.pdf", headers=reg.auth("congress_staff", county=B)
        ).status_code
        == 403
    )


def test_a_reception_records_who_was_there_and_what_became_of_its_demands(reg: Registry) -> None:
    reg.deputy("dep-zhang", "张三")
    reg.deputy("dep-li", "李四")
    station = reg.station("台城街道人大代表联络站", "台城街道", ["dep-zhang"])
    bad = {"kind": "night_station", "starts_at": "2026-03-10T21:00:00+08:00", "ends_at": "2026-03-10T19:00:00+08:00"}
    assert reg.call("POST", f"/stations/{station['id']}/receptions", json=bad, expect=409)["reason"] == "invalid_time"
    tonight = reg.reception(
        station["id"], "2026-03-10T19:00:00+08:00", "2026-03-10T21:00:00+08:00", ["dep-zhang"], "night_station"
    )
    early = reg.call("POST", f"/receptions/{tonight['id']}/attendance", json={"present": ["dep-zhang"]}, expect=409)
    assert early["reason"] == "not_started"
    reg.at(datetime(2026, 3, 10, 11, 30, tzinfo=UTC))  # 19:30 in China: the night station is open
    form = reg.client.get(f"/intake/submit?station={station['id']}")
    assert f'name="reception" value="{tonight["id"]}"' in form.text and 'id="addressee-reception"' in form.text
    reg.client.post(
        "/intake/submit",
        data={
            "county": A,
            "station": station["id"],
            "reception": tonight["id"],
            "town": "台城街道",
            "category": "elderly",
            "text": "希望加装电梯",
        },
    )
    staff_entry = {
        "county": A,
        "channel": "liaison_station",
        "town": "台城街道",
        "category": "roads",
        "text": "路口需要红绿灯",
        "reception_id": tonight["id"],
        "deputy_id": "dep-li",
    }
    entered = reg.call("POST", "/intake/api/demands", json=staff_entry, expect=201)
    reg.call(
        "POST", f"/demands/{entered['id']}/triage", json={"kind": "individual", "scope": "household", "estimate": 0}
    )
    reg.call("POST", f"/demands/{entered['id']}/close", json={"text": "已安装"})
    held = reg.call("POST", f"/receptions/{tonight['id']}/attendance", json={"present": ["dep-zhang", "dep-li"]})
    assert held["status"] == "held" and held["present"] == ["dep-zhang", "dep-li"]
    assert (
        reg.call("POST", f"/receptions/{tonight['id']}/cancel", json={"reason": "改期"}, expect=409)["reason"]
        == "reception_held"
    )

    outcome = reg.call("GET", f"/receptions/{tonight['id']}", None)
    assert sorted((d["category"], d["status"], d["channel"]) for d in outcome["demands"]) == [
        ("elderly", "received", "qr_code"),
        ("roads", "closed", "liaison_station"),
    ]
    assert "希望加装电梯" not in str(outcome)  # the public follows outcomes, not residents' words
    queue = {d["text"]: d for d in reg.call("GET", f"/counties/{A}/demands")["items"]}
    assert queue["路口需要红绿灯"]["station_id"] == station["id"]  # the reception's station, filled in
    page = reg.client.get(f"/intake/receptions/{tonight['id']}")
    assert page.status_code == 200 and "李四" in page.text and "希望加装电梯" not in page.text
    reg.login("congress_staff")
    assert "希望加装电梯" in reg.client.get(f"/intake/receptions/{tonight['id']}").text  # staff see the words

    later = reg.reception(station["id"], "2026-03-17T19:00:00+08:00", "2026-03-17T21:00:00+08:00", ["dep-zhang"])
    reg.call("POST", f"/receptions/{later['id']}/cancel", json={"reason": "台风预警"})
    cancelled = {**staff_entry, "reception_id": later["id"], "text": "已取消的接待"}
    assert reg.call("POST", "/intake/api/demands", json=cancelled, expect=409)["reason"] == "reception_not_open"


def test_the_overview_flags_towns_with_no_station_or_no_recent_reception(reg: Registry) -> None:
    reg.deputy("dep-zhang", "张三")
    reg.deputy("dep-li", "李四", town="大江镇")
    taicheng = reg.station("台城街道人大代表联络站", "台城街道", ["dep-zhang"])
    dajiang = reg.station("大江镇人大代表联络站", "大江镇", ["dep-li"])
    reg.at(datetime(2025, 10, 15, 1, tzinfo=UTC))
    old = reg.reception(dajiang["id"], "2025-10-15T09:00:00+08:00", "2025-10-15T11:00:00+08:00", ["dep-li"])
    reg.call("POST", f"/receptions/{old['id']}/attendance", json={"present": ["dep-li"]})
    reg.at(datetime(2026, 3, 1, 1, tzinfo=UTC))
    recent = reg.reception(taicheng["id"], "2026-03-01T09:00:00+08:00", "2026-03-01T11:00:00+08:00", ["dep-zhang"])
    reg.call("POST", f"/receptions/{recent['id']}/attendance", json={"present": ["dep-zhang"]})
    reg.call(
        "POST",
        "/intake/api/demands",
        None,
        json={
            "county": A,
            "channel": "qr_code",
            "station_id": taicheng["id"],
            "town": "台城街道",
            "category": "water",
            "text": "水压低",
        },
        expect=201,
    )
    reg.at(T0)
    o = reg.call("GET", f"/counties/{A}/liaison-overview")
    towns = {t["town"]: t for t in o["towns"]}
    assert towns["台城街道"]["flags"] == [] and towns["台城街道"]["demands"] == 1
    assert towns["大江镇"]["flags"] == ["no_recent_reception"]  # its last reception was in October
    assert towns["水步镇"]["flags"] == ["no_station", "no_recent_reception"]
    assert o["summary"] == {
        "towns": 17,
        "towns_without_station": 15,
        "towns_without_recent_reception": 16,
        "stations": 2,
        "deputies": 2,
        "demands_via_stations": 1,
    }
    stations = {s["name"]: s for s in o["stations"]}
    assert stations["台城街道人大代表联络站"]["deputies"] == [{"deputy_id": "dep-zhang", "name": "张三"}]
    assert stations["台城街道人大代表联络站"]["demands"] == 1
    deputies = {d["deputy_id"]: d for d in o["deputies"]}
    assert deputies["dep-zhang"]["demands"] == 1 and deputies["dep-zhang"]["receptions_attended"] == 1
    reg.login("congress_staff")
    page = reg.client.get(f"/intake/liaison?county={A}")
    assert page.status_code == 200 and page.text.count('data-flag="no_station"') == 15
    assert reg.call("GET", f"/counties/{A}/liaison-overview", "congress_staff", county=B, expect=403)


def test_intakes_part_of_the_record_tells_outcomes_not_words(reg: Registry) -> None:
    reg.deputy("dep-zhang", "张三")
    station = reg.station("台城街道人大代表联络站", "台城街道", ["dep-zhang"])
    first = reg.call(
        "POST",
        "/intake/api/demands",
        None,
        json={
            "county": A,
            "channel": "qr_code",
            "deputy_id": "dep-zhang",
            "town": "台城街道",
            "category": "roads",
            "text": "村口道路坑洼",
            "phone": PHONE,
        },
        expect=201,
    )
    reg.at(datetime(2026, 3, 10, 4, tzinfo=UTC))
    second = reg.call(
        "POST",
        "/intake/api/demands",
        None,
        json={
            "county": A,
            "channel": "qr_code",
            "station_id": station["id"],
            "town": "台城街道",
            "category": "housing",
            "text": "小区外墙脱落",
        },
        expect=201,
    )
    reg.call(
        "POST",
        f"/demands/{first['id']}/deputy-action",
        "deputy",
        subject="dep-zhang",
        json={"action": "accept", "note": "我来跟进"},
    )
    reg.call(
        "POST",
        f"/demands/{second['id']}/deputy-action",
        "deputy",
        subject="dep-zhang",
        json={"action": "suggest", "title": "小区外墙整治"},
    )
    record = reg.call("GET", f"/counties/{A}/deputies/dep-zhang/duty", None, params={"year": 2026})
    assert record["demands"]["total"] == 2
    assert [(d["category"], d["via"], [a["action"] for a in d["actions"]]) for d in record["demands"]["items"]] == [
        ("roads", "code", ["accept"]),
        ("housing", "inbox", []),
    ]
    assert [s["title"] for s in record["suggestions"]] == ["小区外墙整治"]
    text = str(record)
    for private in ("村口道路坑洼", "小区外墙脱落", PHONE, first["tracking_code"], second["tracking_code"]):
        assert private not in text
    assert reg.call("GET", f"/counties/{A}/deputies/nobody/duty", None, expect=404)["reason"] == "not_found"


def test_demands_stored_before_they_named_a_source_still_load_and_fold(tmp_path: Path) -> None:
    staging = IntakeApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, vault=ContactVault(sqlite_path=tmp_path / "k1.sqlite")
    )
    meta = Meta(A, "resident", "web", datetime(2025, 4, 1, 9, tzinfo=UTC))
    demand = staging.submit(meta, NewDemand(channel="web", town="台城街道", category="roads", text="幸福路路灯不亮"))

    def as_stored_before(stored: StoredEvent) -> StoredEvent:
        state = from_json(stored.state)
        for field in ("station_id", "deputy_id", "reception_id"):
            state.pop(field, None)
        return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, to_json(state))

    old = [as_stored_before(n) for n in staging.recorder.select_notifications(0, 100)]
    assert not any(b"station_id" in n.state for n in old)
    app = IntakeApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, vault=ContactVault(sqlite_path=tmp_path / "k2.sqlite")
    )
    app.recorder.insert_events(old)
    loaded = app.demand(demand.id, A)
    assert (loaded.station_id, loaded.deputy_id, loaded.reception_id, loaded.text) == (None, "", None, "幸福路路灯不亮")
    views = ViewStore(sqlite_path=tmp_path / "views.sqlite")
    views.apply(
        "intake",
        1,
        lambda tx: [project(tx, app.mapper.to_domain_event(n)) for n in app.recorder.select_notifications(0, 100)],
    )
    doc = views.get(DEMAND, str(demand.id))
    assert doc is not None and (doc["station_id"], doc["deputy_id"], doc["reception_id"]) == (None, "", None)
    staging.close()
    app.close()
