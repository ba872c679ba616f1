"""The same rule-set routes in every service: read the county's rules and their history; revise them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import AfterValidator, BaseModel, Field

from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import known_county
from shared.kernel.ranges import Range, RuleOutOfRange, check_values, out_of_range
from shared.persistence.application import ServiceApplication
from shared.web.access import allow, check_county
from shared.web.problems import Problem
from shared.web.requests import meta_for

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county


class RuleRevision(BaseModel):
    changes: dict[str, Any] = Field(description="rule name -> new value")
    reason: str = Field(min_length=2, max_length=500)


def make_rules_router(
    app: ServiceApplication, service: str, defaults: dict[str, Any], ranges: dict[str, Range]
) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["rules"])

    @router.get("/counties/{county}/rules")
    def get_rules(
        county: County,
        principal: Annotated[
            Principal,
            Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)),
        ],
    ) -> dict:
        """The county's current rule set (version and values as used), each rule's allowed range,
        the rules whose stored value lies outside it (used as the nearest allowed value), and every
        earlier version."""
        check_county(principal, county)
        version, values = app.current_rules(service, county, defaults)
        history = app.rule_history(service, county, defaults)
        return {
            "county": county,
            "service": service,
            "version": version,
            "values": values,
            "ranges": {rule: allowed.describe() for rule, allowed in ranges.items()},
            "stored_out_of_range": out_of_range(history[-1]["values"], ranges),
            "history": history,
        }

    @router.put("/counties/{county}/rules")
    def revise_rules(
        county: County,
        body: RuleRevision,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """Revise some rules; a new version is recorded with who, when and why. A value outside its
        range is refused (422 ``rule_out_of_range``, the reason in Chinese and English)."""
        check_county(principal, county)
        for key, value in body.changes.items():
            if (
                key in defaults
                and type(value) is not type(defaults[key])
                and not (isinstance(defaults[key], float) and isinstance(value, int))
            ):
                raise Problem(
                    422,
                    "Invalid request",
                    f"rule {key} must be a {type(defaults[key]).__name__}",
                    reason="invalid_rule_value",
                )
        try:
            check_values(body.changes, ranges)
        except RuleOutOfRange as exc:
            raise Problem(
                422, "Invalid request", str(exc), reason=exc.reason, rule=exc.rule, messages=exc.messages
            ) from exc
        version, values = app.revise_rules(
            service, meta_for(request, principal, county, reason=body.reason), body.changes, defaults
        )
        return {"county": county, "service": service, "version": version, "values": values}

    return router
