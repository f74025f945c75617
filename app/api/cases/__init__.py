"""REST routes of the vendor cases module (docs/cases.md)."""
