#!/usr/bin/env python3
"""Apply deploy/nats/cluster/streams.yaml to a running cluster (the operator's tool).

    python deploy/nats/cluster/apply_stream_limits.py --server tls://nats:4222 --ca ca.pem \
        --nkey-seed-file admin.nk [--county 440781 ...]
    python deploy/nats/cluster/apply_stream_limits.py --leaf 440781 --server tls://leaf:4222 ...

Province (default): creates each stream the services declare (subjects and kind from
shared/bus/streams.py and shared/audit/follower.py, so run it from a checkout of the deployed
version) that does not exist yet, and sets replicas, max_bytes, max_age, discard and the
duplicate window of every one of them as streams.yaml states. With --county, HOTLINE also
SOURCES the county leaf's HOTLINE_<county> stream across its JetStream domain
(external api $JS.county-<county>.API), de-duplicated by Nats-Msg-Id.

--leaf <county>: on a county leaf node, creates or updates its local HOTLINE_<county> stream.

Idempotent: run it after every deploy or streams.yaml change. Connects as the `admin` user
(nkey seed, or --user/--password with the fallback accounts-passwords.conf).

NOTE (until shared/bus/streams.py reads these limits itself): a service updates the stream it
owns whenever its declared configuration differs in subjects, retention, storage, discard,
replicas, duplicate window or the atomic/direct flags, and such an update resets what it does
not declare (limits, sources). See deploy/CLUSTER.md, "Needed code changes".
"""

from __future__ import annotations

import argparse
import asyncio
import re
import ssl
import sys
from pathlib import Path
from typing import Any

import yaml
from nats.js.api import (
    DiscardPolicy,
    ExternalStream,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamSource,
)

HERE = Path(__file__).resolve().parent
LIMITS_FILE = HERE / "streams.yaml"
UNITS = {
    "": 1,
    "b": 1,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
    "k": 2**10,
    "m": 2**20,
    "g": 2**30,
    "t": 2**40,
}
DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_bytes(value: Any) -> int:
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", str(value))
    if not m or m.group(2).lower() not in UNITS:
        raise ValueError(f"not a size: {value!r}")
    return int(m.group(1)) * UNITS[m.group(2).lower()]


def parse_seconds(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", str(value))
    if not m:
        raise ValueError(f"not a duration: {value!r}")
    return float(int(m.group(1)) * DURATIONS[m.group(2)])


def load_limits(path: Path = LIMITS_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def declared_streams() -> dict[str, StreamConfig]:
    """The streams as the services declare them (subjects, kind, flags)."""
    sys.path.insert(0, str(HERE.parents[2]))
    from shared.audit.follower import audit_stream_config
    from shared.bus.streams import all_streams

    configs = {spec.name: spec.config() for spec in all_streams()}
    audit = audit_stream_config()
    configs[str(audit.name)] = audit
    return configs


def with_limits(config: StreamConfig, limits: dict[str, Any], defaults: dict[str, Any]) -> StreamConfig:
    merged = {**defaults, **limits}
    config.num_replicas = int(merged.get("replicas", 1))
    config.storage = StorageType(merged.get("storage", "file"))
    config.retention = RetentionPolicy(merged.get("retention", "limits"))
    config.max_bytes = parse_bytes(merged["max_bytes"])
    config.max_age = parse_seconds(merged.get("max_age", 0))
    config.discard = DiscardPolicy(merged.get("discard", "old"))
    config.duplicate_window = parse_seconds(merged.get("duplicate_window", "2h"))
    return config


def province_configs(limits: dict[str, Any], counties: list[str] = ()) -> list[StreamConfig]:
    declared = declared_streams()
    missing = set(declared) ^ set(limits["streams"])
    if missing:
        raise SystemExit(f"streams.yaml and the services' declarations differ: {sorted(missing)}")
    configs = []
    for name, config in declared.items():
        config = with_limits(config, limits["streams"][name], limits["defaults"])
        if name == "HOTLINE" and counties:
            config.sources = [leaf_source(c) for c in counties]
        configs.append(config)
    return configs


def leaf_source(county: str) -> StreamSource:
    """The hub's HOTLINE sources the county leaf's stream through the leaf's JetStream domain."""
    return StreamSource(name=f"HOTLINE_{county}", external=ExternalStream(api=f"$JS.county-{county}.API"))


def leaf_config(limits: dict[str, Any], county: str) -> StreamConfig:
    spec = limits["leaf"]["HOTLINE_LOCAL"]
    config = StreamConfig(name=f"HOTLINE_{county}", subjects=[spec["subjects_template"].format(county=county)])
    return with_limits(config, spec, {"storage": "file", "retention": "limits"})


async def apply(js: Any, configs: list[StreamConfig]) -> list[str]:
    """Create or update each stream; returns what was done, one line per stream."""
    from nats.js.errors import NotFoundError

    done = []
    for config in configs:
        try:
            existing = (await js.stream_info(config.name)).config
        except NotFoundError:
            await js.add_stream(config)
            done.append(f"created {config.name}")
            continue
        # keep what the services set that this file does not manage
        config.allow_atomic = config.allow_atomic or existing.allow_atomic
        config.allow_direct = config.allow_direct or existing.allow_direct
        if config.sources is None and existing.sources:
            config.sources = existing.sources
        await js.update_stream(config)
        done.append(f"updated {config.name}")
    return done


async def main_async(args: argparse.Namespace) -> None:
    import nats

    tls = ssl.create_default_context(cafile=args.ca) if args.ca else None
    auth: dict[str, Any] = {}
    if args.nkey_seed_file:
        auth["nkeys_seed_str"] = Path(args.nkey_seed_file).read_text().strip()
    elif args.user:
        auth.update(user=args.user, password=args.password)
    nc = await nats.connect(servers=args.server, tls=tls, **auth)
    try:
        js = nc.jetstream(timeout=10)
        limits = load_limits(Path(args.limits))
        configs = [leaf_config(limits, args.leaf)] if args.leaf else province_configs(limits, args.county)
        for line in await apply(js, configs):
            print(line)
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", action="append", required=True, help="tls://host:4222 (repeatable)")
    p.add_argument("--ca", help="CA certificate that signed the servers' certificates")
    p.add_argument("--nkey-seed-file", help="the admin user's nkey seed")
    p.add_argument("--user", help="fallback: user name (accounts-passwords.conf)")
    p.add_argument("--password", help="fallback: password")
    p.add_argument("--limits", default=str(LIMITS_FILE))
    p.add_argument("--county", action="append", default=[], help="HOTLINE sources this county's leaf")
    p.add_argument("--leaf", metavar="COUNTY", help="apply the leaf stream of this county instead")
    asyncio.run(main_async(p.parse_args(argv)))


if __name__ == "__main__":
    main()
