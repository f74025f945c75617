"""Margin reads for the pages and the REST API: each function takes `ctx`, owns its transaction
(`tenant_session`) and returns a typed read model built from the (session, ctx) repositories.
Entrypoints never open a session themselves; they serialize (REST) or format (pages) these."""
