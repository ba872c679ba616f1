"""Who may open which page, and so which links a page shows: the one table the navigation (and any
template that links to a page for some roles only) reads, so no link answers 401, 403 or a bounce
to the login.

``WORK`` lists each role's own pages (its menu, 我的工作); ``PUBLIC`` the pages everyone opens.
:func:`may_open` answers for any path of this table (by its longest matching prefix); a path the
table does not know is taken as public."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.auth import Principal, Role
from shared.web.i18n import register_messages

STAFF, GOV, DEPUTY = Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY
AUDITOR, PROVINCE = Role.AUDITOR, Role.PROVINCE_VIEWER
SIGNED_IN = frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE})


@dataclass(frozen=True)
class Link:
    key: str  # the i18n key of its label
    href: str
    roles: frozenset[Role] | None = None  # None: everyone


PUBLIC = (
    Link("nav_intake", "/intake/"),
    Link("nav_decision", "/decision/"),
    Link("nav_supervision", "/supervision/"),
    Link("nav_evaluation", "/evaluation/"),
)

WORK = (
    Link("menu_worklist", "/", frozenset({STAFF, GOV, DEPUTY, AUDITOR})),
    Link("menu_queue", "/intake/queue", frozenset({STAFF, GOV})),
    Link("menu_merge", "/intake/merge", frozenset({STAFF, GOV})),
    Link("menu_deadletters", "/intake/deadletters", frozenset({STAFF})),
    Link("menu_registry", "/intake/registry", frozenset({STAFF})),
    Link("menu_liaison", "/intake/liaison", frozenset({STAFF})),
    Link("menu_inbox", "/intake/inbox", frozenset({DEPUTY})),
    Link("menu_entry", "/intake/entry", frozenset({STAFF, GOV, DEPUTY})),
    Link("menu_candidates", "/decision/candidates", frozenset({STAFF, GOV})),
    Link("menu_sessions", "/decision/sessions", frozenset({STAFF})),
    Link("menu_micro", "/decision/micro", frozenset({STAFF, GOV, DEPUTY})),
    Link("menu_funds", "/decision/funds", frozenset({STAFF, GOV})),
    Link("menu_unit", "/supervision/unit", frozenset({GOV})),
    Link("menu_inspect", "/supervision/inspect", frozenset({DEPUTY})),
    Link("menu_sv_staff", "/supervision/staff", frozenset({STAFF})),
    Link("menu_dashboard", "/supervision/dashboard", frozenset({STAFF})),
    Link("menu_board", "/evaluation/board", frozenset({STAFF, GOV})),
    Link("menu_followup", "/evaluation/followup", frozenset({STAFF, GOV, DEPUTY})),
    Link("menu_rate", "/evaluation/rate", frozenset({DEPUTY})),
    Link("menu_audit", "/audit", frozenset({AUDITOR})),
    Link("menu_province", "/province", frozenset({PROVINCE, AUDITOR})),
)

register_messages(
    {
        "zh": {
            "menu_main": "主要栏目",
            "menu_my_work": "我的工作",
            "menu_worklist": "工作台",
            "menu_queue": "诉求分诊",
            "menu_merge": "合并诉求",
            "menu_deadletters": "异常工单",
            "menu_registry": "代表与联络站",
            "menu_liaison": "联络站概览",
            "menu_inbox": "代表收件箱",
            "menu_entry": "录入诉求",
            "menu_candidates": "候选项目",
            "menu_sessions": "票决会议",
            "menu_micro": "民生微实事",
            "menu_funds": "镇街资金",
            "menu_unit": "责任单位工作台",
            "menu_inspect": "视察监督",
            "menu_sv_staff": "监督工作台",
            "menu_dashboard": "监督看板",
            "menu_board": "评议工作台",
            "menu_followup": "回访与回头看",
            "menu_rate": "满意度测评",
            "menu_audit": "审计与回溯",
            "menu_province": "各县对比",
        },
        "en": {
            "menu_main": "Main sections",
            "menu_my_work": "My work",
            "menu_worklist": "Worklist",
            "menu_queue": "Triage queue",
            "menu_merge": "Merge demands",
            "menu_deadletters": "Dead letters",
            "menu_registry": "Deputies and stations",
            "menu_liaison": "Liaison overview",
            "menu_inbox": "Deputy inbox",
            "menu_entry": "Take down demands",
            "menu_candidates": "Candidates",
            "menu_sessions": "Vote sessions",
            "menu_micro": "Micro projects",
            "menu_funds": "Town funds",
            "menu_unit": "Responsible unit",
            "menu_inspect": "Inspections",
            "menu_sv_staff": "Supervision worklist",
            "menu_dashboard": "Supervision dashboard",
            "menu_board": "Evaluation board",
            "menu_followup": "Return visits and look-backs",
            "menu_rate": "Satisfaction rating",
            "menu_audit": "Audit and replay",
            "menu_province": "Counties side by side",
        },
    }
)

# Who may open a page at all (what its route checks), beyond the roles whose menu lists it.
OPENS: dict[str, frozenset[Role]] = {
    "/intake/queue": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/intake/entry": frozenset({STAFF, GOV, DEPUTY}),
    "/intake/merge": frozenset({STAFF, GOV}),
    "/intake/deadletters": frozenset({STAFF, GOV, AUDITOR}),
    "/intake/stranded": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/intake/registry": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/intake/liaison": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/intake/inbox": frozenset({DEPUTY}),
    "/intake/demands/": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/decision/candidates": SIGNED_IN,
    "/decision/sessions": SIGNED_IN,
    "/decision/api/sessions/": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/decision/micro": SIGNED_IN,
    "/decision/micro/new": frozenset({DEPUTY, STAFF}),
    "/decision/funds": SIGNED_IN,
    "/decision/lists/": frozenset({STAFF}),
    "/decision/candidates/": frozenset({STAFF, GOV}),  # a candidate to screen or revise
    "/decision/sessions/new": frozenset({STAFF}),
    "/supervision/unit": frozenset({GOV, STAFF}),
    "/supervision/inspect": frozenset({DEPUTY, STAFF}),
    "/supervision/staff": frozenset({STAFF}),
    "/supervision/dashboard": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/evaluation/board": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/evaluation/followup": SIGNED_IN,
    "/evaluation/rate": frozenset({DEPUTY}),  # the deputies' ballot: a resident rates on a project's own page
    "/audit": frozenset({AUDITOR, STAFF, PROVINCE}),
    "/province": frozenset({PROVINCE, AUDITOR, STAFF}),
    # pages and files under an object (a * stands for its id)
    "/decision/sessions/*/console": frozenset({STAFF}),
    "/decision/sessions/*/ballot": frozenset({DEPUTY}),
    "/decision/api/sessions/*/result-sheet.pdf": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/supervision/api/projects/*/poster.pdf": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/supervision/projects/*/plan": frozenset({GOV}),
    "/supervision/projects/*/progress": frozenset({GOV}),
    "/supervision/projects/*/completion": frozenset({GOV}),
    "/supervision/projects/*/group": frozenset({STAFF}),
    "/supervision/projects/*/acceptance": frozenset({DEPUTY, STAFF}),
}


def may_open(principal: Principal | None, href: str) -> bool:
    """Whether ``principal`` (None: a visitor) may open ``href``: the roles of the pattern of :data:`OPENS`
    it matches (``*``: one object's id), else of the longest prefix it starts with; a path the table
    does not know is public. An administrator may open all."""
    path = href.split("?", 1)[0].split("#", 1)[0]
    for pattern in (p for p in OPENS if "*" in p):
        if re.fullmatch("[^/]+".join(re.escape(part) for part in pattern.split("*")), path):
            return principal is not None and principal.has_any(OPENS[pattern])
    for prefix in sorted((p for p in OPENS if "*" not in p), key=len, reverse=True):
        if path == prefix or path.startswith(prefix if prefix.endswith("/") else prefix + "/"):
            return principal is not None and principal.has_any(OPENS[prefix])
    return True


def work_links(principal: Principal | None) -> list[Link]:
    """The role's own pages, in menu order (none for a visitor or a resident)."""
    if principal is None or not principal.roles:
        return []
    return [link for link in WORK if link.roles is not None and principal.has_any(link.roles)]


def public_links() -> list[Link]:
    return list(PUBLIC)
