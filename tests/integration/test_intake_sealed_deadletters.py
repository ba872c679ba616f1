"""A hotline ticket that cannot be applied carries the caller's details, so intake seals it
before dead-lettering it (a key of the letter's own, combined with the caller's contact key):
the DEADLETTER stream never holds the details in clear, staff still read and correct them
through intake, resolving a letter destroys that letter's key only (another letter of the same
ticket, or the ticket sent again whole, is untouched), and erasing the resident destroys every
letter of their ticket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import nats
import pytest

from services.intake.app.application import ticket_contact_id
from tests.integration.test_intake_hotline import COUNTY, PHONE, Service, eventually, publish, running, ticket

DETAILS = (PHONE, "李先生", "环市路12号")


@pytest.fixture
def service(tmp_path: Path, fresh_nats) -> Iterator[Service]:
    with running(tmp_path, fresh_nats.url) as started:
        yield started


def broken(ticket_id: str) -> bytes:
    data = json.loads(ticket(ticket_id))
    del data["received_at"]
    return json.dumps(data, ensure_ascii=False).encode()


def stream_copies(url: str) -> list[tuple[dict, str]]:
    """Every DEADLETTER message as stored: headers and body text."""

    async def go() -> list[tuple[dict, str]]:
        nc = await nats.connect(url)
        js = nc.jetstream()
        info = await js.stream_info("DEADLETTER")
        out = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg("DEADLETTER", seq)
            out.append((dict(msg.headers or {}), (msg.data or b"").decode("utf-8", errors="replace")))
        await nc.close()
        return out

    return asyncio.run(go())


def resolve(service: Service, sequence: int, **body: object):
    return service.client.post(
        f"/intake/api/counties/{COUNTY}/deadletters/{sequence}", headers=service.staff, json=body
    )


def vault(service: Service):
    return service.client.app.state.application.vault


def test_the_stream_holds_no_details_staff_read_them_and_dismissal_destroys_them(service: Service) -> None:
    publish(service.url, broken("T-400"))
    eventually(lambda: service.deadletters()["total"] == 1)

    copies = stream_copies(service.url)
    assert len(copies) == 1
    headers, body = copies[0]
    assert not any(detail in body or detail in json.dumps(headers, ensure_ascii=False) for detail in DETAILS)
    assert headers["Shishi-Sealed-Contact"] == str(ticket_contact_id(COUNTY, "T-400"))  # the caller's own key
    letter_key = UUID(headers["Shishi-Sealed-Letter"])

    shown = service.deadletters()["items"][0]
    assert shown["body"]["caller_phone"] == PHONE and shown["body"]["caller_name"] == "李先生"
    assert not shown["erased"] and "received_at" in shown["reason"]

    r = resolve(service, shown["sequence"], action="dismiss", reason="重复来电，已电话联系")
    assert r.status_code == 200
    after = service.deadletters()["items"][0]
    assert after["erased"] and after["body"] is None and after["resolved"]
    assert not vault(service).has_key(letter_key)
    r = resolve(service, shown["sequence"], action="resubmit")
    assert r.status_code == 409

    publish(service.url, ticket("T-400"))  # the platform sends it again, whole: a demand, readable
    demand = eventually(lambda: (d := service.demands()) and d[0])
    shown = service.client.get(f"/intake/api/demands/{demand['id']}", headers=service.staff)
    assert shown.status_code == 200 and shown.json()["contact"] == {
        "name": "李先生",
        "phone": PHONE,
        "address": "环市路12号",
        "erased": False,
    }
    assert service.deadletters()["items"][0]["erased"]  # the list still reads


def test_dismissing_one_letter_leaves_another_of_the_same_ticket_readable(service: Service) -> None:
    publish(service.url, broken("T-500"), broken("T-500"))  # the platform sent the broken ticket twice
    eventually(lambda: service.deadletters()["total"] == 2)
    first, second = service.deadletters()["items"]

    assert resolve(service, first["sequence"], action="dismiss", reason="重复").status_code == 200

    still = next(x for x in service.deadletters()["items"] if x["sequence"] == second["sequence"])
    assert not still["erased"] and still["body"]["caller_phone"] == PHONE


def test_a_letter_naming_no_ticket_is_sealed_on_its_own_and_forgotten_once_resubmitted(service: Service) -> None:
    publish(service.url, f"李先生 {PHONE} 环市路12号 路灯不亮".encode())  # not even JSON
    eventually(lambda: service.deadletters()["total"] == 1)
    headers, body = stream_copies(service.url)[0]
    assert not any(detail in body for detail in DETAILS) and headers["Shishi-Sealed-Contact"] == ""
    shown = service.deadletters()["items"][0]
    assert PHONE in shown["body"]

    corrected = json.loads(ticket("T-401"))
    r = resolve(service, shown["sequence"], action="resubmit", body=corrected, reason="按来电记录补全")
    assert r.status_code == 200
    eventually(lambda: len(service.demands()) == 1)
    assert service.deadletters()["items"][0]["erased"]  # its details now live in the demand, sealed there
    assert not vault(service).has_key(UUID(headers["Shishi-Sealed-Letter"]))


def test_erasing_the_resident_also_erases_the_letter_of_their_ticket(service: Service) -> None:
    publish(service.url, broken("T-402"))
    eventually(lambda: service.deadletters()["total"] == 1)
    publish(service.url, ticket("T-402"))  # the hotline re-sends it, whole: a demand with the caller's key
    demand = eventually(lambda: (d := service.demands()) and d[0])
    assert service.deadletters()["items"][0]["body"]["caller_phone"] == PHONE

    r = service.client.post(
        f"/intake/api/demands/{demand['id']}/erase-contact",
        headers=service.staff,
        json={"reason": "本人申请删除个人信息"},
    )
    assert r.status_code == 200
    after = service.deadletters()["items"][0]
    assert after["erased"] and after["body"] is None
    assert not any(detail in body for _, body in stream_copies(service.url) for detail in DETAILS)
    page = service.client.get(
        f"/intake/deadletters?county={COUNTY}", cookies={"shishi_token": service.staff["authorization"][7:]}
    )
    assert page.status_code == 200 and "来电人信息已删除" in page.text and PHONE not in page.text
