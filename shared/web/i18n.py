"""The UI's two languages: zh-CN first, English as the toggle.

The shared catalogue is ``MESSAGES[lang][key]``: keys are English snake_case, texts use the terms of
``shared/DOMAIN.md``. Each service adds its own keys with :func:`register_messages` when its app is
created; they are kept under the service's name too (``SCOPED[service]``), so a service's pages find
their own text first even when another service in the same process (the tests, a county's site in one
process) registered the same key with another text. A missing text falls back to the shared catalogue,
then English, then the key itself.
"""

from __future__ import annotations

import sys

from starlette.requests import HTTPConnection

SUPPORTED = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "site_name": "实事",
        "site_tagline": "民生实事项目人大代表票决制",
        "nav_home": "首页",
        "nav_intake": "民意征集",
        "nav_decision": "票决",
        "nav_supervision": "实施监督",
        "nav_evaluation": "评议",
        "login": "登录",
        "dev_login": "开发登录",
        "logout": "退出",
        "signed_in_as": "当前身份",
        "language": "语言",
        "lang_zh": "中文",
        "lang_en": "English",
        "switch_language": "English",
        "submit": "提交",
        "save": "保存",
        "cancel": "取消",
        "confirm": "确认",
        "confirm_action": "确定要执行此操作吗？",
        "status": "状态",
        "county": "县（市、区）",
        "counties": "所辖县（市、区）",
        "counties_hint": "6 位行政区划代码，多个用逗号分隔，如 440781；4407* 表示全市",
        "town": "乡镇（街道）",
        "category": "类别",
        "created": "创建时间",
        "updated": "更新时间",
        "search": "搜索",
        "back": "返回",
        "yes": "是",
        "no": "否",
        "error": "错误",
        "name": "姓名",
        "role": "角色",
        "details": "详情",
        "actions": "操作",
        "none": "暂无",
        "required": "必填",
        "previous_page": "上一页",
        "next_page": "下一页",
        "page_of": "第 {page} / {pages} 页",
        "role_resident": "群众",
        "role_deputy": "人大代表",
        "role_gov_unit": "政府 / 责任单位",
        "role_congress_staff": "人大常委会工作人员",
        "role_auditor": "审计 / 纪检监察",
        "role_province_viewer": "省 / 市人大",
        "role_admin": "管理员",
        "role_anonymous": "访客",
        "login_title": "开发登录",
        "login_intro": "仅限本地模式：选择角色和所辖县（市、区），签发一个测试令牌。",
        "login_invalid_role": "未知角色",
        "login_invalid_counties": "行政区划代码格式不正确",
        "home_title": "民生实事，群众点单、代表定单、政府领单、人大验单",
        "home_intro_1": "实事是民生实事项目人大代表票决制的工作平台："
        "群众提出诉求，人大代表票决候选项目，政府组织实施，人大全程监督。",
        "home_intro_2": "每一条诉求都有跟踪码，从征集、票决、实施到满意度测评，全程留痕、可查可核。",
        "home_integrators": "系统对接：",
        "home_contracts": "事件契约（AsyncAPI）",
        "home_open311": "Open311 接口（发现文档）",
        "loop_title": "一年一循环",
        "loop_plan": "年初问计划",
        "loop_plan_text": "征集诉求与代表建议，筛选候选项目，大会票决。",
        "loop_progress": "年中问进度",
        "loop_progress_text": "实施方案、监督小组、月跟踪季汇报、预警督办。",
        "loop_result": "年终问结果",
        "loop_result_text": "人大代表满意度测评，不满意项目限期整改。",
        "loop_lookback": "翌年回头看",
        "loop_lookback_text": "回访使用情况与群众满意度，反馈下一年征集。",
        "submit_demand": "提交诉求",
        "track": "查询进度",
        "tracking_code": "跟踪码",
        "tracking_code_hint": "提交诉求后获得的跟踪码",
        "demand": "诉求",
        "livelihood_project": "民生实事",
        "vote": "票决",
        "candidate_project": "候选项目",
        "deputy": "人大代表",
        "supervision": "监督",
        "satisfaction_rating": "满意度测评",
        "rectification": "整改",
        "micro_project": "微实事",
        "micro_wish": "微心愿",
        "status_submitted": "已提交",
        "status_accepted": "已受理",
        "status_replied": "已答复",
        "status_routed": "已分流",
        "status_merged": "已合并",
        "status_escalated": "已升级",
        "status_candidate": "候选",
        "status_adopted": "已通过",
        "status_rejected": "未通过",
        "status_in_progress": "实施中",
        "status_delayed": "滞后",
        "status_overdue": "逾期",
        "status_warning": "预警",
        "status_rectifying": "整改中",
        "status_completed": "已完成",
        "status_closed": "已办结",
        "status_satisfied": "满意",
        "status_basically_satisfied": "基本满意",
        "status_unsatisfied": "不满意",
        "footer_text": "实事 · 民生实事项目人大代表票决制 · 年初问计划、年中问进度、年终问结果、翌年回头看",
        "demo_loading": "演示数据仍在载入，页面内容尚不完整，请稍后刷新",
        "demo_progress": "（已完成 {done}/{total} 步）",
    },
    "en": {
        "site_name": "Shishi",
        "site_tagline": "People's livelihood projects decided by deputies' vote",
        "nav_home": "Home",
        "nav_intake": "Intake",
        "nav_decision": "Decision",
        "nav_supervision": "Supervision",
        "nav_evaluation": "Evaluation",
        "login": "Log in",
        "dev_login": "Dev login",
        "logout": "Log out",
        "signed_in_as": "Signed in as",
        "language": "Language",
        "lang_zh": "中文",
        "lang_en": "English",
        "switch_language": "中文",
        "submit": "Submit",
        "save": "Save",
        "cancel": "Cancel",
        "confirm": "Confirm",
        "confirm_action": "Are you sure?",
        "status": "Status",
        "county": "County",
        "counties": "Counties",
        "counties_hint": "6-digit division codes, comma-separated, e.g. 440781; 4407* for a whole city",
        "town": "Town / street",
        "category": "Category",
        "created": "Created",
        "updated": "Updated",
        "search": "Search",
        "back": "Back",
        "yes": "Yes",
        "no": "No",
        "error": "Error",
        "name": "Name",
        "role": "Role",
        "details": "Details",
        "actions": "Actions",
        "none": "None yet",
        "required": "required",
        "previous_page": "Previous",
        "next_page": "Next",
        "page_of": "Page {page} of {pages}",
        "role_resident": "Resident",
        "role_deputy": "Deputy",
        "role_gov_unit": "Government unit",
        "role_congress_staff": "Congress staff",
        "role_auditor": "Auditor",
        "role_province_viewer": "Province / city viewer",
        "role_admin": "Administrator",
        "role_anonymous": "Visitor",
        "login_title": "Dev login",
        "login_intro": "Local mode only: pick a role and counties to get a test token.",
        "login_invalid_role": "Unknown role",
        "login_invalid_counties": "Invalid division code",
        "home_title": "Residents order, deputies decide, government delivers, congress checks",
        "home_intro_1": "Shishi runs people's livelihood projects decided by deputies' vote: residents raise demands, "
        "deputies vote on candidate projects, the government carries them out "
        "and the congress supervises every step.",
        "home_intro_2": "Every demand gets a tracking code, and everything from collection and voting "
        "to implementation and satisfaction rating is recorded and can be checked.",
        "home_integrators": "For integrators:",
        "home_contracts": "event contracts (AsyncAPI)",
        "home_open311": "Open311 (discovery)",
        "loop_title": "The yearly loop",
        "loop_plan": "Plan at the start of the year",
        "loop_plan_text": "Collect demands and suggestions, screen candidates, vote at the session.",
        "loop_progress": "Progress at mid-year",
        "loop_progress_text": "Implementation plans, supervision groups, monthly tracking, early warnings.",
        "loop_result": "Results at year end",
        "loop_result_text": "Deputies rate satisfaction; unsatisfactory projects are rectified.",
        "loop_lookback": "Look back next year",
        "loop_lookback_text": "Return visits on use and satisfaction feed the next year's collection.",
        "submit_demand": "Submit a demand",
        "track": "Track",
        "tracking_code": "Tracking code",
        "tracking_code_hint": "The code you received when you submitted",
        "demand": "Demand",
        "livelihood_project": "Livelihood project",
        "vote": "Vote",
        "candidate_project": "Candidate project",
        "deputy": "Deputy",
        "supervision": "Supervision",
        "satisfaction_rating": "Satisfaction rating",
        "rectification": "Rectification",
        "micro_project": "Micro project",
        "micro_wish": "Micro-wish",
        "status_submitted": "Submitted",
        "status_accepted": "Accepted",
        "status_replied": "Replied",
        "status_routed": "Routed",
        "status_merged": "Merged",
        "status_escalated": "Escalated",
        "status_candidate": "Candidate",
        "status_adopted": "Adopted",
        "status_rejected": "Rejected",
        "status_in_progress": "In progress",
        "status_delayed": "Delayed",
        "status_overdue": "Overdue",
        "status_warning": "Warning",
        "status_rectifying": "Rectifying",
        "status_completed": "Completed",
        "status_closed": "Closed",
        "status_satisfied": "Satisfied",
        "status_basically_satisfied": "Basically satisfied",
        "status_unsatisfied": "Unsatisfied",
        "footer_text": "Shishi · livelihood projects decided by deputies' vote",
        "demo_loading": "The demo is still loading: pages are not complete yet, refresh in a while",
        "demo_progress": " ({done} of {total} steps done)",
    },
}


