"""Export bundles: one county's events of one year, with the signed checkpoints, an inclusion
proof per event and consistency proofs between checkpoints, verifiable offline by
``shishi audit verify --bundle DIR`` on another machine (no service code, no network).

Layout::

    README.md                    how to verify (by hand or with the verifier)
    manifest.json                county, year, per service: key id, public key, checkpoint, counts
    <service>/events.jsonl       one stored event per line, with its leaf hash and inclusion proof
    <service>/checkpoints.json   every checkpoint, and the consistency proof from each to the next
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

from shared.audit.leaf import StoredRecord
from shared.audit.merkle import verify_consistency, verify_inclusion
from shared.audit.signing import (
    Checkpoint,
    public_key_from_text,
    public_key_text,
    verify_signature,
)
from shared.audit.storage import open_log, signer_for
from shared.audit.stores import has_store, open_store, settings_for
from shared.audit.verify import Problem, ServiceReport, store_records
from shared.config import SERVICES, Settings
from shared.web.templating import CHINA

README = """# Shishi audit bundle: county {county}, year {year}

Created {created}. Each service's directory holds that service's stored events of the county
whose {basis_text} falls in {year}, China time (`events.jsonl`), and its signed checkpoints
(`checkpoints.json`). `manifest.json` names the checkpoint every proof leads to and the
Ed25519 public key of each service (compare it with the key the service publishes at
`/<service>/api/audit/public-key` or in `<data dir>/audit/<service>-ed25519.pub`).

Verify with the Shishi command line (no network, no running service):

    shishi audit verify --bundle .

or by hand, following RFC 6962 / RFC 9162:

1. The checkpoint signature: Ed25519 over the UTF-8 text
   `shishi-audit-checkpoint/v1\\nservice <s>\\nsize <n>\\nroot <hex>\\ntime <iso>\\n`.
2. The leaf of each event: SHA-256(0x00 || data), where data is, big-endian:
   notification id (8 bytes) | originator id (16 bytes) | version (8 bytes) |
   topic length (4 bytes) | topic (UTF-8) | state length (4 bytes) | state (`state_b64`, decoded).
3. The inclusion proof (`proof`, hex) from that leaf at `leaf_index` leads to the checkpoint's root
   (inner nodes SHA-256(0x01 || left || right)).
4. Each consistency proof in `checkpoints.json` shows the later checkpoint extends the earlier.

An edited event fails step 2 or 3; a forged or re-signed checkpoint fails step 1 or 4. The
bundle is a subset of each log (one county, one year): it proves that every event in it is
in the log unaltered; completeness is checked against the service's full store with
`shishi audit verify --data-dir`.
"""


BASIS_TEXT = {"business": "business time (when it happened)", "recorded": "recorded time (when it was stored)"}


def _transcoded(value: object) -> object:
    return value.get("_data_") if isinstance(value, dict) else value


def meta_of_state(state: bytes) -> dict:
    """County, business time and recorded time from a stored event's JSON state (no domain code needed)."""
    try:
        data = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        return {}
    meta = data.get("meta") if isinstance(data, dict) else None
    if isinstance(meta, dict) and "_data_" in meta:
        meta = meta["_data_"]
    if not isinstance(meta, dict):
        return {}
    return {
        "county": meta.get("county"),
        "occurred_at": _transcoded(meta.get("occurred_at")),
        "recorded_at": _transcoded(data.get("timestamp")),
    }


def china_year(moment: object) -> int | None:
    """The year, in China time, of an ISO date-time (naive: UTC, as the store records)."""
    try:
        parsed = datetime.fromisoformat(str(moment))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(CHINA).year


def in_year(meta: dict, year: int, basis: str) -> bool:
    """Whether the event's business time (``basis="business"``) or recorded time falls in ``year``."""
    moment = meta.get("recorded_at") if basis == "recorded" else meta.get("occurred_at")
    return moment is not None and china_year(moment) == year


