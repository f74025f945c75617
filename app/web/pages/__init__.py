"""Page modules; importing them registers their routes with the shell (app/web/registry.py)."""

from app.web.pages import (
    audit,
    catalog,
    catalog_pricing,
    home,
    login,
    margin,
    margin_dealers,
    margin_enforcement,
    margin_notices,
    margin_search,
    margin_tasks,
)

__all__ = [
    "audit",
    "catalog",
    "catalog_pricing",
    "home",
    "login",
    "margin",
    "margin_dealers",
    "margin_enforcement",
    "margin_notices",
    "margin_search",
    "margin_tasks",
]
