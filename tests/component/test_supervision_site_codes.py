"""A code for every adopted project's site: a real decoder reads the project's public page from it;
the page links the residents' rating once the project is accepted (evaluation opens the rating on
supervision.project-completed); site posters, one or a town's in batch, embed every font."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from shared.contracts import decision as d
from tests.fixtures.pdf import decode_qr, font_rows, page_count, text_of
from tests.fixtures.service import InProcessService

COUNTY = "440781"


def adopt(s: InProcessService, name: str, town: str = "") -> str:
    project_id = uuid4()
    s.deliver(
        d.ProjectAdopted(
            project_id=project_id,
            candidate_id=uuid4(),
            year=2026,
            tier="micro" if town else "major",
            name=name,
            content="内容",
            implementing_body="县住建局",
            investment=Decimal("880000"),
            deadline=date(2026, 12, 31),
            demand_ids=[uuid4()],
            town=town,
        ),
        at=datetime(2026, 1, 20, 9, tzinfo=UTC),
    )
    return str(project_id)


def test_a_site_code_opens_the_project_page_which_links_the_rating_once_open(tmp_path: Path) -> None:
    s = InProcessService("supervision", tmp_path, now=datetime(2026, 2, 1, 9, tzinfo=UTC))
    pid = adopt(s, "台城老旧小区改造")
    (url,) = decode_qr(s.client.get(f"/supervision/api/projects/{pid}/qr.png").content)
    assert url == f"http://testserver/supervision/projects/{pid}"
    page = s.client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200 and "台城老旧小区改造" in page.text and 'id="site-code"' in page.text
    assert 'id="rate-link"' not in page.text  # no rating before completion
    done = {"completed_on": "2026-01-30", "spent": "850000", "reason": "工程已完工，月度进度未及填报"}
    s.call("POST", f"/projects/{pid}/completion", "gov_unit", json=done)
    assert 'id="rate-link"' not in s.client.get(f"/supervision/projects/{pid}").text  # reported, not yet accepted
    s.call("POST", f"/projects/{pid}/acceptance", "congress_staff", json={"verdict": "accepted"})
    accepted = s.client.get(f"/supervision/projects/{pid}").text
    assert f'id="rate-link" href="/evaluation/projects/{pid}/rate"' in accepted


def test_site_posters_one_by_one_and_by_town_embed_every_font(tmp_path: Path) -> None:
    s = InProcessService("supervision", tmp_path, now=datetime(2026, 2, 1, 9, tzinfo=UTC))
    major = adopt(s, "全县学校食堂改造")
    adopt(s, "大江镇村道修缮", town="大江镇")
    adopt(s, "水步镇排水改造", town="水步镇")
    staff = s.auth("congress_staff")
    one = s.client.get(f"/supervision/api/projects/{major}/poster.pdf", headers=staff)
    assert one.status_code == 200 and page_count(one.content, tmp_path) == 1
    assert "全县学校食堂改造" in text_of(one.content, tmp_path)
    every = s.client.get(f"/supervision/api/counties/{COUNTY}/site-posters.pdf", headers=staff)
    assert page_count(every.content, tmp_path) == 3
    town = s.client.get(
        f"/supervision/api/counties/{COUNTY}/site-posters.pdf", params={"town": "大江镇"}, headers=staff
    )
    assert page_count(town.content, tmp_path) == 1 and "大江镇村道修缮" in text_of(town.content, tmp_path)
    for pdf in (one.content, every.content, town.content):
        rows = font_rows(pdf, tmp_path)
        assert rows and all(row["emb"] == "yes" for row in rows), rows
    other = s.auth("congress_staff", county="440703")
    assert s.client.get(f"/supervision/api/counties/{COUNTY}/site-posters.pdf", headers=other).status_code == 403
