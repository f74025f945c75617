"""Moved to engine/csv_safety.py (every export, the import reports too, uses one rule)."""

from engine.csv_safety import is_risky, neutralise, neutralise_expr, to_csv

__all__ = ["is_risky", "neutralise", "neutralise_expr", "to_csv"]
