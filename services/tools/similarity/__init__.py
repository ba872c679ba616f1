"""Measuring intake's duplicate suggestions: the labelled pairs (``pairs.jsonl``) and ``shishi similarity measure``."""

from pathlib import Path

PAIRS_FILE = Path(__file__).with_name("pairs.jsonl")
