#!/usr/bin/env python3
"""Development nkeys for every NATS user of the cluster and of the county leaf nodes.

    python deploy/nats/cluster/make-dev-nkeys.py OUT_DIR [--county 440781 ...]

writes into OUT_DIR (created, mode 0700):

    nkeys.env        the public keys, as the servers read them: INTAKE_NATS_NKEY=U..., ...
                     (public keys are not secrets; this file may go into a ConfigMap)
    <user>.nk        each user's seed (secret, mode 0600): what that client signs the server's
                     challenge with; the seed itself never crosses the network
    seeds.env        the same seeds as environment lines (<USER>_NATS_NKEY_SEED=S...), for
                     docker compose / Kubernetes Secrets in development

Users: intake decision supervision evaluation hotline gateway auditor (account SHISHI, the
permissions of deploy/nats/nats-server.conf), admin (SHISHI, the operator: stream edits,
backups), sys (account SYS: server monitoring), and per county a leaf-node link user
leaf_<county> (hub side) plus that county leaf's local users (hotline, admin) in
leaf-<county>.env / leaf-<county>-*.nk.

Production keys are made the same way (or with `nsc`/`nk -gen user`) on an offline machine;
only the public keys go into the cluster's configuration.

Needs the `nkeys` package (pip install nkeys).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import nkeys

HUB_USERS = ("intake", "decision", "supervision", "evaluation", "hotline", "gateway", "auditor", "admin", "sys")
LEAF_LOCAL_USERS = ("hotline", "admin")


def new_user() -> tuple[str, str]:
    """(seed, public key) of a fresh user nkey."""
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    kp = nkeys.from_seed(bytearray(seed))
    try:
        return seed.decode(), kp.public_key.decode()
    finally:
        kp.wipe()


def _secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).resolve().parent / "certs")
    parser.add_argument("--county", action="append", default=[], help="county code of a leaf node (repeatable)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)
    public, seeds = [], []
    for user in (*HUB_USERS, *(f"leaf_{c}" for c in args.county)):
        seed, pub = new_user()
        _secret(out / f"{user}.nk", seed + "\n")
        public.append(f"{user.upper()}_NATS_NKEY={pub}")
        seeds.append(f"{user.upper()}_NATS_NKEY_SEED={seed}")
    (out / "nkeys.env").write_text("\n".join(public) + "\n")
    _secret(out / "seeds.env", "\n".join(seeds) + "\n")
    for county in args.county:
        local_public, local_seeds = [], []
        for user in LEAF_LOCAL_USERS:
            seed, pub = new_user()
            _secret(out / f"leaf-{county}-{user}.nk", seed + "\n")
            local_public.append(f"LEAF_{user.upper()}_NATS_NKEY={pub}")
            local_seeds.append(f"LEAF_{user.upper()}_NATS_NKEY_SEED={seed}")
        (out / f"leaf-{county}.env").write_text("\n".join(local_public) + "\n")
        _secret(out / f"leaf-{county}-seeds.env", "\n".join(local_seeds) + "\n")
    print(f"wrote development nkeys to {out}")


if __name__ == "__main__":
    main()