def normalise(value: str | None) -> str | None:
    """``zh-CN`` / ``EN`` / ``en_US`` -> a supported code, or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in SUPPORTED else None


def language(request: HTTPConnection) -> str:
    """The request's language: cookie ``lang``, else ``?lang=``, else Chinese."""
    return normalise(request.cookies.get(COOKIE)) or normalise(request.query_params.get(COOKIE)) or DEFAULT


class _KeepMissing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(lang: str, key: str, scope: str | None = None, /, **kwargs: object) -> str:
    """The text for ``key`` in ``lang``: the service's own (``scope``; by default the caller's service),
    else the shared one; English, then the key itself, when missing."""
    if scope is None:
        scope = scope_of(sys._getframe(1).f_globals.get("__name__", ""))  # noqa: SLF001 - the caller's service
    own = SCOPED.get(scope, {}) if scope else {}
    text = own.get(lang, {}).get(key) or MESSAGES.get(lang, {}).get(key)
    if text is None:
        text = own.get("en", {}).get(key) or MESSAGES["en"].get(key, key)
    if kwargs:
        text = text.format_map(_KeepMissing(kwargs))
    return text


def register_messages(messages: dict[str, dict[str, str]]) -> None:
    """Add a service's texts, shaped like :data:`MESSAGES`: ``{"zh": {key: text}, "en": {...}}``.

    Re-registering a key replaces its text (so an app factory may run more than once).
    """
    unknown = set(messages) - set(SUPPORTED)
    if unknown:
        raise ValueError(f"unsupported languages {sorted(unknown)}: catalogue must be {{lang: {{key: text}}}}")
    registrant = sys._getframe(1).f_globals.get("__name__", "?")  # noqa: SLF001 - who registers
    scope = scope_of(registrant)
    for lang, texts in messages.items():
        MESSAGES[lang].update(texts)
        if scope:
            SCOPED.setdefault(scope, {}).setdefault(lang, {}).update(texts)
        for key, text in texts.items():
            REGISTERED.setdefault((lang, key), {})[registrant] = text


def scope_of(module: str) -> str:
    """``services.intake.http.pages`` -> ``intake``; a shared module has no scope (``""``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "services" else ""


# A service's own texts: {service: {lang: {key: text}}}.
SCOPED: dict[str, dict[str, dict[str, str]]] = {}


# Who registered each text (module -> text), beside the catalogue itself: one service process holds the
# shared texts and its own, so a service re-using a shared key with another meaning changes a shared page
# (tests/component/test_i18n_catalogues.py keeps them apart).
REGISTERED: dict[tuple[str, str], dict[str, str]] = {
    (lang, key): {__name__: text} for lang, texts in MESSAGES.items() for key, text in texts.items()
}
