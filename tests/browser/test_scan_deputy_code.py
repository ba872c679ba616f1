"""A resident scans a deputy's code (亮码) with a phone: the code shown on the deputy's public
page is read by a real decoder, its address opens the phone form (390 px wide) pre-filled with the
deputy and their liaison station, and the demand sent from it is attributed to both."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import issue_token
from shared.config import Settings
from tests.fixtures.pdf import decode_qr

pytestmark = pytest.mark.browser

COUNTY = "440781"
PHONE = "13800138000"


def eventually(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """The read models are folded beside the service: wait until ``check`` sees the change."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_scanning_a_deputys_code_ends_in_a_demand_attributed_to_the_deputy_and_station(
    running_product, browser_page, tmp_path: Path
) -> None:
    page, origin = browser_page, running_product.origin
    staff = {"authorization": f"Bearer {running_product.token('congress_staff', COUNTY)}"}
    deputy_id = f"dep-{uuid.uuid4().hex[:8]}"
    api = httpx.Client(base_url=origin, timeout=10)
    registered = api.post(
        f"/intake/api/counties/{COUNTY}/deputies",
        headers=staff,
        json={"deputy_id": deputy_id, "name": "陈亮码", "level": "county", "town": "台城街道", "group": "台城代表小组"},
    )
    assert registered.status_code == 201, registered.text
    station = api.post(
        f"/intake/api/counties/{COUNTY}/stations",
        headers=staff,
        json={
            "name": f"台城街道联络站{deputy_id[-4:]}",
            "town": "台城街道",
            "address": "环北大道1号",
            "hours": "每周三 19:00–21:00",
            "deputy_ids": [deputy_id],
        },
    ).json()
    eventually(
        lambda: api.get(f"/intake/api/counties/{COUNTY}/deputies/{deputy_id}").json().get("stations"), "the registry"
    )

    # the deputy's public page shows their code; the phone's camera reads it off the screen
    page.goto(f"{origin}/intake/deputies/{COUNTY}/{deputy_id}")
    assert "陈亮码" in page.inner_text("#deputy-name") and page.locator("#no-phone").is_visible()
    page.wait_for_function(
        "document.querySelector('#deputy-qr').complete && document.querySelector('#deputy-qr').naturalWidth > 0"
    )
    page.screenshot(path=tmp_path / "deputy-page.png", full_page=True)
    (scanned,) = decode_qr(page.locator("#deputy-qr").screenshot())
    assert scanned == f"{origin}/intake/submit?county={COUNTY}&deputy={deputy_id}"

    page.goto(scanned)
    assert "陈亮码" in page.inner_text("#addressee") and station["name"] in page.inner_text("#addressee-station")
    assert page.input_value("#town") == "台城街道"
    labels = page.locator("#demand-form label").all_inner_texts()
    assert labels and all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels), labels
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    text = f"代表联系点门口的路灯不亮（{uuid.uuid4().hex[:6]}）"
    page.select_option("#category", "roads")
    page.fill("#text", text)
    page.fill("#phone", PHONE)
    page.screenshot(path=tmp_path / "scanned-form.png", full_page=True)
    page.click("#demand-form button[type=submit]")
    page.wait_for_url(f"{origin}/intake/track/*?new=1")
    code = page.inner_text("#tracking-code").strip()
    assert PHONE not in page.inner_text("main")

    demand = eventually(
        lambda: next(
            (
                d
                for d in api.get(
                    f"/intake/api/counties/{COUNTY}/demands",
                    headers=staff,
                    params={"channel": "qr_code", "limit": 1000},
                ).json()["items"]
                if d["text"] == text
            ),
            None,
        ),
        "the demand in the queue",
    )
    assert (demand["tracking_code"], demand["deputy_id"], demand["station_id"]) == (code, deputy_id, station["id"])
    secret = Settings(data_dir=running_product.data_dir).resolved_jwt_secret()
    mine = {"authorization": "Bearer " + issue_token(secret, subject=deputy_id, roles=["deputy"], counties=[COUNTY])}
    inbox = api.get(f"/intake/api/counties/{COUNTY}/inbox", headers=mine).json()
    assert demand["id"] in [d["id"] for d in inbox["items"]]  # 代表线上接单: it reached the deputy
    record = eventually(
        lambda: (
            (r := api.get(f"/deputies/api/{COUNTY}/{deputy_id}")).status_code == 200
            and r.json()["demands"]["total"]
            and r.json()
        ),
        "the record of duty",
    )
    assert record["demands"]["items"][0]["via"] == "code" and PHONE not in str(record) and text not in str(record)
