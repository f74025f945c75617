"""Compatibility facade: channels and offerings now live in models.catalog.channels, products and
SKUs in models.catalog.products. Kept only for importers outside the catalog module (seeds) until
they move; new code imports the two modules directly."""

from __future__ import annotations

from models.catalog.channels import (
    create_channel,
    create_offering,
    get_channel,
    list_channels,
    list_offerings,
    update_channel,
)
from models.catalog.products import (
    create_product,
    create_sku,
    get_product,
    get_sku,
    list_products,
    list_skus,
    update_product,
    update_sku,
)

__all__ = [
    "create_channel",
    "create_offering",
    "create_product",
    "create_sku",
    "get_channel",
    "get_product",
    "get_sku",
    "list_channels",
    "list_offerings",
    "list_products",
    "list_skus",
    "update_channel",
    "update_product",
    "update_sku",
]
