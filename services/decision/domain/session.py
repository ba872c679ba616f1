"""The vote session (票决会议) aggregate (pure domain): roll, check-in, ballot credentials, rounds, results.

Check-in is the public record that a deputy attended; taking a ballot credential (a blind signature
on a token the deputy's device made, or a printed code slip) is the public record that they received
a ballot. Nothing here knows which ballot: the session holds the public half of its ballot key and
who received a credential (``shared.ballots.issuance``), never a token, and ballots never name anybody.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.decision.domain.candidate import LEVELS
from services.decision.domain.micro_project import project_id_for
from services.decision.domain.rules import COMPETITIVE, margin_problem
from shared.ballots.issuance import Issuance
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved


class VoteSession(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Scheduled(Aggregate.Created):
        meta: Meta
        year: int
        level: str
        town: str
        name: str
        list_id: UUID
        roll: list[dict[str, Any]]

    class CheckedIn(Aggregate.Event):
        meta: Meta
        deputy_id: str

    class BallotKeyMade(Aggregate.Event):
        """The public half of the session's ballot key (generation 1, or a new one revoking every unused
        credential of the previous)."""

        meta: Meta
        generation: int
        kid: str
        jwk: dict[str, Any]

    class CredentialIssued(Aggregate.Event):
        """A checked-in deputy received a ballot credential (which one is not known)."""

        meta: Meta
        deputy_id: str
        generation: int

    class CodesPrinted(Aggregate.Event):
        """A pool of printed ballot codes: only their digests, salted."""

        meta: Meta
        salt: str
        digests: list[str]

    class SlipHanded(Aggregate.Event):
        """A checked-in deputy was handed one code slip from the shuffled pool (which one is not known)."""

        meta: Meta
        deputy_id: str

    class VoteOpened(Aggregate.Event):
        meta: Meta
        round_no: int
        box_id: UUID
        candidates: list[dict[str, Any]]
        seats: int
        kind: str
        mode: str
        runoff: bool
        attending: int
        roll_size: int
        quorum_met: bool
        issued_to: list[str]
        rule_version: int
        rules: dict[str, Any]

    class Declared(Aggregate.Event):
        meta: Meta
        round_no: int
        result: dict[str, Any]
        tally: dict[str, Any]
        elected: list[dict[str, Any]]
        year: int
        rule_version: int
        level: str = "county"
        town: str = ""

    @event(Scheduled)
    def __init__(
        self, meta: Meta, year: int, level: str, town: str, name: str, list_id: UUID, roll: list[dict[str, Any]]
    ) -> None:
        if level not in LEVELS:
            raise RuleViolation(f"层级须为县（市、区）、乡镇或街道 / level must be one of {LEVELS}")
        if level != "county" and not town:
            raise RuleViolation("乡镇或街道的会议须写明乡镇（街道）/ a town or street session names its town/street")
        ids = [d["id"] for d in roll]
        if not roll or len(set(ids)) != len(ids):
            raise RuleViolation("代表名册至少列入一名代表，且不得重复 / the roll lists at least one deputy, each once")
        self.county = meta.county
        self.year, self.level, self.town, self.name, self.list_id = year, level, town, name, list_id
        self.roll = [dict(d) for d in roll]
        self.present: set[str] = set()
        self.issuance = Issuance()
        self.rounds: list[dict[str, Any]] = []
        self.elected: list[dict[str, Any]] = []
        self.status = "scheduled"  # scheduled | voting | runoff | decided | void

    @property
    def open_round(self) -> dict[str, Any] | None:
        return self.rounds[-1] if self.rounds and self.rounds[-1]["status"] == "open" else None

    def check_in(self, meta: Meta, deputy_id: str) -> None:
        names = {d["id"]: d.get("name") or d["id"] for d in self.roll}
        if deputy_id not in names:
            raise RuleViolation(f"该代表不在本次会议的代表名册中 / {deputy_id} is not on the roll of this session")
        if deputy_id in self.present:
            raise RuleViolation(
                f"{names[deputy_id]}已经签到 / {deputy_id} has already checked in and received a ballot",
                reason="already_checked_in",
            )
        if self.open_round is not None:
            raise RuleViolation("表决进行中，签到已截止 / check-in is closed while a vote is open", reason="vote_open")
        if self.status == "decided":
            raise RuleViolation("本次会议已作出决定 / the session has decided", reason="decided")
        self._checked_in(meta=meta, deputy_id=deputy_id)

    @event(CheckedIn)
    def _checked_in(self, meta: Meta, deputy_id: str) -> None:
        """The deputy attended (before 2026-12 this also handed out a ballot token)."""
        self.present.add(deputy_id)

    # ballot credentials ------------------------------------------------------------------------
    def make_key(self, meta: Meta, kid: str, jwk: dict[str, Any]) -> None:
        """Publish the session's (next) ballot key. A new generation revokes every unused credential: only
        while no vote is open, so no ballot already cast is touched."""
        if self.issuance.kid and self.open_round is not None:
            raise RuleViolation("表决进行中，不能更换选票密钥 / not while a vote is open", reason="vote_open")
        if self.status == "decided":
            raise RuleViolation("本次会议已作出决定 / the session has decided", reason="decided")
        self._key_made(meta=meta, generation=self.issuance.generation + 1, kid=kid, jwk=jwk)

    @event(BallotKeyMade)
    def _key_made(self, meta: Meta, generation: int, kid: str, jwk: dict[str, Any]) -> None:
        self.issuance.key_made(generation, kid, jwk)

    def issue_credential(self, meta: Meta, deputy_id: str) -> None:
        self.issuance.check_can_issue(deputy_id, self.present, reissue=False)
        if self.status == "decided":
            raise RuleViolation("本次会议已作出决定 / the session has decided", reason="decided")
        self._credential_issued(meta=meta, deputy_id=deputy_id, generation=self.issuance.generation)

    @event(CredentialIssued)
    def _credential_issued(self, meta: Meta, deputy_id: str, generation: int) -> None:
        if generation == self.issuance.generation:
            self.issuance.issued.add(deputy_id)

    def print_codes(self, meta: Meta, salt: str, digests: list[str]) -> None:
        if self.issuance.slips:
            raise RuleViolation("已发放投票码，不能重新打印 / slips were handed out already", reason="slips_handed")
        if self.status == "decided":
            raise RuleViolation("本次会议已作出决定 / the session has decided", reason="decided")
        self._codes_printed(meta=meta, salt=salt, digests=digests)

    @event(CodesPrinted)
    def _codes_printed(self, meta: Meta, salt: str, digests: list[str]) -> None:
        self.issuance.code_salt, self.issuance.codes = salt, set(digests)

    def hand_slip(self, meta: Meta, deputy_id: str) -> None:
        self.issuance.check_can_hand_slip(deputy_id, self.present)
        self._slip_handed(meta=meta, deputy_id=deputy_id)

    @event(SlipHanded)
    def _slip_handed(self, meta: Meta, deputy_id: str) -> None:
        self.issuance.slips.add(deputy_id)

    def open_vote(
        self,
        meta: Meta,
        box_id: UUID,
        candidates: list[dict[str, Any]],
        seats: int,
        kind: str,
        mode: str,
        rule_version: int,
        rules: dict[str, Any],
        quorum_met: bool,
    ) -> None:
        if self.open_round is not None:
            raise RuleViolation("已有一轮表决正在进行 / a vote is already open", reason="vote_open")
        if self.status == "decided":
            raise RuleViolation("本次会议已作出决定 / the session has decided", reason="decided")
        if not self.present:
            raise RuleViolation("还没有代表签到 / no deputy has checked in")
        ids = [c["candidate_id"] for c in candidates]
        if self.status == "runoff":
            last = self.rounds[-1]["result"]
            if sorted(ids) != sorted(last["tied"]) or seats != last["runoff_seats"]:
                raise RuleViolation(
                    f"另行投票只在并列的 {len(last['tied'])} 个候选项目之间进行，应选 {last['runoff_seats']} 项"
                    f" / the run-off is among the tied candidates {last['tied']} for {last['runoff_seats']} seat(s)"
                )
        else:
            problem = margin_problem(kind, len(candidates), seats, rules)
            if problem:
                raise RuleViolation(problem)
        self._vote_opened(
            meta=meta,
            round_no=len(self.rounds) + 1,
            box_id=box_id,
            candidates=candidates,
            seats=seats,
            kind=COMPETITIVE if self.status == "runoff" else kind,
            mode=mode,
            runoff=self.status == "runoff",
            attending=len(self.present),
            roll_size=len(self.roll),
            quorum_met=quorum_met,
            issued_to=sorted(self.present),
            rule_version=rule_version,
            rules=dict(rules),
        )

    @event(VoteOpened)
    def _vote_opened(
        self,
        meta: Meta,
        round_no: int,
        box_id: UUID,
        candidates: list[dict[str, Any]],
        seats: int,
        kind: str,
        mode: str,
        runoff: bool,
        attending: int,
        roll_size: int,
        quorum_met: bool,
        issued_to: list[str],
        rule_version: int,
        rules: dict[str, Any],
    ) -> None:
        self.rounds.append(
            {
                "round_no": round_no,
                "box_id": box_id,
                "candidates": candidates,
                "seats": seats,
                "kind": kind,
                "mode": mode,
                "runoff": runoff,
                "attending": attending,
                "roll_size": roll_size,
                "quorum_met": quorum_met,
                "rule_version": rule_version,
                "rules": rules,
                "status": "open",
                "result": None,
            }
        )
        self.status = "voting"

    def declare(self, meta: Meta, result: dict[str, Any], tally: dict[str, Any]) -> None:
        current = self.open_round
        if current is None:
            raise RuleViolation("现在没有进行中的表决 / no vote is open", reason="no_vote_open")
        by_id = {c["candidate_id"]: c for c in current["candidates"]}
        elected = [
            {
                **by_id[r["candidate_id"]],
                "yes": r["yes"],
                "no": r["no"],
                "abstain": r["abstain"],
                "rank": r["rank"],
                "project_id": str(project_id_for(UUID(r["candidate_id"]))),
            }
            for r in result["elected"]
        ]
        self._declared(
            meta=meta,
            round_no=current["round_no"],
            result=result,
            tally=tally,
            elected=elected,
            year=self.year,
            rule_version=current["rule_version"],
            level=self.level,
            town=self.town,
        )

    @event(Declared)
    def _declared(
        self,
        meta: Meta,
        round_no: int,
        result: dict[str, Any],
        tally: dict[str, Any],
        elected: list[dict[str, Any]],
        year: int,
        rule_version: int,
        level: str = "county",
        town: str = "",
    ) -> None:
        """The result of one round, with the dossiers of the candidates it elected (for the contract)."""
        current = self.rounds[round_no - 1]
        current.update(status="closed", result=result, tally=tally)
        self.elected.extend(elected)
        self.status = {"void": "void", "runoff": "runoff"}.get(result["status"], "decided")
        if self.status == "void":
            self.status = "scheduled"  # a void vote may be held again once a quorum is present
            current["void"] = True

    def next_rank(self) -> int:
        return len(self.elected)

    def summary(self) -> dict[str, Any]:
        return {"present": len(self.present), "roll": len(self.roll), "status": self.status}


moved("services.decision.sessions", VoteSession)  # stored before 2026-12 under the old module
