"""Loads the demo through the product's own API and hotline (never by writing rows).

Idempotent: a marker in the data directory records that the demo was loaded.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

import httpx

from shared.auth import issue_token
from shared.cli.hotline import TEXTS, simulate
from shared.config import Settings
from shared.demo.counties import COUNTIES

MARKER = "demo-loaded.json"
CHANNELS = ["web", "web", "web", "liaison_station", "deputy_suggestion", "department_list"]


class DemoClient:
    def __init__(self, origin: str, data_dir: Path, county: str) -> None:
        secret = Settings(data_dir=data_dir).resolved_jwt_secret()
        self.county = county
        self.http = httpx.Client(base_url=origin, timeout=30)
        self.tokens = {role: issue_token(secret, subject=f"demo-{role}-{county}", roles=[role], counties=[county],
                                         name=f"演示{role}") for role in ("congress_staff", "gov_unit", "deputy")}

    def call(self, method: str, path: str, role: str | None = None, **kwargs: object) -> dict:
        headers = {"authorization": f"Bearer {self.tokens[role]}"} if role else {}
        r = self.http.request(method, path, headers=headers, **kwargs)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def wait_for(self, predicate, what: str, timeout: float = 60.0):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}")


def load_county(origin: str, data_dir: Path, county: str, nats_url: str, *, demands: int, tickets: int,
                seed: int) -> dict:
    rng = random.Random(seed)
    towns = COUNTIES[county]["towns"]
    c = DemoClient(origin, data_dir, county)
    for n in range(demands):
        category, text = TEXTS[rng.randrange(len(TEXTS))]
        town = towns[rng.randrange(len(towns))]
        channel = CHANNELS[n % len(CHANNELS)]
        body = {"county": county, "channel": channel, "town": town, "category": category,
                "text": text.format(town=town), "name": f"居民{n:03d}", "phone": f"139{rng.randrange(10**8):08d}"}
        c.call("POST", "/intake/api/demands", None if channel == "web" else "deputy", json=body)
    asyncio.run(simulate(nats_url, county, towns, rate=0, count=tickets, duplicates=0.05, malformed=0.03, seed=seed))
    pool = c.wait_for(lambda: (p := c.call("GET", f"/decision/api/counties/{county}/pool", "congress_staff"))
                      ["total"] >= demands and p, "the decision pool")
    by_town: dict[str, list[str]] = {}
    for item in pool["items"]:
        by_town.setdefault(item["town"], []).append(item["id"])
    plans = sorted(by_town.items(), key=lambda kv: -len(kv[1]))[:3]
    outcomes = [("satisfied", (40, 5, 2)), ("unsatisfied", (10, 12, 25)), (None, None)]
    for (town, ids), (expected, tally) in zip(plans, outcomes, strict=False):
        micro = c.call("POST", f"/decision/api/counties/{county}/micro-projects", "deputy", json={
            "year": 2025, "town": town, "name": f"{town}民生微实事：道路与排水修缮", "content": "修补路面、疏通排水",
            "implementing_body": f"{town}人民政府", "investment": str(60000 + rng.randrange(30000)),
            "deadline": "2025-10-31", "demand_ids": ids[:5]})
        c.call("POST", f"/decision/api/micro-projects/{micro['id']}/approve", "congress_staff",
               json={"reason": "街道主席团审议通过"})
        project_id = micro["project_id"]
        c.wait_for(lambda: c.http.get(f"/supervision/api/projects/{project_id}",
                                      headers={"authorization": f"Bearer {c.tokens['congress_staff']}"})
                   .status_code == 200, "the project file")
        c.call("POST", f"/supervision/api/projects/{project_id}/progress", "gov_unit",
               json={"progress_pct": 50, "spent": "30000", "note": "已完成一半工程量"})
        if expected is None:
            continue
        c.call("POST", f"/supervision/api/projects/{project_id}/completion", "gov_unit",
               json={"completed_on": "2025-10-20", "spent": "58000", "note": "完工"})
        c.call("POST", f"/supervision/api/projects/{project_id}/acceptance", "deputy", json={"verdict": "accepted"})
        c.wait_for(lambda: c.http.get(f"/evaluation/api/projects/{project_id}/rating").status_code == 200,
                   "the rating")
        s, b, u = tally
        c.call("POST", f"/evaluation/api/projects/{project_id}/tally", "congress_staff",
               json={"satisfied": s, "basically_satisfied": b, "unsatisfied": u})
    return {"county": county, "demands": demands, "tickets": tickets}


def load_demo(origin: str, data_dir: Path) -> dict:
    marker = data_dir / MARKER
    if marker.exists():
        print("shishi: demo already loaded", flush=True)
        return json.loads(marker.read_text())
    nats_url = json.loads((data_dir / "run.json").read_text())["nats_url"]
    print("shishi: loading the demo (台山市 440781) through the API ...", flush=True)
    result = load_county(origin, data_dir, "440781", nats_url, demands=90, tickets=60, seed=440781)
    marker.write_text(json.dumps(result, ensure_ascii=False))
    print("shishi: demo loaded", flush=True)
    return result
