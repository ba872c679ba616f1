"""Every service's county rules page, one component: ``GET /<service>/rules?county=C`` shows each rule
with its Chinese name, what it means, the value in force, its allowed range, its default and every
earlier version (who, when, why, what changed); congress staff change values with a reason on the same
page (``POST /<service>/rules``). Values are entered in form fields fitted to each rule's range — a
number, yes/no, a month and day, choices to tick, one name per line — never as JSON. A refusal is shown
in the page's language, the rules named by their names.

A service mounts it beside its JSON routes (``shared/web/rules_api.py``)::

    make_rules_pages(app, SERVICE, DEFAULTS, RANGES, RULE_TEXTS)

``RULE_TEXTS`` gives every rule of ``DEFAULTS`` a :class:`RuleText` (a missing one fails at start-up).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.auth import Principal, Role
from shared.kernel.meta import RuleViolation
from shared.kernel.ranges import Between, Flag, MonthDay, Names, NamesByName, Range, RuleOutOfRange, out_of_range
from shared.persistence.application import ServiceApplication
from shared.web.access import principal_of
from shared.web.forms import FormDep
from shared.web.i18n import language, register_messages, translate
from shared.web.refusals import refusal_text
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

READERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
EDITORS = {Role.CONGRESS_STAFF}
Labels = Callable[[str], Mapping[str, str]]  # county -> {value: its name}, for values that are codes or ids


@dataclass(frozen=True)
class RuleText:
    """What a rule is called and what it does, in both languages. ``labels``: names of the values a list
    rule holds (categories, the county's towns, deputies by account), offered as choices to tick when the
    rule's range has no fixed choices of its own, and used to show and read values by name."""

    zh: str
    meaning_zh: str
    en: str
    meaning_en: str
    labels: Labels | None = None

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def meaning(self, lang: str) -> str:
        return self.meaning_zh if lang == "zh" else self.meaning_en


register_messages(
    {
        "zh": {
            "rules_title": "本县规则",
            "rules_intro": "以下规则由本县设定，每次修改都形成新版本并留痕；每项决定都记录作出时适用的规则版本。",
            "rules_in_force": "现行版本",
            "rule_current": "现行值",
            "rule_default": "默认值",
            "rule_range": "允许范围",
            "rule_new_value": "新值",
            "rule_stored_out_of_range": "存储的值超出允许范围，现按最接近的允许值执行",
            "rules_change": "修改规则",
            "rules_change_note": "只需改动要修改的项；没有改动的项保持不变。",
            "rules_reason": "修改理由（如常委会决定文号）",
            "rules_save": "保存为新版本",
            "rules_saved": "已保存为第 {version} 版",
            "rules_unchanged": "没有改动任何规则",
            "rules_reason_required": "请填写修改理由",
            "rules_history": "版本记录",
            "rules_history_defaults": "默认规则",
            "rules_changed": "改动",
            "rules_by": "修改人",
            "rules_when": "时间",
            "rules_why": "理由",
            "rules_read_only": "您可以查看规则；修改规则须由本县人大常委会工作人员进行。",
            "rules_denied": "无权查看该县的规则。",
            "rule_yes": "是",
            "rule_no": "否",
            "rule_none": "（无）",
            "rule_one_per_line": "每行一项",
            "rule_mapping_hint": "每行一个，写作“名称：项目、项目”",
            "rule_fraction_hint": "可写小数或分数，如 0.5 或 2/3",
            "rule_month_day_hint": "月-日，如 07-31",
            "range_between": "{low} 至 {high}{unit}",
            "range_between_open": "不小于 {low} 且小于 {high}{unit}",
            "range_whole": "（整数）",
            "range_flag": "是或否",
            "range_month_day": "一年中的某月某日",
            "range_choices": "从所列选项中选择",
            "range_names": "最多 {items} 项，每项不超过 {length} 个字",
            "range_mapping": "最多 {keys} 个名称，每个最多 {items} 项",
        },
        "en": {
            "rules_title": "County rules",
            "rules_intro": "The county sets these rules; every change makes a new version on record, and every "
            "decision records the version it was made under.",
            "rules_in_force": "Version in force",
            "rule_current": "In force",
            "rule_default": "Default",
            "rule_range": "Allowed",
            "rule_new_value": "New value",
            "rule_stored_out_of_range": "The stored value is outside the range; the nearest allowed value is used",
            "rules_change": "Change the rules",
            "rules_change_note": "Change only what should change; the rest stays as it is.",
            "rules_reason": "Reason (e.g. the standing committee's decision)",
            "rules_save": "Save as a new version",
            "rules_saved": "Saved as version {version}",
            "rules_unchanged": "No rule was changed",
            "rules_reason_required": "Please give a reason",
            "rules_history": "Versions",
            "rules_history_defaults": "Default rules",
            "rules_changed": "Changed",
            "rules_by": "By",
            "rules_when": "When",
            "rules_why": "Reason",
            "rules_read_only": "You may read the rules; the county's congress staff change them.",
            "rules_denied": "You may not see this county's rules.",
            "rule_yes": "Yes",
            "rule_no": "No",
            "rule_none": "(none)",
            "rule_one_per_line": "one per line",
            "rule_mapping_hint": "one per line, written 'name: item, item'",
            "rule_fraction_hint": "a decimal or a fraction, e.g. 0.5 or 2/3",
            "rule_month_day_hint": "month-day, e.g. 07-31",
            "range_between": "{low} to {high}{unit}",
            "range_between_open": "at least {low} and below {high}{unit}",
            "range_whole": " (whole number)",
            "range_flag": "yes or no",
            "range_month_day": "a day of the year",
            "range_choices": "from the choices listed",
            "range_names": "at most {items} items of at most {length} characters",
            "range_mapping": "at most {keys} names, each with at most {items} items",
        },
    }
)


# -- values as a person reads and writes them ------------------------------------------------------------
_SPLIT = re.compile(r"[、,，;；\s]+")


def _items(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text) if part]


