"""Every service's county rules page (shared/web/rules_pages.py): each rule by its Chinese name with its
meaning, value, range and history; staff change a value with a reason in a form fitted to the rule (no
JSON), and refusals come back in Chinese with the rules named by name."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from shared.auth import issue_token
from tests.fixtures.pages import unlabelled_fields, visible_text
from tests.fixtures.service import COUNTY, InProcessService

# service -> (a rule, a value to set, its value as shown, an out-of-range value, its Chinese name)
CASES = {
    "decision": ("competitive_margin", "0.2", "0.2", "1.5", "差额比例下限"),
    "intake": ("stranded_days", "10", "10", "0", "诉求搁置天数"),
    "supervision": ("plan_due_days", "20", "20", "1000", "实施方案提交期限（天）"),
    "evaluation": ("satisfied_more_than", "3/4", "3/4", "1", "“满意”票比例"),
}


def defaults(svc: InProcessService) -> dict[str, Any]:
    return importlib.import_module(f"services.{svc.name}.domain.rules").DEFAULTS


def login(svc: InProcessService, role: str, name: str = "", lang: str = "zh") -> None:
    token = issue_token(
        svc.settings.resolved_jwt_secret(), subject=f"{role}-1", roles=[role], counties=[COUNTY], name=name
    )
    svc.client.cookies.set("shishi_token", token)
    svc.client.cookies.set("lang", lang)


def post(svc: InProcessService, form: dict) -> Any:
    return svc.client.post(f"/{svc.name}/rules", data=form, follow_redirects=False)


def form_of(svc: InProcessService, reason: str = "", **values: str | list[str]) -> dict:
    """The rules form as the page fills it (every rule's current value), with ``values`` changed."""
    _, current = svc.app.current_rules(svc.name, COUNTY, defaults(svc))
    data: dict = {"county": COUNTY, "reason": reason}
    for rule, value in current.items():
        if isinstance(value, bool):
            data[f"rule:{rule}"] = "true" if value else "false"
        elif isinstance(value, list):
            data[f"rule:{rule}"] = value
        elif isinstance(value, dict):
            data[f"rule:{rule}"] = "\n".join(f"{k}：{'、'.join(v)}" for k, v in value.items())
        else:
            data[f"rule:{rule}"] = str(value)
    data.update({f"rule:{k}": v for k, v in values.items()})
    return data


@pytest.fixture(params=sorted(CASES))
def svc(request: pytest.FixtureRequest, tmp_path: Path) -> InProcessService:
    return InProcessService(request.param, tmp_path)


def test_staff_read_and_change_a_rule_with_a_reason(svc: InProcessService) -> None:
    rule, value, shown, _, name = CASES[svc.name]
    rules = defaults(svc)
    login(svc, "congress_staff", name="王主任")
    page = svc.client.get(f"/{svc.name}/rules?county={COUNTY}")
    assert page.status_code == 200, page.text
    text = visible_text(page.text)
    assert "本县规则" in text and "台山市（440781）" in text and name in text and "v1" in text
    assert not [key for key in rules if key in text], "a rule's key on the Chinese page"
    assert not unlabelled_fields(page.text)
    assert page.text.count('class="card rule"') == len(rules)

    saved = post(svc, form_of(svc, "常委会第5次会议决定", **{rule: value}))
    assert saved.status_code == 303, saved.text
    after = svc.client.get(saved.headers["location"])
    text = visible_text(after.text)
    assert "已保存为第 2 版" in text and "v2" in text
    assert "王主任" in text and "常委会第5次会议决定" in text and f"{name}：" in text and f"→ {shown}" in text
    version, values = svc.app.current_rules(svc.name, COUNTY, rules)
    assert version == 2 and str(values[rule]) == shown
    assert [k for k in rules if values[k] != (values[rule] if k == rule else rules[k])] == []  # nothing else

    # the JSON API sees the same version, with who did it
    api = svc.call("GET", f"/counties/{COUNTY}/rules")
    assert api["version"] == 2 and api["history"][-1]["by_name"] == "王主任"


def test_refusals_are_in_chinese_with_the_rules_named(svc: InProcessService) -> None:
    rule, _, _, bad, name = CASES[svc.name]
    login(svc, "congress_staff", name="王主任")
    refused = post(svc, form_of(svc, "试一下", **{rule: bad}))
    assert refused.status_code == 422
    text = visible_text(refused.text)
    assert f"“{name}”须" in text and rule not in text
    assert svc.app.current_rules(svc.name, COUNTY, defaults(svc))[0] == 1
    # what was entered stays in the form
    assert f'value="{bad}"' in refused.text or f">{bad}<" in refused.text

    no_reason = post(svc, form_of(svc, "", **{rule: CASES[svc.name][1]}))
    assert no_reason.status_code == 422 and "请填写修改理由" in visible_text(no_reason.text)
    unchanged = post(svc, form_of(svc, "没有改"))
    assert unchanged.status_code == 422 and "没有改动任何规则" in visible_text(unchanged.text)


def test_readers_see_no_form_and_cannot_post(svc: InProcessService) -> None:
    rule, value, _, _, name = CASES[svc.name]
    login(svc, "auditor")
    page = svc.client.get(f"/{svc.name}/rules?county={COUNTY}")
    assert page.status_code == 200 and name in page.text and "rules-save" not in page.text
    assert "修改规则须由本县人大常委会工作人员进行" in visible_text(page.text)
    refused = post(svc, form_of(svc, "审计", **{rule: value}))
    assert refused.status_code == 403
    svc.client.cookies.clear()
    assert svc.client.get(f"/{svc.name}/rules", follow_redirects=False).status_code == 303
    login(svc, "congress_staff", lang="en")
    assert "County rules" in svc.client.get(f"/{svc.name}/rules?county={COUNTY}").text
    other = svc.client.get(f"/{svc.name}/rules?county=440703")
    assert other.status_code == 403


def test_whole_rule_set_refusal_names_both_rules(tmp_path: Path) -> None:
    svc = InProcessService("supervision", tmp_path)
    login(svc, "congress_staff", name="王主任")
    refused = post(svc, form_of(svc, "调整", group_min="6"))
    assert refused.status_code == 409
    text = visible_text(refused.text)
    assert "“监督小组代表最少人数”不得大于“监督小组代表最多人数”" in text and "group_m" not in text
    # a day of the year, as month-day
    wrong = post(svc, form_of(svc, "调整", midyear_review_due="13-40"))
    assert wrong.status_code == 422 and "“年中进度检查截止日”须为月-日" in visible_text(wrong.text)
    ok = post(svc, form_of(svc, "调整", midyear_review_due="08-15"))
    assert ok.status_code == 303


def test_list_rules_are_ticked_or_written_by_name(tmp_path: Path) -> None:
    intake = InProcessService("intake", tmp_path / "intake")
    intake.call(
        "POST",
        f"/counties/{COUNTY}/deputies",
        expect=201,
        json={"deputy_id": "dep-li", "name": "李代表", "level": "county", "town": "台城街道", "group": "台城代表小组"},
    )
    login(intake, "congress_staff", name="王主任")
    page = intake.client.get(f"/intake/rules?county={COUNTY}")
    assert 'type="checkbox" name="rule:major_categories" value="housing" checked' in page.text
    assert "老旧小区改造" in visible_text(page.text) and "housing" not in visible_text(page.text)
    form = form_of(intake, "台城街道由李代表接单", deputy_areas="台城街道：李代表")
    form["rule:major_categories"] = ["elderly", "housing", "health", "education", "roads"]
    saved = post(intake, form)
    assert saved.status_code == 303, saved.text
    _, values = intake.app.current_rules("intake", COUNTY, defaults(intake))
    assert values["deputy_areas"] == {"台城街道": ["dep-li"]}  # typed by name, kept by account
    assert sorted(values["major_categories"]) == ["education", "elderly", "health", "housing", "roads"]
    text = visible_text(intake.client.get(saved.headers["location"]).text)
    assert "台城街道：李代表" in text and "道路交通" in text and "dep-li" not in text

    evaluation = InProcessService("evaluation", tmp_path / "evaluation")
    login(evaluation, "congress_staff", name="王主任")
    page = evaluation.client.get(f"/evaluation/rules?county={COUNTY}")
    assert 'name="rule:towns" value="台城街道"' in page.text and 'name="rule:towns" value="广海镇"' in page.text
    form = form_of(evaluation, "登记乡镇", towns=["台城街道", "广海镇"])
    assert post(evaluation, form).status_code == 303
    _, values = evaluation.app.current_rules("evaluation", COUNTY, defaults(evaluation))
    assert sorted(values["towns"]) == ["台城街道", "广海镇"]
