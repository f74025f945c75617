"""Imports every table module so SQLModel.metadata is complete (for Alembic and tests): core's, the
job path's, uploads', people's (invitations) and delivery's (webhooks, e-mail), then each registered
module's `tables` modules (models/<module>/**/tables.py)."""

from sqlmodel import SQLModel

from engine.discovery import import_tree
from engine.modules import MODULES
from models.core import tables as core_tables  # noqa: F401
from models.delivery import tables as delivery_tables  # noqa: F401
from models.imports import tables as import_tables  # noqa: F401
from models.jobs import tables as job_tables  # noqa: F401
from models.people import tables as people_tables  # noqa: F401
from models.uploads import tables as upload_tables  # noqa: F401

for _module in MODULES:
    import_tree(f"models.{_module}", leaf="tables")  # importing a tables module registers its tables

metadata = SQLModel.metadata
