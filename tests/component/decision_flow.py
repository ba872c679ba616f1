"""A decision service in-process with its read models, for the vote tests (not a test module)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from services.decision.domain.pooled_demand import PooledDemand
from shared.auth import issue_token
from shared.ballots.device import Credential, ballot, take_credential
from shared.kernel.meta import Meta
from tests.fixtures.service import InProcessService

COUNTY = "440781"
SCORES = {
    c: 4 for c in ("necessity", "feasibility", "inclusiveness", "regional_balance", "urgency", "benefit", "conditions")
}
STEPS = ["chairpersons", "party_committee", "standing_committee", "presidium"]


class Flow(InProcessService):
    """Decision in this process, with the steps of a vote: candidates through the chain, a session, ballots."""

    def __init__(self, tmp_path: Path, **create: Any) -> None:
        super().__init__("decision", tmp_path, **create)

    def login(self, role: str, county: str | None = None, subject: str = "", name: str = "") -> None:
        """Pages: the client carries a login cookie for ``role``, with the person's ``name`` (as the dev login
        gives it), so the pages can show who did what."""
        secret = self.settings.resolved_jwt_secret()
        subject = subject or f"{role}-{county or COUNTY}"
        token = issue_token(secret, subject=subject, roles=[role], counties=[county or COUNTY], name=name)
        self.client.cookies.set("shishi_token", token)

    def headers(self, role: str, subject: str | None = None, county: str = COUNTY) -> dict[str, str]:
        return self.auth(role, county, subject or "")

    def sync(self) -> None:
        self.catch_up()

    def pooled_demands(self, n: int, text: str = "诉求", town: str = "台城街道", category: str = "roads") -> list[str]:
        meta = Meta(county=COUNTY, actor_role="resident", actor_id="resident", occurred_at=datetime.now(UTC))
        demands = [
            PooledDemand(meta=meta, demand_id=uuid4(), channel="web", town=town, category=category, text=f"{text}{n}")
            for n in range(n)
        ]
        self.app.save(*demands)
        return [str(d.id) for d in demands]

    def adopted_list(self, n: int, year: int = 2025) -> tuple[str, list[str]]:
        ids = []
        for k in range(n):
            c = self.call(
                "POST",
                f"/counties/{COUNTY}/candidates",
                "gov_unit",
                expect=201,
                json={
                    "year": year,
                    "name": f"候选项目{k + 1}",
                    "content": "内容",
                    "implementing_body": "县住建局",
                    "investment": "1000000",
                    "deadline": f"{year}-12-31",
                    "coverage": ["台城街道"],
                    "demand_ids": self.pooled_demands(2),
                },
            )
            self.call(
                "POST",
                f"/candidates/{c['id']}/screening",
                "gov_unit",
                json={"scores": SCORES, "reasons": {"necessity": "群众反映集中"}},
            )
            ids.append(c["id"])
        lst = self.call(
            "POST",
            f"/counties/{COUNTY}/candidate-lists",
            "gov_unit",
            expect=201,
            json={"year": year, "title": f"{year}年民生实事候选项目", "candidate_ids": ids},
        )
        for step in STEPS:
            self.call(
                "POST",
                f"/candidate-lists/{lst['id']}/decisions",
                json={"step": step, "decision": "approve", "reason": "通过"},
            )
        return lst["id"], ids

    def session(self, list_id: str, roll: int, year: int = 2025) -> tuple[str, list[str]]:
        deputies = [f"deputy-{n:03d}" for n in range(roll)]
        s = self.call(
            "POST",
            f"/counties/{COUNTY}/sessions",
            expect=201,
            json={
                "year": year,
                "name": f"{year}年人代会",
                "list_id": list_id,
                "roll": [{"id": d, "name": f"代表{n}"} for n, d in enumerate(deputies)],
            },
        )
        return s["id"], deputies

    def check_in(self, session_id: str, deputy: str) -> Credential:
        """The deputy checks in, then their device takes a ballot credential (a blind signature)."""
        self.call("POST", f"/sessions/{session_id}/check-in", "deputy", subject=deputy, json={"deputy_id": deputy})
        return self.take_credential(session_id, deputy)

    def take_credential(self, session_id: str, deputy: str, reissue: bool = False) -> Credential:
        if reissue:
            key = self.call("POST", f"/sessions/{session_id}/credential/reissue", "deputy", subject=deputy)
        else:
            key = self.call("GET", f"/sessions/{session_id}/ballot-key", None)

        def sign(blinded: str) -> str:
            body = {"blinded": blinded, "kid": key["kid"]}
            signed = self.call("POST", f"/sessions/{session_id}/credential", "deputy", subject=deputy, json=body)
            return str(signed["blind_sig"])

        return take_credential(key["jwk"], sign)

    def cast(self, session_id: str, credential: Credential | str, marks: dict, expect: int = 201) -> dict:
        """An anonymous ballot (no login): with a credential, or a printed code (a str). ``kept`` is the
        receipt the device computed and kept."""
        box = self.call("GET", f"/sessions/{session_id}/ballot-key", None)["box_id"]
        if isinstance(credential, str):
            body, kept = ballot(box, None, marks, code=credential)
        else:
            body, kept = ballot(box, credential, marks)
        answer = self.call("POST", f"/sessions/{session_id}/ballots", None, expect=expect, json=body)
        return {**answer, "kept": kept}


def ballots_for(candidates: list[str], yes_counts: list[int], voters: int, seats: int) -> list[dict]:
    """Ballots giving candidate k exactly yes_counts[k] yes-votes ('no' otherwise), at most ``seats``
    yes-marks per ballot (largest remaining quota first)."""
    left = dict(zip(candidates, yes_counts, strict=True))
    ballots = []
    for _v in range(voters):
        chosen = sorted((c for c in candidates if left[c] > 0), key=lambda c: -left[c])[:seats]
        for c in chosen:
            left[c] -= 1
        ballots.append({c: ("yes" if c in chosen else "no") for c in candidates})
    assert not any(left.values()), "quota not feasible"
    return ballots


def uuid_of(value: str) -> UUID:
    return UUID(value)
