"""Batch printing: every QR poster of a county, or of one town/street, in one PDF on the origin
(``/posters/<county>.pdf``) — the liaison stations, their deputies and the project sites, each
service describing its own posters — with every font embedded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from fastapi.testclient import TestClient

from services.gateway.http.poster_pages import make_poster_router
from shared.config import Settings
from shared.contracts import decision as d
from tests.fixtures.gateway import UPSTREAMS, Services, gateway
from tests.fixtures.pdf import decode_qr, font_rows, page_count, text_of
from tests.fixtures.service import InProcessService

COUNTY = "440781"
SECRET = "a test secret shared by the origin and its services, 40+ chars"


def test_every_poster_of_a_town_in_one_pdf(tmp_path: Path) -> None:
    now = datetime(2026, 3, 1, 2, tzinfo=UTC)
    intake = InProcessService("intake", tmp_path / "intake", now=now, settings={"jwt_secret": SECRET})
    for deputy_id, name, town in (
        ("dep-li", "李四", "大江镇"),
        ("dep-he", "何五", "大江镇"),
        ("dep-zhang", "张三", "台城街道"),
    ):
        body = {"deputy_id": deputy_id, "name": name, "level": "county", "town": town}
        intake.call("POST", f"/counties/{COUNTY}/deputies", json=body, expect=201)
    station = {"name": "大江镇人大代表联络站", "town": "大江镇", "address": "大江镇墟顶路3号", "hours": "每月15日上午"}
    intake.call("POST", f"/counties/{COUNTY}/stations", json={**station, "deputy_ids": ["dep-li"]}, expect=201)
    supervision = InProcessService("supervision", tmp_path / "supervision", now=now, settings={"jwt_secret": SECRET})
    for name, town in (("大江镇村道修缮", "大江镇"), ("台城学校食堂改造", "台城街道")):
        supervision.deliver(
            d.ProjectAdopted(
                project_id=uuid4(),
                candidate_id=uuid4(),
                year=2026,
                tier="micro",
                name=name,
                content="内容",
                implementing_body="镇政府",
                investment=Decimal("90000"),
                deadline=date(2026, 10, 31),
                demand_ids=[uuid4()],
                town=town,
            )
        )
    apps = {"intake": intake.api, "supervision": supervision.api}
    origin = gateway(Settings(jwt_secret=SECRET), make_poster_router(UPSTREAMS, transport=Services(apps)))
    staff = intake.auth("congress_staff")
    with TestClient(origin) as client:
        town = client.get(f"/posters/{COUNTY}.pdf", params={"town": "大江镇"}, headers=staff)
        assert town.status_code == 200, town.text
        assert page_count(town.content, tmp_path) == 4  # the station, its deputy, the other deputy, the site
        text = text_of(town.content, tmp_path)
        for shown in ("大江镇人大代表联络站", "李四", "何五", "大江镇村道修缮"):
            assert shown in text
        assert "张三" not in text and "台城学校食堂改造" not in text
        assert "http://testserver/intake/submit?" in text and "http://testserver/supervision/projects/" in text
        assert "http://services" not in text  # the codes open the origin, never a service's own address
        rows = font_rows(town.content, tmp_path)
        assert rows and all(row["emb"] == "yes" for row in rows), rows
        county = client.get(f"/posters/{COUNTY}.pdf", headers=staff)
        assert page_count(county.content, tmp_path) == 6
        assert client.get(f"/posters/{COUNTY}.pdf").status_code == 401
        assert (
            client.get(f"/posters/{COUNTY}.pdf", headers=intake.auth("congress_staff", county="440703")).status_code
            == 403
        )
    # what the services describe is what they print on their own: the same codes
    own = intake.client.get(
        f"/intake/api/counties/{COUNTY}/posters.json", params={"town": "大江镇"}, headers=staff
    ).json()
    assert [p["title"] for p in own["posters"]] == ["大江镇人大代表联络站", "李四 代表", "何五 代表"]
    assert decode_qr(intake.client.get(f"/intake/api/counties/{COUNTY}/deputies/dep-he/qr.png").content) == [
        own["posters"][2]["url"]
    ]
