"""Read models of the vote: candidates, candidate lists, sessions, ballot boxes, results.

A ballot box's read model learns only the number of ballots cast while the vote is open;
the ballots themselves appear when the box closes, in the published (random) order.
"""

from __future__ import annotations

from typing import Any

from services.decision.domain.candidate import Candidate
from services.decision.domain.candidate_list import STEPS, CandidateList
from services.decision.domain.pooled_suggestion import PooledSuggestion
from services.decision.domain.session import VoteSession
from shared.ballots.box import BallotBox
from shared.ballots.tally import box_flags
from shared.kernel.meta import Recorded
from shared.views.fold import Fold
from shared.views.store import ViewTx

CANDIDATES, LISTS, SESSIONS, BOXES, RESULTS = "candidate", "candidate_list", "session", "ballot_box", "result"
SUGGESTIONS = "suggestion"


def _at(event: Recorded) -> str:
    return event.meta.occurred_at.isoformat()


def _who(event: Recorded) -> dict[str, str]:
    """Who did it: the account, its name from the login (events before 2026-12 have none) and role."""
    return {"by": event.meta.actor_id, "by_name": event.meta.actor_name, "role": event.meta.actor_role}


VOTE_FOLD = Fold("decision votes")


@VOTE_FOLD.on(PooledSuggestion.Pooled)
def suggestion_pooled(tx: ViewTx, event: PooledSuggestion.Pooled) -> None:
    oid = str(event.originator_id)
    tx.put(
        SUGGESTIONS,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "title": event.title,
            "category": event.category,
            "towns": event.towns,
            "demand_ids": [str(d) for d in event.demand_ids],
            "split_from": str(event.split_from) if event.split_from else None,
            "used_by": None,
            "pooled_at": _at(event),
        },
    )


@VOTE_FOLD.on(PooledSuggestion.Split)
def suggestion_split(tx: ViewTx, event: PooledSuggestion.Split) -> None:
    oid = str(event.originator_id)
    tx.update(SUGGESTIONS, oid, lambda d: d.update(demand_ids=[str(x) for x in event.remaining_demand_ids]))


@VOTE_FOLD.on(PooledSuggestion.Used)
def suggestion_used(tx: ViewTx, event: PooledSuggestion.Used) -> None:
    oid = str(event.originator_id)
    tx.update(SUGGESTIONS, oid, lambda d: d.update(used_by=str(event.candidate_id)))


@VOTE_FOLD.on(Candidate.Drafted)
def candidate_drafted(tx: ViewTx, event: Candidate.Drafted) -> None:
    oid = str(event.originator_id)
    tx.put(
        CANDIDATES,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "year": event.year,
            "level": event.level,
            "town": event.town,
            "name": event.name,
            "content": event.content,
            "implementing_body": event.implementing_body,
            "investment": str(event.investment),
            "deadline": event.deadline.isoformat(),
            "requirements": event.requirements,
            "coverage": event.coverage,
            "demand_ids": [str(d) for d in event.demand_ids],
            "suggestion_ids": [str(x) for x in event.suggestion_ids],
            "screening": None,
            "drafted_at": _at(event),
            "drafted_by": event.meta.actor_id,
            "drafted_by_name": event.meta.actor_name,
            "screenings": [],
        },
    )


@VOTE_FOLD.on(Candidate.Screened)
def candidate_screened(tx: ViewTx, event: Candidate.Screened) -> None:
    oid = str(event.originator_id)
    screening = {
        "scores": event.scores,
        "reasons": event.reasons,
        "total": sum(event.scores.values()),
        **_who(event),
        "at": _at(event),
    }

    def change(d: dict[str, Any]) -> None:
        d["screening"] = screening
        d.setdefault("screenings", []).append(screening)

    tx.update(CANDIDATES, oid, change)


@VOTE_FOLD.on(CandidateList.Drafted, CandidateList.Approved, CandidateList.SentBack, CandidateList.Revised)
def candidate_list_changed(
    tx: ViewTx, event: CandidateList.Drafted | CandidateList.Approved | CandidateList.SentBack | CandidateList.Revised
) -> None:
    oid = str(event.originator_id)
    _project_list(tx, oid, event)


@VOTE_FOLD.on(VoteSession.Scheduled)
def session_scheduled(tx: ViewTx, event: VoteSession.Scheduled) -> None:
    oid = str(event.originator_id)
    tx.put(
        SESSIONS,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "year": event.year,
            "level": event.level,
            "town": event.town,
            "name": event.name,
            "list_id": str(event.list_id),
            "roll": event.roll,
            "present": [],
            "ballot_key": None,
            "received": [],
            "slips": [],
            "codes": 0,
            "rounds": [],
            "status": "scheduled",
            "scheduled_at": _at(event),
        },
    )


