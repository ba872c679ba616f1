"""The journal's message format: stored events packed many to a message, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from shared.runtime.journal import MAX_BYTES, journal_messages, pack, unpack


@dataclass
class N:  # the fields of an eventsourcing Notification the journal reads
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def notes(count: int, size: int = 40) -> list[N]:
    return [
        N(
            i,
            uuid4(),
            i % 3 + 1,
            "services.intake.domain.demand:Demand.Submitted",
            bytes([i % 256]) * size + b'\n{"x":"\xe5\xae\x9e"}',
        )
        for i in range(1, count + 1)
    ]


def test_pack_unpack_round_trip_keeps_every_byte_and_field() -> None:
    original = notes(5)
    back = unpack(pack(original))
    assert [n for n, _ in back] == [1, 2, 3, 4, 5]
    for (_, event), n in zip(back, original, strict=True):
        assert (event.originator_id, event.originator_version, event.topic, event.state) == (
            n.originator_id,
            n.originator_version,
            n.topic,
            n.state,
        )


def test_any_topic_survives_the_header() -> None:
    odd = notes(1)[0]
    odd.topic = 'weird "topic"\\ 名'
    [(_, event)] = unpack(pack([odd]))
    assert event.topic == odd.topic


def test_a_cut_message_is_refused() -> None:
    body = pack(notes(2))
    with pytest.raises(ValueError, match="cut short"):
        unpack(body[:-3])


def test_large_batches_are_split_and_each_message_names_its_last_event() -> None:
    big = notes(60, size=50_000)  # about 3 MB
    messages = journal_messages("intake", big, previous=0)
    assert len(messages) > 2 and all(len(body) <= MAX_BYTES + 50_200 for _, body, _ in messages)
    ids = [n for _, body, _ in messages for n, _ in unpack(body)]
    assert ids == list(range(1, 61))
    previous = 0
    for subject, body, headers in messages:
        last = unpack(body)[-1][0]
        assert subject == "journal.intake"
        assert headers == {
            "Nats-Msg-Id": f"journal:intake:{last}",
            "Shishi-Notification-Id": str(last),
            "Shishi-Previous-Id": str(previous),
        }
        previous = last
