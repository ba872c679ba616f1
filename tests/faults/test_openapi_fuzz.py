"""Schemathesis over every service's OpenAPI document, in this process (``create_app`` with a data dir of
the test's, no runtime), as a staff member with every county in scope: no request it generates gets a
server error, every answer matches its documented status codes and schema, and a 405 names ``Allow``.

Bounded: ``MAX_EXAMPLES`` examples per operation, no shrinking, about a minute for the four services."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from shared.auth import issue_token
from shared.config import Settings

SERVICES = ("intake", "decision", "supervision", "evaluation")
MAX_EXAMPLES = 6


def build(service: str, data_dir: Path) -> tuple[object, str]:
    no_limits = {"rate_limit_submit": "", "rate_limit_lookup": "", "rate_limit_rating": ""}
    config = Settings(service=service, data_dir=data_dir / service, **no_limits)
    api = importlib.import_module(f"services.{service}.main").create_app(config, start_runtime=False)
    token = issue_token(config.resolved_jwt_secret(), subject="fuzz", roles=["congress_staff"], counties=["4407*"])
    return api, token


@pytest.mark.parametrize("service", SERVICES)
def test_no_server_error_and_every_answer_documented(service: str, tmp_path: Path) -> None:
    api, token = build(service, tmp_path)
    schema = schemathesis.openapi.from_asgi(f"/{service}/openapi.json", api)
    failures: list[str] = []
    checked, calls = 0, [0]
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            phases=[Phase.explicit, Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case) -> None:  # noqa: ANN001 - schemathesis' Case
            response = case.call(headers={"authorization": f"Bearer {token}"})
            calls[0] += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
            except Exception as exc:  # noqa: BLE001 - collected: every operation is tried
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:400]}")

        given(case=operation.as_strategy())(run)()
        checked += 1
    assert checked > 10 and calls[0] >= checked * 2  # every operation, each several times
    assert failures == [], "\n".join(failures[:20])


def test_a_wrong_method_is_a_problem_with_allow(tmp_path: Path) -> None:
    api, _ = build("intake", tmp_path)
    r = TestClient(api).delete("/intake/api/demands")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert r.headers["content-type"] == "application/problem+json" and r.json()["reason"] == "method_not_allowed"
