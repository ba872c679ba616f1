"""Intake's domain: the aggregates (one module each) and the county's rules: pure, time comes in as an argument."""