class RuleForm:
    """One rule's form field: its kind of input, the value shown, and the value read back."""

    def __init__(self, rule: str, allowed: Range, default: Any, text: RuleText, county: str) -> None:
        self.rule, self.allowed, self.default, self.text = rule, allowed, default, text
        self.labels: Mapping[str, str] = text.labels(county) if text.labels else {}
        if isinstance(allowed, Flag):
            self.kind = "flag"
        elif isinstance(allowed, MonthDay):
            self.kind = "month_day"
        elif isinstance(allowed, Names):
            self.kind = "choices" if (allowed.choices or self.labels) else "lines"
        elif isinstance(allowed, NamesByName):
            self.kind = "mapping"
        elif isinstance(allowed, Between) and isinstance(default, str):
            self.kind = "fraction"
        else:
            self.kind = "number"

    def choices(self, value: Any) -> list[tuple[str, str]]:
        """(value, name) to tick: the range's own choices, else the labels given and whatever the rule
        holds now that they lack (so ticking never drops a value nobody saw)."""
        if isinstance(self.allowed, Names) and self.allowed.choices:
            return [(c, self.labels.get(c, c)) for c in self.allowed.choices]
        extra = [str(v) for v in (value if isinstance(value, list) else []) if str(v) not in self.labels]
        return sorted([*self.labels.items(), *((v, v) for v in extra)], key=lambda kv: kv[1])

    def same(self, entered: Any, current: Any) -> bool:
        """Ticked choices come in the page's order: the same set is no change."""
        if self.kind == "choices" and isinstance(entered, list) and isinstance(current, list):
            return sorted(entered) == sorted(str(v) for v in current)
        return bool(entered == current)

    def label(self, value: str) -> str:
        return self.labels.get(value, value)

    def shown(self, value: Any, lang: str, t: Callable[[str], str]) -> str:
        """The value as words: 是/否, names joined by 、, one line per name in a mapping."""
        if isinstance(value, bool):
            return t("rule_yes") if value else t("rule_no")
        sep = "、" if lang == "zh" else ", "
        if isinstance(value, list):
            return sep.join(self.label(str(v)) for v in value) or t("rule_none")
        if isinstance(value, dict):
            colon = "：" if lang == "zh" else ": "
            lines = [f"{k}{colon}{sep.join(self.label(str(v)) for v in vs)}" for k, vs in value.items()]
            return "\n".join(lines) or t("rule_none")
        if isinstance(self.allowed, Between) and isinstance(value, int | float):
            return f"{_number(value)}{self._unit(lang)}"
        return str(value)

    def _unit(self, lang: str) -> str:
        zh, en = self.allowed.unit if isinstance(self.allowed, Between) else ("", "")
        return f" {zh if lang == 'zh' else en}" if (zh or en) else ""

    def field_text(self, value: Any) -> str:
        """What the form field holds for ``value`` (textareas: one line per item)."""
        if isinstance(value, list):
            return "\n".join(self.label(str(v)) for v in value)
        if isinstance(value, dict):
            return "\n".join(f"{k}：{'、'.join(self.label(str(v)) for v in vs)}" for k, vs in value.items())
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def _by_name(self, item: str) -> str:
        """A value typed by its name (a deputy's name, a category's Chinese name) -> the value itself."""
        found = [value for value, name in self.labels.items() if name == item]
        return found[0] if len(found) == 1 else item

    def read(self, form: Any) -> Any:
        """The value the form gives, typed like the rule's default; text that does not parse is kept as
        text, so the range check names what is wrong."""
        key = f"rule:{self.rule}"
        if self.kind == "choices":
            return [str(v) for v in form.getlist(key)]
        raw = str(form.get(key) or "").strip()
        if self.kind == "flag":
            return {"true": True, "false": False}.get(raw, raw)
        if self.kind == "lines":
            return [self._by_name(line.strip()) for line in raw.splitlines() if line.strip()]
        if self.kind == "mapping":
            mapping: dict[str, list[str]] = {}
            for line in raw.splitlines():
                name, sep, rest = line.replace("：", ":").partition(":")
                if not line.strip():
                    continue
                if not sep or not name.strip():
                    return raw  # not "name: items": the range check refuses it
                mapping[name.strip()] = [self._by_name(item) for item in _items(rest)]
            return mapping
        if self.kind in ("fraction", "month_day"):
            return raw
        try:
            number = float(raw)
        except ValueError:
            return raw
        if isinstance(self.default, int) and number.is_integer():
            return int(number)
        return number if isinstance(self.default, float) or not number.is_integer() else int(number)

    def range_words(self, t: Callable[..., str], lang: str) -> str:
        allowed = self.allowed
        if isinstance(allowed, Between):
            unit = self._unit(lang)
            key = "range_between_open" if allowed.open_high else "range_between"
            words = t(key, low=_number(allowed.low), high=_number(allowed.high), unit=unit)
            return words + (t("range_whole") if allowed.whole and not unit else "")
        if isinstance(allowed, Flag):
            return t("range_flag")
        if isinstance(allowed, MonthDay):
            return t("range_month_day")
        if isinstance(allowed, Names):
            return (
                t("range_choices") if allowed.choices else t("range_names", items=allowed.items, length=allowed.length)
            )
        if isinstance(allowed, NamesByName):
            return t("range_mapping", keys=allowed.keys, items=allowed.items)
        return ""


