"""Every page each role reaches from its home and menu, and the pages those link to, in Chromium on a
390 px phone: it answers,
it is no wider than the screen, every input has a label, and axe-core (vendored, run in the page)
finds no serious or critical violation. The county is the one the role homes' tests crawl
(``tests/fixtures/county_site.py``), served by this process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.web.templating import STATIC_DIR
from tests.fixtures.county_site import Site, build_site, links_of, serving

pytestmark = pytest.mark.browser

AXE = STATIC_DIR / "vendor" / "axe.min.js"
# Documentation viewers: vendored third-party renderers of the API documents (the AsyncAPI viewer,
# Swagger UI, ReDoc), for integrators. Their markup is not ours to fix: they are checked to answer,
# not audited (README, "Accessibility").
VIEWERS = ("/contracts/", "/intake/docs", "/decision/docs", "/supervision/docs", "/evaluation/docs")
WHO = ("congress_staff", "gov_unit", "deputy", "auditor", "province_viewer", "resident", None)
PHONE_WIDTH = 390
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !e.closest('[hidden]'))
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML.slice(0, 120))"""
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 && r.width > 0; })
  .filter(e => !e.closest('table, pre, .chart'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    site = build_site(tmp_path_factory.mktemp("county"))
    with serving(site.gateway) as url:
        yield site, url


def serious(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("who", WHO)
def test_every_page_of_every_role_is_accessible_and_fits_a_phone(
    origin: tuple[Site, str], browser_page: Any, who: str | None
) -> None:
    site, url = origin
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if who:
        page.context.add_cookies([{"name": "shishi_token", "value": site.token(who), "url": url}])
    landed = page.goto(f"{url}/")
    assert landed is not None and landed.ok
    home = page.url.removeprefix(url)
    first = [home, *links_of(page.content())]
    pages = dict.fromkeys(first)  # the home, its links, then the links of the pages they lead to
    found: dict[str, list[str]] = {}
    for path in first:
        answer = page.goto(f"{url}{path}")
        assert answer is not None and answer.status < 400, f"{path}: {answer.status if answer else 'no answer'}"
        pages.update(dict.fromkeys(links_of(page.content())))
    for path in pages:
        answer = page.goto(f"{url}{path}")
        assert answer is not None and answer.status < 400, f"{path}: {answer.status if answer else 'no answer'}"
        if path.split("?")[0] in VIEWERS or "/api/" in path:  # a viewer, or a JSON document a page links to
            continue
        page.wait_for_load_state("load")
        problems = serious(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            problems.append(f"{width}px wide at {PHONE_WIDTH}px: {page.evaluate(WIDEST)}")
        problems += [f"unlabelled: {e}" for e in page.evaluate(UNLABELLED)]
        if problems:
            found[path] = problems
    assert found == {}, f"{who or 'visitor'}: " + "\n".join(f"{p}: {x}" for p, x in found.items())
    assert errors == []
