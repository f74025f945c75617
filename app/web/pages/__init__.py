"""Page modules; importing them registers their routes with the shell (app/web/registry.py)."""

from app.web.pages import audit, home, login

__all__ = ["audit", "home", "login"]
