"""What ``shishi audit verify | replay | export | restore | public-key`` do (the parsers are in
``services/tools/cli/commands/audit.py``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from uuid import UUID

from services.tools.audit.catalog import has_store, open_service, open_store, settings_for
from services.tools.cli.progress import Progress, progress
from shared.audit.asof import (
    aggregate_as_of,
    basis_name,
    dashboard_as_of,
    history_entry,
    parse_moment,
    state_of,
    views_as_of,
)
from shared.audit.bundle import export_bundle, verify_bundle
from shared.audit.signing import Checkpoint, public_key_text
from shared.audit.storage import public_key_for
from shared.audit.verify import ServiceReport, Trusted, store_records, verify_service
from shared.audit.witness import published_checkpoints
from shared.config import SERVICES, Settings


def base_settings() -> Settings:
    """Persistence settings (``SHISHI_PERSISTENCE``, ``SHISHI_POSTGRES_*``) from the environment."""
    return Settings()


def verify_data_dir(
    data_dir: Path,
    base: Settings | None = None,
    witnessed: dict[str, list[Checkpoint]] | None = None,
    trusted: dict[str, Trusted] | None = None,
    bar: Progress | None = None,
) -> list[ServiceReport]:
    reports = []
    bar = bar or Progress.off()
    bar.task("verify", total=len(SERVICES))
    for service in SERVICES:
        bar.step(f"verify {service}")
        bar.advance()
        settings = settings_for(service, data_dir, base)
        if not has_store(settings):
            continue
        store = open_store(settings)
        try:
            reports.append(
                verify_service(
                    service,
                    data_dir,
                    store_records(store.recorder),
                    (witnessed or {}).get(service, []),
                    (trusted or {}).get(service),
                    settings=settings,
                )
            )
        finally:
            store.close()
    return reports


def default_pins() -> Path:
    configured = os.environ.get("SHISHI_AUDIT_PINS")
    if configured:
        return Path(configured)
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return home / "shishi" / "pins.json"


def read_checkpoints(paths: list[Path]) -> list[Checkpoint]:
    """Checkpoints kept earlier: a file with one (``{"service", "size", ...}``), a list, or what
    ``GET /<service>/api/audit/checkpoints`` answers (``{"checkpoints": [...]}``)."""
    found: list[Checkpoint] = []
    for path in paths:
        data = json.loads(path.read_text())
        items = data.get("checkpoints", [data]) if isinstance(data, dict) else data
        found += [Checkpoint.from_dict(item) for item in items]
    return found


def trusted_from(args: argparse.Namespace, data_dir: Path, pins: dict) -> dict[str, Trusted]:
    """Keys and checkpoints to trust: the pins of this data dir, then ``--key`` and ``--checkpoint``."""
    trusted: dict[str, Trusted] = {}
    for service, pin in pins.get(str(data_dir), {}).items():
        trusted[service] = Trusted(
            pin.get("public_key"), [Checkpoint.from_dict(pin["checkpoint"])] if pin.get("checkpoint") else []
        )
    for item in args.public_key or []:
        service, _, key = item.partition("=")
        trusted.setdefault(service, Trusted()).public_key = key
    for cp in read_checkpoints(args.checkpoint or []):
        trusted.setdefault(cp.service, Trusted()).checkpoints.append(cp)
    return trusted


def pin(pins: dict, data_dir: Path, reports: list[ServiceReport], base: Settings | None = None) -> list[str]:
    """After a clean verify: pin each service's key (first use) and its latest checkpoint (advancing)."""
    said = []
    mine = pins.setdefault(str(data_dir), {})
    for report in reports:
        key = public_key_for(settings_for(report.service, data_dir, base))
        if key is None or report.latest is None:
            continue
        before = mine.get(report.service)
        mine[report.service] = {"public_key": public_key_text(key), "checkpoint": report.latest}
        if before is None:
            said.append(f"{report.service}: key and checkpoint of size {report.latest['size']} pinned (first use)")
    return said


def print_reports(reports: list[ServiceReport], as_json: bool) -> int:
    ok = bool(reports) and all(r.ok for r in reports)
    if as_json:
        print(json.dumps({"ok": ok, "services": [r.as_dict() for r in reports]}, ensure_ascii=False, indent=1))
    else:
        if not reports:
            print("nothing to verify: no event store found")
        for r in reports:
            status = "OK" if r.ok else "TAMPERED"
            print(
                f"{r.service:12} {status:9} events={r.events} logged={r.leaves} checkpoints={r.checkpoints} "
                f"covered={r.covered}"
            )
            for p in r.problems:
                print(f"    {p.kind}: {p.detail}")
    return 0 if ok else 1


