"""A PostgreSQL server for ``shishi up --replicas N`` on one machine: the replicas of a service share one
database, which SQLite cannot be.

Made once with the machine's own PostgreSQL programs (``initdb``; Debian keeps them in
``/usr/lib/postgresql/<version>/bin``), then run as a child of ``up`` (``postgres`` in the foreground,
tied to ``up``'s life like every other child) on 127.0.0.1 with a password kept beside the data.
PostgreSQL refuses to run as root: as root, the cluster belongs to the ``postgres`` user and lives in
``/var/tmp/shishi-postgres/<data dir's digest>`` (a directory that user can reach); otherwise in
``<data dir>/postgres``. Either way ``<data dir>/postgres.json`` says where.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql

from shared.config import SERVICES

USER = "shishi"


def bindir() -> Path | None:
    """Where ``initdb`` and ``postgres`` are: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: [int(p) for p in Path(path).parent.parent.name.split(".") if p.isdigit()],
    )
    return Path(versions[-1]).parent if versions else None


class LocalPostgres:
    """One cluster, initialised once, started as a foreground child (``command``)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.port = port
        self.bin = bindir()
        if self.bin is None:
            raise FileNotFoundError(
                "replicas share one PostgreSQL database, and no PostgreSQL programs (initdb) were found: install "
                "PostgreSQL (Debian: apt-get install postgresql), or point SHISHI_POSTGRES_HOST (and _PORT, _USER, "
                "_PASSWORD) at a server where that user may create databases"
            )
        self.owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.owner is not None:
            digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
            self.root = Path("/var/tmp/shishi-postgres") / digest
        else:
            self.root = data_dir / "postgres"
        (data_dir / "postgres.json").write_text(json.dumps({"directory": str(self.root), "port": port}) + "\n")
        self.data = self.root / "data"
        self.password_file = self.root / "password"

    def as_owner(self, argv: list[str], *, pdeathsig: bool = False) -> list[str]:
        """``argv`` run as the cluster's owner (``setpriv``, from util-linux) when we are root; with
        ``pdeathsig`` it also ends when ``up`` ends, however that ends (as ``lifeline`` does)."""
        if self.owner is None:
            return argv
        tie = ["--pdeathsig", "TERM"] if pdeathsig else []
        return ["setpriv", "--reuid", "postgres", "--regid", str(self.owner.pw_gid), "--init-groups", *tie, "--", *argv]

    def initialise(self) -> None:
        """``initdb`` once (a password of its own, scram-sha-256, UTF-8)."""
        if (self.data / "PG_VERSION").exists():
            return
        assert self.bin is not None
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(24) + "\n")
        self.password_file.chmod(0o600)
        if self.owner is not None:
            for path in (self.root.parent, self.root, self.password_file):
                os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
        subprocess.run(
            self.as_owner(
                [str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, f"--pwfile={self.password_file}"]
                + ["-A", "scram-sha-256", "--locale=C", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    def command(self) -> list[str]:
        """The server in the foreground, on 127.0.0.1 only, its socket in its own directory."""
        assert self.bin is not None
        return [
            str(self.bin / "postgres"),
            "-D",
            str(self.data),
            "-p",
            str(self.port),
            "-k",
            str(self.root),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "max_connections=400",  # every replica's pools, stores, lease and companion
        ]

    def env(self) -> dict[str, str]:
        """The settings every service gets."""
        return {
            "SHISHI_PERSISTENCE": "postgres",
            "SHISHI_POSTGRES_HOST": "127.0.0.1",
            "SHISHI_POSTGRES_PORT": str(self.port),
            "SHISHI_POSTGRES_USER": USER,
            "SHISHI_POSTGRES_PASSWORD": self.password,
        }


STOP_SIGNAL = signal.SIGINT  # PostgreSQL's fast shutdown: sessions ended, everything written


def wait_ready(host: str, port: int, user: str, password: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                host=host, port=port, user=user, password=password, dbname="postgres", connect_timeout=2
            ):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL at {host}:{port} not ready after {timeout:.0f}s: {exc}") from None
            time.sleep(0.2)


def create_databases(env: dict[str, str]) -> list[str]:
    """The services' databases (``shishi_<service>``, or ``SHISHI_POSTGRES_DBNAME``'s ``{service}``),
    created when missing; returns those created."""
    template = env.get("SHISHI_POSTGRES_DBNAME") or "shishi_{service}"
    created = []
    with psycopg.connect(
        host=env["SHISHI_POSTGRES_HOST"],
        port=int(env.get("SHISHI_POSTGRES_PORT", "5432")),
        user=env.get("SHISHI_POSTGRES_USER", "shishi"),
        password=env.get("SHISHI_POSTGRES_PASSWORD", ""),
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        for service in SERVICES:
            name = template.replace("{service}", service)
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                created.append(name)
    return created
