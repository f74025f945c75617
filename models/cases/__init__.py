"""Vendor cases: tables, repositories `(session, ctx)`, queries and actions (docs/cases.md)."""
