"""Staff correct a dead-lettered 12345 ticket through a form, on a real nats-server: each field of the
ticket a labelled input filled in from the letter, the reason said in Chinese, a field still wrong named
in Chinese with what was typed kept, the corrected ticket applied (one demand) and the letter shown
resolved by name; a letter dismissed only with a reason. No JSON to edit anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.component.test_intake_pages import main_text, unlabelled
from tests.integration.test_intake_hotline import COUNTY, Service, eventually, publish, running, ticket


@pytest.fixture
def service(tmp_path: Path, fresh_nats) -> Iterator[Service]:
    with running(tmp_path, fresh_nats.url) as started:
        yield started


def page(service: Service, lang: str = "zh") -> str:
    r = service.client.get(
        f"/intake/deadletters?county={COUNTY}",
        cookies={"shishi_token": service.staff["authorization"][7:], "lang": lang},
    )
    assert r.status_code == 200
    return r.text


def post(service: Service, sequence: int, data: dict) -> object:
    return service.client.post(
        f"/intake/deadletters/{sequence}",
        data={"county": COUNTY, **data},
        cookies={"shishi_token": service.staff["authorization"][7:]},
        follow_redirects=False,
    )


def test_staff_correct_a_dead_letter_field_by_field_and_dismiss_another_with_a_reason(service: Service) -> None:
    broken = json.loads(ticket("T-500", category="路灯"))
    del broken["received_at"]
    publish(service.url, json.dumps(broken, ensure_ascii=False).encode())
    publish(service.url, b"{not json")
    letters = eventually(lambda: (d := service.deadletters())["total"] == 2 and d)["items"]
    first = next(x for x in letters if x["resubmittable"] and isinstance(x["body"], dict))
    garbage = next(x for x in letters if x is not first)

    html = page(service)
    letter = html.split(f'id="letter-{first["sequence"]}"', 1)[1].split("</section>", 1)[0]
    assert "请填写来电时间" in letter and "malformed" not in letter  # the reason, in Chinese
    assert 'value="T-500"' in letter and "李先生" in letter and 'value="环市路12号"' in letter
    assert 'type="datetime-local"' in letter and "原值“路灯”" in letter  # the hotline's own category kept
    assert unlabelled(html) == [], unlabelled(html)
    assert "<textarea" not in letter.split('name="text"', 1)[0].rsplit("<label", 1)[0]  # no JSON textarea
    assert not re.search(r"[{]\s*&#34;|\{\"ticket_id", main_text(html))  # no JSON shown to edit
    other = html.split(f'id="letter-{garbage["sequence"]}"', 1)[1].split("</section>", 1)[0]
    assert "工单不是有效的 JSON 消息" in other or "无法处理的消息" in other
    assert "Expecting" not in other and "invalid message" not in other

    fields = {
        "ticket_id": "T-500",
        "received_at": "",
        "category": "roads",
        "text": "环市路路灯不亮",
        "town": "台城街道",
        "caller_name": "李先生",
        "caller_phone": "13700001111",
        "address": "环市路12号",
    }
    still = post(service, first["sequence"], {**fields, "action": "resubmit"})
    assert still.status_code == 422 and "请填写来电时间" in still.text and 'value="环市路路灯不亮"' not in still.text
    assert "环市路路灯不亮" in still.text  # what was typed stays in the form
    done = post(service, first["sequence"], {**fields, "received_at": "2025-05-06T16:00", "action": "resubmit"})
    assert done.status_code == 303 and "done=" in done.headers["location"]
    demand = eventually(lambda: (d := service.demands()) and d[0])
    received = datetime.fromisoformat(demand["submitted_at"])
    assert demand["hotline_ticket_id"] == "T-500" and received == datetime(2025, 5, 6, 8, tzinfo=UTC)  # China time

    no_reason = post(service, garbage["sequence"], {"action": "dismiss"})
    assert no_reason.status_code == 409 and "作废死信须说明理由" in no_reason.text
    assert (
        post(
            service, garbage["sequence"], {"action": "dismiss", "reason": "格式损坏，已电话核实为测试数据"}
        ).status_code
        == 303
    )
    html = eventually(lambda: (h := page(service)) and h.count("处理人 周敏") == 2 and h)
    assert "已更正并重新提交 · 处理人 周敏" in html and "已作废 · 处理人 周敏" in html
    english = page(service, "en")
    assert "Corrected and applied" in english and "Dismissed" in english
