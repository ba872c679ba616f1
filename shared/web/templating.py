"""Jinja2 templates shared by every service: the layout, the filters, the static files.

A service builds its templates once in ``create_app``::

    templates = make_templates(Path(__file__).parent / "templates", static_base="/intake/static")
    mount_static(app, "/intake/static")

and its pages ``{% extends "base.html" %}`` and call ``render(templates, request, "x.html", {...})``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.requests import HTTPConnection

from shared import divisions
from shared.kernel.china_time import CHINA as CHINA  # re-exported: audit pages read times in it
from shared.kernel.china_time import china_date, china_time
from shared.web.demo_status import demo_loading
from shared.web.i18n import DEFAULT, language, translate
from shared.web.navigation import may_open, public_links, work_links

WEB_DIR = Path(__file__).resolve().parent
SHARED_TEMPLATES: Path = WEB_DIR / "templates"
STATIC_DIR: Path = WEB_DIR / "static"


def format_datetime(value: datetime | date | str | None) -> str:
    """``YYYY-MM-DD HH:MM`` in Asia/Shanghai; a plain date stays ``YYYY-MM-DD``.

    Naive datetimes (and ISO strings without an offset) are taken as UTC, the time the
    event store records.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parsed: datetime | date = datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:  # "2025-06-30": a date, not midnight UTC
            return value
        value = parsed
    if not isinstance(value, datetime):
        return value.isoformat()
    return china_time(value).strftime("%Y-%m-%d %H:%M")


def format_day(value: datetime | date | str | None) -> str:
    """The business day (``YYYY-MM-DD``, China time) of an instant or an ISO string; a date stays as it is."""
    if value is None or value == "":
        return ""
    try:
        return china_date(value).isoformat()
    except ValueError:
        return str(value)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_money(value: int | float | Decimal | str | None) -> str:
    """CNY with thousands separators: ``¥1,234,567``; cents shown only when present."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}¥{text}"


def format_percent(value: int | float | Decimal | str | None, digits: int = 1) -> str:
    """A ratio as a percentage: ``0.982`` -> ``98.2%``."""
    ratio = _decimal(value)
    if ratio is None:
        return "" if value is None else str(value)
    return f"{ratio * 100:.{digits}f}%"


@jinja2.pass_context
def _t(context: jinja2.runtime.Context, key: str, **kwargs: object) -> str:
    lang = context.get("lang")
    if not lang:
        request = context.get("request")
        lang = language(request) if request is not None else DEFAULT
    return translate(str(lang), key, str(context.environment.globals.get("i18n_scope", "")), **kwargs)


def lang_of(request: HTTPConnection) -> str:
    return language(request)


def county_label(code: object) -> str:
    """``440781`` -> ``台山市（440781）``: the registry's name with the code; the code alone if unknown."""
    text = str(code or "")
    name = divisions.name_of(text) if text else None
    return f"{name}（{text}）" if name else text


def county_name(code: object) -> str:
    """``440781`` -> ``台山市``; a scope such as ``4407*`` or an unknown code as it is."""
    text = str(code or "")
    return (divisions.name_of(text) if text else None) or text


def key_fingerprint(kid: str | None) -> str:
    """A ballot key's id as people compare it aloud: the first 16 hex digits in groups of four."""
    text = (kid or "")[:16].upper()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def make_templates(*template_dirs: Path | str, static_base: str) -> Jinja2Templates:
    """Templates that look in ``template_dirs`` first, then in the shared layout."""
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(d)) for d in template_dirs] + [jinja2.FileSystemLoader(str(SHARED_TEMPLATES))]
    )
    env = jinja2.Environment(loader=loader, autoescape=True)
    base = static_base.strip("/")
    env.globals.update(
        # whose texts come first: the service the pages are served under (``/intake/static`` -> intake)
        i18n_scope="gateway" if base == "static" else base.split("/", 1)[0],
        t=_t,
        static_base=static_base.rstrip("/"),
        lang_of=lang_of,
        may_open=may_open,
        work_links=work_links,
        public_links=public_links,
    )
    env.filters.update(
        dt=format_datetime,
        day=format_day,
        money=format_money,
        pct=format_percent,
        county=county_label,
        county_name=county_name,
        fingerprint=key_fingerprint,
    )
    return Jinja2Templates(env=env)


def render(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``name`` with ``request``, ``lang``, ``principal`` and ``demo_loading`` (how far the demo
    is while ``shishi up --demo`` loads it, else None) added to ``context``."""
    settings = getattr(request.app.state, "settings", None)
    full: dict[str, Any] = {
        "request": request,
        "lang": language(request),
        "principal": getattr(request.state, "principal", None),
        "demo_loading": demo_loading(settings.data_dir) if settings is not None else None,
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def mount_static(app: FastAPI, path: str) -> None:
    """Serve ``shared/web/static`` (CSS, JS, vendored htmx and ECharts) at ``path``."""
    path = "/" + path.strip("/")
    name = "static" if path == "/static" else path.strip("/").replace("/", "_")
    app.mount(path, StaticFiles(directory=STATIC_DIR), name=name)
