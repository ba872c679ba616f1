"""Demo stage: deputies propose micro projects from the pool; the presidium approves them."""

from __future__ import annotations

from shared.demo.context import DemoContext


def run(ctx: DemoContext) -> None:
    c, county = ctx.client, ctx.county
    pool = c.wait_for(lambda: (p := c.call("GET", f"/decision/api/counties/{county}/pool", "congress_staff"))
                      ["total"] >= ctx.state.get("submitted", 0) and p, "the decision pool")
    by_town: dict[str, list[str]] = {}
    for item in pool["items"]:
        by_town.setdefault(item["town"], []).append(item["id"])
    ctx.state["micro_projects"] = []
    for town, ids in sorted(by_town.items(), key=lambda kv: (-len(kv[1]), kv[0]))[: ctx.profile["micro"]]:
        micro = c.call("POST", f"/decision/api/counties/{county}/micro-projects", "deputy", json={
            "year": 2025, "town": town, "name": f"{town}民生微实事：道路与排水修缮", "content": "修补路面、疏通排水",
            "implementing_body": f"{town}人民政府", "investment": str(60000 + ctx.rng.randrange(30000)),
            "deadline": "2025-10-31", "demand_ids": ids[:5]})
        c.call("POST", f"/decision/api/micro-projects/{micro['id']}/approve", "congress_staff",
               json={"reason": "街道主席团审议通过"})
        ctx.state["micro_projects"].append(micro["project_id"])
