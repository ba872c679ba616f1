"""A vote declared at a county, town or street session, recorded for the coverage figure (pure domain)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.evaluation.domain.ledger import vote_record_id_for
from shared.kernel.meta import Meta
from shared.kernel.topics import moved


class VoteRecord(Aggregate):
    """A vote declared at a county, town or street session (decision's ``vote-declared``): the
    numerator of coverage (which towns/streets ran a vote)."""

    # Events: the fields of each are the arguments of the method that records it.
    class Recorded(Aggregate.Created):
        meta: Meta
        session_id: UUID
        round_no: int
        year: int
        level: str
        town: str
        status: str

    @staticmethod
    def create_id(session_id: UUID, round_no: int, **_: Any) -> UUID:
        return vote_record_id_for(session_id, round_no)

    @event(Recorded)
    def __init__(
        self, meta: Meta, session_id: UUID, round_no: int, year: int, level: str, town: str, status: str
    ) -> None:
        self.county = meta.county


moved("services.evaluation.ledger", VoteRecord)  # stored before 2026-12 under the old module
