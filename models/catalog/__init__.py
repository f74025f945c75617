"""Catalog and pricing. Repositories (`orgs`, `channels`, `products`, `publishing`, `pricing`) take
(session, ctx) first, filter by ctx.tenant_id (RLS enforces it again) and write through the audited
helpers; `queries`, `price_queries`, `deep_link` and `actions` take ctx, check the permission, own
the transaction and are what the REST API and the pages call."""
