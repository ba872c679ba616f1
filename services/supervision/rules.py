"""Supervision's rules (pure). Defaults from DOMAIN.md §3.4; each county may revise them."""

from __future__ import annotations

DEFAULTS: dict = {
    "plan_due_days": 30,            # implementation plan within 30 days after the session closes
    "plan_escalation_days": 45,     # still no plan: escalate to the standing committee
    "group_min": 3,                 # supervision group: 3-5 deputies (seed 001)
    "group_max": 5,
    "lag_warning_points": 10,       # progress behind the milestone curve by more than X points
    "finding_open_days": 30,        # a finding open too long
}
