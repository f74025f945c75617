"""Catalog and pricing as the core sees it (engine/modules.py). The spec's service flags
(ENABLE_SERVICE_POLICIES, ENABLE_ENGINEERS, ENABLE_RESP_ORG_ASSIGNMENT) are the service module's."""

from engine.catalog.machines import CATALOG_VERSION, ORG_STATUS
from engine.delivery.events import decision_events
from engine.modules import ModuleManifest

FLAGS: dict[str, str] = {
    "ENABLE_ORG": "Organizations and their relationships (read API and pages)",
    "ENABLE_CHANNELS": "Channels, products and SKUs",
    "ENABLE_CATALOG_PUBLISHING": "Offerings and versioned channel catalogs (publish / unlist)",
    "ENABLE_PRICE_BOOKS": "Price books, price rules and the overlap report",
    "ENABLE_PRICE_RESOLUTION": "Price resolution with explanation (/prices/resolve, 'why this price?')",
    "ENABLE_DUAL_WRITE": "Dual-write of legacy manufacturers/suppliers into organizations (not built yet)",
    "ENABLE_READ_FROM_ORG_GRAPH": "Read legacy entities from the organization graph (not built yet)",
}

MANIFEST = ModuleManifest(
    name="catalog",
    labels={"catalog": "Catalog", "pricing": "Pricing"},
    flags=FLAGS,
    planned_flags=frozenset({"ENABLE_DUAL_WRITE", "ENABLE_READ_FROM_ORG_GRAPH"}),
    home_order=20,
    events=(
        *decision_events(ORG_STATUS, "An organization"),
        *decision_events(CATALOG_VERSION, "A channel catalog version"),
    ),
)