def export_bundle(
    data_dir: Path,
    county: str,
    year: int,
    out: Path,
    base: Settings | None = None,
    on_service: Callable[[str], None] | None = None,
    basis: str = "business",
) -> dict:
    """The county's events of ``year`` by business time (``basis="business"``: when each happened) or
    recorded time (``"recorded"``: when it was stored), in China time. ``on_service(name)``: called as
    each service's store is exported (a CLI's progress)."""
    basis = "recorded" if basis == "recorded" else "business"
    out.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    manifest: dict[str, Any] = {
        "format": "shishi-audit-bundle/v1",
        "county": county,
        "year": year,
        "basis": basis,
        "created_at": created,
        "services": {},
    }
    for service in SERVICES:
        if on_service is not None:
            on_service(service)
        settings = settings_for(service, data_dir, base)
        if not has_store(settings):
            continue
        store = open_store(settings)
        recorder = store.recorder
        log = open_log(settings)
        signer = signer_for(settings)
        try:
            log.follow(recorder)
            log.checkpoint(signer)
            head = log.latest_checkpoint()
            assert head is not None
            target = out / service
            target.mkdir(exist_ok=True)
            rows = {nid: (idx, h) for idx, nid, _, _, h in log.leaf_rows()}
            count = 0
            with (target / "events.jsonl").open("w", encoding="utf-8") as f:
                for record in store_records(recorder):
                    meta = meta_of_state(record.state)
                    if meta.get("county") != county or not in_year(meta, year, basis):
                        continue
                    idx, h = rows[record.notification_id]
                    try:
                        state_json = json.loads(record.state)
                    except (ValueError, UnicodeDecodeError):
                        state_json = None
                    f.write(
                        json.dumps(
                            {
                                "leaf_index": idx,
                                "notification_id": record.notification_id,
                                "originator_id": str(record.originator_id),
                                "version": record.version,
                                "topic": record.topic,
                                "state_b64": base64.b64encode(record.state).decode(),
                                "leaf_hash": h.hex(),
                                "proof": [p.hex() for p in log.inclusion(idx, head.size)],
                                "state": state_json,
                            },
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                    count += 1
            checkpoints = sorted(log.checkpoints(), key=lambda c: c.size)
            links = [
                {"from": a.size, "to": b.size, "proof": [p.hex() for p in log.consistency(a.size, b.size)]}
                for a, b in pairwise(checkpoints)
                if a.size < b.size
            ]
            (target / "checkpoints.json").write_text(
                json.dumps({"checkpoints": [c.as_dict() for c in checkpoints], "consistency": links}, indent=1)
            )
            manifest["services"][service] = {
                "key_id": signer.key_id,
                "public_key": public_key_text(signer.public),
                "checkpoint": head.as_dict(),
                "events": count,
            }
        finally:
            log.close()
            store.close()
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    (out / "README.md").write_text(
        README.format(county=county, year=year, created=created, basis_text=BASIS_TEXT[basis])
    )
    return manifest


def verify_bundle(bundle: Path, pinned: dict[str, str] | None = None) -> list[ServiceReport]:
    """Check every signature, consistency proof, leaf and inclusion proof in a bundle."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    reports = []
    for service, info in manifest["services"].items():
        report = ServiceReport(service)
        reports.append(report)
        key_text = (pinned or {}).get(service, info["public_key"])
        if pinned and service in pinned and pinned[service] != info["public_key"]:
            report.problems.append(Problem("bad_signature", "the bundle's public key is not the pinned one"))
        public = public_key_from_text(key_text)
        head = Checkpoint.from_dict(info["checkpoint"])
        if not verify_signature(head, public):
            report.problems.append(
                Problem("bad_signature", f"the bundle's checkpoint (size {head.size}) is not validly signed")
            )
        chain = json.loads((bundle / service / "checkpoints.json").read_text())
        by_size: dict[int, Checkpoint] = {}
        for data in chain["checkpoints"]:
            cp = Checkpoint.from_dict(data)
            if not verify_signature(cp, public):
                report.problems.append(Problem("bad_signature", f"checkpoint of size {cp.size} is not validly signed"))
            elif cp.size in by_size and by_size[cp.size].root != cp.root:
                report.problems.append(Problem("fork", f"two checkpoints of size {cp.size} with different roots"))
            by_size[cp.size] = cp
        report.checkpoints = len(by_size)
        for link in chain["consistency"]:
            a, b = by_size.get(link["from"]), by_size.get(link["to"])
            if (
                a is None
                or b is None
                or not verify_consistency(
                    a.size,
                    b.size,
                    bytes.fromhex(a.root),
                    bytes.fromhex(b.root),
                    [bytes.fromhex(p) for p in link["proof"]],
                )
            ):
                report.problems.append(
                    Problem("fork", f"checkpoint {link['to']} does not extend checkpoint {link['from']}")
                )
        if by_size.get(head.size) is None or by_size[head.size].root != head.root:
            report.problems.append(Problem("fork", "the manifest's checkpoint is not among the bundle's checkpoints"))
        root = bytes.fromhex(head.root)
        with (bundle / service / "events.jsonl").open(encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                record = StoredRecord(
                    e["notification_id"],
                    UUID(e["originator_id"]),
                    e["version"],
                    e["topic"],
                    base64.b64decode(e["state_b64"]),
                )
                h = record.leaf_hash()
                report.events += 1
                if h.hex() != e["leaf_hash"] or not verify_inclusion(
                    e["leaf_index"], head.size, h, [bytes.fromhex(p) for p in e["proof"]], root
                ):
                    report.problems.append(
                        Problem(
                            "edited",
                            f"event {e['originator_id']} v{e['version']} (notification "
                            f"{e['notification_id']}) is not the one the log holds",
                            notification_id=e["notification_id"],
                        )
                    )
        report.covered = head.size
        report.latest = head.as_dict()
    return reports
