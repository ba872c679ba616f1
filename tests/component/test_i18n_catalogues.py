"""Texts of the four services in one process (the tests, a county's site): each service's pages read
its own text for a key another service also uses, and no service gives a shared key another meaning
(one service process holds the shared texts and its own)."""

from __future__ import annotations

import importlib
from pathlib import Path

from shared.config import Settings
from shared.web import i18n
from shared.web.templating import make_templates

SERVICES = ("intake", "decision", "supervision", "evaluation")


def create_all(tmp_path: Path) -> None:
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}.main")
        module.create_app(Settings(service=name, data_dir=tmp_path / name), start_runtime=False)
    importlib.import_module("services.gateway.main")


def test_each_service_reads_its_own_text_for_a_key_two_services_use(tmp_path: Path) -> None:
    create_all(tmp_path)
    assert i18n.translate("zh", "entry_done", "intake", n=3).startswith("已录入 3 条诉求")
    assert i18n.translate("zh", "round_title", "decision", n=2) == "第 2 轮表决"
    assert i18n.translate("zh", "round_title", "evaluation", year=2026) == "2026年人代会满意度测评"
    intake_page = make_templates(static_base="/intake/static").env.from_string("{{ t('accept') }}")
    decision_page = make_templates(static_base="/decision/static").env.from_string("{{ t('accept') }}")
    assert intake_page.render(lang="zh") == i18n.SCOPED["intake"]["zh"]["accept"]
    assert decision_page.render(lang="zh") == i18n.SCOPED["decision"]["zh"]["accept"]
    assert intake_page.render(lang="zh") != decision_page.render(lang="zh")
    assert i18n.translate("zh", "site_name", "intake") == "实事"  # shared texts underneath
    assert i18n.translate("zh", "no_such_key", "intake") == "no_such_key"


def test_no_service_gives_a_shared_key_another_text(tmp_path: Path) -> None:
    create_all(tmp_path)
    clashes = []
    for (lang, key), by in i18n.REGISTERED.items():
        shared = {text for module, text in by.items() if not module.startswith("services.")}
        for module, text in by.items():
            if module.startswith("services.") and shared and text not in shared:
                clashes.append(f"{lang}:{key} {module}={text!r} shared={sorted(shared)!r}")
    assert clashes == []
