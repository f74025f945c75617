"""Catalog and pricing repositories and actions. Every function takes (session, ctx) first,
filters by ctx.tenant_id (RLS enforces it again) and writes through the audited helpers."""
