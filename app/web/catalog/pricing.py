"""/catalog/pricing — price books, their rules, overlap warnings and the "why this price?" panel;
"New price book" / "New price rule" forms for pricing.write (a saved rule's overlap warnings are
shown at once, as the API returns them).

The panel runs the same resolver as `GET /api/prices/resolve` for a chosen SKU / organization /
channel / date / currency / kind and shows every candidate rule with its outcome and reason. Each
run is audited (`price.resolve`), like an API resolution. Books and rules need ENABLE_PRICE_BOOKS;
the panel also needs ENABLE_PRICE_RESOLUTION.

Deep links (e.g. from an alert): `/catalog/pricing?sku=<SKU code>&org=<organization id>&kind=<kind>
&at=<YYYY-MM-DD>[&channel=<channel code or id>][&rule=<price rule id>][&currency=<ISO code>]`.
Each parameter is checked against this tenant's rows (models/catalog/deep_link.py; another
tenant's ids look unknown), the panel is prefilled with the valid ones, and — when every given
parameter is valid — the resolution runs at once, the winning rule is highlighted, and for `rule=`
the page says whether that rule won or which rule beat it. Bad parameters are named in an inline
message, never an error page.
"""

from __future__ import annotations

import reflex as rx

from app.web.catalog.pricing_parts import pricing_forms, rule_row, saved_block, warning_list, why_panel
from app.web.catalog.pricing_state import READ, PricingState
from app.web.catalog.widgets import catalog_page, flagged_page
from app.web.kit import controls
from app.web.kit.controls import ANY
from app.web.kit.feedback import spinner_block
from app.web.kit.forms import new_button
from app.web.kit.table import table

__all__ = ["PricingState", "pricing_page"]


@catalog_page("/catalog/pricing", "Price books and rules", READ, PricingState, icon="tags", order=43, nav="Pricing")
def pricing_page() -> rx.Component:
    s = PricingState
    return flagged_page(
        s,
        rx.cond(
            s.can_write,
            rx.hstack(new_button(s, "book", "New price book"), new_button(s, "rule", "New price rule"), spacing="3"),
        ),
        pricing_forms(),
        saved_block(),
        rx.cond(s.resolution_on, why_panel()),
        rx.cond(s.error != "", rx.callout(s.error, icon="triangle-alert", color_scheme="red", width="100%")),
        rx.hstack(
            rx.heading("Rules", size="4"),
            controls.select(
                s.books, s.book_id, s.pick_book, "Price book", first=(ANY, "All books"), keys=("id", "name")
            ),
            align="center",
        ),
        warning_list(s.conflicts, "rule-conflict"),
        rx.cond(
            s.loading,
            spinner_block(),
            table(
                ["Book", "SKU", "Organization", "Channel", "Amount", "Window (UTC)", "Priority", ""],
                rx.foreach(s.rules, rule_row),
                "rules-table",
            ),
        ),
    )
