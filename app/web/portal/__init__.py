"""The vendor portal: its own route prefix (/portal), shell, page registry and auth state that
admits only vendor memberships with an organization (docs/adr/0003-vendor-portal-shell.md). No
page module is shared with the staff pages (import-linter contract); shared widgets come from
app/web/kit. What a vendor may do is decided in the models (scoped queries, the machines)."""
