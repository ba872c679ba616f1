"""``Idempotency-Key`` on POSTs (shared/web/idempotency.py), through intake's demand submission: a
retry replays the first answer, another body with the key is refused, a key in use answers 409, and a
claim left by a process killed mid-request is taken over without making a second demand."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from shared.web.idempotency import STALE_SECONDS
from tests.fixtures.service import InProcessService

BODY = {"county": "440781", "town": "台城街道", "category": "water", "text": "桥头积水，雨天无法通行"}


class Intake(InProcessService):
    def __init__(self, data_dir: Path) -> None:
        super().__init__("intake", data_dir)
        self.clerk = self.auth("congress_staff", subject="clerk")  # one caller, one token, as a client keeps it


@pytest.fixture
def intake(tmp_path: Path) -> Intake:
    return Intake(tmp_path)


def post(intake: Intake, key: str, body: dict | None = None):
    """As one caller: the key is scoped to the caller's credential (the same token each time)."""
    headers = {**intake.clerk, "idempotency-key": key}
    return intake.client.post("/intake/api/demands", json=body or BODY, headers=headers)


def demands(intake: Intake) -> list[dict]:
    intake.catch_up()
    return intake.views.list("demand", "440781")


def test_a_retry_with_the_key_replays_the_first_answer(intake: Intake) -> None:
    first, again = post(intake, "k-1"), post(intake, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(demands(intake)) == 1


def test_the_key_with_another_body_is_refused(intake: Intake) -> None:
    assert post(intake, "k-2").status_code == 201
    other = post(intake, "k-2", {**BODY, "text": "另一件事：路灯不亮"})
    assert other.status_code == 422
    assert other.json()["reason"] == "idempotency_key_reused"
    assert len(demands(intake)) == 1


def test_a_key_whose_first_request_is_being_answered_is_busy(intake: Intake) -> None:
    store = intake.api.state.idempotency_keys
    owner = "token:" + hashlib.sha256(b"Bearer any-token").hexdigest()
    first = store.claim(owner, "k-3", "fingerprint")
    assert first == ("new", None)
    assert store.claim(owner, "k-3", "fingerprint") == ("busy", None)


def stale(intake: InProcessService, key: str) -> None:
    """As if the process answering ``key`` had been killed before it kept the answer."""
    store = intake.api.state.idempotency_keys
    with store._cursor() as c:  # noqa: SLF001 - the crash leaves exactly this row behind
        c.execute(
            "UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL, created = ? WHERE key = ?",
            (time.time() - STALE_SECONDS - 1, key),
        )
        assert c.rowcount == 1


def test_a_claim_left_by_a_killed_process_is_taken_over_and_finds_the_demand_it_made(
    intake: Intake,
) -> None:
    first = post(intake, "k-4")
    assert first.status_code == 201
    stale(intake, "k-4")  # the demand was saved, the answer was lost
    again = post(intake, "k-4")
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert len(demands(intake)) == 1


def test_a_fresh_unanswered_claim_is_not_taken_over(intake: Intake) -> None:
    assert post(intake, "k-5").status_code == 201
    stale(intake, "k-5")
    store = intake.api.state.idempotency_keys
    with store._cursor() as c:  # noqa: SLF001 - claimed a moment ago, still being answered
        c.execute("UPDATE idempotency_keys SET created = ? WHERE key = ?", (time.time(), "k-5"))
    busy = post(intake, "k-5")
    assert busy.status_code == 409
    assert busy.json()["reason"] == "idempotency_key_in_use"


def test_the_same_key_from_another_caller_is_another_request(intake: Intake) -> None:
    mine = post(intake, "k-6")
    headers = {**intake.auth("congress_staff", subject="another-clerk"), "idempotency-key": "k-6"}
    theirs = intake.client.post("/intake/api/demands", json=BODY, headers=headers)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert len(demands(intake)) == 2
