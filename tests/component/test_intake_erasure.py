"""Residents' personal data: name, phone and exact address are stored only sealed with the
resident's own key (never in clear in the event store, read models or published contracts);
erasing destroys the key (crypto-shredding) and the details become unreadable for good, while
the demand's history stays intact."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from fastapi.testclient import TestClient

from services.intake.main import create_app
from services.intake.outbound.contracts import to_contracts
from shared.auth import issue_token
from shared.config import Settings

NAME, PHONE, ADDRESS = "张三丰", "13912345678", "台城街道环市路88号3栋502"


def forms(text: str) -> list[bytes]:
    """The ways a text could sit in a file: UTF-8, and JSON's \\u escapes."""
    return [text.encode(), json.dumps(text).strip('"').encode()]


def files_containing(data_dir: Path, text: str) -> list[str]:
    hits = []
    for path in data_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            if any(f in blob for f in forms(text)):
                hits.append(path.name)
    return hits


def test_contact_is_sealed_and_erasure_destroys_the_key(tmp_path: Path) -> None:
    settings = Settings(service="intake", data_dir=tmp_path)
    api = create_app(settings, start_runtime=False)
    client = TestClient(api)
    staff = {
        "authorization": "Bearer "
        + issue_token(settings.resolved_jwt_secret(), subject="staff-1", roles=["congress_staff"], counties=["440781"])
    }
    created = client.post(
        "/intake/api/demands",
        json={
            "county": "440781",
            "town": "台城街道",
            "category": "housing",
            "text": "楼顶漏水，家里墙面发霉",
            "name": NAME,
            "phone": PHONE,
            "address": ADDRESS,
        },
    ).json()
    api.state.runtime.updater.catch_up()
    app = api.state.application
    vault = api.state.vault

    # stored sealed: nowhere in clear on disk (event store, read models, key store)
    for secret in (NAME, PHONE, ADDRESS):
        assert files_containing(tmp_path, secret) == [], secret
    # nothing published carries it
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(0, 100)]
    published = json.dumps([c.model_dump(mode="json") for e in events for c in to_contracts(e)], ensure_ascii=False)
    assert PHONE not in published and NAME not in published and ADDRESS not in published
    # the county's staff read it through the vault
    detail = client.get(f"/intake/api/demands/{created['id']}", headers=staff).json()
    assert detail["contact"] == {"name": NAME, "phone": PHONE, "address": ADDRESS, "erased": False}
    contact_id = app.demand(UUID(created["id"])).contact_id
    assert vault.has_key(contact_id) and Path(vault.location).parent == settings.service_dir

    r = client.post(
        f"/intake/api/demands/{created['id']}/erase-contact", headers=staff, json={"reason": "群众依法申请删除个人信息"}
    )
    assert r.status_code == 200 and r.json()["key_destroyed"] is True
    api.state.runtime.updater.catch_up()
    assert not vault.has_key(contact_id)
    detail = client.get(f"/intake/api/demands/{created['id']}", headers=staff).json()
    assert detail["contact"] == {"name": "", "phone": "", "address": "", "erased": True}
    # the history is intact: the demand, its timeline and the sealed event are all still there
    assert detail["text"] == "楼顶漏水，家里墙面发霉" and detail["timeline"][0]["stage"] == "submitted"
    sealed = app.repository.get(contact_id).sealed
    assert set(sealed) == {"name", "phone", "address"}
    # ... but nothing can open it any more, not even with the application's own vault
    try:
        vault.open(contact_id, sealed)
    except LookupError:
        pass
    else:
        raise AssertionError("an erased contact must not be readable")
    # erasure is recorded (who, when, why), published by id only, and shown in the read model
    erased = [
        e
        for e in (app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(0, 100))
        if type(e).__name__ == "Erased"
    ]
    assert len(erased) == 1 and erased[0].meta.actor_id == "staff-1" and erased[0].meta.reason
    assert [c.type_name() for c in to_contracts(erased[0])] == ["intake.resident-contact-erased"]
    assert api.state.runtime.views.get("demand", created["id"])["contact_erased"] is True
    # only staff may erase, and only in their county
    other = {
        "authorization": "Bearer "
        + issue_token(settings.resolved_jwt_secret(), subject="b", roles=["congress_staff"], counties=["440703"])
    }
    assert (
        client.post(
            f"/intake/api/demands/{created['id']}/erase-contact", headers=other, json={"reason": "越权"}
        ).status_code
        == 404
    )
    client.close()