def run_verify(args: argparse.Namespace) -> int:
    with progress(args.json) as bar:
        if args.bundle is not None:
            pinned = dict(item.split("=", 1) for item in args.public_key or [])
            bar.task(f"verify the bundle {args.bundle}", total=None)
            return print_reports(verify_bundle(args.bundle, pinned), args.json)
        witnessed = None
        if args.nats:
            bar.task("read the checkpoints published on NATS", total=None)
            witnessed = asyncio.run(published_checkpoints(args.nats))
        data_dir = args.data_dir.resolve()
        pins_path = getattr(args, "pins", None) or default_pins()
        use_pins = not getattr(args, "no_pin", False)
        pins = json.loads(pins_path.read_text()) if use_pins and pins_path.exists() else {}
        reports = verify_data_dir(data_dir, base_settings(), witnessed, trusted_from(args, data_dir, pins), bar)
    status = print_reports(reports, args.json)
    if status == 0 and use_pins:
        for line in pin(pins, data_dir, reports, base_settings()):
            print(line, file=sys.stderr)
        pins_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = pins_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(pins, indent=1, sort_keys=True))
        tmp.replace(pins_path)
    return status


def run_export(args: argparse.Namespace) -> int:
    out = args.out or Path(f"audit-{args.county}-{args.year}")
    with progress() as bar:
        bar.task("export", total=len(SERVICES))

        def exporting(service: str) -> None:
            bar.step(f"export {service}")
            bar.advance()

        manifest = export_bundle(args.data_dir, args.county, args.year, out, base_settings(), exporting, args.basis)
    counts = {s: i["events"] for s, i in manifest["services"].items()}
    found = ", ".join(f"{s}: {n} events" for s, n in counts.items()) or "no stores found"
    print(f"wrote {out} ({found}; the year by {manifest['basis']} time)")
    return 0


def run_public_key(args: argparse.Namespace) -> int:
    base = base_settings()
    for service in args.service or SERVICES:
        key = public_key_for(settings_for(service, args.data_dir, base))
        if key is not None:
            print(f"{service} {public_key_text(key)}")
    return 0


def run_replay(args: argparse.Namespace) -> int:
    try:
        when = parse_moment(args.as_of) if args.as_of else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    base = base_settings()
    services = [s for s in (args.service or SERVICES) if has_store(settings_for(s, args.data_dir, base))]
    result: dict = {"as_of": args.as_of, "basis": basis_name(args.basis)}
    with progress(args.json) as bar:
        bar.task("replay", total=len(services))
        found = _replay(args, services, base, when, result, bar)
    if not found:
        print(f"error: no service holds aggregate {args.aggregate}", file=sys.stderr)
        return 1
    if args.json or args.aggregate:
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    else:
        for service, counties in result["services"].items():
            for county, kinds in counties.items():
                summary = ", ".join(f"{k}={len(v)}" for k, v in sorted(kinds.items()))
                print(f"{service:12} {county}  {summary}")
    return 0


def _replay(
    args: argparse.Namespace, services: list[str], base: Settings, when: datetime | None, result: dict, bar: Progress
) -> bool:
    """One aggregate as of ``when`` (False: no service holds it), or every read model as of ``when``."""
    if args.aggregate:
        aggregate_id = UUID(args.aggregate)
        for service in services:
            bar.step(f"replay {service}")
            bar.advance()
            api = open_service(settings_for(service, args.data_dir, base))
            app = api.state.application
            past, events = aggregate_as_of(app, aggregate_id, when, args.basis)
            if events:
                result.update(
                    service=service,
                    state=state_of(past) if past is not None else None,
                    history=[history_entry(e) for e in events],
                )
                return True
        return False
    result["services"] = {}
    for service in services:
        bar.step(f"replay {service}")
        bar.advance()
        api = open_service(settings_for(service, args.data_dir, base))
        app, project = api.state.application, api.state.runtime.updater.project
        replayed = views_as_of(app, project, when, args.basis, args.county)
        try:
            counties = sorted({row[2] for row in replayed.dump()})
            result["services"][service] = {c: dashboard_as_of(replayed, c) for c in counties}
        finally:
            replayed.close()
    return True


def run_restore(args: argparse.Namespace) -> int:
    """Each service's event store, rebuilt from its journal on NATS into ``--data-dir``."""
    from shared.bus.connection import connect
    from shared.runtime.journal import restore

    base = base_settings()
    if args.nats:
        base = base.model_copy(update={"nats_url": args.nats})
    services = args.service or list(SERVICES)
    for service in services:
        settings = settings_for(service, args.data_dir, base)
        if has_store(settings):
            store = open_store(settings)
            try:
                holds = store.recorder.max_notification_id() or 0
            finally:
                store.close()
            if holds:
                print(
                    f"error: {service} already has a store with {holds} events in {args.data_dir}; "
                    "restore into an empty data dir",
                    file=sys.stderr,
                )
                return 2

    async def run(bar: Progress) -> dict[str, int]:
        nc = await connect(base, name="shishi-audit-restore")
        counts = {}
        bar.task("restore", total=len(services))
        try:
            js = nc.jetstream(timeout=30)
            for service in services:
                bar.step(f"restore {service} from journal.{service}")
                bar.advance()
                store = open_store(settings_for(service, args.data_dir, base))
                try:
                    counts[service] = await restore(js, service, store.recorder)
                finally:
                    store.close()
        finally:
            await nc.close()
        return counts

    try:
        with progress(args.json) as bar:
            counts = asyncio.run(run(bar))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"data_dir": str(args.data_dir), "restored": counts}))
    else:
        for service, count in counts.items():
            print(f"{service:12} {count} events restored from journal.{service}")
    return 0