@VOTE_FOLD.on(VoteSession.CheckedIn)
def session_checked_in(tx: ViewTx, event: VoteSession.CheckedIn) -> None:
    oid = str(event.originator_id)
    tx.update(SESSIONS, oid, lambda d: d["present"].append(event.deputy_id))


@VOTE_FOLD.on(VoteSession.BallotKeyMade)
def ballot_key_made(tx: ViewTx, event: VoteSession.BallotKeyMade) -> None:
    """A new key: every credential of the previous one is void, so nobody holds one of this key yet."""
    key = {"kid": event.kid, "generation": event.generation}
    tx.update(SESSIONS, str(event.originator_id), lambda d: d.update(ballot_key=key, received=[]))


@VOTE_FOLD.on(VoteSession.CredentialIssued)
def credential_issued(tx: ViewTx, event: VoteSession.CredentialIssued) -> None:
    """Public record: this deputy received a ballot (which one, nobody knows)."""

    def received(d: dict[str, Any]) -> None:
        if (d.get("ballot_key") or {}).get("generation") == event.generation:
            d["received"].append(event.deputy_id)

    tx.update(SESSIONS, str(event.originator_id), received)


@VOTE_FOLD.on(VoteSession.CodesPrinted)
def codes_printed(tx: ViewTx, event: VoteSession.CodesPrinted) -> None:
    tx.update(SESSIONS, str(event.originator_id), lambda d: d.update(codes=len(event.digests)))


@VOTE_FOLD.on(VoteSession.SlipHanded)
def slip_handed(tx: ViewTx, event: VoteSession.SlipHanded) -> None:
    tx.update(SESSIONS, str(event.originator_id), lambda d: d["slips"].append(event.deputy_id))


@VOTE_FOLD.on(VoteSession.VoteOpened)
def vote_opened(tx: ViewTx, event: VoteSession.VoteOpened) -> None:
    oid = str(event.originator_id)
    _project_open(tx, oid, event)


@VOTE_FOLD.on(VoteSession.Declared)
def session_declared(tx: ViewTx, event: VoteSession.Declared) -> None:
    oid = str(event.originator_id)
    _project_declared(tx, oid, event)


@VOTE_FOLD.on(BallotBox.Opened)
def box_opened(tx: ViewTx, event: BallotBox.Opened) -> None:
    oid = str(event.originator_id)
    session_id, _, round_no = event.key.partition(":")
    tx.put(
        BOXES,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "session_id": session_id,
            "round_no": int(round_no),
            "mode": event.mode,
            "issued": event.issued,
            "cast": 0,
            "items": event.items,
            "choices": event.choices,
            "boxes": {},
            "status": "open",
            "published": None,
            "result": None,
        },
    )


@VOTE_FOLD.on(BallotBox.Cast)
def ballot_cast(tx: ViewTx, event: BallotBox.Cast) -> None:
    oid = str(event.originator_id)
    tx.update(BOXES, oid, lambda d: d.update(cast=d["cast"] + 1))


@VOTE_FOLD.on(BallotBox.BoxEntered)
def box_entered(tx: ViewTx, event: BallotBox.BoxEntered) -> None:
    oid = str(event.originator_id)
    box = tx.get(BOXES, oid) or {}
    tx.update(
        BOXES,
        oid,
        lambda d: d["boxes"].update(
            {
                event.box_no: {
                    "box_no": event.box_no,
                    "issued": event.issued,
                    "returned": event.returned,
                    "invalid": event.invalid,
                    "valid": event.returned - event.invalid,
                    "counts": event.counts,
                    "entered_by": event.meta.actor_id,
                    "entered_by_name": event.meta.actor_name,
                    "entered_at": _at(event),
                    "confirmed_by": None,
                    "confirmed_by_name": "",
                    "flags": _flags(event, [i["id"] for i in box.get("items", [])]),
                }
            }
        ),
    )


@VOTE_FOLD.on(BallotBox.BoxConfirmed)
def box_confirmed(tx: ViewTx, event: BallotBox.BoxConfirmed) -> None:
    oid = str(event.originator_id)
    tx.update(
        BOXES,
        oid,
        lambda d: d["boxes"][event.box_no].update(
            confirmed_by=event.meta.actor_id, confirmed_by_name=event.meta.actor_name, confirmed_at=_at(event)
        ),
    )


