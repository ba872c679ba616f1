"""The session's rating round over HTTP: open, check-in (a one-time ballot token), secret casting
with a receipt, paper boxes by two tellers, close, the public ballot list and recount,
presidium confirmation and distribution."""

from __future__ import annotations

from typing import Annotated, Literal, get_args
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.app.rounds import CHOICES
from services.evaluation.domain.rules import verdict
from services.evaluation.read.projections import RATING, ROUND
from shared.auth import Principal, Role
from shared.ballots.credentials import Proof
from shared.ballots.tally import paper_totals, tally
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import PlausibleDate, known_county
from shared.views.paging import page_in_store
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county
from shared.web.anonymous import refuse_identified
from shared.web.ballots import RECEIPT_FIELD, CredentialIn, ProofIn
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county
Choice = Literal["satisfied", "basically_satisfied", "unsatisfied"]
Staff = Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]


Recipient = Literal[
    "all_deputies", "party_committee", "government", "organisation_department"
]  # domain.round.RECIPIENTS


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_year: int = Field(ge=2000, le=2100, description="the annual session's year (e.g. 2026)")
    rated_year: int = Field(ge=2000, le=2100, description="the year whose projects are rated (e.g. 2025)")
    session_closes_on: PlausibleDate
    mode: Literal["electronic", "paper"] = "electronic"


class CastIn(BaseModel):
    """An anonymous ballot: the credential's proof, the marks, the receipt the voter's device computed."""

    model_config = ConfigDict(extra="forbid")
    proof: ProofIn
    marks: dict[str, Choice] = Field(description="project id -> 满意 / 基本满意 / 不满意, every project once")
    receipt: str = RECEIPT_FIELD


class PaperBoxIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    box_no: str = Field(min_length=1, max_length=20)
    issued: int = Field(ge=0, le=100_000)
    returned: int = Field(ge=0, le=100_000)
    invalid: int = Field(ge=0, le=100_000)
    counts: dict[str, dict[Choice, int]]


class DistributeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipients: list[Recipient] = Field(default_factory=lambda: list(get_args(Recipient)), min_length=1)


def satisfied_basic_unsatisfied(counts: dict[str, int]) -> tuple[int, int, int]:
    satisfied, basic, unsatisfied = (counts[c] for c in CHOICES)
    return satisfied, basic, unsatisfied


