"""``shishi followers <service>``: a service's read-model updater, audit-log and journal followers and
its outbox relay (it publishes the service's contracts to NATS and records its position in the
service's event store).

Started by the service itself when ``SHISHI_FOLLOWERS=process`` (the default of ``shishi serve``);
see ``shared/runtime/companion.py``. Settings come from the environment, as for ``shishi serve``. Run
by hand only beside services with ``SHISHI_FOLLOWERS=process``: they take the same followers lease,
while a service running its followers inline publishes under its primary lease alone.
"""

from __future__ import annotations

import argparse

from shared.config import SERVICES


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "followers",
        help="run a service's read-model updater, audit-log and journal followers and outbox relay "
        "(started by the service when SHISHI_FOLLOWERS=process)",
    )
    cmd.add_argument("service", choices=list(SERVICES), help="whose followers to run")
    cmd.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from shared.runtime.companion import main

    return main(f"services.{args.service}.main:create_app", args.service)
