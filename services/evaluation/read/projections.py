"""Evaluation's read models, folded from its own events: one document per project (verdict,
rectification, residents' voice), per rating round (attendance, published ballots, results),
and the adopted projects and demands recorded from other services for the metrics."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.evaluation.domain.adopted_project import AdoptedProject
from services.evaluation.domain.demand_record import DemandRecord
from services.evaluation.domain.rating import ProjectRating, rating_id_for
from services.evaluation.domain.rectification import Rectification
from services.evaluation.domain.round import RatingRound
from services.evaluation.domain.voice import ProjectVoice
from services.evaluation.domain.vote_record import VoteRecord
from services.evaluation.read.metrics import DEMAND_COUNTS, demand_counts
from shared.ballots.box import BallotBox
from shared.kernel.china_time import china_date
from shared.kernel.meta import Recorded
from shared.kernel.rulebook import RuleBook
from shared.views.fold import Fold
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
# 2: rounds record ballot keys and who received a ballot; a box's cast count set at close
# 3: people by name (Meta.actor_name): deputies checked in, tellers of paper boxes, who recorded a return visit,
#    a usage measure or a look-back
# 4: the demand figures added up per county and year in China time (DEMAND_YEAR)
VERSION = 4

RATING = "rating"
ROUND = "round"
BOX = "box"
ADOPTED = "adopted"
DEMAND = "demand"
DEMAND_YEAR = "demand-year"  # "<county>:<year>": the year's demand counts (metrics.demand_counts added up)
VOTE = "vote"  # a vote declared at a county, town or street session (coverage)
RULES = "rules"  # the county's current evaluation rules (the registered towns/streets, for coverage)
LINK = "link"  # voice / rectification aggregate id -> the project's rating document


def _at(event: Recorded) -> str:
    return event.meta.occurred_at.isoformat()


def _levels() -> dict[str, int]:
    return {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0}


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


FOLD = Fold("evaluation")


# -- the deputies' rating of a project ------------------------------------------------------------
@FOLD.on(ProjectRating.Opened)
def rating_opened(tx: ViewTx, event: ProjectRating.Opened) -> None:
    oid = str(event.originator_id)
    tx.put(
        RATING,
        oid,
        event.meta.county,
        {
            "id": oid,
            "county": event.meta.county,
            "project_id": str(event.project_id),
            "year": event.year,
            "tier": event.tier,
            "name": event.name,
            "town": getattr(event, "town", ""),
            "on_time": event.on_time,
            "completed_on": _date(getattr(event, "completed_on", None)),
            "deadline": _date(getattr(event, "deadline", None)),
            "planned_investment": event.planned_investment,
            "spent": event.spent,
            "demand_ids": [str(d) for d in event.demand_ids],
            "status": "open",
            "verdict": None,
            "counts": {},
            "opened_at": _at(event),
            "round_id": None,
            "rectification": None,
            "residents": _levels(),
            "return_visits": [],
            "usage": None,
            "lookbacks": [],
            "lookback_due": None,
        },
    )


@FOLD.on(ProjectRating.Tallied)
def rating_tallied(tx: ViewTx, event: ProjectRating.Tallied) -> None:
    round_id = getattr(event, "round_id", None)
    tx.update(
        RATING,
        str(event.originator_id),
        lambda d: d.update(
            status="rated",
            verdict=event.verdict,
            rule_version=event.rule_version,
            rated_at=_at(event),
            round_id=str(round_id) if round_id else None,
            counts={"satisfied": event.satisfied, "basically_satisfied": event.basic, "unsatisfied": event.unsatisfied},
        ),
    )


# -- residents' voice and rectification, each linked to its project's rating document --------------
def _link(tx: ViewTx, event: Recorded, project_id: UUID) -> str:
    """The first event of a voice or rectification aggregate names its project: remember the link."""
    rating_id = str(rating_id_for(project_id))
    tx.put(LINK, str(event.originator_id), event.meta.county, {"rating_id": rating_id})
    return rating_id


def _linked(tx: ViewTx, event: Recorded) -> str | None:
    link = tx.get(LINK, str(event.originator_id))
    return link.get("rating_id") if link else None


@FOLD.on(ProjectVoice.Opened)
def voice_opened(tx: ViewTx, event: ProjectVoice.Opened) -> None:
    rating_id = _link(tx, event, event.project_id)
    tx.update(RATING, rating_id, lambda d: d.update(lookback_due=_date(event.lookback_due)))


@FOLD.on(ProjectVoice.ResidentRated)
def resident_rated(tx: ViewTx, event: ProjectVoice.ResidentRated) -> None:
    if (rating_id := _linked(tx, event)) is not None:
        tx.update(RATING, rating_id, lambda d: d["residents"].__setitem__(event.level, d["residents"][event.level] + 1))


@FOLD.on(ProjectVoice.ReturnVisited)
def return_visited(tx: ViewTx, event: ProjectVoice.ReturnVisited) -> None:
    visit = {
        "visited_on": event.visited_on.isoformat(),
        "respondent": event.respondent,
        "level": event.level,
        "note": event.note,
        "by_name": event.meta.actor_name,
        "by_role": event.meta.actor_role,
    }
    if (rating_id := _linked(tx, event)) is not None:
        tx.update(RATING, rating_id, lambda d: d["return_visits"].append(visit))


@FOLD.on(ProjectVoice.UsageMeasured)
def usage_measured(tx: ViewTx, event: ProjectVoice.UsageMeasured) -> None:
    usage = {
        "rate": event.usage_rate,
        "measured_on": event.measured_on.isoformat(),
        "basis": event.basis,
        "by_name": event.meta.actor_name,
        "by_role": event.meta.actor_role,
    }
    if (rating_id := _linked(tx, event)) is not None:
        tx.update(RATING, rating_id, lambda d: d.update(usage=usage))


@FOLD.on(ProjectVoice.LookedBack)
def looked_back(tx: ViewTx, event: ProjectVoice.LookedBack) -> None:
    lookback = {
        "checked_on": event.checked_on.isoformat(),
        "in_use": event.in_use,
        "held_up": event.held_up,
        "residents_satisfied": event.residents_satisfied,
        "problem": event.problem,
        "by_name": event.meta.actor_name,
        "by_role": event.meta.actor_role,
    }
    if (rating_id := _linked(tx, event)) is not None:
        tx.update(RATING, rating_id, lambda d: d["lookbacks"].append(lookback))


@FOLD.on(Rectification.Ordered)
def rectification_ordered(tx: ViewTx, event: Rectification.Ordered) -> None:
    rectification = {
        "status": "ordered",
        "deadline": event.deadline.isoformat(),
        "ordered_at": _at(event),
        "report": None,
        "reported_at": None,
        "late": False,
        "overdue_warning": None,
        "re_rating": None,
        "next_step": None,
    }
    rating_id = _link(tx, event, event.project_id)
    tx.update(RATING, rating_id, lambda d: d.update(rectification=rectification))


def _rectification(tx: ViewTx, event: Recorded, **changes: object) -> None:
    if (rating_id := _linked(tx, event)) is not None:
        tx.update(RATING, rating_id, lambda d: d["rectification"].update(changes))


@FOLD.on(Rectification.ReportFiled)
def rectification_reported(tx: ViewTx, event: Rectification.ReportFiled) -> None:
    _rectification(tx, event, status="reported", report=event.text, reported_at=_at(event), late=event.late)


@FOLD.on(Rectification.OverdueWarned)
def rectification_overdue(tx: ViewTx, event: Rectification.OverdueWarned) -> None:
    _rectification(tx, event, overdue_warning={"at": _at(event), "days_overdue": event.days_overdue})


@FOLD.on(Rectification.ReRated)
def rectification_re_rated(tx: ViewTx, event: Rectification.ReRated) -> None:
    _rectification(
        tx,
        event,
        status="escalation_pending" if event.verdict == "unsatisfied" else "closed",
        re_rating={
            "verdict": event.verdict,
            "satisfied": event.satisfied,
            "basically_satisfied": event.basic,
            "unsatisfied": event.unsatisfied,
            "rule_version": event.rule_version,
            "at": _at(event),
        },
    )


@FOLD.on(Rectification.NextStepRecorded)
def rectification_next_step(tx: ViewTx, event: Rectification.NextStepRecorded) -> None:
    _rectification(tx, event, status="escalated", next_step={"step": event.step, "note": event.note, "at": _at(event)})


# -- the session's rating round and its ballot box ------------------------------------------------
@FOLD.on(RatingRound.Opened)
def round_opened(tx: ViewTx, event: RatingRound.Opened) -> None:
    oid, county = str(event.originator_id), event.meta.county
    tx.put(
        ROUND,
        oid,
        county,
        {
            "id": oid,
            "county": county,
            "session_year": event.session_year,
            "rated_year": event.rated_year,
            "session_closes_on": event.session_closes_on.isoformat(),
            "projects": event.projects,
            "mode": event.mode,
            "rule_version": event.rule_version,
            "status": "check_in",
            "present": [],
            "names": {},
            "attending": 0,
            "ballot_key": None,
            "received": [],
            "box_id": None,
            "cast": 0,
            "paper_boxes": {},
            "published": [],
            "results": {},
            "ballots": {},
            "confirmed_at": None,
            "distributed": [],
            "opened_at": _at(event),
        },
    )


@FOLD.on(RatingRound.CheckedIn)
def round_checked_in(tx: ViewTx, event: RatingRound.CheckedIn) -> None:
    def change(d: dict) -> None:
        d["present"].append(event.deputy_id)
        d["attending"] = len(d["present"])
        if event.meta.actor_id == event.deputy_id and event.meta.actor_name:  # checked in with their own login
            d.setdefault("names", {})[event.deputy_id] = event.meta.actor_name

    tx.update(ROUND, str(event.originator_id), change)


@FOLD.on(RatingRound.BallotKeyMade)
def round_ballot_key(tx: ViewTx, event: RatingRound.BallotKeyMade) -> None:
    """A new key: every credential of the previous one is void, so nobody holds one of this key yet."""
    key = {"kid": event.kid, "generation": event.generation}
    tx.update(ROUND, str(event.originator_id), lambda d: d.update(ballot_key=key, received=[]))


@FOLD.on(RatingRound.CredentialIssued)
def round_credential_issued(tx: ViewTx, event: RatingRound.CredentialIssued) -> None:
    """Public record: this deputy received a ballot (which one, nobody knows)."""

    def received(d: dict[str, Any]) -> None:
        if (d.get("ballot_key") or {}).get("generation") == event.generation:
            d["received"].append(event.deputy_id)

    tx.update(ROUND, str(event.originator_id), received)


@FOLD.on(RatingRound.RatingStarted)
def round_started(tx: ViewTx, event: RatingRound.RatingStarted) -> None:
    oid = str(event.originator_id)
    tx.put(BOX, str(event.box_id), event.meta.county, {"round_id": oid, "county": event.meta.county})
    tx.update(ROUND, oid, lambda d: d.update(status="rating", box_id=str(event.box_id)))


@FOLD.on(RatingRound.Closed)
def round_closed(tx: ViewTx, event: RatingRound.Closed) -> None:
    tx.update(
        ROUND,
        str(event.originator_id),
        lambda d: d.update(status="closed", results=event.results, ballots=event.ballots),
    )


@FOLD.on(RatingRound.Confirmed)
def round_confirmed(tx: ViewTx, event: RatingRound.Confirmed) -> None:
    tx.update(ROUND, str(event.originator_id), lambda d: d.update(status="confirmed", confirmed_at=_at(event)))


@FOLD.on(RatingRound.Distributed)
def round_distributed(tx: ViewTx, event: RatingRound.Distributed) -> None:
    entry = {"recipient": event.recipient, "at": _at(event)}
    tx.update(ROUND, str(event.originator_id), lambda d: d["distributed"].append(entry))


def _round_of_box(tx: ViewTx, event: Recorded) -> str | None:
    """The round a ballot box belongs to (known from ``RatingStarted``, saved after the box opened)."""
    box = tx.get(BOX, str(event.originator_id))
    return box["round_id"] if box is not None else None


@FOLD.on(BallotBox.Cast)
def ballot_cast(tx: ViewTx, event: BallotBox.Cast) -> None:
    if (round_id := _round_of_box(tx, event)) is not None:  # only the number: the marks are published at close
        tx.update(ROUND, round_id, lambda d: d.update(cast=d["cast"] + 1))


@FOLD.on(BallotBox.BoxEntered)
def paper_box_entered(tx: ViewTx, event: BallotBox.BoxEntered) -> None:
    entry = {
        "issued": event.issued,
        "returned": event.returned,
        "invalid": event.invalid,
        "counts": event.counts,
        "entered_by": event.meta.actor_id,
        "entered_by_name": event.meta.actor_name,
        "confirmed_by": None,
        "confirmed_by_name": "",
    }
    if (round_id := _round_of_box(tx, event)) is not None:
        tx.update(ROUND, round_id, lambda d: d["paper_boxes"].__setitem__(event.box_no, entry))


@FOLD.on(BallotBox.BoxConfirmed)
def paper_box_confirmed(tx: ViewTx, event: BallotBox.BoxConfirmed) -> None:
    if (round_id := _round_of_box(tx, event)) is not None:
        tx.update(
            ROUND,
            round_id,
            lambda d: d["paper_boxes"][event.box_no].update(
                confirmed_by=event.meta.actor_id, confirmed_by_name=event.meta.actor_name
            ),
        )


@FOLD.on(BallotBox.Closed)
def box_closed(tx: ViewTx, event: BallotBox.Closed) -> None:
    if (round_id := _round_of_box(tx, event)) is not None:
        tx.update(
            ROUND,
            round_id,
            lambda d: d.update(published=event.published, result=event.result, cast=len(event.published)),
        )


# -- what evaluation records from the other services, for the metrics ------------------------------
@FOLD.on(AdoptedProject.Recorded)
def adopted_recorded(tx: ViewTx, event: AdoptedProject.Recorded) -> None:
    tx.put(
        ADOPTED,
        str(event.project_id),
        event.meta.county,
        {
            "project_id": str(event.project_id),
            "county": event.meta.county,
            "year": event.year,
            "tier": event.tier,
            "name": event.name,
            "deadline": event.deadline.isoformat(),
        },
    )


@FOLD.on(RuleBook.Opened, RuleBook.Revised)
def rules_changed(tx: ViewTx, event: RuleBook.Opened | RuleBook.Revised) -> None:
    tx.put(RULES, event.meta.county, event.meta.county, {"county": event.meta.county, "values": event.values})


@FOLD.on(VoteRecord.Recorded)
def vote_recorded(tx: ViewTx, event: VoteRecord.Recorded) -> None:
    tx.put(
        VOTE,
        str(event.originator_id),
        event.meta.county,
        {
            "county": event.meta.county,
            "session_id": str(event.session_id),
            "round_no": event.round_no,
            "year": event.year,
            "level": event.level,
            "town": event.town,
            "status": event.status,
        },
    )


def _count(tx: ViewTx, doc: dict, sign: int) -> None:
    """Add (1) or take away (-1) what ``doc`` counts for in its county's and year's demand figures."""
    submitted_year = china_date(doc["submitted_at"]).year  # a business year: China's
    key = f"{doc['county']}:{submitted_year:04d}"
    year = tx.get(DEMAND_YEAR, key) or {
        "county": doc["county"],
        "year": submitted_year,
        **dict.fromkeys(DEMAND_COUNTS, 0),
    }
    for name, value in demand_counts(doc).items():
        year[name] += sign * value
    tx.put(DEMAND_YEAR, key, doc["county"], year)


def _change_demand(tx: ViewTx, demand_id: str, change: Any) -> None:
    doc = tx.get(DEMAND, demand_id)
    if doc is None:
        return
    _count(tx, doc, -1)
    tx.update(DEMAND, demand_id, change)
    _count(tx, doc, 1)


@FOLD.on(DemandRecord.Recorded)
def demand_recorded(tx: ViewTx, event: DemandRecord.Recorded) -> None:
    tx.put(LINK, str(event.originator_id), event.meta.county, {"demand_id": str(event.demand_id)})
    earlier = tx.get(DEMAND, str(event.demand_id))
    if earlier is not None:  # recorded again: counted once
        _count(tx, earlier, -1)
    doc: dict[str, Any] = {
        "demand_id": str(event.demand_id),
        "county": event.meta.county,
        "channel": event.channel,
        "town": event.town,
        "category": event.category,
        "submitted_at": event.submitted_at.isoformat(),
        "statuses": [],
        "kind": None,
        "tier": None,
        "scope": None,
    }
    tx.put(DEMAND, str(event.demand_id), event.meta.county, doc)
    _count(tx, doc, 1)


def _demand_of(tx: ViewTx, event: Recorded) -> str | None:
    link = tx.get(LINK, str(event.originator_id)) or {}
    return link.get("demand_id")


@FOLD.on(DemandRecord.Routed)
def demand_routed(tx: ViewTx, event: DemandRecord.Routed) -> None:
    if (demand_id := _demand_of(tx, event)) is not None:
        _change_demand(tx, demand_id, lambda d: d.update(kind=event.kind, tier=event.tier, scope=event.scope))


@FOLD.on(DemandRecord.StatusSeen)
def demand_status_seen(tx: ViewTx, event: DemandRecord.StatusSeen) -> None:
    status = {"status": event.status, "at": _at(event), "note": event.note}
    if (demand_id := _demand_of(tx, event)) is not None:
        _change_demand(tx, demand_id, lambda d: d["statuses"].append(status))


project = FOLD  # the projector the runtime's updater calls
TOPICS = FOLD.topics()