def make_rounds_router(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["rating rounds"])

    def round_doc(round_id: UUID) -> dict:
        doc = views.get(ROUND, str(round_id))
        if doc is None:
            found = app.find(round_id)
            if found is None or not hasattr(found, "session_year"):
                raise Problem(404, "Not found", "no such rating round", reason="not_found")
            raise Problem(503, "Not ready", "the round is being recorded; try again", reason="not_ready")
        return doc

    def county_of(round_id: UUID, principal: Principal) -> str:
        county = app.rating_round(round_id).county
        if not principal.covers(county):
            raise Problem(404, "Not found", "no such rating round", reason="not_found")
        return county

    @router.post("/counties/{county}/rounds", status_code=201)
    def open_round(county: County, body: RoundIn, request: Request, principal: Staff) -> dict:
        """Open the session's round over every completed project of ``rated_year`` awaiting a verdict."""
        check_county(principal, county)
        candidates = [
            UUID(d["project_id"])
            for d in views.list(RATING, county)
            if d["year"] == body.rated_year and d["status"] == "open"
        ]
        rnd = app.open_round(
            meta_for(request, principal, county),
            body.session_year,
            body.rated_year,
            body.session_closes_on,
            body.mode,
            candidates,
        )
        return {"id": str(rnd.id), "status": rnd.status, "projects": rnd.projects, "rule_version": rnd.rule_version}

    @router.get("/counties/{county}/rounds", **PAGED)
    def rounds(county: County, principal: Annotated[Principal, Depends(allow(PUBLIC))], paging: PagingDep) -> dict:
        """The county's rating rounds, the latest session first, a page at a time."""
        query = DocQuery(ROUND, county, order=(("session_year", True),))
        return {"county": county, **page_in_store(views, query, paging, _public)}

    @router.get("/rounds/{round_id}")
    def get_round(round_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """Attendance and who received a ballot are public; ballots are published only after the close, and
        while they are being cast only their number is known (from the urn: no order, no times)."""
        doc = _public(round_doc(round_id))
        if doc["status"] == "rating" and doc.get("box_id"):
            doc["cast"] = app.ballots.count(doc["box_id"])
        return doc

    @router.post("/rounds/{round_id}/check-in", status_code=201)
    def check_in(
        round_id: UUID, request: Request, principal: Annotated[Principal, Depends(allow(Role.DEPUTY, write=True))]
    ) -> dict:
        """A deputy checks in (public record); their device then takes a ballot credential."""
        county = county_of(round_id, principal)
        app.check_in(meta_for(request, principal, county), round_id, principal.subject)
        return {"round_id": str(round_id), "deputy": principal.subject, "checked_in": True}

    @router.get("/rounds/{round_id}/ballot-key")
    def ballot_key(round_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """The round's ballot key (public JWK, key id, generation) and its box, for the deputy's device."""
        rnd = app.rating_round(round_id)
        return {"round_id": str(rnd.id), **rnd.issuance.as_dict(), "box_id": str(rnd.box_id) if rnd.box_id else None}

    @router.post("/rounds/{round_id}/credential")
    def credential(
        round_id: UUID,
        body: CredentialIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, write=True))],
    ) -> dict:
        """The logged-in deputy's device has its blinded token signed (records that this deputy received a
        ballot, never which)."""
        county = county_of(round_id, principal)
        return app.take_credential(meta_for(request, principal, county), round_id, body.blinded, body.kid)

    @router.post("/rounds/{round_id}/credential/reissue")
    def reissue_credential(
        round_id: UUID,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, write=True))],
    ) -> dict:
        """The logged-in deputy takes their ballot again on another device: a new key voids every unused
        credential (nobody learns whose), every checked-in deputy's device takes a new one. Refused while a
        box is open. Answers the new key, as ``…/ballot-key`` does."""
        county = county_of(round_id, principal)
        return app.reissue_credential(meta_for(request, principal, county), round_id)

    @router.post("/rounds/{round_id}/start")
    def start(round_id: UUID, request: Request, principal: Staff) -> dict:
        """Close check-in and open the ballot box (one ballot per deputy present)."""
        county = county_of(round_id, principal)
        rnd = app.start_rating(meta_for(request, principal, county), round_id)
        return {"id": str(rnd.id), "status": rnd.status, "attending": len(rnd.present)}

    @router.post("/rounds/{round_id}/ballots", status_code=201)
    def cast(round_id: UUID, body: CastIn, request: Request) -> dict:
        """Cast a secret ballot, anonymously (a request carrying a login is refused, and none is logged):
        the credential's proof, the marks and the receipt the device computed, which appears in the
        published ballot list after the close."""
        refuse_identified(request)
        receipt = app.cast(round_id, dict(body.marks), body.receipt, Proof(body.proof.msg, body.proof.sig))
        return {"round_id": str(round_id), "receipt": receipt}

    @router.post("/rounds/{round_id}/paper-boxes", status_code=201)
    def paper_box(round_id: UUID, body: PaperBoxIn, request: Request, principal: Staff) -> dict:
        """A teller (计票人) enters one paper box's counts; a second, different teller confirms it."""
        county = county_of(round_id, principal)
        box = app.enter_paper_box(
            meta_for(request, principal, county, role="teller"),
            round_id,
            body.box_no,
            body.issued,
            body.returned,
            body.invalid,
            {k: {choice: n for choice, n in v.items()} for k, v in body.counts.items()},
        )
        entry = box.boxes[body.box_no]
        return {"box_no": body.box_no, "flags": entry["flags"], "confirmed_by": entry["confirmed_by"]}

    @router.post("/rounds/{round_id}/paper-boxes/{box_no}/confirm")
    def confirm_box(round_id: UUID, box_no: str, request: Request, principal: Staff) -> dict:
        county = county_of(round_id, principal)
        box = app.confirm_paper_box(meta_for(request, principal, county, role="teller"), round_id, box_no)
        return {"box_no": box_no, "confirmed_by": box.boxes[box_no]["confirmed_by"]}

    @router.post("/rounds/{round_id}/close")
    def close(round_id: UUID, request: Request, principal: Staff) -> dict:
        """Close the box, publish every ballot in random order, reach each project's verdict."""
        county = county_of(round_id, principal)
        rnd = app.close_round(meta_for(request, principal, county), round_id)
        return {"id": str(rnd.id), "status": rnd.status, "results": rnd.results, "ballots": rnd.ballots}

    @router.get("/rounds/{round_id}/recount")
    def recount(round_id: UUID, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """Anyone can recount: the counts and verdicts again from the published ballot list."""
        doc = round_doc(round_id)
        if doc["status"] not in ("closed", "confirmed"):
            raise Problem(
                409, "Refused by a rule", "ballots are published when the round closes", reason="rule_violation"
            )
        items = [p["project_id"] for p in doc["projects"]]
        if doc["mode"] == "paper":
            counts = paper_totals(doc["paper_boxes"].values(), items, CHOICES)["counts"]
        else:
            counts = tally(doc["published"], items, CHOICES)
        rules = app.rules_at(doc["county"], doc["rule_version"])
        recounted = {
            pid: {"counts": counts[pid], "verdict": verdict(*satisfied_basic_unsatisfied(counts[pid]), rules)}
            for pid in items
        }
        return {
            "round_id": str(round_id),
            "ballots": len(doc["published"]),
            "results": recounted,
            "matches_declared": recounted
            == {pid: {"counts": r["counts"], "verdict": r["verdict"]} for pid, r in doc["results"].items()},
        }

    @router.post("/rounds/{round_id}/confirm")
    def confirm(round_id: UUID, request: Request, principal: Staff) -> dict:
        """The presidium (大会主席团) confirms; 不满意 projects get their rectification orders."""
        county = county_of(round_id, principal)
        rnd = app.confirm_round(meta_for(request, principal, county, role="presidium"), round_id)
        return {"id": str(rnd.id), "status": rnd.status, "confirmed_at": rnd.confirmed_at}

    @router.post("/rounds/{round_id}/distribute")
    def distribute(round_id: UUID, body: DistributeIn, request: Request, principal: Staff) -> dict:
        """Send the confirmed results to each recipient (one recorded event each)."""
        county = county_of(round_id, principal)
        rnd = app.distribute(meta_for(request, principal, county), round_id, list(body.recipients))
        return {"id": str(rnd.id), "distributed": rnd.distributed}

    return router


def _public(doc: dict) -> dict:
    """Before the close only the number of ballots cast is shown, never the marks."""
    out = dict(doc)
    if doc["status"] in ("check_in", "rating"):
        out["published"] = []
    return out
