"""The catalog's pages; importing the package registers them all (each page module registers itself)."""

from app.web.catalog import channels, organizations, pricing, skus  # noqa: F401
