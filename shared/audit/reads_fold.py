"""Auditors' reads as a read model of every service (``auditor_read``): folded beside the service's own
read models by the running service (``install_audit``) and by anything that folds its store without
it (``shishi report``), so both leave the same read models behind."""

from __future__ import annotations

from shared.audit.reads import AuditorRead
from shared.views.fold import Fold
from shared.views.store import ViewTx

AUDITOR_READ = "auditor_read"


READS = Fold("auditor reads")


@READS.on(AuditorRead.Recorded)
def auditor_read(tx: ViewTx, event: AuditorRead.Recorded) -> None:
    """Auditors' reads as a read model of their own: who looked at what, when."""
    tx.put(
        AUDITOR_READ,
        str(event.originator_id),
        event.meta.county,
        {
            "id": str(event.originator_id),
            "county": event.meta.county,
            "auditor": event.meta.actor_id,
            "at": event.meta.occurred_at.isoformat(),
            "method": event.method,
            "path": event.path,
            "query": event.query,
            "status": event.status,
        },
    )


def with_auditor_reads(fold: Fold) -> Fold:
    """A service's fold as the service runs it: its own read models and the auditors' reads."""
    return fold.merged(READS)
