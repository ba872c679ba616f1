"""While ``shishi up --demo`` loads, every page says so (with how far it is), in the page's language;
once the loader has removed ``<data dir>/demo-loading.json`` the banner is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.web.demo_status import demo_loading, mark_loaded, mark_loading
from tests.fixtures.service import InProcessService

A = "440781"


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[InProcessService]:
    service = InProcessService("intake", tmp_path, county=A)
    yield service
    service.client.close()


def test_pages_say_the_demo_is_still_loading_until_it_is_done(intake: InProcessService) -> None:
    data_dir = intake.settings.data_dir
    mark_loading(data_dir, 3, 12)
    assert demo_loading(data_dir) == {"done": 3, "total": 12}

    zh = intake.client.get("/intake/submit")
    assert zh.status_code == 200
    assert 'class="warn demo-loading" role="status"' in zh.text
    assert "演示数据仍在载入" in zh.text and "已完成 3/12 步" in zh.text

    en = intake.client.get("/intake/submit", params={"lang": "en"})
    assert "The demo is still loading" in en.text and "3 of 12 steps done" in en.text

    mark_loaded(data_dir)
    assert demo_loading(data_dir) is None
    done = intake.client.get("/intake/submit")
    assert done.status_code == 200 and "demo-loading" not in done.text and "演示数据仍在载入" not in done.text


def test_a_half_written_status_is_no_banner(tmp_path: Path) -> None:
    (tmp_path / "demo-loading.json").write_text('{"done": 3, "tot')
    assert demo_loading(tmp_path) is None
