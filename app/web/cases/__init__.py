"""The staff side of vendor cases: the case inbox and the case page (docs/cases.md). The vendor
portal is app/web/portal (its own shell; no page module shared, an import contract)."""
