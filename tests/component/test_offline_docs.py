"""Swagger UI, ReDoc and the AsyncAPI viewer load only vendored files: no CDN, no other host."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.web.docs_pages import (
    ASYNCAPI_VIEWER_CSP,
    DOCS_CSP,
    VENDOR_DIR,
    VENDORED,
    asyncapi_viewer_html,
    install_offline_docs,
)
from shared.web.templating import STATIC_DIR, mount_static

FOREIGN = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}|cdn\.|jsdelivr|unpkg|googleapis", re.IGNORECASE)


class _Urls(HTMLParser):
    """Every URL a page loads: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def urls_of(html: str) -> list[str]:
    parser = _Urls()
    parser.feed(html)
    return parser.urls


def make_client(prefix: str = "intake") -> TestClient:
    app = FastAPI(title="Intake", docs_url=None, redoc_url=None, openapi_url=f"/{prefix}/openapi.json")

    @app.get(f"/{prefix}/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    mount_static(app, f"/{prefix}/static")
    install_offline_docs(app, prefix, f"/{prefix}/static")
    return TestClient(app)


def assert_local_page(client: TestClient, html: str, static_url: str) -> list[str]:
    urls = urls_of(html)
    assert urls, "the page loads nothing?"
    for url in urls:
        assert not FOREIGN.search(url), url
        assert url.startswith(static_url + "/vendor/"), url
        assert (STATIC_DIR / url.removeprefix(static_url + "/")).is_file(), url
        assert client.get(url).status_code == 200, url
    assert "fonts.googleapis" not in html and "jsdelivr" not in html and "unpkg" not in html
    return urls


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_docs_pages_load_only_vendored_files(page: str) -> None:
    client = make_client()
    response = client.get(f"/intake/{page}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == DOCS_CSP
    html = response.text
    urls = assert_local_page(client, html, "/intake/static")
    expected = "swagger-ui-bundle.js" if page == "docs" else "redoc.standalone.js"
    assert any(url.endswith(expected) for url in urls)
    assert "/intake/openapi.json" in html
    assert client.get("/intake/openapi.json").json()["paths"].keys() == {"/intake/ping"}  # docs not in the schema


def test_swagger_ui_has_no_validator_badge() -> None:
    html = make_client().get("/intake/docs").text
    assert '"validatorUrl": null' in html


def test_the_csp_allows_this_origin_only() -> None:
    for csp in (DOCS_CSP, ASYNCAPI_VIEWER_CSP):
        assert "default-src 'self'" in csp and "img-src 'self' data:" in csp and "connect-src 'self'" in csp
        assert not FOREIGN.search(csp)


def test_prefix_and_static_url_are_normalised() -> None:
    client = make_client("decision")
    assert client.get("/decision/docs").status_code == 200
    assert client.get("/decision/redoc").status_code == 200
    assert client.get("/docs").status_code == 404
    app = FastAPI(docs_url=None, redoc_url=None)
    mount_static(app, "/static")
    install_offline_docs(app, "/", "/static/")
    root = TestClient(app)
    assert_local_page(root, root.get("/docs").text, "/static")
    assert_local_page(root, root.get("/redoc").text, "/static")


def test_an_app_without_openapi_is_refused() -> None:
    with pytest.raises(ValueError):
        install_offline_docs(FastAPI(openapi_url=None, docs_url=None, redoc_url=None), "x", "/x/static")


def test_asyncapi_viewer_page_is_local_and_escaped() -> None:
    client = make_client()
    html = asyncapi_viewer_html("/intake/asyncapi.json", "/intake/static", "事件 <契约>")
    urls = assert_local_page(client, html, "/intake/static")
    assert {u.rsplit("/", 1)[-1] for u in urls} >= {"asyncapi-react.standalone.js", "asyncapi-react.default.min.css"}
    assert "<title>事件 &lt;契约&gt;</title>" in html
    assert '"url": "/intake/asyncapi.json"' in html
    hostile = asyncapi_viewer_html("/x</script><script>alert(1)</script>", "/static", "t")
    assert "</script><script>alert(1)" not in hostile


def test_every_vendored_file_exists_with_its_recorded_checksum() -> None:
    table = (VENDOR_DIR / "VERSIONS.txt").read_text(encoding="utf-8")
    row = re.compile(r"^(\S+\.(?:js|css|png))\s.*?\b([0-9a-f]{64})\b", re.MULTILINE)
    rows = {m.group(1): m.group(2) for m in row.finditer(table)}
    assert len(rows) >= 9
    for name in VENDORED:
        file = STATIC_DIR / name
        assert file.is_file(), name
        assert file.name in rows, f"{file.name} has no row in VERSIONS.txt"
    for name, sha in rows.items():
        assert hashlib.sha256((VENDOR_DIR / name).read_bytes()).hexdigest() == sha, name
    assert (VENDOR_DIR / "axe.min.js").is_file()
