"""Page modules; importing them registers their routes with the shell (app/web/registry.py)."""

from app.web.pages import audit, catalog, catalog_pricing, home, login, margin_enforcement

__all__ = ["audit", "catalog", "catalog_pricing", "home", "login", "margin_enforcement"]
