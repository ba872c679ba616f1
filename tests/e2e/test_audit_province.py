"""A province / city viewer sees every county with data in their scope side by side, by name —
demands, town coverage with the gaps, projects, completion and satisfaction — through the one
origin, while a county's own staff sees only its own county (the product as `shishi up` runs it).
The counties come from the data and the county registry, not from a list of demo counties."""

from __future__ import annotations

import random
import time

import httpx

from services.tools.demo.context import DemoClient, DemoContext
from services.tools.demo.counties import towns_of
from services.tools.demo.decision import vote_year


def test_counties_side_by_side_with_coverage_gaps(running_product) -> None:
    origin = running_product.origin
    towns = towns_of("440704")
    town = towns[0]
    demo = DemoContext(
        client=DemoClient(origin, running_product.data_dir, "440704"),
        county="440704",
        profile={},
        nats_url=running_product.nats_url,
        data_dir=running_product.data_dir,
        rng=random.Random(7),
    )
    with httpx.Client(base_url=origin, timeout=30) as client:
        ids = []
        for n in range(3):
            r = client.post(
                "/intake/api/demands",
                json={"county": "440704", "town": town, "category": "roads", "text": f"外海街道路灯不亮 {n}"},
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        for county, town_name in (("440785", "恩城街道"), ("441900", "莞城街道")):  # 恩平市; 东莞市 (no counties)
            r = client.post(
                "/intake/api/demands",
                json={"county": county, "town": town_name, "category": "roads", "text": "路面坑洼"},
            )
            assert r.status_code == 201, r.text
        # the county registers its towns; one town holds its own vote (residents' representatives with deputies)
        demo.client.call(
            "PUT",
            "/evaluation/api/counties/440704/rules",
            "congress_staff",
            json={"changes": {"towns": towns}, "reason": "登记乡镇街道"},
        )
        demo.client.wait_for(
            lambda: demo.client.call("GET", "/decision/api/counties/440704/pool", "congress_staff")["total"] >= 3,
            "the pool",
        )
        vote_year(demo, 2026, ids, 3, 2, close=True, level="town", town=town)
        viewer = {"authorization": f"Bearer {running_product.token('province_viewer', '4407*')}"}
        deadline = time.monotonic() + 30
        while True:
            rows = {
                row["county"]: row
                for row in client.get("/province/api/counties", params={"year": 2026}, headers=viewer).json()[
                    "counties"
                ]
            }
            if ("440704" in rows and rows["440704"]["towns_covered"]) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        # Jiangmen's counties with data (other tests of the same product may add more of them); 东莞 is outside 4407*
        assert {"440704", "440785"} <= set(rows) and all(code.startswith("4407") for code in rows)
        assert rows["440785"]["name"] == "恩平市" and rows["440785"]["demands"] >= 1  # the walk uses 恩平市 too
        province = {"authorization": f"Bearer {running_product.token('province_viewer', '44*')}"}
        wide = client.get("/province/api/counties", params={"year": 2026}, headers=province).json()["counties"]
        assert {row["county"]: row["name"] for row in wide}["441900"] == "东莞市"
        jianghai = rows["440704"]
        assert jianghai["name"] == "江海区" and jianghai["demands"] >= 3
        assert jianghai["towns_covered"] == 1 and jianghai["towns"] == len(towns)
        assert jianghai["coverage_gaps"] == sorted(towns[1:])  # the towns that held no vote: the gap to close
        assert all(row["available"]["intake"] and row["available"]["evaluation"] for row in rows.values())

        staff = {"authorization": f"Bearer {running_product.token('congress_staff', '440704')}"}
        own = client.get("/province/api/counties", headers=staff).json()["counties"]
        assert [row["county"] for row in own] == ["440704"]
        resident = {"authorization": f"Bearer {running_product.token('resident', '440704')}"}
        assert client.get("/province/api/counties", headers=resident).status_code == 403

        page = client.get("/province", headers=viewer)
        assert page.status_code == 200 and "江海区" in page.text and "恩平市" in page.text
