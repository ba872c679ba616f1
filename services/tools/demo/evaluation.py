"""Demo stage: the 2025 projects rated at the 2026 session, through evaluation's own API.

The county rates micro projects too (a rule revision with its reason); 20 deputies check in and
cast secret ballots; the round is closed, confirmed by the presidium and distributed. 不满意
projects go into rectification: the first files its report, is rated again, is still 不满意 and
the committee records a special inquiry; any other stays open and the deadline sweep warns.
Residents rate projects by their demands' tracking codes, micro projects get return visits,
every project a usage measure, and the look-back finds one problem.

The session's work is entered with its business dates (``DemoClient.at``): the round on the day the
session met (20 January 2026), confirmation and distribution in the following days, the
rectification report, re-rating and next step in April 2026, return visits, usage and look-backs on
the days they were made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from services.tools.demo.ballots import ballot_key, cast, take
from services.tools.demo.context import DemoClient, DemoContext
from shared.kernel.china_time import china_today

SESSION_YEAR, RATED_YEAR = 2026, 2025
CLOSES_ON = date(SESSION_YEAR, 1, 20)
DEPUTIES = 20
# Of every five projects: the 1st is rated 不满意, the 3rd 基本满意, the others 满意.
TARGETS = ("unsatisfied", "satisfied", "basically_satisfied", "satisfied", "satisfied")


def on_tracking_page(c: DemoClient, code: str, project_id: str) -> Callable[[], bool]:
    """Whether the resident's tracking page (code) shows the project yet."""

    def shown() -> bool:
        return any(e.get("ref") == project_id for e in c.call("GET", f"/intake/api/track/{code}")["timeline"])

    return shown


def run(ctx: DemoContext) -> None:
    c, county = ctx.client, ctx.county
    from services.tools.demo.counties import towns_of

    c.call(
        "PUT",
        f"/evaluation/api/counties/{county}/rules",
        "congress_staff",
        json={"changes": {"towns": towns_of(county)}, "reason": "登记本县乡镇（街道），用于统计票决覆盖率"},
    )
    accepted = [str(p) for p in ctx.state.get("accepted", [])]
    if not accepted:
        return
    c.wait_for(
        lambda: all(c.status("GET", f"/evaluation/api/projects/{pid}/rating") == 200 for pid in accepted),
        "the ratings of accepted projects",
    )
    with c.at(date(SESSION_YEAR, 1, 5)):
        c.call(
            "PUT",
            f"/evaluation/api/counties/{county}/rules",
            "congress_staff",
            json={"changes": {"rate_micro_projects": True}, "reason": "微实事项目一并纳入人代会满意度测评"},
        )
    ratings = c.call("GET", f"/evaluation/api/counties/{county}/ratings", params={"year": RATED_YEAR})["items"]
    if not any(r["status"] == "open" for r in ratings):
        return
    meets = datetime(CLOSES_ON.year, CLOSES_ON.month, CLOSES_ON.day, 9)
    with c.at(meets):
        rnd = c.call(
            "POST",
            f"/evaluation/api/counties/{county}/rounds",
            "congress_staff",
            json={"session_year": SESSION_YEAR, "rated_year": RATED_YEAR, "session_closes_on": CLOSES_ON.isoformat()},
        )
        projects = rnd["projects"]
        targets = {p["project_id"]: TARGETS[n % len(TARGETS)] for n, p in enumerate(projects)}
        vote = f"/evaluation/api/rounds/{rnd['id']}"
        held = []
        key = ballot_key(c, vote)  # the round's key: the same for every deputy's device
        for d in range(DEPUTIES):
            login = c.token_for("deputy", f"demo-deputy-{county}-{d:02d}", f"代表{d + 1:02d}")
            c.call("POST", f"{vote}/check-in", token=login)
            held.append(take(c, vote, login, key))
    with c.at(meets.replace(hour=10)):
        c.call("POST", f"{vote}/start", "congress_staff")
    box = ballot_key(c, vote)["box_id"]  # the box the start opened
    for d, mine in enumerate(held):
        cast(c, vote, mine, {pid: mark(target, d) for pid, target in targets.items()}, box)
    with c.at(meets.replace(hour=11)):
        c.call("POST", f"/evaluation/api/rounds/{rnd['id']}/close", "congress_staff")
    with c.at(date(SESSION_YEAR, 1, 22)):
        c.call("POST", f"/evaluation/api/rounds/{rnd['id']}/confirm", "congress_staff")
    with c.at(date(SESSION_YEAR, 1, 25)):
        c.call("POST", f"/evaluation/api/rounds/{rnd['id']}/distribute", "congress_staff", json={})
    rectify(ctx, [pid for pid, target in targets.items() if target == "unsatisfied"])
    residents_voice(ctx, projects)


