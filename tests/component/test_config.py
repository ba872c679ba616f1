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


@pytest.mark.parametrize("service", ["intake", "decision", "supervision", "evaluation", "gateway"])
def test_production_with_only_a_jwks_url_starts(tmp_path: Path, service: str) -> None:
    """The README allows SHISHI_JWT_JWKS_URL alone: every service builds, HS256 tokens are refused."""
    import importlib

    from fastapi.testclient import TestClient

    from shared.auth import issue_token

    settings = Settings(
        service=service, mode="production", jwt_jwks_url="http://127.0.0.1:9/jwks.json", data_dir=tmp_path
    )
    if service == "gateway":
        api = importlib.import_module("services.gateway.main").create_gateway(settings, {})
    else:
        api = importlib.import_module(f"services.{service}.main").create_app(settings, start_runtime=False)
    with pytest.raises(RuntimeError, match="SHISHI_JWT_SECRET"):
        settings.resolved_jwt_secret()  # `shishi token` needs a secret of its own
    if service == "decision":
        forged = issue_token("f" * 48, subject="x", roles=["admin"], counties=["*"])
        r = TestClient(api).get(
            "/decision/api/counties/440781/candidates", headers={"authorization": f"Bearer {forged}"}
        )
        assert r.status_code == 401 and "RS256" in r.json()["detail"]


def test_a_service_reads_another_at_one_url_with_or_without_replicas(monkeypatch: pytest.MonkeyPatch) -> None:
    """``shishi up --replicas 2`` names each service's replicas (a list); evaluation's tracking look-ups
    and decision's roll read intake at one of them (a list used as a URL broke evaluation's start)."""
    from shared.config import upstream_url

    monkeypatch.setenv("SHISHI_UPSTREAMS", '{"intake": ["http://127.0.0.1:8001/", "http://127.0.0.1:8011"]}')
    assert upstream_url("intake") == "http://127.0.0.1:8001"
    monkeypatch.setenv("SHISHI_UPSTREAMS", '{"intake": "http://10.0.0.5:8001"}')
    assert upstream_url("intake") == "http://10.0.0.5:8001"
    monkeypatch.delenv("SHISHI_UPSTREAMS")
    assert upstream_url("decision") == "http://127.0.0.1:8002"
