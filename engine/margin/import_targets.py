"""What Margin Defense imports from files: sale rows, competitor price snapshots, inventory ageing.

The fields mirror the observation tables (models/margin/tables.py). A dealer or competitor is named
by its organization code or name, a SKU by its code (models/margin/import_loaders.py resolves
them). Dates are calendar days (the exports people have carry an invoice or GRN date, not an
instant); they are stored at 00:00 UTC of that day. Aliases are headers seen in real Indian pharma
distribution exports (Tally, Marg, Busy, marketplace seller reports) so the column suggester
recognises them.
"""

from __future__ import annotations

from engine.imports.targets import ImportTarget, TargetField
from engine.margin.permissions import IMPORTS

SALES = "margin.sales"
SNAPSHOTS = "margin.snapshots"
INVENTORY = "margin.inventory"

_DEALER_ALIASES = (
    "Dealer",
    "Dealer Name",
    "Dealer Code",
    "Party Name",
    "Party Code",
    "Party",
    "Customer",
    "Customer Name",
    "Customer Code",
    "Retailer",
    "Retailer Name",
    "Distributor",
    "Stockist",
    "Buyer",
    "Account Name",
)
_SKU_ALIASES = (
    "SKU",
    "SKU Code",
    "Item Code",
    "Item",
    "Product Code",
    "Material Code",
    "Material",
    "Article Code",
    "Article No",
    "Prod Code",
)
_CHANNEL = TargetField(
    "channel",
    "Channel",
    "code",
    required=False,
    aliases=("Channel", "Sales Channel", "Channel Code", "Platform", "Marketplace", "Route"),
    max_length=60,
)
_CURRENCY = TargetField(
    "currency", "Currency", "currency", required=False, aliases=("Currency", "Curr", "CCY", "Currency Code")
)


def _dealer(name: str = "dealer", label: str = "Dealer", aliases: tuple[str, ...] = _DEALER_ALIASES) -> TargetField:
    return TargetField(name, label, "code", aliases=aliases, max_length=200)


_SKU = TargetField("sku", "SKU code", "code", aliases=_SKU_ALIASES, max_length=60)

SALES_TARGET = ImportTarget(
    name=SALES,
    label="Sale rows",
    module="margin",
    permission=IMPORTS,
    description="A dealer's sales or listings of our SKUs: invoice date, quantity, the net rate charged "
    "and/or the price advertised. At least one of the two prices per row.",
    fields=(
        _dealer(),
        _SKU,
        TargetField(
            "date",
            "Invoice date",
            "date",
            aliases=(
                "Invoice Date",
                "Bill Date",
                "Inv Date",
                "Date",
                "Voucher Date",
                "Txn Date",
                "Transaction Date",
                "Sale Date",
                "Order Date",
                "Document Date",
            ),
        ),
        TargetField(
            "qty",
            "Quantity",
            "integer",
            aliases=("Qty", "Quantity", "Units", "Billed Qty", "Sold Qty", "Sales Qty", "Pcs", "Nos", "Strips"),
        ),
        TargetField(
            "transaction_price",
            "Net rate",
            "money",
            required=False,
            aliases=(
                "Net Rate",
                "Rate",
                "Selling Price",
                "Sale Price",
                "Unit Price",
                "Net Price",
                "Billing Rate",
                "Invoice Rate",
                "Price",
            ),
        ),
        TargetField(
            "advertised_price",
            "Advertised price",
            "money",
            required=False,
            # a dealer's listing "MRP" column is the price it shows the customer: above our MRP is a breach
            aliases=("Advertised Price", "Listed Price", "Listing Price", "Offer Price", "Display Price", "MRP"),
        ),
        _CHANNEL,
        _CURRENCY,
    ),
)

SNAPSHOTS_TARGET = ImportTarget(
    name=SNAPSHOTS,
    label="Competitor prices",
    module="margin",
    permission=IMPORTS,
    description="Prices a competitor showed for our SKUs (or their equivalents), one row per observation.",
    fields=(
        _dealer(
            "competitor",
            "Competitor",
            ("Competitor", "Competitor Name", "Competitor Code", "Seller", "Seller Name", "Brand", "Store", "Vendor"),
        ),
        _SKU,
        TargetField(
            "price",
            "Price",
            "money",
            aliases=("Price", "Competitor Price", "Selling Price", "Offer Price", "Sale Price", "Listed Price", "MRP"),
        ),
        TargetField(
            "date",
            "Seen on",
            "date",
            aliases=("Date", "Seen On", "Snapshot Date", "Captured On", "Scraped On", "Observed On", "Price Date"),
        ),
        _CHANNEL,
        _CURRENCY,
    ),
)

INVENTORY_TARGET = ImportTarget(
    name=INVENTORY,
    label="Inventory ageing",
    module="margin",
    permission=IMPORTS,
    description="Stock a dealer holds of our SKUs, by the day it was received (dead stock after 90 days).",
    fields=(
        _dealer(),
        _SKU,
        TargetField(
            "qty",
            "Quantity on hand",
            "integer",
            aliases=("Closing Stock", "Stock Qty", "Balance Qty", "On Hand", "Qty", "Quantity", "Stock", "Cl Qty"),
        ),
        TargetField(
            "unit_cost",
            "Unit cost",
            "money",
            aliases=("Unit Cost", "Cost", "Cost Price", "Purchase Rate", "PTR", "Landed Cost", "Rate"),
        ),
        TargetField(
            "received_on",
            "Received on",
            "date",
            aliases=("Received Date", "GRN Date", "Inward Date", "Receipt Date", "Purchase Date", "Batch Date", "Date"),
        ),
    ),
)

TARGETS: tuple[ImportTarget, ...] = (SALES_TARGET, SNAPSHOTS_TARGET, INVENTORY_TARGET)
