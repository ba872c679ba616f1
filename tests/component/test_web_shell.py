"""The shared web shell: home page in both languages, static assets, dev login, i18n rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from services.gateway.http.home_pages import make_shell_router
from shared.auth import COOKIE, Role, TokenVerifier
from shared.web import i18n
from shared.web.templating import (
    format_datetime,
    format_money,
    format_percent,
    make_templates,
    mount_static,
    render,
)

SECRET = "test-secret-that-is-long-enough-for-hs256-use"


def make_client(*, local_mode: bool = True) -> TestClient:
    app = FastAPI()
    templates = make_templates(static_base="/static")
    app.include_router(make_shell_router(templates, secret_provider=lambda: SECRET, local_mode=local_mode))
    mount_static(app, "/static")
    return TestClient(app)


def test_home_is_chinese_by_default() -> None:
    response = make_client().get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert "年初问计划" in html and "翌年回头看" in html
    assert "提交诉求" in html and 'href="/intake/submit"' in html
    assert 'action="/intake/track"' in html and 'name="code"' in html
    for path in ("/intake/", "/decision/", "/supervision/", "/evaluation/"):
        assert f'href="{path}"' in html
    assert 'href="/static/vendor/htmx.min.js"' not in html  # a script, not a link
    assert 'src="/static/vendor/htmx.min.js"' in html
    assert 'href="/login"' in html


def test_home_is_english_with_the_cookie() -> None:
    client = make_client()
    client.cookies.set("lang", "en")
    html = client.get("/").text
    assert '<html lang="en">' in html
    assert "Submit a demand" in html and "Look back next year" in html
    assert "提交诉求" not in html


def test_language_switch_sets_cookie_and_returns_to_the_same_page() -> None:
    client = make_client()
    response = client.get("/lang/en", headers={"referer": "http://testserver/?x=1"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/?x=1"
    assert client.cookies.get("lang") == "en"
    foreign = client.get("/lang/zh", headers={"referer": "https://evil.example/"}, follow_redirects=False)
    assert foreign.headers["location"] == "/"
    assert client.get("/lang/fr", follow_redirects=False).status_code == 404


def test_static_assets_are_served_locally() -> None:
    client = make_client()
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]
    assert client.get("/static/vendor/echarts.min.js").status_code == 200
    assert "PingFang SC" in client.get("/static/shishi.css").text
    script = client.get("/static/shishi.js").text
    assert "data-confirm" in script and '"lang="' in script


def test_dev_login_issues_a_token_the_verifier_accepts() -> None:
    client = make_client()
    form = client.get("/login")
    assert form.status_code == 200 and 'value="440781"' in form.text and 'value="deputy"' in form.text
    response = client.post(
        "/login", data={"role": "deputy", "counties": "440781, 4407*", "name": "李代表"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{COOKIE}=") and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    principal = TokenVerifier(secret=SECRET).verify(client.cookies[COOKIE])
    assert principal.roles == frozenset({Role.DEPUTY})
    assert principal.counties == ("440781", "4407*")
    assert principal.covers("440781") and principal.name == "李代表"

    logout = client.get("/logout", follow_redirects=False)
    assert logout.status_code == 303 and COOKIE not in client.cookies


def test_dev_login_refuses_bad_input_with_a_message() -> None:
    client = make_client()
    bad_role = client.post("/login", data={"role": "emperor", "counties": "440781"})
    assert bad_role.status_code == 422 and "未知角色" in bad_role.text
    bad_county = client.post("/login", data={"role": "resident", "counties": "Taishan"})
    assert bad_county.status_code == 422 and "行政区划代码" in bad_county.text
    assert COOKIE not in client.cookies


def test_signed_in_principal_is_shown_in_the_header() -> None:
    app = FastAPI()
    templates = make_templates(static_base="/static")
    app.include_router(make_shell_router(templates, secret_provider=lambda: SECRET, local_mode=True))

    @app.middleware("http")
    async def principal_from_cookie(request: Request, call_next: Callable) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            request.state.principal = TokenVerifier(secret=SECRET).verify(token)
        return await call_next(request)

    client = TestClient(app)
    client.post("/login", data={"role": "congress_staff", "counties": "440781", "name": "王"})
    html = client.get("/").text
    assert "人大常委会工作人员" in html and "台山市" in html and 'href="/logout"' in html  # the county by name
    assert 'href="/login"' not in html


def test_a_service_page_extends_the_layout_and_uses_the_macros(tmp_path: Path) -> None:
    (tmp_path / "list.html").write_text(
        '{% extends "base.html" %}{% import "macros.html" as m with context %}'
        "{% block title %}{{ t('demand') }}{% endblock %}{% block content %}"
        "{{ m.status_badge('overdue') }}{{ m.status_badge('brand_new') }}"
        "{{ m.field('title', t('demand'), required=True) }}{{ m.pagination(2, 3, {'status': 'open'}) }}"
        "<p>{{ when | dt }} {{ amount | money }} {{ rate | pct }}</p>{% endblock %}",
        encoding="utf-8",
    )
    app = FastAPI()
    templates = make_templates(tmp_path, static_base="/intake/static/")
    mount_static(app, "/intake/static")

    @app.get("/intake/list")
    def page(request: Request) -> Response:
        context = {
            "when": "2025-01-01T00:00:00Z",
            "amount": 230_000_000,
            "rate": 0.992,
            "problem": {
                "title": "输入有误",
                "detail": "缺少标题",
                "errors": [{"loc": ["body", "title"], "msg": "必填"}],
            },
        }
        return render(templates, request, "list.html", context, status_code=422)

    response = TestClient(app).get("/intake/list")
    html = response.text
    assert response.status_code == 422
    assert "<title>诉求 · 实事</title>" in html and 'href="/intake/static/shishi.css"' in html
    assert 'class="badge badge-bad"' in html and ">逾期<" in html and ">brand_new<" in html
    assert 'name="title"' in html and " required" in html
    assert "?status=open&amp;page=1" in html and "?status=open&amp;page=3" in html and "第 2 / 3 页" in html
    assert "2025-01-01 08:00 ¥230,000,000 99.2%" in html
    assert "输入有误" in html and "缺少标题" in html and "body.title: 必填" in html
    assert 'aria-current="page"' in html and 'href="/intake/" aria-current="page"' in html


def test_login_is_absent_outside_local_mode() -> None:
    client = make_client(local_mode=False)
    assert client.get("/login").status_code == 404
    assert client.post("/login", data={"role": "admin", "counties": "*"}).status_code == 404
    assert client.get("/").status_code == 200


def test_language_comes_from_cookie_then_query_then_chinese() -> None:
    client = make_client()
    assert '<html lang="en">' in client.get("/?lang=en").text
    client.cookies.set("lang", "zh")
    assert '<html lang="zh-CN">' in client.get("/?lang=en").text
    client.cookies.set("lang", "klingon")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_translation_falls_back_to_english_then_to_the_key() -> None:
    i18n.register_messages({"en": {"only_in_english_for_test": "English only"}})
    assert i18n.translate("zh", "only_in_english_for_test") == "English only"
    assert i18n.translate("zh", "no_such_key_anywhere") == "no_such_key_anywhere"
    assert i18n.translate("fr", "submit") == "Submit"
    assert i18n.translate("zh", "submit") == "提交"
    assert i18n.translate("zh", "page_of", page=2, pages=5) == "第 2 / 5 页"
    i18n.register_messages({"zh": {"greet_for_test": "你好，{name}"}})
    assert i18n.translate("zh", "greet_for_test") == "你好，{name}"
    with pytest.raises(ValueError):
        i18n.register_messages({"greet_for_test": {"zh": "你好"}})


def test_filters_format_for_chinese_readers() -> None:
    assert format_datetime(datetime(2025, 6, 30, 16, 5, tzinfo=UTC)) == "2025-07-01 00:05"
    assert format_datetime("2025-06-30T08:00:00+00:00") == "2025-06-30 16:00"
    assert format_datetime("2025-06-30") == "2025-06-30"
    assert format_datetime(None) == ""
    assert format_money(1234567) == "¥1,234,567"
    assert format_money("100000.5") == "¥100,000.50"
    assert format_percent(0.982) == "98.2%"
    assert format_percent(1) == "100.0%"
