"""Closed vocabularies of the catalog, shared by tables (check constraints), API and UI.

Status vocabularies are read off the machines (engine.catalog.machines), never re-declared, so a
state added to a machine reaches the CHECK constraint and the filters at once.
"""

from __future__ import annotations

from engine.catalog.machines import CATALOG_VERSION, ORG_STATUS

ORG_TYPES = ("manufacturer", "distributor", "dealer", "supplier", "competitor", "service_partner")
RELATIONSHIP_TYPES = ("supplies", "distributes_to", "sells_for", "services", "competes_with")
CHANNEL_KINDS = ("online", "retail", "marketplace", "wholesale", "direct")
ORG_STATUSES = ORG_STATUS.statuses
CATALOG_VERSION_STATUSES = CATALOG_VERSION.statuses
CATALOG_CHANGES = ("publish", "unlist")
