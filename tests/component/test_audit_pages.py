"""The audit pages speak Chinese: every event of every service is a Chinese phrase from the service's
catalogue, officials appear by name (or by role), counties by name, a field of state only under its
Chinese name; entries made after the fact are marked 补录 beside both times; the English toggle
gives English. Auditors' reads of objects looked up by id are filed under the object's county, so
intake lists them like the other services."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate, CanMutateAggregate

from shared.audit.names import Catalogue
from shared.audit.reads import AuditorRead
from shared.ballots.box import BallotBox
from shared.kernel.rulebook import RuleBook
from tests.component.test_business_time import COUNTY, Supervision, world  # noqa: F401 - the fixture
from tests.fixtures.service import InProcessService

SERVICES = ("intake", "decision", "supervision", "evaluation")
SHARED_AGGREGATES = (RuleBook, AuditorRead, BallotBox)
RAW = re.compile(r"\b[A-Z][a-zA-Z]+\.[A-Z][a-zA-Z]+\b|\b(?:gov_unit|congress_staff|occurred_at|recorded_at)\b")


def aggregates_of(service: str) -> list[type[Aggregate]]:
    package = importlib.import_module(f"services.{service}.domain")
    found = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"services.{service}.domain.{module_info.name}")
        found += [
            cls
            for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, Aggregate) and cls.__module__ == module.__name__
        ]
    return found


def events_of(aggregate: type[Aggregate]) -> list[str]:
    return [
        f"{aggregate.__name__}.{name}"
        for name, cls in vars(aggregate).items()
        if inspect.isclass(cls) and issubclass(cls, CanMutateAggregate) and name not in ("Event", "Created")
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_and_object_of_every_service_has_a_chinese_name(service: str) -> None:
    names: Catalogue = importlib.import_module(f"services.{service}.http.audit_texts").AUDIT_NAMES.with_shared()
    aggregates = [*aggregates_of(service), *SHARED_AGGREGATES]
    missing = [e for a in aggregates for e in events_of(a) if e not in names.events]
    assert missing == []
    assert [a.__name__ for a in aggregates if a.__name__ not in names.kinds] == []
    for qualname, (zh, en) in names.events.items():
        assert re.search(r"[\u4e00-\u9fff]", zh) and en and not re.search(r"[\u4e00-\u9fff]", en), qualname


def test_an_objects_page_names_events_people_places_and_fields(world: tuple[Supervision, str]) -> None:  # noqa: F811
    w, pid = world
    auditor = w.auth("auditor")
    page = w.client.get(f"/supervision/audit/aggregates/{pid}", headers=auditor)
    assert page.status_code == 200
    text = page.text
    phrases = ("建立项目档案", "报送实施方案", "月度进展填报", "陈科长", "补录", "台山市", "闭会日期", "业务时间")
    for phrase in (*phrases, "记录时间"):
        assert phrase in text, phrase
    body = text.split('<main class="container" id="main">', 1)[1]
    assert RAW.findall(re.sub(r"<[^>]+>", " ", body)) == []  # no class names, role keys or field keys
    assert "gov_unit-1" not in body  # people by name, not by account id
    assert page.text.count("data-entered-late") == 2  # the plan and the entry were typed in later
    # as of 30 June 2025 by business time: the plan is there; by recorded time the object did not exist
    june = w.client.get(f"/supervision/audit/aggregates/{pid}", params={"as_of": "2025-06-30"}, headers=auditor)
    assert "总体进度（%）" in june.text and "data-not-existing" not in june.text
    recorded = w.client.get(
        f"/supervision/audit/aggregates/{pid}", params={"as_of": "2025-06-30", "basis": "recorded"}, headers=auditor
    )
    assert "data-not-existing" in recorded.text and "记录时间（写入系统的时间）" in recorded.text
    # the county's dashboards as of a moment, by name
    county = w.client.get(f"/supervision/audit/counties/{COUNTY}", params={"as_of": "2025-06-30"}, headers=auditor)
    assert county.status_code == 200 and "民生实事项目" in county.text and "2025年城乡供水一体化" in county.text
    assert "台山市（440781）" in county.text
    # the English toggle
    w.client.cookies.set("lang", "en")
    english = w.client.get(f"/supervision/audit/aggregates/{pid}", headers=auditor).text
    assert "Plan filed" in english and "entered late" in english and "Business time" in english


def test_every_input_of_the_audit_pages_is_labelled(world: tuple[Supervision, str]) -> None:  # noqa: F811
    w, pid = world
    auditor = w.auth("auditor")
    for path in ("/supervision/audit", f"/supervision/audit/aggregates/{pid}", f"/supervision/audit/counties/{COUNTY}"):
        html = w.client.get(path, headers=auditor).text
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
        unlabelled = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")(?![^>]*\bid=)[^>]*>', html)
        assert unlabelled == [] and ids, path
        assert all(f'for="{i}"' in html for i in ids), path
    looked_up = w.client.get(
        "/supervision/audit/look-up", params={"id": pid, "as_of": "2025-06-30"}, headers=auditor, follow_redirects=False
    )
    assert looked_up.status_code == 303 and looked_up.headers["location"].endswith(
        f"/audit/aggregates/{pid}?as_of=2025-06-30&basis=business"
    )
    bad = w.client.get("/supervision/audit/look-up", params={"id": "not-an-id"}, headers=auditor)
    assert bad.status_code == 404 and "没有这个对象" in bad.text


def test_intake_lists_auditors_reads_of_its_objects(tmp_path: Path) -> None:
    intake = InProcessService("intake", tmp_path)
    demand = intake.call(
        "POST",
        "/intake/api/demands",
        None,
        json={"county": COUNTY, "town": "台城街道", "category": "roads", "text": "路灯不亮"},
        expect=201,
    )
    intake.call("GET", f"/demands/{demand['id']}", "auditor", subject="auditor-7")  # an object read by its id
    intake.call("GET", f"/intake/audit/aggregates/{demand['id']}", "auditor", subject="auditor-7")
    listed = intake.call("GET", f"/audit/counties/{COUNTY}/reads", "congress_staff")
    assert sorted(i["path"] for i in listed["items"]) == [
        f"/intake/api/demands/{demand['id']}",
        f"/intake/audit/aggregates/{demand['id']}",
    ]
    intake.login("congress_staff")
    page = intake.client.get("/intake/audit")
    assert page.status_code == 200 and 'data-reads-total="2"' in page.text and "审计查阅记录" in page.text
