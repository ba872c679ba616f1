"""Settings refuse unsafe production configurations and build each backend's environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.config import Settings


def test_production_refuses_missing_or_short_secret() -> None:
    with pytest.raises(ValidationError, match="JWT"):
        Settings(mode="production")
    with pytest.raises(ValidationError, match="32"):
        Settings(mode="production", jwt_secret="short")
    assert Settings(mode="production", jwt_secret="s" * 40).resolved_jwt_secret() == "s" * 40


def test_local_secret_is_created_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_jwt_secret()
    assert len(first) >= 32 and Settings(data_dir=tmp_path).resolved_jwt_secret() == first
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0


def test_each_service_gets_its_own_store(tmp_path: Path) -> None:
    sqlite = Settings(service="decision", data_dir=tmp_path).eventsourcing_env()
    assert sqlite["SQLITE_DBNAME"].endswith("decision/events.sqlite")
    pg = Settings(service="supervision", persistence="postgres").eventsourcing_env()
    assert pg["POSTGRES_DBNAME"] == "shishi_supervision" and pg["PERSISTENCE_MODULE"].startswith("shared.persistence")
    assert Settings(service="evaluation").port == 8004
