"""Who may open which page, and so which links a page shows: the one table the navigation (and any
template that links to a page for some roles only) reads, so no link answers 401, 403 or a bounce
to the login.

``WORK`` lists each role's own pages (its menu, 我的工作); ``PUBLIC`` the pages everyone opens.
:func:`may_open` answers for any path of this table (by its longest matching prefix); a path the
table does not know is taken as public."""

from __future__ import annotations

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
    Link("nav_worklist", "/", frozenset({STAFF, GOV, DEPUTY, AUDITOR})),
    Link("nav_queue", "/intake/queue", frozenset({STAFF, GOV})),
    Link("nav_merge", "/intake/merge", frozenset({STAFF, GOV})),
    Link("nav_deadletters", "/intake/deadletters", frozenset({STAFF})),
    Link("nav_registry", "/intake/registry", frozenset({STAFF})),
    Link("nav_liaison", "/intake/liaison", frozenset({STAFF})),
    Link("nav_inbox", "/intake/inbox", frozenset({DEPUTY})),
    Link("nav_candidates", "/decision/candidates", frozenset({STAFF, GOV})),
    Link("nav_sessions", "/decision/sessions", frozenset({STAFF})),
    Link("nav_unit", "/supervision/unit", frozenset({GOV})),
    Link("nav_inspect", "/supervision/inspect", frozenset({DEPUTY})),
    Link("nav_dashboard", "/supervision/dashboard", frozenset({STAFF})),
    Link("nav_board", "/evaluation/board", frozenset({STAFF, GOV})),
    Link("nav_rate", "/evaluation/rate", frozenset({DEPUTY})),
    Link("nav_audit", "/audit", frozenset({AUDITOR})),
    Link("nav_province", "/province", frozenset({PROVINCE, AUDITOR})),
)

register_messages(
    {
        "zh": {
            "nav_main": "主要栏目",
            "nav_my_work": "我的工作",
            "nav_worklist": "工作台",
            "nav_queue": "诉求分诊",
            "nav_merge": "合并诉求",
            "nav_deadletters": "异常工单",
            "nav_registry": "代表与联络站",
            "nav_liaison": "联络站概览",
            "nav_inbox": "代表收件箱",
            "nav_candidates": "候选项目",
            "nav_sessions": "票决会议",
            "nav_unit": "责任单位工作台",
            "nav_inspect": "视察监督",
            "nav_dashboard": "监督看板",
            "nav_board": "评议工作台",
            "nav_rate": "满意度测评",
            "nav_audit": "审计与回溯",
            "nav_province": "各县对比",
        },
        "en": {
            "nav_main": "Main sections",
            "nav_my_work": "My work",
            "nav_worklist": "Worklist",
            "nav_queue": "Triage queue",
            "nav_merge": "Merge demands",
            "nav_deadletters": "Dead letters",
            "nav_registry": "Deputies and stations",
            "nav_liaison": "Liaison overview",
            "nav_inbox": "Deputy inbox",
            "nav_candidates": "Candidates",
            "nav_sessions": "Vote sessions",
            "nav_unit": "Responsible unit",
            "nav_inspect": "Inspections",
            "nav_dashboard": "Supervision dashboard",
            "nav_board": "Evaluation board",
            "nav_rate": "Satisfaction rating",
            "nav_audit": "Audit and replay",
            "nav_province": "Counties side by side",
        },
    }
)

# Who may open a page at all (what its route checks), beyond the roles whose menu lists it.
OPENS: dict[str, frozenset[Role]] = {
    "/intake/queue": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
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
    "/supervision/unit": frozenset({GOV, STAFF}),
    "/supervision/inspect": frozenset({DEPUTY, STAFF}),
    "/supervision/dashboard": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/evaluation/board": frozenset({STAFF, GOV, DEPUTY, AUDITOR, PROVINCE}),
    "/evaluation/rate": frozenset({DEPUTY}),  # the deputies' ballot: a resident rates on a project's own page
    "/audit": frozenset({AUDITOR, STAFF, PROVINCE}),
    "/province": frozenset({PROVINCE, AUDITOR, STAFF}),
}


def may_open(principal: Principal | None, href: str) -> bool:
    """Whether ``principal`` (None: a visitor) may open ``href``: the roles of the longest prefix of
    :data:`OPENS` it starts with; a path the table does not know is public. An administrator may open all."""
    path = href.split("?", 1)[0].split("#", 1)[0]
    for prefix in sorted(OPENS, key=len, reverse=True):
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
