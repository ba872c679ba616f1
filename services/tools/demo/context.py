"""What every demo stage gets: an HTTP client with role tokens for one county, and shared state."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import httpx

from shared.auth import issue_token
from shared.config import Settings
from shared.views.paging import every_page

ROLES = ("congress_staff", "gov_unit", "deputy", "auditor", "province_viewer", "resident")
# The demo plays hundreds of residents from one address: their calls carry a resident token, since
# anonymous submissions, look-ups and ratings are rate-limited per address (shared/web/limits.py).
RESIDENT = "resident"
CHINA = timezone(timedelta(hours=8))
T = TypeVar("T")
BUSINESS_TIME = "shishi-business-time"  # shared/web/business_time.py


def business_moment(moment: date | datetime) -> datetime:
    """A date means 10:00 China time that day; a naive time is China time."""
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
    return datetime(moment.year, moment.month, moment.day, 10, tzinfo=CHINA)


class ServiceRoutes(httpx.BaseTransport):
    """Sends a call under ``/<service>/`` straight to that service (its first replica): the API the origin
    forwards to, as it is, without the forwarding; anything else (the province view, posters) goes to
    the origin. The demo is a bulk load: the origin's CPU is left to the pages people open meanwhile."""

    def __init__(self, upstreams: Mapping[str, str | list[str]], limits: httpx.Limits) -> None:
        self._inner = httpx.HTTPTransport(limits=limits)
        self._targets = {name: httpx.URL(url if isinstance(url, str) else url[0]) for name, url in upstreams.items()}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self._targets.get(request.url.path.split("/", 2)[1])
        if target is not None:  # the Host header still names the origin, as when forwarded
            request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class DemoClient:
    def __init__(
        self, origin: str, data_dir: Path, county: str, upstreams: Mapping[str, str | list[str]] | None = None
    ) -> None:
        """``upstreams``: each service's own address (``shishi up``'s run file); without them every call
        goes through the origin."""
        secret = Settings(data_dir=data_dir).resolved_jwt_secret()
        self._secret = secret
        self.county = county
        # connections kept alive (a county's calls come one after another, several at once in ``each``); an idle
        # one is dropped well before the origin's keep-alive ends (uvicorn: 5 s), so none is closed under a call
        limits = httpx.Limits(max_keepalive_connections=8, keepalive_expiry=2.0)
        transport = ServiceRoutes(upstreams, limits) if upstreams else None
        self.http = httpx.Client(base_url=origin, timeout=60, limits=limits, transport=transport)
        self.business_time: datetime | None = None
        self.tokens = {
            role: issue_token(
                secret, subject=f"demo-{role}-{county}", roles=[role], counties=[county], name=f"演示{role}"
            )
            for role in ROLES
        }

    def token_for(self, role: str, subject: str, name: str = "") -> str:
        """A token for a named person (a deputy with their own identity, for instance)."""
        return issue_token(self._secret, subject=subject, roles=[role], counties=[self.county], name=name)

    @contextmanager
    def at(self, moment: date | datetime) -> Iterator[None]:
        """The officials' entries made inside are declared to have happened at ``moment`` (the demo plays
        past years in minutes): each is recorded now, with ``moment`` as its business time and marked as
        entered late (``Shishi-Business-Time``). A moment still ahead is not declared: those entries happen now."""
        previous = self.business_time
        declared = business_moment(moment)
        self.business_time = declared if declared <= datetime.now(UTC) else None
        try:
            yield
        finally:
            self.business_time = previous

    def call(self, method: str, path: str, role: str | None = None, *, token: str | None = None, **kwargs: Any) -> Any:
        bearer = token if token is not None else self.tokens[role or RESIDENT]  # "": no credentials at all
        headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
        official = token is not None or role not in (None, RESIDENT)
        if self.business_time is not None and official:
            headers[BUSINESS_TIME] = self.business_time.isoformat()
        r = self.http.request(method, path, headers=headers, **kwargs)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def every(self, path: str, role: str | None = None, **params: Any) -> list:
        """Every item of a list (every list pages: ``page``/``limit``), page after page."""
        return every_page(lambda p: self.call("GET", path, role, params={**params, "page": p.page, "limit": p.limit}))

    def anonymous(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request with no login at all (a secret ballot: the service refuses one that carries a login)."""
        r = self.http.request(method, path, **kwargs)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def status(self, method: str, path: str, role: str | None = None, **kwargs: Any) -> int:
        headers = {"authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return self.http.request(method, path, headers=headers, **kwargs).status_code

    def wait_for(self, predicate: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
        """Ask ``predicate`` until it answers: soon at first (what the demo waits on usually arrives
        within tens of milliseconds), then less often (each question is a request the services serve)."""
        deadline, pause = time.monotonic() + timeout, 0.05
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)
        raise RuntimeError(f"timed out waiting for {what}")


@dataclass
class DemoContext:
    client: DemoClient
    county: str
    profile: dict
    nats_url: str
    data_dir: Path
    rng: random.Random
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def workers(self) -> int:
        """How many independent steps of this county run at once (``each``): more for a bigger county,
        whose load is the longest (台山市: 4; the smallest: 1)."""
        return max(1, min(4, int(self.profile["demands"]) // 20))


def each(items: Iterable[T], step: Callable[[T], Any], workers: int) -> None:
    """``step`` for every item, ``workers`` at a time: steps that need nothing of each other (staff working
    through separate demands) and no business time of their own (``DemoClient.at`` is the client's, not a
    thread's). The first failure is raised."""
    if workers <= 1:
        for item in items:
            step(item)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-each") as pool:
        for _ in pool.map(step, items):
            pass
