"""Page modules; importing them registers their routes with the shell (app/web/shell/registry.py)."""

from app.web.catalog import organizations as catalog
from app.web.catalog import pricing as catalog_pricing
from app.web.core import audit, home, login
from app.web.margin import alerts as margin
from app.web.margin import dealers as margin_dealers
from app.web.margin import enforcement as margin_enforcement
from app.web.margin import notices as margin_notices
from app.web.margin import search as margin_search
from app.web.margin import tasks as margin_tasks

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