def mark(target: str, deputy: int) -> str:
    """Deputy ``deputy``'s mark for a project meant to end ``target`` (of 20: 12 unsatisfied > 1/2;
    16 satisfied > 2/3; 10 satisfied and 10 basic is 基本满意)."""
    if target == "unsatisfied":
        return "unsatisfied" if deputy < 12 else "basically_satisfied"
    if target == "satisfied":
        return "satisfied" if deputy < 16 else "basically_satisfied"
    return "satisfied" if deputy < 10 else "basically_satisfied"


def rectify(ctx: DemoContext, unsatisfied: list[str]) -> None:
    c, county = ctx.client, ctx.county
    c.wait_for(
        lambda: (
            c.call("GET", f"/evaluation/api/counties/{county}/rectifications", "congress_staff")["total"]
            >= len(unsatisfied)
        ),
        "the rectification orders",
    )
    if not unsatisfied:
        return
    first = unsatisfied[0]
    with c.at(date(SESSION_YEAR, 4, 10)):
        c.call(
            "POST",
            f"/evaluation/api/projects/{first}/rectification/report",
            "gov_unit",
            json={"text": "已组织施工单位返工，完成路面重铺和排水口改造，并建立日常巡查机制。"},
        )
    with c.at(date(SESSION_YEAR, 4, 15)):
        c.call(
            "POST",
            f"/evaluation/api/projects/{first}/rectification/re-rating",
            "congress_staff",
            json={"satisfied": 4, "basically_satisfied": 5, "unsatisfied": 12},
        )
    with c.at(date(SESSION_YEAR, 4, 20)):
        c.call(
            "POST",
            f"/evaluation/api/projects/{first}/rectification/next-step",
            "congress_staff",
            json={"step": "special_inquiry", "note": "常委会会议对该项目整改情况开展专题询问"},
        )
    c.call(
        "POST",
        f"/evaluation/api/counties/{county}/sweep",
        "congress_staff",
        params={"now": f"{SESSION_YEAR}-04-21T09:00:00+08:00"},
    )


def residents_voice(ctx: DemoContext, projects: list[dict]) -> None:
    c, rng = ctx.client, ctx.rng
    problem_found = False
    for p in projects:
        pid = p["project_id"]
        doc = c.call("GET", f"/evaluation/api/projects/{pid}")
        for demand_id in doc["demand_ids"][:3]:
            demand = c.call("GET", f"/intake/api/demands/{demand_id}", "congress_staff")
            code = demand["tracking_code"]
            c.wait_for(on_tracking_page(c, code, pid), "the project on the resident's tracking page", timeout=30)
            level = "satisfied" if rng.random() < 0.8 else "basically_satisfied"
            c.call(
                "POST", f"/evaluation/api/projects/{pid}/resident-ratings", json={"tracking_code": code, "level": level}
            )
        if p["tier"] == "micro":
            for k in range(2):
                with c.at(date(2025, 12, 15)):
                    c.call(
                        "POST",
                        f"/evaluation/api/projects/{pid}/return-visits",
                        "deputy",
                        json={
                            "visited_on": "2025-12-15",
                            "respondent": f"受益群众{k + 1}",
                            "level": "satisfied" if k == 0 else "basically_satisfied",
                            "note": "回访：设施运行正常",
                        },
                    )
        with c.at(date(2026, 6, 30)):
            c.call(
                "POST",
                f"/evaluation/api/projects/{pid}/usage",
                "gov_unit",
                json={
                    "measured_on": "2026-06-30",
                    "usage_rate": f"0.{rng.randrange(60, 96)}",
                    "basis": "半年内实际使用人次 / 设计服务能力",
                },
            )
        due = doc.get("lookback_due")
        if due and date.fromisoformat(due) <= china_today():
            problem = "" if problem_found else "雨季后排水口再次堵塞，部分路面出现坑洼"
            problem_found = True
            with c.at(date.fromisoformat(due)):
                c.call(
                    "POST",
                    f"/evaluation/api/projects/{pid}/lookbacks",
                    "deputy",
                    json={
                        "checked_on": due,
                        "in_use": True,
                        "held_up": not problem,
                        "residents_satisfied": not problem,
                        "problem": problem,
                    },
                )
