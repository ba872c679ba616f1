"""Demo stage: responsible units report progress; most micro projects complete and pass acceptance."""

from __future__ import annotations

from shared.demo.context import DemoContext


def run(ctx: DemoContext) -> None:
    c = ctx.client
    ctx.state["accepted"] = []
    for n, project_id in enumerate(ctx.state.get("micro_projects", [])):
        c.wait_for(lambda pid=project_id: c.status("GET", f"/supervision/api/projects/{pid}", "congress_staff") == 200,
                   "the project file")
        c.call("POST", f"/supervision/api/projects/{project_id}/progress", "gov_unit",
               json={"progress_pct": 50, "spent": "30000", "note": "已完成一半工程量"})
        if n == len(ctx.state["micro_projects"]) - 1 and n > 0:
            continue  # the last one is still under way
        c.call("POST", f"/supervision/api/projects/{project_id}/completion", "gov_unit",
               json={"completed_on": "2025-10-20", "spent": "58000", "note": "完工"})
        c.call("POST", f"/supervision/api/projects/{project_id}/acceptance", "deputy", json={"verdict": "accepted"})
        ctx.state["accepted"].append(project_id)
