"""The province's 3-node NATS cluster, started from deploy/nats/cluster/ as it is.

* every node file (and the password fallback) validates with `nats-server -c FILE -t`;
* the cluster's permissions are exactly the single-node server's;
* on loopback, with the TLS certificates and nkeys of the deploy's own dev scripts: the three
  nodes form a cluster (a meta leader), every stream of streams.yaml is created R3 with its limits
  (the reservations fit), the intake user publishes contract events with Nats-Msg-Id, the
  stream's leader is killed with SIGKILL mid-stream, publishing and reading go on, and no message
  is lost or doubled; the killed node restarts and catches up.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
from pathlib import Path

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DiscardPolicy, RetentionPolicy

from shared.audit.follower import ensure_audit_stream
from shared.bus.connection import connect
from shared.bus.streams import ensure_streams
from shared.config import Settings
from tests.cluster import natscluster as nc_
from tests.fixtures.availability import skip_or_fail

SINGLE_NODE_CONF = nc_.REPO / "deploy" / "nats" / "nats-server.conf"


def _binary_or_skip() -> None:
    try:
        nc_.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))


def _load_apply():
    spec = importlib.util.spec_from_file_location("apply_stream_limits", nc_.CLUSTER_DIR / "apply_stream_limits.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_permissions_are_the_single_node_servers() -> None:
    single = SINGLE_NODE_CONF.read_text()
    blocks = re.findall(r"^([A-Z]+_PERMISSIONS = \{.*?^\})", single, flags=re.MULTILINE | re.DOTALL)
    cluster = (nc_.CLUSTER_DIR / "permissions.conf").read_text()
    assert len(blocks) == 6
    assert re.findall(r"^([A-Z]+_PERMISSIONS = \{.*?^\})", cluster, flags=re.MULTILINE | re.DOTALL) == blocks
    users = re.findall(r"\{ user: (\w+),.*permissions: \$(\w+) \}", single)
    accounts = (nc_.CLUSTER_DIR / "accounts.conf").read_text()
    for user, permissions in users:
        assert re.search(rf"\{{ nkey: \${user.upper()}_NATS_NKEY,\s+permissions: \${permissions} \}}", accounts), user


def test_every_node_config_validates(tmp_path: Path) -> None:
    _binary_or_skip()
    env = nc_.make_secrets(tmp_path / "certs")
    for node in nc_.cluster_nodes(tmp_path, tmp_path / "certs", env):
        result = nc_.validate(node.conf, node.env)
        assert result.returncode == 0, result.stderr + result.stdout
        assert "is valid" in result.stderr + result.stdout
        # the password fallback in place of accounts.conf
        (node.conf.parent / "accounts.conf").write_text((node.conf.parent / "accounts-passwords.conf").read_text())
        pw_env = {
            **node.env,
            **{
                f"{u}_NATS_PASSWORD": f"pw-{u}"
                for u in (
                    "INTAKE",
                    "DECISION",
                    "SUPERVISION",
                    "EVALUATION",
                    "HOTLINE",
                    "GATEWAY",
                    "AUDITOR",
                    "ADMIN",
                    "SYS",
                    "LEAF_440781",
                )
            },
        }
        result = nc_.validate(node.conf, pw_env)
        assert result.returncode == 0, result.stderr + result.stdout
    # and an unset key is refused, not taken as empty
    node = nc_.cluster_nodes(tmp_path / "again", tmp_path / "certs", env, names=("nats-1",))[0]
    env_missing = {k: v for k, v in node.env.items() if k != "INTAKE_NATS_NKEY"}
    assert nc_.validate(node.conf, env_missing).returncode != 0


def test_cluster_survives_kill_9_of_the_stream_leader(tmp_path: Path) -> None:
    _binary_or_skip()
    certs = tmp_path / "certs"
    env = nc_.make_secrets(certs)
    nodes = nc_.cluster_nodes(tmp_path, certs, env)
    try:
        for node in nodes:
            node.start()
        # formed: a meta leader elected, and every node's JetStream current with it
        nc_.wait_for(
            lambda: nc_.meta_leader(nodes[0]) is not None and all(n.healthy(full=True) for n in nodes),
            30,
            "a meta leader",
            nodes,
        )
        asyncio.run(asyncio.wait_for(_scenario(nodes, certs, env), 45))
    finally:
        for node in nodes:
            node.stop()


async def _connect(nodes: list[nc_.Node], certs: Path, seed: str) -> nats.NATS:
    return await nats.connect(
        servers=[n.url for n in nodes],
        tls=nc_.client_tls(certs),
        nkeys_seed_str=seed,
        connect_timeout=2,
        reconnect_time_wait=0.2,
        max_reconnect_attempts=-1,
    )


async def _publish(js, subject: str, i: int, attempts: int = 40) -> None:
    """Publish message i; on a time-out (leader election under way) publish it again, same Msg-Id."""
    for _ in range(attempts):
        try:
            await js.publish(subject, f"event {i}".encode(), headers={"Nats-Msg-Id": f"intake:{i}"}, timeout=2)
            return
        except nats.errors.Error:  # time-out, no responders, no stream response, reconnecting...
            await asyncio.sleep(0.25)
    raise AssertionError(f"message {i} never acknowledged")


async def _scenario(nodes: list[nc_.Node], certs: Path, env: dict[str, str]) -> None:
    apply = _load_apply()
    admin = await _connect(nodes, certs, env["ADMIN_NATS_NKEY_SEED"])
    intake = await _connect(nodes, certs, env["INTAKE_NATS_NKEY_SEED"])
    decision = await _connect(nodes, certs, env["DECISION_NATS_NKEY_SEED"])
    try:
        ajs = admin.jetstream(timeout=10)
        # every stream of streams.yaml, R3, with its limits: the reservations fit max_file_store
        done = await apply.apply(ajs, apply.province_configs(apply.load_limits()))
        assert len(done) == 8, done
        info = await ajs.stream_info("INTAKE")
        assert info.config.num_replicas == 3 and info.config.max_bytes == 100 * 2**30
        journal = (await ajs.stream_info("JOURNAL")).config
        assert journal.max_age == 0 and DiscardPolicy(journal.discard) is DiscardPolicy.NEW
        assert RetentionPolicy(journal.retention) is RetentionPolicy.LIMITS
        assert journal.max_bytes == 2 * 2**40

        # intake starting as the deploy runs it (its nkey seed file, the CA file, R3) declares its
        # streams again: nothing the operator set is reverted, and it may use the cluster
        service = Settings(
            service="intake",
            nats_url=",".join(n.url for n in nodes),
            nats_nkey_seed_file=certs / "intake.nk",
            nats_tls_ca_file=certs / "ca.pem",
            nats_replicas=3,
        )
        own = await connect(service)
        await ensure_streams(own.jetstream(timeout=10), replicas=service.nats_replicas)
        await ensure_audit_stream(own.jetstream(timeout=10), service.nats_replicas)
        await own.close()
        for name, limits in apply.load_limits()["streams"].items():
            kept = (await ajs.stream_info(name)).config
            assert kept.num_replicas == 3 and kept.max_bytes == apply.parse_bytes(limits["max_bytes"]), name
            assert DiscardPolicy(kept.discard) is DiscardPolicy(limits["discard"]), name
            assert (kept.max_age or 0) == apply.parse_seconds(limits["max_age"]), name

        js = intake.jetstream(timeout=5)
        subject = "shishi.440781.intake.ticket_received"
        for i in range(200):
            await _publish(js, subject, i)

        # kill -9 the INTAKE stream's leader (the worst node to lose), keep publishing
        leader = (await ajs.stream_info("INTAKE")).cluster.leader
        victim = next(n for n in nodes if n.name == leader)
        victim.kill9()
        for i in range(200, 400):
            await _publish(js, subject, i)
        # re-sends (a relay that crashed after publishing) are dropped by Nats-Msg-Id
        for i in range(390, 400):
            await _publish(js, subject, i)

        info = await ajs.stream_info("INTAKE")
        assert info.state.messages == 400
        assert info.cluster.leader != leader

        # decision reads everything through its own durable consumer (its permissions allow it)
        djs = decision.jetstream(timeout=5)
        # (as shared.bus.consumer makes it: a durable pull consumer with a filter subject)
        # (the meta leader may be the killed node: creating a consumer waits for a new election)
        for _ in range(10):
            try:
                sub = await djs.pull_subscribe(
                    "shishi.*.intake.>",
                    durable="decision-from-intake",
                    stream="INTAKE",
                    config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT),
                )
                break
            except nats.errors.TimeoutError:
                continue
        else:
            raise AssertionError("no consumer: the cluster did not recover its meta leader")
        seen: list[str] = []
        while len(seen) < 400:
            for msg in await sub.fetch(100, timeout=5):
                seen.append(msg.headers["Nats-Msg-Id"])
                await msg.ack()
        assert sorted(seen) == sorted(f"intake:{i}" for i in range(400))

        # the killed node comes back and catches up: every replica current again
        victim.start()

        async def caught_up() -> bool:
            info = await ajs.stream_info("INTAKE")
            replicas = info.cluster.replicas or []
            return len(replicas) == 2 and all(r.current and not r.offline for r in replicas)

        for _ in range(150):
            if await caught_up():
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"{victim.name} did not catch up:\n{victim.log_tail()}")
        assert (await ajs.stream_info("INTAKE")).state.messages == 400
    finally:
        for c in (admin, intake, decision):
            await c.close()


@pytest.mark.parametrize("size,expected", [("100GiB", 100 * 2**30), ("2TiB", 2 * 2**40), (5, 5)])
def test_stream_limit_sizes(size: object, expected: int) -> None:
    assert _load_apply().parse_bytes(size) == expected
