#!/usr/bin/env python3
"""Render the Shishi Helm chart offline, without the helm binary (what the tests use).

    python deploy/helm/render.py province [--nats-chart DIR] [--set-json '{"natsAuth": {...}}'] > shishi.yaml
    python deploy/helm/render.py county

Uses Helm's own Go engine through the `helm-python-sdk` PyPI package (import helm_python: a
ctypes binding to libhelm_c, Helm v4's SDK; the wheel bundles the library, nothing downloads).
The profile's values file (values-<profile>.yaml) is applied over values.yaml as `helm -f`.

The NATS dependency is vendored (deploy/helm/shishi/charts/nats, chart 2.14.2, with its licence)
and rendered with the rest; --nats-chart (or SHISHI_NATS_CHART) renders another unpacked nats
chart in its place.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parent / "shishi"


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def profile_values(profile: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    values = yaml.safe_load((CHART / f"values-{profile}.yaml").read_text()) or {}
    return _merge(values, extra or {})


def render(
    profile: str,
    extra: dict[str, Any] | None = None,
    *,
    nats_chart: Path | None = None,
    release: str = "shishi",
    namespace: str = "shishi",
) -> dict[str, str]:
    """{template path: rendered text} for the profile (plus `extra` values)."""
    import helm_python as helm

    helm.disable_logging()
    values = profile_values(profile, extra)
    with tempfile.TemporaryDirectory() as tmp:
        chart_dir = Path(tmp) / "shishi"
        shutil.copytree(CHART, chart_dir, symlinks=False)  # files/nats/permissions.conf is a link
        if nats_chart is not None:
            shutil.rmtree(chart_dir / "charts" / "nats", ignore_errors=True)
            shutil.copytree(nats_chart, chart_dir / "charts" / "nats")
        with helm.Chart.load(str(chart_dir)) as chart:
            return chart.render(values, name=release, namespace=namespace)


def documents(rendered: dict[str, str]) -> list[dict[str, Any]]:
    """Every Kubernetes object of a render, in template order."""
    docs = []
    for path in sorted(rendered):
        if not path.endswith((".yaml", ".yml")) or "/tests/" in path:
            continue
        docs.extend(d for d in yaml.safe_load_all(rendered[path]) if d)
    return docs


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("profile", choices=["province", "county"])
    p.add_argument("--nats-chart", type=Path, default=os.environ.get("SHISHI_NATS_CHART") or None)
    p.add_argument("--set-json", default="{}", help="extra values, as JSON")
    p.add_argument("--release", default="shishi")
    p.add_argument("--namespace", default="shishi")
    args = p.parse_args(argv)
    rendered = render(
        args.profile,
        json.loads(args.set_json),
        nats_chart=args.nats_chart,
        release=args.release,
        namespace=args.namespace,
    )
    print("\n---\n".join(yaml.safe_dump(d, sort_keys=False) for d in documents(rendered)))


if __name__ == "__main__":
    main()
