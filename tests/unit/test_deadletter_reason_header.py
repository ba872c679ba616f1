"""A dead letter's reason travels in a NATS header, which holds ASCII only: a refusal's Chinese half is
percent-encoded (UTF-8) and read back whole; a long reason is cut between characters, never inside one."""

from __future__ import annotations

from urllib.parse import unquote

from shared.bus.deadletter import header_text


def test_a_chinese_reason_is_ascii_in_the_header_and_reads_back_whole() -> None:
    reason = "rejected: 工单格式有误 / malformed hotline ticket: received_at: Field required"
    header = header_text(reason)
    assert header.isascii() and unquote(header) == reason
    assert header_text("delivered 6 times (100% failed)") == "delivered 6 times (100%25 failed)"
    assert unquote(header_text("delivered 6 times (100% failed)")) == "delivered 6 times (100% failed)"


def test_a_long_reason_is_cut_between_characters() -> None:
    reason = "死信原因" * 1000
    header = header_text(reason)
    assert len(header) <= 2000 and header.isascii()
    assert reason.startswith(unquote(header)) and "\ufffd" not in unquote(header)
