"""Decision's JSON API for candidates, the approval chain, vote sessions, ballots and results."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import AfterValidator

from services.decision.app.application import DecisionApplication
from services.decision.app.voting import CandidateDraft
from services.decision.domain.candidate_list import STEPS
from services.decision.http.result_sheet import result_sheet_pdf
from services.decision.http.vote_models import (
    BallotIn,
    CandidateIn,
    CheckInIn,
    CodesIn,
    ListDecisionIn,
    ListIn,
    OpenVoteIn,
    PaperBoxIn,
    ReviseIn,
    ScreeningIn,
    SessionIn,
)
from services.decision.read.vote_projections import BOXES, CANDIDATES, LISTS, RESULTS, SESSIONS, SUGGESTIONS
from shared.auth import Principal, Role
from shared.ballots.credentials import Proof
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import known_county
from shared.views.paging import of_year, page_in_store
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, require_county
from shared.web.anonymous import refuse_identified
from shared.web.ballots import CredentialIn
from shared.web.paging import PAGED, PagingDep
from shared.web.pdf_fonts import FontUnavailable
from shared.web.problems import Problem
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county
READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)
STAFF = (Role.CONGRESS_STAFF,)


def make_vote_router(app: DecisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["vote"])

    def doc(kind: str, oid: UUID, principal: Principal) -> dict[str, Any]:
        found = views.get(kind, str(oid))
        require_county(principal, found["county"] if found else None)
        assert found is not None  # require_county refused a missing document
        return found

    def owner(oid: UUID, principal: Principal) -> str:
        """The county of an aggregate (writes check the record itself, not the read model)."""
        return require_county(principal, getattr(app.find(oid), "county", None))

    # candidates ---------------------------------------------------------------------------
    @router.post("/counties/{county}/candidates", status_code=201)
    def draft_candidate(
        county: County,
        body: CandidateIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """The government drafts a candidate project (候选项目) from demands in the pool (lineage kept)."""
        check_county(principal, county)
        if not body.demand_ids and not body.suggestion_ids:
            raise Problem(
                422,
                "Unprocessable",
                "name the demands or suggestions the candidate comes from",
                reason="lineage_required",
            )
        if body.level != "county" and not body.town:
            raise Problem(422, "Unprocessable", "a town or street candidate names its town", reason="town_required")
        c = app.draft_candidate(meta_for(request, principal, county), CandidateDraft(**body.model_dump()))
        return {"id": str(c.id), **c.dossier()}

    @router.get("/counties/{county}/suggestions", **PAGED)
    def suggestions(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        include_used: bool = False,
    ) -> dict:
        """Intake's project suggestions (merged demands) available for candidates, newest first."""
        check_county(principal, county)
        unused = () if include_used else (Condition("used_by", "is null"),)
        query = DocQuery(SUGGESTIONS, county, unused, order=(("pooled_at", True),))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/counties/{county}/candidates", **PAGED)
    def candidates(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        year: int | None = None,
    ) -> dict:
        """The county's candidate projects in the order they were drafted, a page at a time."""
        check_county(principal, county)
        query = DocQuery(CANDIDATES, county, of_year(year), order=(("drafted_at", False),))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/candidates/{candidate_id}")
    def candidate(candidate_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        return doc(CANDIDATES, candidate_id, principal)

    @router.post("/candidates/{candidate_id}/screening")
    def screen(
        candidate_id: UUID,
        body: ScreeningIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """初审: scores 1..5 and reasons on 必要性、可行性、普惠性、区域平衡 and 最急需、最突出、最现实."""
        county = owner(candidate_id, principal)
        c = app.screen_candidate(meta_for(request, principal, county), candidate_id, body.scores, body.reasons)
        return {"id": str(c.id), "screening": c.screening}

    # the candidate list -------------------------------------------------------------------
    @router.post("/counties/{county}/candidate-lists", status_code=201)
    def draft_list(
        county: County,
        body: ListIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        check_county(principal, county)
        lst = app.draft_list(
            meta_for(request, principal, county, reason=body.reason),
            body.year,
            body.level,
            body.town,
            body.title,
            body.candidate_ids,
        )
        return {"id": str(lst.id), "status": lst.status, "pending_step": lst.pending_step, "version": lst.version}

    @router.get("/counties/{county}/candidate-lists", **PAGED)
    def lists(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        year: int | None = None,
    ) -> dict:
        """The candidate lists in the order they were drafted, with the approval chain's steps."""
        check_county(principal, county)
        query = DocQuery(LISTS, county, of_year(year), order=(("drafted_at", False),))
        return {"county": county, "steps": STEPS, **page_in_store(views, query, paging)}

    @router.get("/candidate-lists/{list_id}")
    def candidate_list(list_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        return doc(LISTS, list_id, principal)

    @router.post("/candidate-lists/{list_id}/decisions")
    def decide_list(
        list_id: UUID,
        body: ListDecisionIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*STAFF, write=True))],
    ) -> dict:
        """Record a step of the approval chain: 主任会议 → 党委审定 → 常委会 → 主席团; or send the list back."""
        county = owner(list_id, principal)
        lst = app.decide_list(
            meta_for(request, principal, county, reason=body.reason), list_id, body.step, body.decision == "approve"
        )
        return {"id": str(lst.id), "status": lst.status, "pending_step": lst.pending_step, "version": lst.version}

    @router.post("/candidate-lists/{list_id}/revise")
    def revise_list(
        list_id: UUID,
        body: ReviseIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.GOV_UNIT, Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        county = owner(list_id, principal)
        lst = app.revise_list(meta_for(request, principal, county, reason=body.reason), list_id, body.candidate_ids)
        return {"id": str(lst.id), "status": lst.status, "pending_step": lst.pending_step, "version": lst.version}

    # sessions -----------------------------------------------------------------------------
    @router.post("/counties/{county}/sessions", status_code=201)
    def schedule(
        county: County,
        body: SessionIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*STAFF, write=True))],
    ) -> dict:
        check_county(principal, county)
        s = app.schedule_session(
            meta_for(request, principal, county),
            body.year,
            body.level,
            body.town,
            body.name,
            body.list_id,
            [d.model_dump() for d in body.roll],
        )
        return {"id": str(s.id), **s.summary()}

    @router.get("/counties/{county}/sessions", **PAGED)
    def sessions(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        year: int | None = None,
    ) -> dict:
        """The county's sessions in the order they were scheduled, a page at a time."""
        check_county(principal, county)
        query = DocQuery(SESSIONS, county, of_year(year), order=(("scheduled_at", False),))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/sessions/{session_id}")
    def session(session_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        return doc(SESSIONS, session_id, principal)

    @router.post("/sessions/{session_id}/check-in")
    def check_in(
        session_id: UUID,
        body: CheckInIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.DEPUTY, write=True))],
    ) -> dict:
        """Attendance (public record). It hands out nothing secret: the deputy's own device then takes a
        ballot credential (``…/credential``), or staff hand a printed code slip (``…/slips``)."""
        county = owner(session_id, principal)
        if not principal.has_any({Role.CONGRESS_STAFF}) and body.deputy_id != principal.subject:
            raise Problem(403, "Forbidden", "a deputy checks in only themselves", reason="forbidden")
        app.check_in(meta_for(request, principal, county), session_id, body.deputy_id)
        return {"session_id": str(session_id), "deputy_id": body.deputy_id, "checked_in": True}

    @router.get("/sessions/{session_id}/ballot-key")
    def ballot_key(session_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """The session's ballot key (public JWK, key id, generation) and the open round's box: what a
        device needs to take a credential and to cast (public: the key id is the same for everybody)."""
        s = app.session(session_id)
        current = s.open_round
        return {
            "session_id": str(s.id),
            **s.issuance.as_dict(),
            "round_no": current["round_no"] if current else None,
            "box_id": str(current["box_id"]) if current else None,
        }

    @router.post("/sessions/{session_id}/credential")
    def credential(
        session_id: UUID,
        body: CredentialIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, write=True))],
    ) -> dict:
        """The logged-in deputy's device has its blinded token signed (once per key generation; records that
        this deputy received a ballot, never which)."""
        county = owner(session_id, principal)
        return app.take_credential(meta_for(request, principal, county), session_id, body.blinded, body.kid)

    @router.post("/sessions/{session_id}/credential/reissue")
    def reissue_credential(
        session_id: UUID,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, write=True))],
    ) -> dict:
        """The logged-in deputy takes their ballot again on another device: a new key voids every unused
        credential (nobody learns whose), every checked-in deputy's device takes a new one. Refused while a
        box is open. Answers the new key, as ``…/ballot-key`` does."""
        county = owner(session_id, principal)
        return app.reissue_credential(meta_for(request, principal, county), session_id)

    @router.post("/sessions/{session_id}/codes", status_code=201)
    def print_codes(
        session_id: UUID,
        body: CodesIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """A pool of printed ballot codes for the room (shown once, to print; only digests are kept)."""
        county = owner(session_id, principal)
        codes = app.print_codes(meta_for(request, principal, county), session_id, body.count)
        return {"session_id": str(session_id), "codes": codes}

    @router.post("/sessions/{session_id}/slips")
    def hand_slip(
        session_id: UUID,
        body: CheckInIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """A checked-in deputy took one code slip from the shuffled pool (which one is not recorded)."""
        county = owner(session_id, principal)
        s = app.hand_slip(meta_for(request, principal, county), session_id, body.deputy_id)
        return {"session_id": str(session_id), "deputy_id": body.deputy_id, "slips": len(s.issuance.slips)}

    @router.post("/sessions/{session_id}/votes", status_code=201)
    def open_vote(
        session_id: UUID,
        body: OpenVoteIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*STAFF, write=True))],
    ) -> dict:
        """Open a vote round (差额/等额; electronic or paper). A run-off takes the tied candidates."""
        county = owner(session_id, principal)
        s = app.open_vote(
            meta_for(request, principal, county), session_id, body.seats, body.kind, body.mode, body.candidate_ids
        )
        current = s.rounds[-1]
        return {
            "session_id": str(s.id),
            "round_no": current["round_no"],
            "box_id": str(current["box_id"]),
            "attending": current["attending"],
            "quorum_met": current["quorum_met"],
            "rule_version": current["rule_version"],
        }

    @router.post("/sessions/{session_id}/ballots", status_code=201)
    def cast(session_id: UUID, body: BallotIn, request: Request) -> dict:
        """Cast a secret ballot, anonymously: no login (a request carrying one is refused, so it cannot be
        linked by mistake), a credential's proof or a printed code, the receipt the device computed. Kept
        without order or time until the round closes; not logged."""
        refuse_identified(request)
        if (body.proof is None) == (not body.code):
            raise Problem(422, "Invalid request", "a ballot shows a proof or a code", reason="invalid_request")
        proof = Proof(body.proof.msg, body.proof.sig) if body.proof is not None else None
        receipt = app.cast(session_id, dict(body.marks), body.receipt, proof, body.code)
        return {"receipt": receipt}

    @router.post("/sessions/{session_id}/paper-boxes", status_code=201)
    def enter_box(
        session_id: UUID,
        body: PaperBoxIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*STAFF, write=True))],
    ) -> dict:
        """A teller (监票人/计票人) enters one ballot box's counts; a different teller confirms."""
        county = owner(session_id, principal)
        box = app.enter_box(
            meta_for(request, principal, county),
            session_id,
            body.box_no,
            body.issued,
            body.returned,
            body.invalid,
            {k: dict(v) for k, v in body.counts.items()},
        )
        return box.boxes[body.box_no]

    @router.post("/sessions/{session_id}/paper-boxes/{box_no}/confirm")
    def confirm_box(
        session_id: UUID,
        box_no: str,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*STAFF, write=True))],
    ) -> dict:
        county = owner(session_id, principal)
        return app.confirm_box(meta_for(request, principal, county), session_id, box_no).boxes[box_no]

    @router.post("/sessions/{session_id}/close")
    def close(
        session_id: UUID, request: Request, principal: Annotated[Principal, Depends(allow(*STAFF, write=True))]
    ) -> dict:
        """Close the vote: publish the ballots in random order and declare the result under the county's rules."""
        county = owner(session_id, principal)
        s = app.close_vote(meta_for(request, principal, county), session_id)
        return {
            "session_id": str(s.id),
            "status": s.status,
            "round": _round_view(s.rounds[-1]),
            "elected": [
                {k: e[k] for k in ("candidate_id", "project_id", "name", "rank", "yes", "no", "abstain")}
                for e in s.elected
            ],
        }

    @router.get("/sessions/{session_id}/rounds/{round_no}/ballots")
    def published(session_id: UUID, round_no: int, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """The published ballots of a closed round (random order), with a recount anyone can repeat."""
        s = doc(SESSIONS, session_id, principal)
        if not 1 <= round_no <= len(s["rounds"]):
            raise Problem(404, "Not found", "no such round", reason="not_found")
        box = views.get(BOXES, s["rounds"][round_no - 1]["box_id"]) or {}
        if box.get("status") != "closed":
            raise Problem(409, "Conflict", "ballots are published when the vote closes", reason="vote_open")
        return {
            "session_id": str(session_id),
            "round_no": round_no,
            "mode": box["mode"],
            "items": box["items"],
            "choices": box["choices"],
            "ballots": box["published"],
            "boxes": list(box["boxes"].values()),
            "result": box["result"],
        }

    @router.get("/sessions/{session_id}/rounds/{round_no}/box")
    def box_state(session_id: UUID, round_no: int, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """Counts so far: ballots cast (electronic) against credentials issued, or the paper boxes entered and
        confirmed; once closed, the reconciliation's flags (say, more ballots cast than issued)."""
        s = doc(SESSIONS, session_id, principal)
        if not 1 <= round_no <= len(s["rounds"]):
            raise Problem(404, "Not found", "no such round", reason="not_found")
        box = views.get(BOXES, s["rounds"][round_no - 1]["box_id"]) or {}
        state = {k: box.get(k) for k in ("mode", "issued", "cast", "status", "boxes")}
        state["flags"] = box.get("flags", [])
        if box.get("status") == "open" and box.get("mode") == "electronic":  # the urn's count: no order, no times
            state["cast"] = app.ballots.count(str(box["id"]))
            state["issued"] = app.session(session_id).issuance.count
        return state

    @router.get("/counties/{county}/results", **PAGED)
    def results(
        county: County,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        paging: PagingDep,
        year: int | None = None,
    ) -> dict:
        """Public: the adopted projects of each decided session, with votes and rank, by year and name."""
        query = DocQuery(RESULTS, county, of_year(year), order=(("year", False), ("name", False)))
        return {"county": county, **page_in_store(views, query, paging)}

    @router.get("/sessions/{session_id}/result-sheet.pdf")
    def sheet(session_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> Response:
        """The printable result sheet (PDF) for the presidium to sign."""
        s = doc(SESSIONS, session_id, principal)
        try:
            content = result_sheet_pdf(s)
        except FontUnavailable as exc:
            raise Problem(503, "No font for the PDF", str(exc), reason="pdf_font_unavailable") from exc
        return Response(
            content,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="result-{session_id}.pdf"'},
        )

    return router


def _round_view(r: dict) -> dict:
    return {
        "round_no": r["round_no"],
        "status": r["status"],
        "result": r["result"],
        "tally": r.get("tally"),
        "rule_version": r["rule_version"],
    }
