"""Evaluation's look-up of a resident's tracking code on intake: one kept-alive client for every look-up,
and a look-up on a connection intake had just closed is asked again (a read), not a 500 for the resident."""

from __future__ import annotations

import httpx
import pytest

from services.evaluation.app.lineage import intake_tracking


def test_a_closed_pooled_connection_is_asked_again_and_the_code_found() -> None:
    asked: list[httpx.Request] = []

    def intake(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        if len(asked) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if request.url.path.endswith("/UNKNOWN1"):
            return httpx.Response(404)
        return httpx.Response(200, json={"tracking_code": "ABCD2345", "timeline": []})

    lookup = intake_tracking("http://intake.test/", transport=httpx.MockTransport(intake))
    found = lookup("ABCD2345", client="203.0.113.7", authorization="Bearer t")
    assert found == {"tracking_code": "ABCD2345", "timeline": []}
    assert [r.url.path for r in asked] == ["/intake/api/track/ABCD2345"] * 2
    assert asked[1].headers["x-forwarded-for"] == "203.0.113.7" and asked[1].headers["authorization"] == "Bearer t"
    assert lookup("UNKNOWN1") is None


def test_a_second_failure_is_not_hidden() -> None:
    def intake(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset", request=request)

    lookup = intake_tracking("http://intake.test", transport=httpx.MockTransport(intake))
    with pytest.raises(httpx.ReadError):
        lookup("ABCD2345")
