"""Start the deploy's NATS cluster and leaf-node configurations on loopback, for the tests.

The configuration files under deploy/nats/cluster/ and deploy/nats/leaf/ are used as they are,
except for what only a real deployment has: host names (nats-1..3 -> 127.0.0.1), fixed ports
(-> free ports, since three nodes share this machine), /etc/nats/certs (-> TLS material made by
deploy/nats/cluster/make-dev-certs.py into the temp dir) and /data/jetstream (-> the temp dir).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shared.bus.server import NatsServer, free_port

REPO = Path(__file__).resolve().parents[2]
CLUSTER_DIR = REPO / "deploy" / "nats" / "cluster"
LEAF_DIR = REPO / "deploy" / "nats" / "leaf"
NODES = ("nats-1", "nats-2", "nats-3")
COUNTY = "440781"


def binary() -> str:
    return NatsServer.binary()


def make_secrets(out: Path, counties: tuple[str, ...] = (COUNTY,)) -> dict[str, str]:
    """Dev CA, certificates and nkeys into `out` (the deploy's own scripts); returns the env."""
    county_args = [a for c in counties for a in ("--county", c)]
    for script in ("make-dev-certs.py", "make-dev-nkeys.py"):
        subprocess.run(
            [sys.executable, str(CLUSTER_DIR / script), str(out), *county_args], check=True, capture_output=True
        )
    env: dict[str, str] = {}
    for name in (
        "nkeys.env",
        "seeds.env",
        *(f"leaf-{c}.env" for c in counties),
        *(f"leaf-{c}-seeds.env" for c in counties),
    ):
        for line in (out / name).read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
    return env


def client_tls(certs: Path) -> ssl.SSLContext:
    """What a client needs: trust in the dev CA (no client certificate)."""
    return ssl.create_default_context(cafile=str(certs / "ca.pem"))


@dataclass
class Node:
    name: str
    conf: Path
    client_port: int
    http_port: int
    route_port: int
    leaf_port: int
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    certs: Path | None = None  # a leaf node's directory of certificates (``leaf_node``)

    @property
    def url(self) -> str:
        return f"tls://127.0.0.1:{self.client_port}"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [binary(), "-c", str(self.conf)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def varz(self, path: str = "jsz") -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/{path}", timeout=2) as r:
            return json.loads(r.read())

    def healthy(self, full: bool = False) -> bool:
        """/healthz: JetStream enabled; `full`: also the meta layer (and every stream) current."""
        query = "" if full else "?js-enabled-only=true"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz{query}", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, size: int = 3000) -> str:
        return self.log.read_bytes()[-size:].decode(errors="replace")


def _copy_confs(src: Path, dst: Path, certs: Path, store: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.glob("*.conf"):
        text = f.read_text().replace("/etc/nats/certs/", f"{certs}/").replace("/data/jetstream", str(store))
        (dst / f.name).write_text(text)


def cluster_nodes(
    tmp: Path, certs: Path, env: dict[str, str], *, names: tuple[str, ...] = NODES, clustered: bool = True
) -> list[Node]:
    """One Node per name from deploy/nats/cluster/node-<n>.conf, on loopback ports, not started.

    ``clustered=False`` (one node, the leaf test's hub) drops the cluster block: a lone node that
    lists three routes would wait for a quorum it can never have.
    """
    ports = {n: {k: free_port() for k in ("client", "http", "route", "leaf")} for n in names}
    nodes = []
    for name in names:
        d = tmp / name
        _copy_confs(CLUSTER_DIR, d, certs, d / "jetstream")
        conf = d / f"node-{name.split('-')[1]}.conf"
        text = conf.read_text()
        p = ports[name]
        text = text.replace("listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{p['client']}")
        text = text.replace("http: 0.0.0.0:8222", f"http: 127.0.0.1:{p['http']}")
        text = text.replace("listen: 0.0.0.0:6222", f"listen: 127.0.0.1:{p['route']}")
        text = text.replace("listen: 0.0.0.0:7422", f"listen: 127.0.0.1:{p['leaf']}")
        for other in NODES:
            route = f"nats-route://127.0.0.1:{ports[other]['route']}" if other in ports else ""
            text = text.replace(f"nats-route://{other}:6222", route)
        if not clustered:
            text = re.sub(r"\ncluster \{.*?\n\}\n", "\n", text, flags=re.DOTALL)
        conf.write_text(text)
        nodes.append(
            Node(
                name,
                conf,
                p["client"],
                p["http"],
                p["route"],
                p["leaf"],
                d / "nats-server.log",
                {"PATH": os.environ.get("PATH", ""), **env},
            )
        )
    return nodes


def leaf_node(tmp: Path, certs: Path, env: dict[str, str], hub: Node, county: str = COUNTY) -> Node:
    """deploy/nats/leaf/leaf.conf for `county`, its remote pointed at `hub`'s leaf-node port."""
    d = tmp / f"leaf-{county}"
    leaf_certs = d / "certs"
    leaf_certs.mkdir(parents=True)
    shutil.copy(certs / "ca.pem", leaf_certs / "ca.pem")
    shutil.copy(certs / f"leaf-{county}.pem", leaf_certs / "leaf.pem")  # installed under the generic name
    shutil.copy(certs / f"leaf-{county}-key.pem", leaf_certs / "leaf-key.pem")
    _copy_confs(LEAF_DIR, d, leaf_certs, d / "jetstream")
    client, http = free_port(), free_port()
    conf = d / "leaf.conf"
    text = conf.read_text()
    text = text.replace("listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{client}")
    text = text.replace("http: 0.0.0.0:8222", f"http: 127.0.0.1:{http}")
    conf.write_text(text)
    leaf_env = {
        "PATH": os.environ.get("PATH", ""),
        "LEAF_NAME": f"leaf-{county}",
        "COUNTY_DOMAIN": f"county-{county}",
        "HUB_LEAF_URLS": json.dumps([f"tls://127.0.0.1:{hub.leaf_port}"]),
        "LEAF_LINK_NATS_NKEY_SEED": env[f"LEAF_{county}_NATS_NKEY_SEED"],
        "LEAF_HOTLINE_NATS_NKEY": env["LEAF_HOTLINE_NATS_NKEY"],
        "LEAF_ADMIN_NATS_NKEY": env["LEAF_ADMIN_NATS_NKEY"],
    }
    node = Node(f"leaf-{county}", conf, client, http, 0, 0, d / "nats-server.log", leaf_env)
    node.certs = leaf_certs
    return node


def wait_for(predicate, timeout: float, what: str, nodes: list[Node] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (urllib.error.URLError, OSError, KeyError, ValueError):
            pass
        for n in nodes:
            if n.process is not None and n.process.poll() is not None:
                raise AssertionError(f"{n.name} exited ({n.process.returncode}):\n{n.log_tail()}")
        time.sleep(0.1)
    logs = "\n".join(f"--- {n.name}\n{n.log_tail()}" for n in nodes)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs}")


def meta_leader(node: Node) -> str | None:
    meta = node.varz("jsz").get("meta_cluster") or {}
    return meta.get("leader") or None


def validate(conf: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`nats-server -c conf -t`."""
    return subprocess.run(
        [binary(), "-c", str(conf), "-t"],
        check=False,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
