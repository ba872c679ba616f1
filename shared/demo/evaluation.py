"""Demo stage: tellers record the deputies' rating of accepted projects (one satisfied, one not)."""

from __future__ import annotations

from shared.demo.context import DemoContext

TALLIES = [(40, 5, 2), (10, 12, 25), (20, 20, 5)]


def run(ctx: DemoContext) -> None:
    c = ctx.client
    for n, project_id in enumerate(ctx.state.get("accepted", [])):
        c.wait_for(lambda pid=project_id: c.status("GET", f"/evaluation/api/projects/{pid}/rating") == 200,
                   "the rating")
        s, b, u = TALLIES[n % len(TALLIES)]
        c.call("POST", f"/evaluation/api/projects/{project_id}/tally", "congress_staff",
               json={"satisfied": s, "basically_satisfied": b, "unsatisfied": u})
