"""Vendor cases: the case and its evidence as decision-bearing entities (docs/cases.md)."""
