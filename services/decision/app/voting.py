"""Decision's use cases for candidates, the approval chain and vote sessions (a mixin of
:class:`DecisionApplication`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.decision.app.core import DecisionCore
from services.decision.domain.candidate import Candidate
from services.decision.domain.candidate_list import CandidateList
from services.decision.domain.pooled_demand import PooledDemand
from services.decision.domain.pooled_suggestion import PooledSuggestion
from services.decision.domain.rules import CHOICES, decide, quorum_met
from services.decision.domain.session import VoteSession
from shared.ballots.box import BallotBox, anonymous
from shared.ballots.tokens import is_valid, new_token, receipt_code, scope_key
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
    ballot_secret: bytes

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
                raise RuleViolation(f"suggestion {suggestion_id} is not in this county's pool")
            if suggestion.used_by is not None:
                raise RuleViolation(f"suggestion {suggestion_id} is already part of candidate {suggestion.used_by}")
            suggestions.append(suggestion)
        via_suggestions = [d for s in suggestions for d in s.demand_ids]
        demand_ids = list(dict.fromkeys([*draft.demand_ids, *via_suggestions]))
        demands = []
        for demand_id in demand_ids:
            demand = self.find(demand_id)
            if demand_id in draft.demand_ids and (not isinstance(demand, PooledDemand) or demand.county != meta.county):
                raise RuleViolation(f"demand {demand_id} is not in this county's pool")
            if isinstance(demand, PooledDemand) and demand.used_by is not None:
                raise RuleViolation(f"demand {demand_id} is already part of candidate {demand.used_by}")
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
                raise RuleViolation(f"candidate {cid} does not exist in this county")
            if not c.screening:
                raise RuleViolation(f"candidate {c.name} has not been screened")
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
            raise RuleViolation(f"the candidate list is {lst.status}; the presidium has not put it to the session")
        session = VoteSession(meta=meta, year=year, level=level, town=town, name=name, list_id=list_id, roll=roll)
        self.save(session)
        return session

    def session(self, session_id: UUID, county: str | None = None) -> VoteSession:
        return self._typed(VoteSession, session_id, county)

    def check_in(self, meta: Meta, session_id: UUID, deputy_id: str) -> str:
        """Record attendance and hand out one ballot token; the token is returned, never stored."""
        session = self.session(session_id, meta.county)
        session.check_in(meta, deputy_id)
        self.save(session)
        return new_token(scope_key(self.ballot_secret, str(session.id)))

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
                raise RuleViolation("only candidates on the adopted list can be voted on")
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

    def cast(self, meta: Meta, session_id: UUID, token: str, marks: dict[str, str]) -> str:
        """Cast with a ballot token; returns the receipt code. Recorded with an anonymous meta."""
        session = self.session(session_id, meta.county)
        current = session.open_round
        if current is None:
            raise RuleViolation("no vote is open")
        if not is_valid(scope_key(self.ballot_secret, str(session.id)), token):
            raise RuleViolation("this is not a ballot token of this session")
        box = self.box(current["box_id"])
        receipt = receipt_code(token, str(box.id))
        box.cast(anonymous(meta), receipt, marks)
        self.save(box)
        return receipt

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
            raise RuleViolation("no vote is open")
        return self.box(current["box_id"])

    def close_vote(self, meta: Meta, session_id: UUID) -> VoteSession:
        """Close the box, publish its ballots in random order, and declare the round's result."""
        session = self.session(session_id, meta.county)
        current = session.open_round
        if current is None:
            raise RuleViolation("no vote is open")
        box = self.box(current["box_id"])
        order = list(range(len(box.ballots)))
        secrets.SystemRandom().shuffle(order)
        box.close(meta, order)
        result = decide(
            box.result["counts"],
            current["seats"],
            current["attending"],
            current["roll_size"],
            current["rules"],
            rank_offset=session.next_rank(),
        )
        session.declare(meta, result, box.result)
        self.save(session, box)
        return session
