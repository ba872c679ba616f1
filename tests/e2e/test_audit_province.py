"""A province / city viewer sees every county of 江门市 side by side — demands, town coverage
with the gaps, projects, completion and satisfaction — through the one origin, while a county's
own staff sees only its own county (the product as `shishi up` runs it)."""

from __future__ import annotations

import httpx

from shared.demo.counties import COUNTIES, towns_of


def test_counties_side_by_side_with_coverage_gaps(running_product) -> None:  # type: ignore[no-untyped-def]
    origin = running_product.origin
    town = towns_of("440704")[0]
    with httpx.Client(base_url=origin, timeout=30) as client:
        for n in range(2):
            r = client.post("/intake/api/demands", json={"county": "440704", "town": town, "category": "roads",
                                                         "text": f"外海街道路灯不亮 {n}"})
            assert r.status_code == 201, r.text
        viewer = {"authorization": f"Bearer {running_product.token('province_viewer', '4407*')}"}
        body = client.get("/province/api/counties", headers=viewer).json()
        rows = {row["county"]: row for row in body["counties"]}
        assert set(rows) == set(COUNTIES)  # all seven county-level areas of Jiangmen
        jianghai = rows["440704"]
        assert jianghai["name"] == "江海区" and jianghai["demands"] >= 2
        assert jianghai["towns_covered"] >= 1 and town not in jianghai["coverage_gaps"]
        assert jianghai["towns_covered"] + len(jianghai["coverage_gaps"]) == jianghai["towns"] == len(towns_of("440704"))
        assert all(row["available"]["intake"] and row["available"]["evaluation"] for row in rows.values())

        staff = {"authorization": f"Bearer {running_product.token('congress_staff', '440704')}"}
        own = client.get("/province/api/counties", headers=staff).json()["counties"]
        assert [row["county"] for row in own] == ["440704"]
        resident = {"authorization": f"Bearer {running_product.token('resident', '440704')}"}
        assert client.get("/province/api/counties", headers=resident).status_code == 403

        page = client.get("/province", headers=viewer)
        assert page.status_code == 200 and "江海区" in page.text and "恩平市" in page.text
