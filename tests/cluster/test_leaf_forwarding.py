"""A county leaf node keeps taking hotline tickets while its WAN link is down, and the province's
HOTLINE stream gets every one of them exactly once when the link returns.

deploy/nats/leaf/leaf.conf (its own JetStream domain, county-440781) and a hub node from
deploy/nats/cluster/node-1.conf, on loopback with the deploy's dev TLS certificates and nkeys.
The leaf's HOTLINE_440781 and the hub's HOTLINE (which SOURCES it across the domain,
external api $JS.county-440781.API) are made by deploy/nats/cluster/apply_stream_limits.py.
The WAN link is a TCP relay the test cuts and restores while both servers keep running.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from pathlib import Path

import nats
from nats.js.api import DeliverPolicy

from tests.cluster import natscluster as nc_
from tests.cluster.wanlink import WanLink
from tests.fixtures.availability import skip_or_fail

COUNTY = nc_.COUNTY
SUBJECT = f"hotline.{COUNTY}.tickets"


def _load_apply():
    spec = importlib.util.spec_from_file_location("apply_stream_limits", nc_.CLUSTER_DIR / "apply_stream_limits.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _leaf_links(hub: nc_.Node) -> int:
    return len(hub.varz("leafz").get("leafs") or [])


def test_leaf_config_validates(tmp_path: Path) -> None:
    try:
        nc_.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    env = nc_.make_secrets(tmp_path / "certs")
    hub = nc_.cluster_nodes(tmp_path, tmp_path / "certs", env, names=("nats-1",), clustered=False)[0]
    leaf = nc_.leaf_node(tmp_path, tmp_path / "certs", env, hub)
    result = nc_.validate(leaf.conf, leaf.env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_tickets_taken_while_the_link_is_down_arrive_once(tmp_path: Path) -> None:
    try:
        nc_.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    certs = tmp_path / "certs"
    env = nc_.make_secrets(certs)
    hub = nc_.cluster_nodes(tmp_path, certs, env, names=("nats-1",), clustered=False)[0]
    leaf = nc_.leaf_node(tmp_path, certs, env, hub)
    wan = WanLink(hub.leaf_port)  # the leaf dials the hub through it
    leaf.env["HUB_LEAF_URLS"] = json.dumps([f"tls://127.0.0.1:{wan.port}"])
    try:
        hub.start()
        nc_.wait_for(hub.healthy, 20, "the hub", [hub])
        leaf.start()
        nc_.wait_for(lambda: leaf.healthy() and _leaf_links(hub) == 1, 20, "the leaf link", [hub, leaf])
        asyncio.run(asyncio.wait_for(_scenario(hub, leaf, wan, certs, env), 45))
    finally:
        leaf.stop()
        hub.stop()
        wan.close()
    violations = [
        line for line in (hub.log.read_text() + leaf.log.read_text()).splitlines() if "Permissions Violation" in line
    ]
    assert not violations, violations[:5]


async def _connect(node: nc_.Node, ca: Path, seed: str, **kw) -> nats.NATS:
    return await nats.connect(
        servers=[node.url],
        tls=nc_.client_tls(ca),
        nkeys_seed_str=seed,
        connect_timeout=2,
        reconnect_time_wait=0.2,
        max_reconnect_attempts=-1,
        **kw,
    )


async def _ticket_ids(js, stream: str) -> list[str]:
    """Nats-Msg-Id of every message in `stream`, in order (an ordered consumer)."""
    info = await js.stream_info(stream)
    ids: list[str] = []
    if not info.state.messages:
        return ids
    sub = await js.subscribe(SUBJECT, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL, stream=stream)
    try:
        while len(ids) < info.state.messages:
            msg = await sub.next_msg(timeout=5)
            ids.append((msg.headers or {}).get("Nats-Msg-Id", "<none>"))
    finally:
        await sub.unsubscribe()
    return ids


async def _wait_count(js, stream: str, count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            messages = (await js.stream_info(stream)).state.messages
        except nats.errors.Error:
            messages = -1
        if messages == count:
            return
        assert time.monotonic() < deadline, f"{stream} has {messages} messages, expected {count}"
        await asyncio.sleep(0.1)


async def _publish_tickets(js, numbers) -> list[bool]:
    """The hotline bridge: each ticket with its id as Nats-Msg-Id; returns the duplicate flags."""
    flags = []
    for i in numbers:
        ack = await js.publish(SUBJECT, json.dumps({"ticket": i}).encode(), headers={"Nats-Msg-Id": f"12345-{i}"})
        flags.append(bool(ack.duplicate))
    return flags


async def _scenario(hub: nc_.Node, leaf: nc_.Node, wan: WanLink, certs: Path, env: dict[str, str]) -> None:
    apply = _load_apply()
    limits = apply.load_limits()
    limits["defaults"]["replicas"] = 1  # a single hub node here; the province runs R3

    leaf_admin = await _connect(leaf, leaf.certs, env["LEAF_ADMIN_NATS_NKEY_SEED"])
    bridge = await _connect(leaf, leaf.certs, env["LEAF_HOTLINE_NATS_NKEY_SEED"])
    hub_admin = await _connect(hub, certs, env["ADMIN_NATS_NKEY_SEED"])
    try:
        await apply.apply(leaf_admin.jetstream(timeout=5), [apply.leaf_config(limits, COUNTY)])
        await apply.apply(hub_admin.jetstream(timeout=5), apply.province_configs(limits, [COUNTY]))
        hub_js = hub_admin.jetstream(timeout=5)
        hotline = (await hub_js.stream_info("HOTLINE")).config
        assert hotline.sources and hotline.sources[0].external.api == f"$JS.county-{COUNTY}.API"

        leaf_js = bridge.jetstream(timeout=5)
        # link up: tickets flow through to the hub at once
        assert await _publish_tickets(leaf_js, range(20)) == [False] * 20
        await _wait_count(hub_js, "HOTLINE", 20)
        # a ticket with no Msg-Id reaches the hub once too: the link does not export hotline.>
        # (otherwise the hub's HOTLINE would also catch the plain message: twice)
        await leaf_js.publish(SUBJECT, b'{"ticket": "no-id"}')
        await _wait_count(hub_js, "HOTLINE", 21)
        await asyncio.sleep(0.5)
        assert (await hub_js.stream_info("HOTLINE")).state.messages == 21

        # the WAN link goes down; both servers keep running
        wan.cut()
        nc_.wait_for(lambda: _leaf_links(hub) == 0, 20, "the hub to see the link down", [hub, leaf])
        # the county keeps taking tickets, acknowledged by its own stream
        assert await _publish_tickets(leaf_js, range(20, 120)) == [False] * 100
        # the bridge re-sends some (it lost the acks): the leaf drops them
        assert await _publish_tickets(leaf_js, range(110, 120)) == [True] * 10
        assert (await leaf_admin.jetstream(timeout=5).stream_info(f"HOTLINE_{COUNTY}")).state.messages == 121
        # the province platform, unsure, also sent a few of the same tickets to the hub directly
        province = await _connect(hub, certs, env["HOTLINE_NATS_NKEY_SEED"])
        try:
            assert await _publish_tickets(province.jetstream(timeout=5), range(60, 70)) == [False] * 10
        finally:
            await province.close()
        await asyncio.sleep(0.5)
        assert (await hub_js.stream_info("HOTLINE")).state.messages == 31  # nothing else got through

        # the link returns: the hub's source resumes where it stopped; Nats-Msg-Id drops the
        # ten the province platform had sent already
        wan.restore()
        nc_.wait_for(lambda: _leaf_links(hub) == 1, 20, "the leaf link again", [hub, leaf])
        await _wait_count(hub_js, "HOTLINE", 121, timeout=25)
        await asyncio.sleep(1.0)  # nothing more trickles in
        ids = await _ticket_ids(hub_js, "HOTLINE")
        assert len(ids) == 121
        numbered = [i for i in ids if i != "<none>"]
        assert sorted(numbered) == sorted(f"12345-{i}" for i in range(120)), "a ticket lost or doubled"
        assert ids.count("<none>") == 1
    finally:
        for c in (leaf_admin, bridge, hub_admin):
            await c.close()
