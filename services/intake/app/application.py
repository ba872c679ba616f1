"""Intake's application: every use case of the service on one event-sourced application.

The use cases are classes of one kind, each over :class:`~services.intake.app.core.IntakeCore` (the
store, the residents' key vault, the county's rules and the demands themselves): triage and routing
(``triage.py``), merging with lineage (``merging.py``), deputies' work (``deputies.py``), the resolution of dead letters
(``deadletters.py``), the registries of deputies and liaison stations (``registry.py``) and the
stations' receptions (``receptions.py``).
"""

from __future__ import annotations

from services.intake.app.core import SERVICE, Contact, NewDemand, hotline_contact_id, ticket_contact_id
from services.intake.app.deadletters import DeadLetterWork
from services.intake.app.deputies import DeputyWork
from services.intake.app.merging import Merging
from services.intake.app.receptions import ReceptionWork
from services.intake.app.triage import Triage

__all__ = ["SERVICE", "Contact", "IntakeApplication", "NewDemand", "hotline_contact_id", "ticket_contact_id"]


class IntakeApplication(DeputyWork, DeadLetterWork, Triage, Merging, ReceptionWork):
    name = SERVICE
