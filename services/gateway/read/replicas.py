"""The replicas behind each service, as the origin reaches them.

In Kubernetes a service's replicas sit behind one address (a Service), so each service has one URL.
On one machine (``shishi up --replicas 2``) the origin is the load balancer: each service has several
URLs (``SHISHI_UPSTREAMS='{"intake": ["http://127.0.0.1:8001", "http://127.0.0.1:8011"]}'``); a request
goes to the next replica in turn, skipping one that refused a connection in the last few seconds
(it died, or is restarting), and a request that could not connect is sent to the next replica."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Mapping

DOWN_SECONDS = 3.0  # how long a replica that refused a connection is skipped


class Upstreams(Mapping[str, str]):
    """``upstreams[service]``: the base URL of the replica to ask next (a ``Mapping`` of service -> URL,
    as the origin's readers expect); ``replicas(service)``: all of them; ``down(service, url)``: this
    one refused a connection."""

    def __init__(self, replicas: Mapping[str, str | list[str]]) -> None:
        self._replicas = {name: [urls] if isinstance(urls, str) else list(urls) for name, urls in replicas.items()}
        self._turn = {name: itertools.cycle(range(len(urls))) for name, urls in self._replicas.items() if urls}
        self._down: dict[str, float] = {}

    def __getitem__(self, service: str) -> str:
        return self.order(service)[0]

    def __iter__(self) -> Iterator[str]:
        return iter(name for name, urls in self._replicas.items() if urls)

    def __len__(self) -> int:
        return sum(1 for urls in self._replicas.values() if urls)

    def replicas(self, service: str) -> list[str]:
        return list(self._replicas.get(service, []))

    def order(self, service: str) -> list[str]:
        """Every replica of ``service``, the next in turn first and the ones recently down last."""
        urls = self._replicas[service]
        if not urls:
            raise KeyError(service)
        start = next(self._turn[service])
        turn = urls[start:] + urls[:start]
        now = time.monotonic()
        return [u for u in turn if self._down.get(u, 0) <= now] + [u for u in turn if self._down.get(u, 0) > now]

    def down(self, url: str) -> None:
        self._down[url] = time.monotonic() + DOWN_SECONDS

    def up(self, url: str) -> None:
        self._down.pop(url, None)
