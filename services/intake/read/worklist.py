"""Intake's part of a role's worklist (pure, over the demand read model; ``now`` passed in):

- staff (congress staff, a government office): consultations whose 24-hour reply is overdue or due,
  demands not yet triaged, and demands stranded (no owner or no movement);
- a deputy: demands pushed to their inbox still open, and micro-wishes nobody has claimed.

Dead letters live on NATS, not in the read model: the gateway asks for them itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.intake.read.queue import is_overdue, stranded
from shared.views.worklist import item, task, tasks

DONE = ("closed", "duplicate", "merged", "completed", "rated")


def _title(doc: dict[str, Any]) -> str:
    return f"{doc['town']} · {doc['text'][:40]}"


def _demand(doc: dict[str, Any], due: str | None = None) -> dict[str, Any]:
    return item(_title(doc), f"/intake/demands/{doc['id']}", due[:10] if due else None)


def staff_tasks(docs: list[dict[str, Any]], now: datetime, rules: dict[str, Any], county: str) -> list[dict]:
    awaiting = [d for d in docs if d.get("due_at") and d.get("replied_at") is None and d["status"] not in DONE]
    overdue = [d for d in awaiting if is_overdue(d, now)]
    due = [d for d in awaiting if not is_overdue(d, now)]
    untriaged = [d for d in docs if d["status"] == "received"]
    queue = f"/intake/queue?county={county}"
    return tasks(
        task("replies_overdue", f"{queue}&overdue=1", [_demand(d, d["due_at"]) for d in overdue]),
        task("replies_due", queue, [_demand(d, d["due_at"]) for d in due]),
        task("untriaged", f"{queue}&status=received", [_demand(d) for d in untriaged]),
        task("stranded", f"/intake/stranded?county={county}", [_demand(d) for d in stranded(docs, now, rules)]),
    )


def deputy_tasks(docs: list[dict[str, Any]], deputy: str, county: str) -> list[dict]:
    inbox = [d for d in docs if deputy in d.get("deputies", []) and d["status"] not in DONE]
    wishes = [d for d in docs if d["tier"] == "micro_wish" and d["kind"] == "micro_wish" and "claimed" not in d["wish"]]
    page = f"/intake/inbox?county={county}"
    return tasks(
        task("inbox", page, [item(_title(d), page) for d in inbox]),
        task("wishes_to_claim", page, [item(_title(d), page) for d in wishes]),
    )
