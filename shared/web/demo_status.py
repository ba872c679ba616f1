"""Whether the demo is still loading (``shishi up --demo``), for the banner every page shows meanwhile.

The loader writes ``<data dir>/demo-loading.json`` (stages done of all) as it goes and removes it
when it ends; every service and the gateway read it from the data directory they share.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

LOADING = "demo-loading.json"


def demo_loading(data_dir: Path) -> dict[str, int] | None:
    """``{"done": n, "total": m}`` while the demo loads, else None."""
    try:
        status = json.loads((data_dir / LOADING).read_text())
    except (OSError, ValueError):
        return None
    return {"done": int(status.get("done", 0)), "total": int(status.get("total", 0))}


def mark_loading(data_dir: Path, done: int, total: int) -> None:
    """Record how far the demo is (written whole: a page never reads half a file)."""
    temporary = data_dir / f".{LOADING}.{os.getpid()}"
    temporary.write_text(json.dumps({"done": done, "total": total}))
    temporary.replace(data_dir / LOADING)


def mark_loaded(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (data_dir / LOADING).unlink()
