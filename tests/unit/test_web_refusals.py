"""Refusals on pages: the page's language, never pydantic's English or a raw key."""

from __future__ import annotations

from shared.web.refusals import has_chinese, refusal_text, validation_text


def test_a_rule_refusal_shows_the_half_in_the_page_language() -> None:
    message = "表决已结束 / the vote is closed"
    assert refusal_text(message, "zh") == "表决已结束" and refusal_text(message, "en") == "the vote is closed"
    assert refusal_text("只有中文", "en") == "只有中文"
    assert refusal_text("a / b", "zh") == "a / b"  # no Chinese half: shown as is (a defect the page tests catch)
    # the English half may name a place in Chinese; a Chinese text with a slash in it stays whole
    fund = "台城街道 2026 年专项资金余额 40000 元 / the 2026 micro fund of 台城街道 has 40000 left"
    assert refusal_text(fund, "zh") == "台城街道 2026 年专项资金余额 40000 元"
    assert refusal_text(fund, "en") == "the 2026 micro fund of 台城街道 has 40000 left"
    assert refusal_text("供水 / 排水设施老化", "zh") == "供水 / 排水设施老化"


def test_validation_errors_name_the_field_by_its_label_in_chinese() -> None:
    labels = {"name": "项目名称", "investment": "投资额（元）", "deadline": "完成期限"}
    errors = [
        {"type": "missing", "loc": ("body", "name"), "msg": "Field required"},
        {"type": "greater_than_equal", "loc": ("body", "investment"), "ctx": {"ge": 0}},
        {"type": "date_from_datetime_parsing", "loc": ("body", "deadline"), "ctx": {"error": "input is too short"}},
        {"type": "value_error", "loc": ("body", "name"), "ctx": {"error": "名称不能为空 / a name is required"}},
        {"type": "something_new", "loc": ("body", "name")},
    ]
    zh = validation_text(errors, labels)
    assert zh == [
        "请填写项目名称",
        "投资额（元）不能小于 0",
        "完成期限须为日期，如 2026-01-31",
        "项目名称：名称不能为空",
        "项目名称填写有误",
    ]
    assert all(has_chinese(line) for line in zh)
    assert validation_text(errors[:1], labels, "en") == ["项目名称 is required"]
