"""The demo records its 2025 year with 2025 business dates: loaded into the running product for one
county, a 2025 project's file as of a day of 2025 shows the year unfolding (not there before the
vote of 20 January, planned and under way on 30 June, accepted by the end of the year), while by
recorded time it did not exist in 2025 at all; export by year finds the demo's supervision events
of 2025 by business time, none by recorded time."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from services.tools.cli.main import main
from services.tools.demo.loader import load_county

COUNTY = "440784"  # 鹤山市: no other test writes to it


def test_the_demo_year_unfolds_by_business_time(running_product, tmp_path: Path) -> None:
    load_county(running_product.origin, running_product.data_dir, COUNTY, running_product.nats_url)
    auditor = {"authorization": f"Bearer {running_product.token('auditor', COUNTY)}"}
    with httpx.Client(base_url=running_product.origin, timeout=60, headers=auditor) as client:
        board = client.get(f"/supervision/api/counties/{COUNTY}/projects", params={"year": 2025}).json()["items"]
        major = next(p for p in board if p["tier"] == "major")
        assert major["session_closed_on"] == "2025-01-20" and major["status"] == "accepted"

        def as_of(day: str, basis: str = "business") -> httpx.Response:
            return client.get(f"/supervision/api/audit/aggregates/{major['id']}", params={"as_of": day, "basis": basis})

        assert as_of("2025-01-10").json()["reason"] == "not_yet_existing"
        june = as_of("2025-06-30").json()["state"]
        assert len(june["plans"]) == 1 and 0 < june["progress_pct"] < 100 and june["status"] == "open"
        assert as_of("2026-01-31").json()["state"]["status"] == "accepted"
        assert as_of("2025-06-30", basis="recorded").status_code == 404  # everything was typed in later
        history = client.get(f"/supervision/api/audit/aggregates/{major['id']}/history").json()["events"]
        entered = [e for e in history if e["entered_late"]]
        assert entered and all(e["occurred_at"][:4] == "2025" for e in entered)
        page = client.get(f"/supervision/audit/aggregates/{major['id']}", params={"as_of": "2025-06-30"})
        assert page.status_code == 200 and "补录" in page.text and "鹤山市" in page.text

    found = {}
    for basis in ("business", "recorded"):
        out = tmp_path / basis
        args = ["audit", "export", "--county", COUNTY, "--year", "2025", "--basis", basis, "--out", str(out)]
        assert main([*args, "--data-dir", str(running_product.data_dir)]) == 0
        found[basis] = json.loads((out / "manifest.json").read_text())["services"]["supervision"]["events"]
    assert found["business"] > 20 and found["recorded"] == 0
