"""Demo stage: the year of each adopted project, through supervision's own API.

Projects are read back from supervision's board of the county (whatever decision adopted: major
projects and micro projects). Projects of years before the current one go the whole way: plan,
supervision group, monthly entries, an inspection whose finding is closed, completion and the
acceptance check (验收), which hands them to evaluation. Projects of the current year stop at mid-
year: plans (one filed late, one not at all), entries and reports, findings open, and the warning
sweep run for mid-year so the dashboard shows open and escalated warnings.

Every entry is made with its business date (``DemoClient.at``: the plan on the day it was filed,
each monthly entry early the next month, the inspection on its day ...), so the project's file as
of any day of its year shows what had happened by then. The day a session closed comes with the
project from decision (whose vote was entered on its own day).
"""

from __future__ import annotations

from datetime import date, timedelta

from services.tools.demo.context import DemoContext
from shared.kernel.china_time import china_today

CURRENT_YEAR = 2026
FALLBACK_MICRO = [
    ("社区长者饭堂微改造", "民政局：改造厨房与就餐区，增设适老化设施", "95000"),
    ("背街小巷路灯补装", "城管局：补装路灯与线路检修", "70000"),
    ("学校周边人行道修缮", "住建局：修补人行道与增设护栏", "88000"),
]
MID_YEAR = (7, 15)  # the demo's "now" for the current year's projects


def run(ctx: DemoContext) -> None:
    c = ctx.client
    ctx.state["accepted"] = []
    ensure_current_year_projects(ctx)
    items = settled_board(ctx)
    # the same accounts as the rating round's deputies (demo-deputy-<county>-00 …) and the registry's
    deputies = [{"id": f"demo-deputy-{ctx.county}-{i:02d}", "name": f"代表{'甲乙丙丁戊'[i]}"} for i in range(5)]
    project = {i["id"]: c.call("GET", f"/supervision/api/projects/{i['id']}", "congress_staff") for i in items}
    for n, item in enumerate(i for i in items if i["year"] < CURRENT_YEAR):
        complete_year(ctx, project[item["id"]], group_of(deputies, n))
    current = [project[i["id"]] for i in items if i["year"] >= CURRENT_YEAR]
    if not current:
        return
    late = current[0]
    missing = current[-1] if len(current) >= 3 else None
    for n, p in enumerate(current):
        if p is not late and p is not missing:
            mid_year(ctx, p, group_of(deputies, n), late=False)
    # the sweep on the day the late plans are overdue by more than 45 days: warned, and escalated
    overdue = max(date.fromisoformat(p["session_closed_on"]) for p in (late, missing) if p) + timedelta(days=46)
    sweep(ctx, min(overdue, china_today()).isoformat())
    mid_year(ctx, late, group_of(deputies, 0), late=True)
    sweep(ctx, min(date(CURRENT_YEAR, *MID_YEAR), china_today()).isoformat())


def group_of(deputies: list[dict], n: int) -> list[dict]:
    return [deputies[(n + k) % len(deputies)] for k in range(3)]


def sweep(ctx: DemoContext, day: str) -> None:
    ctx.client.call(
        "POST",
        f"/supervision/api/counties/{ctx.county}/sweep",
        "congress_staff",
        params={"now": f"{day}T12:00:00+08:00"},
    )


def ensure_current_year_projects(ctx: DemoContext) -> None:
    """If decision adopted nothing for the current year, deputies propose a micro project for it."""
    c, county = ctx.client, ctx.county
    board = c.call("GET", f"/supervision/api/counties/{county}/projects", None, params={"year": CURRENT_YEAR})
    if board["total"]:
        return
    pool = c.every(f"/decision/api/counties/{county}/pool", "congress_staff")
    for k, (name, body, money) in enumerate(FALLBACK_MICRO):
        ids = [i["id"] for i in pool[len(pool) - 3 * (k + 1) : len(pool) - 3 * k]]
        if not ids:
            return
        with c.at(date(CURRENT_YEAR, 2, 20)):
            micro = c.call(
                "POST",
                f"/decision/api/counties/{county}/micro-projects",
                "deputy",
                json={
                    "year": CURRENT_YEAR,
                    "town": pool[-1 - 3 * k]["town"],
                    "name": name,
                    "content": body,
                    "implementing_body": body.split("：")[0],
                    "investment": money,
                    "deadline": f"{CURRENT_YEAR}-11-30",
                    "demand_ids": ids,
                },
            )
        with c.at(date(CURRENT_YEAR, 3, 1)):
            c.call(
                "POST",
                f"/decision/api/micro-projects/{micro['id']}/approve",
                "congress_staff",
                json={"reason": "主任会议审议通过"},
            )
        ctx.state.setdefault("micro_projects", []).append(micro["project_id"])


