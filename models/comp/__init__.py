"""Compensation: the input catalog, versioned bonus plans with their inputs, steps and pool.

Repositories (`catalog`, `plans`) take (session, ctx) first, filter by ctx.tenant_id (RLS enforces
it again) and write through the audited helpers (models.core.mutations) and, for a plan's status,
the decision path. `queries` and `actions` take ctx, check the permission, own the transaction and
are what the REST API and the pages call (their names are the module's stable surface).
"""
