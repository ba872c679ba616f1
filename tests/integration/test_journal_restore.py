"""``restore`` rebuilds a store under the original notification ids (ids the source skipped stay
skipped, so Merkle leaves match) and refuses a journal with a hole, on both backends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID, uuid4

import nats
import pytest

from services.tools.audit.catalog import open_store
from shared.bus.streams import ensure_streams
from shared.config import Settings
from shared.runtime.journal import journal_messages, restore


@dataclass
class N:
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def events(*ids: int) -> list[N]:
    return [N(i, uuid4(), 1, "services.intake.domain.demand:Demand.Submitted", f'{{"n":{i}}}'.encode()) for i in ids]


async def journal(url: str, *batches: tuple[int, list[N]]) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        for previous, notes in batches:
            for subject, body, headers in journal_messages("intake", notes, previous):
                await js.publish(subject, body, headers=headers)
    finally:
        await nc.close()


async def restored(url: str, settings: Settings) -> int:
    nc = await nats.connect(url)
    store = open_store(settings)
    try:
        return await restore(nc.jetstream(), "intake", store.recorder, idle_seconds=2)
    finally:
        store.close()
        await nc.close()


def test_original_ids_are_kept(backend_settings: Settings, fresh_nats) -> None:
    asyncio.run(journal(fresh_nats.url, (0, events(1, 2, 5)), (5, events(6, 9))))
    assert asyncio.run(restored(fresh_nats.url, backend_settings)) == 5
    store = open_store(backend_settings)
    try:
        assert [n.id for n in store.recorder.select_notifications(1, 100)] == [1, 2, 5, 6, 9]
        assert store.recorder.max_notification_id() == 9
    finally:
        store.close()


def test_a_hole_is_refused(backend_settings: Settings, fresh_nats) -> None:
    asyncio.run(journal(fresh_nats.url, (0, events(1, 2)), (7, events(8))))  # 3..7 never journalled
    with pytest.raises(RuntimeError, match="hole"):
        asyncio.run(restored(fresh_nats.url, backend_settings))
