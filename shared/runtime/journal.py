"""The journal: every stored event of every service, copied to NATS as stored.

Contracts (``shishi.<county>.<service>.<event>``) carry what other services need, not everything
a service knows: intake's and supervision's read models fold events that no contract carries
(a demand's triage, a project's plan). The journal carries them all. Each service's journal
follower (a read-side follower: in the companion process under ``shishi serve``) publishes its
notification log to ``journal.<service>`` on the ``JOURNAL`` stream, in order, each stored event
byte for byte as stored (contacts only sealed: erasing a resident's key makes the copy unreadable
too), many events per message (one message per batch of the log, so the copy costs little):

    for each event:  {"n": notification id, "o": aggregate id, "v": version, "t": topic, "len": L}\n
                     then the L bytes of its stored state

Headers: ``Nats-Msg-Id = journal:<service>:<last notification id>``, ``Shishi-Notification-Id``
(the last one in the message), from which it resumes after a restart (it needs no position of its
own), and ``Shishi-Previous-Id`` (the last one of the message before), so a restore sees a hole.

``restore`` rebuilds a service's event store from NATS alone, into an empty store: an auditor
(read-only NATS user) can then rebuild every read model, replay any moment and compare with the
live service (``shishi audit restore``). It is also an off-site copy of each event store.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.persistence import StoredEvent
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from shared.bus.batches import BatchPublisher, Outgoing
from shared.bus.streams import JOURNAL, JOURNAL_ADDRESS
from shared.persistence.notifications import follow

NOTIFICATION = "Shishi-Notification-Id"
PREVIOUS = "Shishi-Previous-Id"  # the last event journalled before this message's first: holes show
_PLAIN = re.compile(r"[A-Za-z0-9_.:]*")  # needs no JSON escaping
MAX_BYTES = 1_000_000  # one journal message at most (the servers' max_payload is 8 MB)

log = structlog.get_logger("shishi.journal")


def journal_subject(service: str) -> str:
    return JOURNAL_ADDRESS.format(service=service)


def pack(notifications: list[Any]) -> bytes:
    parts = []
    for n in notifications:
        state = bytes(n.state)
        topic = n.topic if _PLAIN.fullmatch(n.topic) else json.dumps(n.topic)[1:-1]  # topics are module paths
        parts.append(
            f'{{"n":{int(n.id)},"o":"{n.originator_id}","v":{int(n.originator_version)},"t":"{topic}",'
            f'"len":{len(state)}}}\n'.encode()
        )
        parts.append(state)
    return b"".join(parts)


def unpack(body: bytes) -> list[tuple[int, StoredEvent]]:
    """(notification id, stored event) of each event in a journal message."""
    events, at = [], 0
    while at < len(body):
        end = body.index(b"\n", at)
        head = json.loads(body[at:end])
        state = body[end + 1 : end + 1 + head["len"]]
        if len(state) != head["len"]:
            raise ValueError(f"journal message cut short at notification {head['n']}")
        events.append(
            (
                int(head["n"]),
                StoredEvent(
                    originator_id=UUID(head["o"]), originator_version=int(head["v"]), topic=head["t"], state=state
                ),
            )
        )
        at = end + 1 + head["len"]
    return events


def journal_messages(service: str, notifications: list[Any], previous: int) -> list[Outgoing]:
    """The notifications as journal messages of at most MAX_BYTES each (one event may exceed it).
    ``previous``: the id of the last event journalled before these (0: none)."""
    messages: list[Outgoing] = []
    start, size = 0, 0
    for i, n in enumerate(notifications):
        size += len(n.state) + 200
        if size > MAX_BYTES and i > start:
            messages.append(_message(service, notifications[start:i], previous))
            previous = notifications[i - 1].id
            start, size = i, len(n.state) + 200
    messages.append(_message(service, notifications[start:], previous))
    return messages


def _message(service: str, notifications: list[Any], previous: int) -> Outgoing:
    last = notifications[-1].id
    return (
        journal_subject(service),
        pack(notifications),
        {"Nats-Msg-Id": f"journal:{service}:{last}", NOTIFICATION: str(last), PREVIOUS: str(previous)},
    )


def insert_with_ids(recorder: Any, events: list[tuple[int, StoredEvent]]) -> None:
    """Insert ``events`` under their original notification ids (ids the source store skipped stay
    skipped), so the restored store is the source store: same ids, same Merkle leaves."""
    table = recorder.events_table_name
    if hasattr(recorder.datastore, "schema"):  # PostgreSQL
        from psycopg.sql import SQL, Identifier

        as_uuid = recorder.datastore.originator_id_type == "uuid"
        name = SQL("{}.{}").format(Identifier(recorder.datastore.schema), Identifier(table))
        with recorder.datastore.transaction(commit=True) as curs:
            curs.executemany(
                SQL(
                    "INSERT INTO {} (originator_id, originator_version, topic, state, notification_id) "
                    "VALUES (%s, %s, %s, %s, %s)"
                ).format(name),
                [
                    (e.originator_id if as_uuid else str(e.originator_id), e.originator_version, e.topic, e.state, n)
                    for n, e in events
                ],
            )
            curs.execute(
                SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                    "(SELECT MAX(notification_id) FROM {}))"
                ).format(name),
                (f"{recorder.datastore.schema}.{table}",),
            )
        return
    with recorder.datastore.transaction(commit=True) as c:
        c.executemany(
            f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            [(n, UUID(str(e.originator_id)).hex, e.originator_version, e.topic, e.state) for n, e in events],
        )


class JournalFollower:
    """Publishes a service's notification log to its journal subject, in order, once."""

    def __init__(
        self, app: Any, service: str, js: JetStreamContext, *, batch: int = 1000, poll_seconds: float = 0.2
    ) -> None:
        self.app = app
        self.service = service
        self.js = js
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.publisher = BatchPublisher(js, JOURNAL)
        self.wakeup = asyncio.Event()
        self.position: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def last_published(self) -> int:
        try:
            last = await self.js.get_last_msg(JOURNAL, journal_subject(self.service), direct=True)
        except NotFoundError:
            return 0
        return int((last.headers or {}).get(NOTIFICATION, 0))

    async def publish_once(self) -> int:
        if self.position is None:
            self.position = await self.last_published()
        notifications = await asyncio.to_thread(self.app.recorder.select_notifications, self.position + 1, self.batch)
        if not notifications:
            return 0
        await self.publisher.publish([[m] for m in journal_messages(self.service, notifications, self.position)])
        self.position = notifications[-1].id
        return len(notifications)

    def nudge(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wakeup.set)

    async def run(self, stopping: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()

        def retry(exc: Exception) -> None:  # broker or store unavailable: resume from the stream
            log.warning("journal_retry", error=str(exc), service=self.service)
            self.position = None

        await follow(
            stopping,
            self.publish_once,
            batch=self.batch,
            poll_seconds=self.poll_seconds,
            wakeup=self.wakeup,
            retry=retry,
        )
        try:  # what was stored before the stop goes out too
            while await self.publish_once():
                pass
        except Exception as exc:  # noqa: BLE001 - the next start publishes it
            log.warning("journal_final_publish_failed", error=str(exc), service=self.service)


async def restore(js: JetStreamContext, service: str, recorder: Any, *, idle_seconds: float = 5.0) -> int:
    """Insert every journalled event of ``service`` into ``recorder`` (an empty store) under its
    original notification id, one transaction per journal message; refuses a journal with a hole
    (a message whose previous event was never seen). Returns how many events. Reads with an ordered
    consumer, which read-only users may create."""
    try:
        info = await js.stream_info(JOURNAL, subjects_filter=journal_subject(service))
    except NotFoundError:
        return 0
    expected = int((info.state.subjects or {}).get(journal_subject(service), 0))
    if not expected:
        return 0
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def collect(msg: Any) -> None:
        await queue.put(msg)

    sub = await js.subscribe(
        journal_subject(service), cb=collect, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
    )
    messages, restored, last = 0, 0, 0
    try:
        while messages < expected:
            try:
                msg = await asyncio.wait_for(queue.get(), timeout=idle_seconds)
            except TimeoutError:
                raise RuntimeError(
                    f"the journal of {service} stopped after {messages} of {expected} messages"
                ) from None
            messages += 1
            previous = int((msg.headers or {}).get(PREVIOUS, last))
            if previous > last:
                raise RuntimeError(f"the journal of {service} has a hole: events {last + 1}..{previous} are missing")
            events = [(number, event) for number, event in unpack(msg.data) if number > last]  # skip a resent range
            if events:
                await asyncio.to_thread(insert_with_ids, recorder, events)
                restored += len(events)
                last = events[-1][0]
    finally:
        await sub.unsubscribe()
    return restored
