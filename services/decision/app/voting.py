"""Decision's use cases for candidates, the approval chain and vote sessions, with secret ballots:
attendance is recorded at check-in, each checked-in deputy's device takes a blind-signed credential
(or the deputy a printed code slip), ballots are cast anonymously into the urn and published shuffled
at close (``shared.ballots``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.decision.app.core import DecisionCore
from services.decision.domain.candidate import Candidate
from services.decision.domain.candidate_list import STATUS_NAMES, CandidateList
from services.decision.domain.pooled_demand import PooledDemand
from services.decision.domain.pooled_suggestion import PooledSuggestion
from services.decision.domain.rules import CHOICES, decide, quorum_met
from services.decision.domain.session import VoteSession
from shared.ballots.box import ELECTRONIC, BallotBox
from shared.ballots.credentials import (
    Proof,
    code_digest,
    new_code,
)
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import A


@dataclass(frozen=True)
class CandidateDraft:
    year: int
    level: str
    town: str
    name: str
    content: str
    implementing_body: str
    investment: Decimal
    deadline: date
    requirements: str
    coverage: list[str]
    demand_ids: list[UUID]
    suggestion_ids: list[UUID]


class VotingUseCases(DecisionCore):
    def _typed(self, cls: type[A], oid: UUID, county: str | None) -> A:
        return self.load_as(cls, oid, county)

    # candidates ---------------------------------------------------------------------------
    def draft_candidate(self, meta: Meta, draft: CandidateDraft) -> Candidate:
        """A candidate from demands in the pool and/or intake's project suggestions; all of them are
        marked as used by it, and the candidate lists every original demand (lineage)."""
        suggestions = []
        for suggestion_id in draft.suggestion_ids:
            suggestion = self.find(suggestion_id)
            if not isinstance(suggestion, PooledSuggestion) or suggestion.county != meta.county:
                raise RuleViolation(
                    f"所选项目建议不在本县的民意池中 / suggestion {suggestion_id} is not in this county's pool"
                )
            if suggestion.used_by is not None:
                raise RuleViolation(
                    "所选项目建议已纳入其他项目"
                    f" / suggestion {suggestion_id} is already part of candidate {suggestion.used_by}"
                )
            suggestions.append(suggestion)
        via_suggestions = [d for s in suggestions for d in s.demand_ids]
        demand_ids = list(dict.fromkeys([*draft.demand_ids, *via_suggestions]))
        demands = []
        for demand_id in demand_ids:
            demand = self.find(demand_id)
            if demand_id in draft.demand_ids and (not isinstance(demand, PooledDemand) or demand.county != meta.county):
                raise RuleViolation(f"所选诉求不在本县的民意池中 / demand {demand_id} is not in this county's pool")
            if isinstance(demand, PooledDemand) and demand.used_by is not None:
                raise RuleViolation(
                    f"所选诉求已纳入其他项目 / demand {demand_id} is already part of candidate {demand.used_by}"
                )
            if isinstance(demand, PooledDemand):
                demands.append(demand)
        candidate = Candidate(meta=meta, **{**draft.__dict__, "demand_ids": demand_ids})
        for demand in demands:
            demand.use(meta=meta, candidate_id=candidate.id)
        for suggestion in suggestions:
            suggestion.use(meta=meta, candidate_id=candidate.id)
        self.save(candidate, *demands, *suggestions)
        return candidate

    def screen_candidate(
        self, meta: Meta, candidate_id: UUID, scores: dict[str, Any], reasons: dict[str, Any]
    ) -> Candidate:
        candidate = self._typed(Candidate, candidate_id, meta.county)
        candidate.screen(meta, scores, reasons)
        self.save(candidate)
        return candidate

    # the list and its approval chain ------------------------------------------------------
    def draft_list(
        self, meta: Meta, year: int, level: str, town: str, title: str, candidate_ids: list[UUID]
    ) -> CandidateList:
        self._check_candidates(meta.county, candidate_ids)
        lst = CandidateList(meta=meta, year=year, level=level, town=town, title=title, candidate_ids=candidate_ids)
        self.save(lst)
        return lst

    def _check_candidates(self, county: str, candidate_ids: list[UUID]) -> list[Candidate]:
        found = []
        for cid in candidate_ids:
            c = self.find(cid)
            if not isinstance(c, Candidate) or c.county != county:
                raise RuleViolation(f"本县没有这个候选项目 / candidate {cid} does not exist in this county")
            if not c.screening:
                raise RuleViolation(f"候选项目“{c.name}”尚未初审 / candidate {c.name} has not been screened")
            found.append(c)
        return found

    def decide_list(self, meta: Meta, list_id: UUID, step: str, approve: bool) -> CandidateList:
        lst = self._typed(CandidateList, list_id, meta.county)
        lst.approve(meta, step) if approve else lst.send_back(meta, step)
        self.save(lst)
        return lst

    def revise_list(self, meta: Meta, list_id: UUID, candidate_ids: list[UUID]) -> CandidateList:
        lst = self._typed(CandidateList, list_id, meta.county)
        self._check_candidates(meta.county, candidate_ids)
        lst.revise(meta, candidate_ids)
        self.save(lst)
        return lst

    # sessions -----------------------------------------------------------------------------
    def schedule_session(
        self, meta: Meta, year: int, level: str, town: str, name: str, list_id: UUID, roll: list[dict[str, Any]]
    ) -> VoteSession:
        lst = self._typed(CandidateList, list_id, meta.county)
        if lst.status != "put_to_session":
            raise RuleViolation(
                f"候选项目清单{STATUS_NAMES.get(lst.status, lst.status)}，大会主席团尚未提交大会表决"
                f" / the candidate list is {lst.status}; the presidium has not put it to the session"
            )
        session = VoteSession(meta=meta, year=year, level=level, town=town, name=name, list_id=list_id, roll=roll)
        self.new_key(meta, session)
        self.save(session)
        return session

    def session(self, session_id: UUID, county: str | None = None) -> VoteSession:
        return self._typed(VoteSession, session_id, county)

    def check_in(self, meta: Meta, session_id: UUID, deputy_id: str) -> VoteSession:
        """Record attendance (public). The ballot comes separately: the deputy's own device takes a
        credential (``take_credential``), or the deputy is handed a printed code slip (``hand_slip``)."""
        session = self.session(session_id, meta.county)
        session.check_in(meta, deputy_id)
        self.save(session)
        return session

    def take_credential(self, meta: Meta, session_id: UUID, blinded: str, kid: str) -> dict[str, Any]:
        """The logged-in deputy (``meta.actor_id``) has the token their device blinded for the session's key
        ``kid`` signed; recorded: that they received a ballot, never which."""
        session = self.session(session_id, meta.county)
        signed = self.sign_credential(meta, session, blinded, kid)
        self.save(session)
        return signed

    def reissue_credential(self, meta: Meta, session_id: UUID) -> dict[str, Any]:
        """Taken again on another device: a new key for the session, voiding every unused credential (never
        while a box is open). Returns the new public key, for the device to take its credential with."""
        session = self.session(session_id, meta.county)
        key = self.revoke_unused(meta, session, box_open=session.open_round is not None)
        self.save(session)
        return key

    def print_codes(self, meta: Meta, session_id: UUID, count: int) -> list[str]:
        """A pool of ``count`` printed code slips for the room; the codes are returned once (to print) and
        only their salted digests are recorded."""
        if not 1 <= count <= 2000:
            raise RuleViolation("投票码数量为 1–2000 / between 1 and 2000 codes", reason="invalid_count")
        session = self.session(session_id, meta.county)
        codes = sorted({new_code() for _ in range(count)})
        salt = secrets.token_bytes(16)
        session.print_codes(meta, salt.hex(), sorted(code_digest(salt, c) for c in codes))
        self.save(session)
        return codes

    def hand_slip(self, meta: Meta, session_id: UUID, deputy_id: str) -> VoteSession:
        """Record that a checked-in deputy took one slip from the shuffled pool (which one is not known)."""
        session = self.session(session_id, meta.county)
        session.hand_slip(meta, deputy_id)
        self.save(session)
        return session

    def open_vote(
        self, meta: Meta, session_id: UUID, seats: int, kind: str, mode: str, candidate_ids: list[UUID] | None = None
    ) -> VoteSession:
        session = self.session(session_id, meta.county)
        if session.status == "runoff":
            ids = [str(c) for c in (candidate_ids or session.rounds[-1]["result"]["tied"])]
        else:
            lst = self._typed(CandidateList, session.list_id, meta.county)
            ids = [str(c) for c in (candidate_ids or lst.candidate_ids)]
            if set(ids) - {str(c) for c in lst.candidate_ids}:
                raise RuleViolation(
                    "只能对提交大会的清单上的候选项目表决 / only candidates on the adopted list can be voted on"
                )
        candidates = [self._typed(Candidate, UUID(c), meta.county).dossier() for c in ids]
        rules = self.rules(meta.county)
        key = f"{session.id}:{len(session.rounds) + 1}"
        box = BallotBox(
            key=key,
            meta=meta,
            title=f"{session.name} #{len(session.rounds) + 1}",
            items=[{"id": c["candidate_id"], "label": c["name"]} for c in candidates],
            choices=CHOICES,
            mode=mode,
            issued=len(session.present),
            limits={"yes": seats} if rules.values["yes_limited_to_seats"] else {},
        )
        session.open_vote(
            meta,
            box.id,
            candidates,
            seats,
            kind,
            mode,
            rules.version,
            rules.values,
            quorum_met(len(session.present), len(session.roll), rules.values),
        )
        self.save(session, box)
        return session

    def box(self, box_id: UUID, county: str | None = None) -> BallotBox:
        return self._typed(BallotBox, box_id, county)

    def cast(
        self, session_id: UUID, marks: dict[str, str], receipt: str, proof: Proof | None = None, code: str = ""
    ) -> str:
        """An anonymous ballot into the session's open box (``drop_ballot``): no event, nobody named."""
        session = self.session(session_id)
        current = session.open_round
        if current is None:
            raise RuleViolation("现在没有进行中的表决 / no vote is open", reason="no_vote_open")
        return self.drop_ballot(session, self.box(current["box_id"]), marks, receipt, proof, code)

    def enter_box(
        self,
        meta: Meta,
        session_id: UUID,
        box_no: str,
        issued: int,
        returned: int,
        invalid: int,
        counts: dict[str, Any],
    ) -> BallotBox:
        box = self._current_box(meta, session_id)
        box.enter_box(meta, box_no, issued, returned, invalid, counts)
        self.save(box)
        return box

    def confirm_box(self, meta: Meta, session_id: UUID, box_no: str) -> BallotBox:
        box = self._current_box(meta, session_id)
        box.confirm_box(meta, box_no)
        self.save(box)
        return box

    def _current_box(self, meta: Meta, session_id: UUID) -> BallotBox:
        current = self.session(session_id, meta.county).open_round
        if current is None:
            raise RuleViolation("现在没有进行中的表决 / no vote is open", reason="no_vote_open")
        return self.box(current["box_id"])

    def close_vote(self, meta: Meta, session_id: UUID) -> VoteSession:
        """Close the box, publish its ballots in random order, and declare the round's result."""
        session = self.session(session_id, meta.county)
        current = session.open_round
        if current is None:
            raise RuleViolation("现在没有进行中的表决 / no vote is open", reason="no_vote_open")
        box = self.box(current["box_id"])
        self.close_box(meta, session, box)
        result = decide(
            box.result["counts"],
            current["seats"],
            current["attending"],
            current["roll_size"],
            current["rules"],
            rank_offset=session.next_rank(),
        )
        if box.mode == ELECTRONIC and box.result["cast"] > box.result["issued"]:
            result = {**result, "status": "void", "reason": "投出的选票多于发出的选票 / more ballots cast than issued"}
        session.declare(meta, result, box.result)
        self.save(session, box)
        self.empty_urn(box)  # the ballots are in the box's Closed event now
        return session