def _number(value: int | float | str) -> str:
    """1000000000 -> 1,000,000,000; 0.1 and "2/3" as they are."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [rule for rule in after if before.get(rule) != after[rule]]


def name_rules(message: str, texts: Mapping[str, RuleText], lang: str) -> str:
    """A refusal with the rules it mentions by name: '规则 group_min 不得大于 group_max' ->
    '规则“监督小组代表最少人数”不得大于“监督小组代表最多人数”'."""
    for rule in sorted(texts, key=len, reverse=True):
        name = texts[rule].name(lang)
        if lang == "zh":
            message = re.sub(rf"\s*\b{re.escape(rule)}\b\s*", f"“{name}”", message)
        else:
            message = re.sub(rf"\b{re.escape(rule)}\b", f'"{name}"', message)
    return message


def make_rules_pages(
    app: ServiceApplication,
    service: str,
    defaults: dict[str, Any],
    ranges: Mapping[str, Range],
    texts: Mapping[str, RuleText],
) -> APIRouter:
    missing = set(defaults) - set(texts)
    if missing:
        raise ValueError(f"rules without a name and meaning: {sorted(missing)}")
    router = APIRouter(include_in_schema=False)
    templates = make_templates(static_base=f"/{service}/static")

    def who(entry: Mapping[str, Any], t: Callable[..., str]) -> str:
        """By name from the login, else the role's name (rule books before 2026-12 recorded neither)."""
        if entry.get("by_name"):
            return str(entry["by_name"])
        if entry.get("role"):
            return t(f"role_{entry['role']}")
        return t("rules_history_defaults") if entry.get("by") == "default" else "—"

    def page(request: Request, county: str, status_code: int = 200, **extra: Any) -> Response:
        lang = language(request)

        def t(key: str, **kwargs: Any) -> str:
            return translate(lang, key, service, **kwargs)

        principal = principal_of(request)
        version, values = app.current_rules(service, county, defaults)
        history = app.rule_history(service, county, defaults)
        forms = {rule: RuleForm(rule, ranges[rule], defaults[rule], texts[rule], county) for rule in defaults}
        stored = set(out_of_range(history[-1]["values"], ranges))
        rules = [
            {
                "key": rule,
                "name": texts[rule].name(lang),
                "meaning": texts[rule].meaning(lang),
                "form": forms[rule],
                "value": values[rule],
                "shown": forms[rule].shown(values[rule], lang, t),
                "default": forms[rule].shown(defaults[rule], lang, t),
                "range": forms[rule].range_words(t, lang),
                "field": forms[rule].field_text(extra.get("entered", {}).get(rule, values[rule])),
                "choices": forms[rule].choices(values[rule]) if forms[rule].kind == "choices" else [],
                "checked": {str(v) for v in extra.get("entered", {}).get(rule, values[rule]) or []}
                if forms[rule].kind == "choices"
                else set(),
                "out_of_range": rule in stored,
            }
            for rule in defaults
        ]
        versions = []
        for n, entry in enumerate(history):
            before = history[n - 1]["values"] if n else entry["values"]
            changed = changes_between(before, entry["values"]) if n else []
            versions.append(
                {
                    **entry,
                    "who": who(entry, t),
                    "why": t("rules_history_defaults") if entry.get("reason") in ("defaults", "") else entry["reason"],
                    "changes": [
                        {
                            "name": texts[rule].name(lang) if rule in texts else rule,
                            "before": forms[rule].shown(before.get(rule), lang, t) if rule in forms else "",
                            "after": forms[rule].shown(entry["values"][rule], lang, t) if rule in forms else "",
                        }
                        for rule in changed
                    ],
                }
            )
        context = {
            "county": county,
            "service": service,
            "version": version,
            "rules": rules,
            "versions": list(reversed(versions)),
            "can_edit": principal.has_any(EDITORS) and principal.covers(county),
            **extra,
        }
        return render(templates, request, "rules.html", context, status_code=status_code)

    def gate(request: Request, county: str) -> tuple[Principal, str, Response | None]:
        """(principal, county, refusal): sign in first; other roles and other counties are refused."""
        principal, county, allowed = viewer_county(request, county)
        if not principal.roles:
            return principal, county, RedirectResponse("/login", status_code=303)
        if not (allowed and principal.has_any(READERS)):
            context = {"county": county, "service": service, "denied": True}
            return principal, county, render(templates, request, "rules.html", context, status_code=403)
        return principal, county, None

    @router.get("/rules", response_class=HTMLResponse)
    def rules_page(request: Request, county: str = "", saved: int = 0) -> Response:
        _, county, refused = gate(request, county)
        if refused:
            return refused
        return page(request, county, saved=saved)

    @router.post("/rules", response_class=HTMLResponse)
    def revise(request: Request, form: FormDep) -> Response:
        principal, county, refused = gate(request, str(form.get("county") or ""))
        if refused:
            return refused
        lang = language(request)
        if not principal.has_any(EDITORS):
            return page(request, county, status_code=403, problem={"title": translate(lang, "rules_read_only")})
        _, current = app.current_rules(service, county, defaults)
        forms = {rule: RuleForm(rule, ranges[rule], defaults[rule], texts[rule], county) for rule in defaults}
        entered = {rule: forms[rule].read(form) for rule in defaults}
        changes = {rule: value for rule, value in entered.items() if not forms[rule].same(value, current[rule])}
        reason = str(form.get("reason") or "").strip()
        errors = [
            f"“{texts[rule].name(lang)}”{why[0]}" if lang == "zh" else f'"{texts[rule].name(lang)}" {why[1]}'
            for rule, value in changes.items()
            if (why := ranges[rule].problem(value)) is not None
        ]
        if not changes:
            errors.append(translate(lang, "rules_unchanged"))
        if changes and len(reason) < 2:
            errors.append(translate(lang, "rules_reason_required"))
        if errors:
            problem = {"title": errors[0], "errors": errors[1:]}
            return page(request, county, status_code=422, problem=problem, entered=entered, reason=reason)
        try:
            version, _ = app.revise_rules(
                service, meta_for(request, principal, county, reason=reason), changes, defaults
            )
        except RuleOutOfRange as exc:
            problem = {"title": name_rules(exc.messages[lang], texts, lang)}
            return page(request, county, status_code=409, problem=problem, entered=entered, reason=reason)
        except RuleViolation as exc:
            problem = {"title": name_rules(refusal_text(str(exc), lang), texts, lang)}
            return page(request, county, status_code=409, problem=problem, entered=entered, reason=reason)
        return RedirectResponse(f"/{service}/rules?county={county}&saved={version}", status_code=303)

    return router