@VOTE_FOLD.on(BallotBox.Closed)
def box_closed(tx: ViewTx, event: BallotBox.Closed) -> None:
    oid = str(event.originator_id)
    tx.update(
        BOXES,
        oid,
        lambda d: d.update(
            status="closed",
            published=event.published,
            result=event.result,
            cast=len(event.published),
            issued=event.result.get("issued", d["issued"]),
            flags=list(event.result.get("flags", [])),
        ),
    )


def _flags(event: BallotBox.BoxEntered, items: list[str]) -> list[str]:
    return box_flags(
        {"issued": event.issued, "returned": event.returned, "invalid": event.invalid, "counts": event.counts}, items
    )


CandidateListEvent = CandidateList.Drafted | CandidateList.Approved | CandidateList.SentBack | CandidateList.Revised


def _project_list(tx: ViewTx, oid: str, event: CandidateListEvent) -> None:
    meta = event.meta
    if isinstance(event, CandidateList.Drafted):
        tx.put(
            LISTS,
            oid,
            meta.county,
            {
                "id": oid,
                "county": meta.county,
                "year": event.year,
                "level": event.level,
                "town": event.town,
                "title": event.title,
                "version": 1,
                "candidate_ids": [str(c) for c in event.candidate_ids],
                "status": "in_review",
                "pending_step": STEPS[0],
                "drafted_at": _at(event),
                "history": [
                    {
                        "version": 1,
                        "step": "government_draft",
                        "decision": "drafted",
                        **_who(event),
                        "at": _at(event),
                        "reason": meta.reason,
                        "candidate_ids": [str(c) for c in event.candidate_ids],
                    }
                ],
            },
        )
        return

    def change(doc: dict) -> None:
        entry = {"version": doc["version"], **_who(event), "at": _at(event), "reason": meta.reason}
        if isinstance(event, CandidateList.Approved):
            done = STEPS.index(event.step) + 1
            doc.update(
                status="put_to_session" if done == len(STEPS) else "in_review",
                pending_step=STEPS[done] if done < len(STEPS) else None,
            )
            entry.update(step=event.step, decision="approved")
        elif isinstance(event, CandidateList.SentBack):
            doc.update(status="sent_back", pending_step=None)
            entry.update(step=event.step, decision="sent_back")
        else:
            doc.update(
                version=doc["version"] + 1,
                status="in_review",
                pending_step=STEPS[0],
                candidate_ids=[str(c) for c in event.candidate_ids],
            )
            entry.update(
                version=doc["version"], step="government_draft", decision="revised", candidate_ids=doc["candidate_ids"]
            )
        doc["history"].append(entry)

    tx.update(LISTS, oid, change)


def _project_open(tx: ViewTx, oid: str, event: VoteSession.VoteOpened) -> None:
    def change(doc: dict) -> None:
        doc["rounds"].append(
            {
                "round_no": event.round_no,
                "box_id": str(event.box_id),
                "candidates": event.candidates,
                "seats": event.seats,
                "kind": event.kind,
                "mode": event.mode,
                "runoff": event.runoff,
                "attending": event.attending,
                "roll_size": event.roll_size,
                "quorum_met": event.quorum_met,
                "issued_to": event.issued_to,
                "rule_version": event.rule_version,
                "rules": event.rules,
                "opened_at": _at(event),
                "status": "open",
                "result": None,
                "tally": None,
            }
        )
        doc["status"] = "voting"

    tx.update(SESSIONS, oid, change)


def _project_declared(tx: ViewTx, oid: str, event: VoteSession.Declared) -> None:
    status = {"void": "scheduled", "runoff": "runoff"}.get(event.result["status"], "decided")

    def change(doc: dict) -> None:
        current = doc["rounds"][event.round_no - 1]
        current.update(status="closed", result=event.result, tally=event.tally, closed_at=_at(event))
        doc["status"] = status

    doc = tx.update(SESSIONS, oid, change)
    if doc is None:
        return
    result = tx.get(RESULTS, oid) or {
        "id": oid,
        "session_id": oid,
        "county": doc["county"],
        "year": doc["year"],
        "level": doc["level"],
        "town": doc["town"],
        "name": doc["name"],
        "elected": [],
        "rounds": [],
    }
    result["elected"].extend(event.elected)
    result["rounds"].append(
        {
            "round_no": event.round_no,
            "status": event.result["status"],
            "reason": event.result["reason"],
            "rule_version": event.rule_version,
            "at": _at(event),
        }
    )
    result["status"] = status
    tx.put(RESULTS, oid, doc["county"], result)
