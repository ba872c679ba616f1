"""Prometheus metrics (``prometheus-client``): requests per route template, and what the runtime knows.

Each app has its own registry (nothing at import time). ``GET /<service>/metrics`` (and the gateway's
``/metrics``) asks the runtime for a fresh snapshot (consumer lag from JetStream's consumer info, the
relay's and the read models' distance behind the notification log, the audit log's last checkpoint,
dead letters, job failures, the companion's memory) and renders it with the request counters, the
latency histograms and the process collector (``process_resident_memory_bytes`` …).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# name -> (kind, help, label names): what a runtime snapshot may hold (``ServiceRuntime.observe``)
SNAPSHOT_METRICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ready": ("gauge", "1 when the service is ready (NATS connected, read models caught up, followers running)", ()),
    "consumer_pending_messages": ("gauge", "messages in the stream not yet delivered to the durable", ("durable",)),
    "consumer_ack_pending_messages": ("gauge", "messages delivered to the durable and not yet acked", ("durable",)),
    "consumer_processed": ("counter", "inbound messages applied", ("durable",)),
    "consumer_dead_letters": ("counter", "inbound messages dead-lettered with their reason", ("durable",)),
    "consumer_retries": ("counter", "inbound messages nak'ed to be retried", ("durable",)),
    "consumer_county_failures": (
        "counter",
        "batches of one county that failed and were retried",
        ("durable", "county"),
    ),
    "lease_held": ("gauge", "1 on the replica holding the service's lease (relay, sweeps, read side)", ()),
    "relay_lag_notifications": ("gauge", "stored notifications the outbox relay has not published yet", ()),
    "views_lag_notifications": ("gauge", "stored notifications not yet folded into the read models", ()),
    "audit_log_lag_notifications": ("gauge", "stored notifications not yet in the audit (Merkle) log", ()),
    "audit_checkpoint_age_seconds": ("gauge", "seconds since the audit log's latest signed checkpoint", ()),
    "job_runs": ("counter", "runs of a periodic county sweep", ("job",)),
    "job_county_failures": ("counter", "counties whose sweep failed (the other counties went on)", ("job",)),
    "companion_resident_memory_bytes": ("gauge", "resident memory of the companion process (read side)", ()),
    "upstream_errors": ("counter", "requests the gateway could not pass to a service", ("service",)),
    "upstream_ready": ("gauge", "1 when the service answers its readiness check", ("service",)),
}

Snapshot = Mapping[str, Any]  # metric name -> a number, or {label values tuple: number}


class SnapshotCollector(Collector):
    """Renders the latest snapshot; the route refreshes it just before each scrape."""

    def __init__(self) -> None:
        self.snapshot: Snapshot = {}

    def collect(self) -> Iterator[Any]:
        for name, value in self.snapshot.items():
            kind, doc, labels = SNAPSHOT_METRICS[name]
            family_type = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            family = family_type(f"shishi_{name}", doc, labels=list(labels))
            for label_values, number in value.items() if isinstance(value, dict) else [((), value)]:
                family.add_metric(list(label_values), float(number))
            yield family


class Metrics:
    """One app's registry: HTTP counters and latencies by route template, the snapshot, the process."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)  # process_resident_memory_bytes, cpu, open fds
        self.requests = Counter(
            "shishi_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "shishi_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.snapshots = SnapshotCollector()
        self.registry.register(self.snapshots)

    def render(self, snapshot: Snapshot) -> bytes:
        self.snapshots.snapshot = snapshot
        return generate_latest(self.registry)


def route_of(scope: Scope) -> str:
    """The route's template (``/intake/api/demands/{demand_id}``), never the raw path: bounded labels."""
    if scope.get("route") is None and scope.get("endpoint") is None:
        return "unmatched"
    template = str(scope.get("path", ""))
    for name, value in (scope.get("path_params") or {}).items():  # each value back to its {name}
        text = str(value)
        if text:
            head, found, tail = template.rpartition(f"/{text}")
            if found:
                template = f"{head}/{{{name}}}{tail}"
    return template


class RequestMetrics:
    """Pure ASGI middleware: counts each HTTP request and times it until its response has been sent."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route, method = route_of(scope), scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
