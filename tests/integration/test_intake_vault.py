"""The residents' key store on both backends: one key per resident, written in one transaction
per batch before the events that use it; erasing destroys the key for good."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.app.vault import KeyErased, make_vault
from shared.config import Settings
from shared.kernel.meta import Meta


def test_keys_are_written_with_the_events_and_destroyed_on_erasure(backend_settings: Settings) -> None:
    vault = make_vault(backend_settings, spares=0)  # no keys stored ahead: each is written with its events
    app = IntakeApplication(env=backend_settings.eventsourcing_env(), vault=vault)
    meta = Meta(county="440781", actor_role="resident", actor_id="anon", occurred_at=datetime(2025, 3, 1, tzinfo=UTC))
    before = vault.count("440781")
    demand = app.submit(
        meta,
        NewDemand(
            channel="web",
            town="台城街道",
            category="water",
            text="停水三天",
            name="赵六",
            phone="13500000000",
            address="水步镇1号",
        ),
    )
    assert vault.count("440781") == before + 1 and vault.has_key(demand.contact_id)
    assert app.contact(demand.contact_id, "440781").phone == "13500000000"
    # a sealed value is not the clear text, and the same key opens every field
    sealed = app.repository.get(demand.contact_id).sealed
    assert "13500000000" not in str(sealed)
    # keys made for events that are never saved are never written
    vault.seal(uuid4(), "440781", {"phone": "1"})
    vault.discard_pending()
    vault.flush()
    assert vault.count("440781") == before + 1
    app.erase_contact(meta.because("本人申请"), demand.id)
    assert not vault.has_key(demand.contact_id) and vault.count("440781") == before
    assert app.contact(demand.contact_id, "440781").erased
    with pytest.raises(KeyErased):
        vault.open(demand.contact_id, sealed)
    app.close()


def test_a_batch_after_a_failed_save_reuses_the_key_already_written(backend_settings: Settings) -> None:
    """Keys are written before the events; when the events' save then fails, the redelivered
    tickets must be sealed with the key already in the vault (looked up for the whole batch at
    once), or their contacts could never be opened."""
    from services.intake.app.application import hotline_contact_id
    from services.intake.inbound.handlers import handle_ticket, prefetch_tickets
    from shared.contracts import HotlineTicket
    from shared.persistence.application import Inbound

    vault = make_vault(backend_settings)
    app = IntakeApplication(env=backend_settings.eventsourcing_env(), vault=vault)
    tickets = [
        HotlineTicket(
            ticket_id=f"V-{n}",
            county="440781",
            received_at=datetime(2026, 3, 1, tzinfo=UTC),
            category="water",
            text="停水",
            town="台城街道",
            caller_name=f"来电人{n}",
            caller_phone="13600000000",
        )
        for n in range(3)
    ]
    batch = [Inbound("HOTLINE", n + 1, t) for n, t in enumerate(tickets)]
    real_save = app.recorder.insert_events

    def fails_after_the_keys(*args, **kwargs):
        raise OSError("disk full")

    app.recorder.insert_events = fails_after_the_keys
    with pytest.raises(OSError):
        app.process_batch(batch, handle_ticket(app), prefetch_tickets(app))
    assert all(vault.has_key(hotline_contact_id(t)) for t in tickets)  # the keys went first
    app.recorder.insert_events = real_save
    app.process_batch(batch, handle_ticket(app), prefetch_tickets(app))  # the redelivery
    for n, t in enumerate(tickets):
        assert app.contact(hotline_contact_id(t), "440781").name == f"来电人{n}"
    app.close()


def test_a_new_contact_takes_a_key_stored_ahead(backend_settings: Settings) -> None:
    """A resident's demand writes no key of its own once its county has keys stored ahead: the
    contact takes one (the first demand after a start writes its own and has more stored in the
    background). Its details open, erasure destroys its key, and the keys never taken are deleted
    when the vault closes."""
    import time

    from services.intake.app import vault as vault_module

    vault = make_vault(backend_settings)
    app = IntakeApplication(env=backend_settings.eventsourcing_env(), vault=vault)
    meta = Meta(county="440781", actor_role="resident", actor_id="anon", occurred_at=datetime(2025, 3, 1, tzinfo=UTC))

    def submit(n: int):
        return app.submit(
            meta,
            NewDemand(
                channel="web", town="台城街道", category="water", text=f"停水{n}", name="赵六", phone=f"1350000000{n}"
            ),
        )

    before = vault.count("440781")
    first = submit(0)  # none stored ahead yet: its key is written with its events
    deadline = time.monotonic() + 10
    while vault.spares_left("440781") < vault_module.SPARES and time.monotonic() < deadline:
        time.sleep(0.01)
    assert vault.spares_left("440781") == vault_module.SPARES
    assert vault.count("440781") == before + 1 + vault_module.SPARES

    writes: list[int] = []
    real_insert = vault._insert_keys

    def counted(rows):
        writes.append(len(rows))
        real_insert(rows)

    setattr(vault, "_insert_keys", counted)  # noqa: B010 - count the key writes
    second = submit(1)
    assert writes == [], "the demand wrote a key of its own"
    assert vault.spares_left("440781") == vault_module.SPARES - 1
    assert vault.count("440781") == before + 1 + vault_module.SPARES  # its key was one of them
    assert app.contact(second.contact_id, "440781").phone == "13500000001"
    assert app.contact(first.contact_id, "440781").phone == "13500000000"

    app.erase_contact(meta.because("本人申请"), second.id)
    assert not vault.has_key(second.contact_id) and app.contact(second.contact_id, "440781").erased
    app.close()  # closes the vault: the keys never taken go
    reopened = make_vault(backend_settings, spares=0)
    assert reopened.count("440781") == before + 1 and reopened.has_key(first.contact_id)
    reopened.close()


def test_keys_stored_ahead_while_closing_are_deleted_too(backend_settings: Settings) -> None:
    """Closing while the first keys stored ahead are being written leaves no key of no contact."""
    vault = make_vault(backend_settings)
    app = IntakeApplication(env=backend_settings.eventsourcing_env(), vault=vault)
    meta = Meta(county="440783", actor_role="resident", actor_id="anon", occurred_at=datetime(2025, 3, 1, tzinfo=UTC))
    counted = make_vault(backend_settings, spares=0)
    before = counted.count("440783")
    demand = app.submit(meta, NewDemand(channel="web", town="三埠街道", category="roads", text="路灯", phone="1"))
    app.close()  # the refill it started may still be writing
    assert counted.count("440783") == before + 1 and counted.has_key(demand.contact_id)
    counted.close()
