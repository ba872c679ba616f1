"""Completion and acceptance (验收) in the project's aggregate, pure: below 100% reported progress a
completion report needs a recorded reason (35% used to be accepted as complete); the reason and the
progress at the report stay in the record; the acceptance check is made by a deputy of the project's
supervision group or by congress staff; every refusal has its Chinese half; business dates are China's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from services.supervision.domain.project import Project
from services.supervision.domain.rules import DEFAULTS
from shared.kernel.meta import Meta, RuleViolation
from shared.web.refusals import has_chinese, refusal_text

AT = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 July in China
UNIT = Meta("440781", "gov_unit", "unit-1", AT, actor_name="县住建局")
STAFF = Meta("440781", "congress_staff", "staff-1", AT, actor_name="人大办小刘")


def deputy(subject: str, name: str, reason: str = "") -> Meta:
    return Meta("440781", "deputy", subject, AT, reason=reason, actor_name=name)


def project(progress: int = 35) -> Project:
    p = Project(
        meta=replace(STAFF, occurred_at=datetime(2026, 1, 20, 2, tzinfo=UTC)),
        project_id=uuid4(),
        year=2026,
        tier="major",
        name="台城老旧小区改造",
        content="",
        implementing_body="县住建局",
        investment=Decimal("1000000"),
        deadline=date(2026, 12, 31),
        demand_ids=[],
    )
    p.assign_group(
        STAFF,
        [{"id": f"dep-{n}", "name": name, "kind": "deputy"} for n, name in enumerate(("王代表", "赵代表", "钱代表"))],
        [{"id": "res-1", "name": "居民甲", "kind": "resident"}],
        DEFAULTS,
    )
    p.report_progress(UNIT, progress, Decimal("300000"), "六月")
    return p


def refused(fn: Callable[..., object], *args: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args)
    message = str(caught.value)
    assert has_chinese(refusal_text(message, "zh")) and not has_chinese(refusal_text(message, "en")), message
    return caught.value


def test_completion_below_full_progress_needs_a_recorded_reason() -> None:
    p = project(35)
    refusal = refused(p.report_completion, UNIT, date(2026, 6, 30), Decimal("950000"), "完工")
    assert refusal.reason == "completion_reason_required"
    assert refusal_text(str(refusal), "zh") == "已填报进度为 35%，未达 100%：报告完工须说明理由"
    assert refused(p.report_completion, replace(UNIT, reason="  "), date(2026, 6, 30), Decimal("1"), "").reason == (
        "completion_reason_required"
    )
    assert p.status == "open" and p.completion is None  # nothing recorded by a refusal

    because = "绿化收尾已完成，六月进度未及填报"
    p.report_completion(replace(UNIT, reason=because), date(2026, 6, 30), Decimal("950000"), "完工")
    assert p.status == "completion_reported" and p.progress_pct == 100
    assert p.completion is not None
    assert (p.completion["progress_at_report"], p.completion["reason"], p.completion["by_name"]) == (
        35,
        because,
        "县住建局",
    )
    (event,) = [e for e in p.collect_events() if isinstance(e, Project.CompletionReported)]
    assert event.progress_at_report == 35 and event.meta.reason == because  # in the record, beside the meta


def test_completion_at_full_progress_needs_no_reason() -> None:
    p = project(100)
    p.report_completion(UNIT, date(2026, 6, 30), Decimal("990000"), "")
    assert p.completion is not None and p.completion["progress_at_report"] == 100 and p.completion["reason"] == ""


def test_acceptance_by_the_group_or_staff_only() -> None:
    p = project(100)
    refused(p.accept, UNIT, "accepted")  # before completion: nothing to accept
    p.report_completion(UNIT, date(2026, 6, 30), Decimal("990000"), "")
    assert refused(p.accept, deputy("dep-9", "孙代表"), "accepted").reason == "not_in_group"
    refused(p.accept, deputy("dep-1", "赵代表"), "rejected")  # sent back only with a reason
    p.accept(deputy("dep-1", "赵代表", reason="井盖未加固"), "rejected")
    assert p.status == "open" and p.acceptance is not None and p.acceptance["by_name"] == "赵代表"
    p.report_completion(UNIT, date(2026, 7, 10), Decimal("990000"), "已加固")
    p.accept(STAFF, "accepted")
    assert p.status == "accepted" and p.acceptance is not None
    assert (p.acceptance["by_name"], p.acceptance["role"]) == ("人大办小刘", "congress_staff")


def test_business_dates_in_the_file_are_china_s() -> None:
    p = project(35)
    assert p.session_closed_on == date(2026, 1, 20)  # opened at 10:00 in China
    p.record_inspection(
        deputy("dep-0", "王代表"),
        {"id": "i1", "inspected_on": "2026-07-01", "location": "", "notes": ""},
        [{"id": "f1", "text": "井盖松动", "severity": "high", "location": "", "photos": []}],
    )
    p.assign_finding(STAFF, "f1", "县市政所")
    p.answer_finding(UNIT, "f1", "已更换")
    p.review_finding(deputy("dep-0", "王代表"), "f1", True)
    assert p.findings["f1"]["closed_on"] == "2026-07-01"  # 16:30 UTC on 30 June
    assert p.findings["f1"]["inspector_name"] == "王代表"
    assert [h["by_name"] for h in p.findings["f1"]["history"]] == ["人大办小刘", "县住建局", "王代表"]
    p.raise_warning(STAFF, "progress_lag:m2", "progress_lag", "实际进度35%，计划进度60%", 1)
    assert p.warnings["progress_lag:m2"]["raised_on"] == "2026-07-01"