def settled_board(ctx: DemoContext) -> list[dict]:
    """The county's project files, once every project decision adopted has arrived: the county vote's,
    the town votes' and the micro projects (the decision stage kept their ids; supervision's file of a
    project has the project's id). Asked until the board holds them all, not until it stops changing."""
    c, county = ctx.client, ctx.county
    adopted = {str(p) for key in ("major_projects", "town_projects", "micro_projects") for p in ctx.state.get(key, [])}

    def board() -> tuple[list[dict]] | None:  # a tuple: an empty board that is complete is an answer too
        items: list[dict] = c.every(f"/supervision/api/counties/{county}/projects")
        return (items,) if adopted <= {str(i["id"]) for i in items} else None

    (items,) = c.wait_for(board, "the project files")
    return sorted(items, key=lambda d: (d["year"], d["tier"], d["name"]))


def plan_for(project: dict, filed_on: date) -> dict:
    total = int(float(project["investment"]))
    works, equipment = total * 7 // 10, total - total * 7 // 10
    deadline = date.fromisoformat(project["deadline"])
    start = filed_on + (deadline - filed_on) / 3
    unit = project["implementing_body"]
    return {
        "filed_on": filed_on.isoformat(),
        "budget_lines": [
            {"code": "GC", "name": "工程费", "amount": str(works)},
            {"code": "SB", "name": "设备购置", "amount": str(equipment)},
        ],
        "tasks": [
            {
                "id": "t1",
                "name": "主体工程",
                "unit": unit,
                "person": "项目负责人 陈工",
                "due": deadline.isoformat(),
                "budget_line": "GC",
                "budget": str(works),
            },
            {
                "id": "t2",
                "name": "设备采购安装",
                "unit": unit,
                "person": "采购负责人 林工",
                "due": deadline.isoformat(),
                "budget_line": "SB",
                "budget": str(equipment),
            },
        ],
        "milestones": [
            {"id": "m1", "name": "开工", "due": start.isoformat(), "target_pct": 30},
            {"id": "m2", "name": "完工", "due": deadline.isoformat(), "target_pct": 100},
        ],
    }


