"""What the cluster test checks once the load has drained, on the stores and streams themselves.

* ``settled``: every service has published, folded, logged and journalled everything it stored, and
  its inbound consumers have nothing pending;
* ``outbound_ids``: the ``Nats-Msg-Id`` of every message in a service's stream, and the ids its store
  says it must have published (each stored event through the service's own translation);
* ``replayed``: a service's read models folded again from its store alone, in this one process, into
  an empty store: a single-node replay to compare with what the replicas folded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import nats
from nats.js.api import DeliverPolicy

from services.tools.audit.catalog import open_service
from shared.bus.relay import POSITION as RELAY_POSITION
from shared.bus.relay import msg_id
from shared.persistence.notifications import next_batch
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater


def positions(api: Any) -> dict[str, int]:
    """Where the service's log ends, and how far each follower has got (shared by its replicas)."""
    runtime = api.state.runtime
    recorder = runtime.app.recorder
    audit = api.state.audit
    return {
        "head": recorder.max_notification_id() or 0,
        "relay": recorder.max_tracking_id(RELAY_POSITION) or 0,
        "views": runtime.views.position(ViewUpdater.NAME),
        "audit": audit.log.last_notification_id(),
        "signed": max((c.size for c in audit.log.checkpoints()), default=0),
        "logged": audit.log.size(),
    }


async def journalled(servers: list[str], service: str) -> int:
    """The last notification id in the service's journal."""
    nc = await nats.connect(servers=servers)
    try:
        last = await nc.jetstream().get_last_msg("JOURNAL", f"journal.{service}")
        return int((last.headers or {}).get("Shishi-Notification-Id", 0))
    except Exception:  # noqa: BLE001 - nothing journalled yet
        return 0
    finally:
        await nc.close()


async def pending(servers: list[str], stream: str, durable: str) -> int:
    nc = await nats.connect(servers=servers)
    try:
        info = await nc.jetstream().consumer_info(stream, durable)
        return int((info.num_pending or 0) + (info.num_ack_pending or 0))
    finally:
        await nc.close()


def settled(api: Any, servers: list[str]) -> bool:
    """Published, folded, logged, signed and journalled up to the head."""
    p = positions(api)
    head = p["head"]
    journal = asyncio.run(journalled(servers, api.state.settings.service))
    return p["relay"] == p["views"] == p["audit"] == journal == head and p["signed"] == p["logged"]


async def stream_ids(servers: list[str], stream: str, subject: str) -> list[str]:
    """Every message's ``Nats-Msg-Id`` in ``stream`` (headers only, in order)."""
    nc = await nats.connect(servers=servers)
    try:
        js = nc.jetstream(timeout=10)
        total = int((await js.stream_info(stream)).state.messages or 0)
        ids: list[str] = []
        done = asyncio.Event()

        async def take(msg: Any) -> None:
            ids.append((msg.headers or {}).get("Nats-Msg-Id", ""))
            if len(ids) >= total:
                done.set()

        if total:
            sub = await js.subscribe(
                subject,
                stream=stream,
                cb=take,
                ordered_consumer=True,
                headers_only=True,
                deliver_policy=DeliverPolicy.ALL,
            )
            await asyncio.wait_for(done.wait(), timeout=120)
            await sub.unsubscribe()
        return ids
    finally:
        await nc.close()


def expected_ids(api: Any) -> list[str]:
    """The message ids the service's relay must have published: each stored event's contracts."""
    runtime = api.state.runtime
    app, service = runtime.app, api.state.settings.service
    ids: list[str] = []
    position = 0
    while True:
        notifications, new_position = next_batch(app.recorder, position, 5000, runtime.contract_topics)
        for n in notifications:
            event = app.mapper.to_domain_event(n)
            ids += [msg_id(service, n.id, i) for i, _ in enumerate(runtime.translate(event))]
        if new_position == position:
            return ids
        position = new_position


def replayed(api: Any, work: Path) -> ViewStore:
    """The read models folded from the store alone, in this process, into an empty SQLite store."""
    runtime = api.state.runtime
    scratch = ViewStore(sqlite_path=work / f"{api.state.settings.service}-replay.sqlite")
    ViewUpdater(
        runtime.app, scratch, runtime.fold, topics=runtime.fold.topics(), version=runtime.updater.version, bulk_min=None
    ).catch_up()
    return scratch


def service_api(settings: Any) -> Any:
    """The service built by its own composition root on the cluster's database, its runtime not started."""
    return open_service(settings)
