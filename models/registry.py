"""Imports every table module so SQLModel.metadata is complete (for Alembic and tests)."""

from sqlmodel import SQLModel

from models import catalog_tables, core_tables, job_tables, margin_enforcement_tables, margin_tables  # noqa: F401

metadata = SQLModel.metadata
