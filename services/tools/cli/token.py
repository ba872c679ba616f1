"""``shishi token``: a local HS256 token signed with the data directory's development secret."""

from __future__ import annotations

import argparse
import sys
import uuid

from shared.auth import Role, issue_token
from shared.config import Settings


def run_token(args: argparse.Namespace) -> int:
    try:
        Role(args.role)
    except ValueError:
        print(f"unknown role {args.role!r}; one of: {', '.join(r.value for r in Role)}", file=sys.stderr)
        return 2
    settings = Settings(data_dir=args.data_dir)
    subject = args.subject or (
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"{args.role}:{args.name}")) if args.name else str(uuid.uuid4())
    )
    print(
        issue_token(
            settings.resolved_jwt_secret(),
            subject=subject,
            roles=[args.role],
            counties=args.county,
            name=args.name,
            ttl_seconds=int(args.hours * 3600),
            issuer=settings.jwt_issuer,
        )
    )
    return 0
