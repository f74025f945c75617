"""Imports every table module so SQLModel.metadata is complete (for Alembic and tests)."""

from sqlmodel import SQLModel

from models.catalog import tables as catalog_tables  # noqa: F401

metadata = SQLModel.metadata