def months(first: date, last: date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def reported_on(period: str) -> date:
    """A month's entry is made on the 3rd of the next month."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year + month // 12, month % 12 + 1, 3)


def prepare(ctx: DemoContext, project: dict, group: list[dict], filed_on: date) -> dict:
    c, pid = ctx.client, project["id"]
    with c.at(filed_on):
        plan = c.call("POST", f"/supervision/api/projects/{pid}/plan", "gov_unit", json=plan_for(project, filed_on))
        c.call(
            "POST",
            f"/supervision/api/projects/{pid}/group",
            "congress_staff",
            json={"deputies": group, "residents": [{"id": f"resident-rep-{pid[:8]}", "name": "群众监督员 黄女士"}]},
        )
    return plan


def entry(ctx: DemoContext, pid: str, period: str, pct: int, plan: dict, note: str, problems: str = "") -> None:
    lines = plan["plan"]["budget_lines"]
    spent = {b["code"]: str(int(float(b["amount"]) * pct / 100 * 0.9)) for b in lines}
    with ctx.client.at(min(reported_on(period), china_today())):
        ctx.client.call(
            "POST",
            f"/supervision/api/projects/{pid}/progress",
            "gov_unit",
            json={
                "period": period,
                "task_progress": {"t1": pct, "t2": max(0, pct - 10)},
                "spent_by_line": spent,
                "work_done": note,
                "problems": problems,
                "note": note,
            },
        )


def inspect(ctx: DemoContext, project: dict, inspector: dict, day: date, text: str) -> tuple[str, str]:
    """An inspection on ``day`` with one finding, assigned to the project's unit the next day."""
    c = ctx.client
    token = c.token_for("deputy", inspector["id"], inspector["name"])
    with c.at(day):
        r = c.call(
            "POST",
            f"/supervision/api/projects/{project['id']}/inspections",
            token=token,
            json={
                "inspected_on": day.isoformat(),
                "location": project["name"][:20],
                "notes": "现场视察",
                "findings": [
                    {
                        "text": text,
                        "severity": "medium",
                        "location": "施工现场",
                        "photos": [{"name": "现场照片1.jpg", "size_bytes": 356000}],
                    }
                ],
            },
        )
    fid = r["finding_ids"][0]
    with c.at(min(day + timedelta(days=1), china_today())):
        c.call(
            "POST",
            f"/supervision/api/projects/{project['id']}/findings/{fid}/assign",
            "congress_staff",
            json={"unit": project["implementing_body"]},
        )
    return fid, token


def complete_year(ctx: DemoContext, project: dict, group: list[dict]) -> None:
    c, pid = ctx.client, project["id"]
    session = date.fromisoformat(project["session_closed_on"])
    filed_on = min(china_today(), session + timedelta(days=20))
    plan = prepare(ctx, project, group, filed_on)
    deadline = date.fromisoformat(project["deadline"])
    done_on = min(china_today(), max(filed_on, deadline - timedelta(days=10)))
    periods = months(filed_on, done_on)[:3]
    for k, period in enumerate(periods):
        entry(ctx, pid, period, 30 * (k + 1), plan, "按计划推进")
    fid, token = inspect(ctx, project, group[0], filed_on, "施工现场安全围挡不完整")
    finding = f"/supervision/api/projects/{pid}/findings/{fid}"
    with c.at(min(filed_on + timedelta(days=6), china_today())):
        c.call("POST", f"{finding}/answer", "gov_unit", json={"answer": "已补齐围挡"})
    with c.at(min(filed_on + timedelta(days=8), china_today())):
        c.call("POST", f"{finding}/review", token=token, json={"accepted": True})
    spent = str(int(float(project["investment"]) * 0.96))
    with c.at(done_on):
        c.call(
            "POST",
            f"/supervision/api/projects/{pid}/completion",
            "gov_unit",
            # the last entries lag the work (90% reported): below 100% the completion report says why
            json={
                "completed_on": done_on.isoformat(),
                "spent": spent,
                "note": "完工",
                "reason": "收尾工程已完成，末月进度未填报",
            },
        )
    with c.at(min(done_on + timedelta(days=5), china_today())):
        c.call("POST", f"/supervision/api/projects/{pid}/acceptance", token=token, json={"verdict": "accepted"})
    ctx.state["accepted"].append(pid)


def mid_year(ctx: DemoContext, project: dict, group: list[dict], *, late: bool) -> None:
    """A current-year project up to mid-year: plan (on time, or 52 days after the session), group,
    monthly entries, the first quarter's report, an inspection whose finding is still open."""
    c, pid = ctx.client, project["id"]
    session = date.fromisoformat(project["session_closed_on"])
    filed_on = min(china_today(), session + timedelta(days=52 if late else 21))
    plan = prepare(ctx, project, group, filed_on)
    mid = max(min(date(project["year"], *MID_YEAR), china_today()), filed_on)
    periods = [p for p in months(filed_on, mid) if p < f"{mid.year:04d}-{mid.month:02d}"]
    for k, period in enumerate(periods[:-1] if late else periods):
        entry(ctx, pid, period, min(90, 12 * (k + 1)), plan, "按月推进", "雨季影响施工" if k == 2 else "")
    for quarter, months_of_quarter, text in (
        ("Q1", ("-01", "-02", "-03"), "一季度：完成招标与开工准备"),
        ("Q2", ("-04", "-05", "-06"), "二季度：主体工程推进"),
    ):
        if not (late and quarter == "Q2") and any(p.endswith(months_of_quarter) for p in periods):
            with c.at(min(reported_on(f"{project['year']}{months_of_quarter[-1]}"), china_today())):
                c.call(
                    "POST",
                    f"/supervision/api/projects/{pid}/reports",
                    "gov_unit",
                    json={"kind": "quarterly", "period": f"{project['year']}{quarter}", "text": text},
                )
    seen = min(filed_on + timedelta(days=30), china_today())
    fid, token = inspect(ctx, project, group[0], seen, "材料堆放占用消防通道")
    if not late:
        finding = f"/supervision/api/projects/{pid}/findings/{fid}"
        with c.at(min(seen + timedelta(days=5), china_today())):
            c.call("POST", f"{finding}/answer", "gov_unit", json={"answer": "已清理通道"})
        with c.at(min(seen + timedelta(days=7), china_today())):
            c.call(
                "POST", f"{finding}/review", token=token, json={"accepted": False, "reason": "通道仍有杂物，需彻底清理"}
            )
