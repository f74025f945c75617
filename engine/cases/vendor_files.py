"""What a vendor can send from its portal as a file: its invoices (one row per invoice line) and its
statements of account (one row per statement line), declared as import targets so the import
pipeline reads, types and reports them (engine/imports: CSV or XLSX, strict cells, issues named by
line and column).

They are not in `import_targets.TARGETS` on purpose: the core's upload pages and routes are staff
tools whose uploads are not vendor-scoped; a vendor's file goes through the cases module's own
route and page (models/cases/vendor_files.py), which keep it to the vendor's organization. The
header must name each column as the field's name or label (case, spaces and `_` ignored); nothing
is guessed."""

from __future__ import annotations

from engine.cases.permissions import WRITE
from engine.imports.targets import ImportTarget, TargetField

INVOICES, STATEMENTS = "cases.vendor_invoices", "cases.vendor_statements"

INVOICES_TARGET = ImportTarget(
    name=INVOICES,
    label="My invoices",
    module="cases",
    permission=WRITE,
    description="One row per invoice line; the rows of one invoice share its number, date and currency",
    fields=(
        TargetField("invoice_number", "Invoice number", "text", max_length=60),
        TargetField("issued_on", "Invoice date", "date"),
        TargetField("due_on", "Due date", "date", required=False),
        TargetField("currency", "Currency", "currency"),
        TargetField("line_no", "Line", "integer"),
        TargetField("description", "Description", "text", required=False, max_length=500),
        TargetField("quantity", "Quantity", "decimal"),
        TargetField("unit_price", "Unit price", "money"),
        TargetField("tax_amount", "Tax", "money", required=False),
        TargetField("po_number", "PO number", "code", required=False, max_length=60),
        TargetField("po_line", "PO line", "integer", required=False),
    ),
)

STATEMENTS_TARGET = ImportTarget(
    name=STATEMENTS,
    label="My statements of account",
    module="cases",
    permission=WRITE,
    description="One row per statement line; the rows of one statement share its reference, date and currency",
    fields=(
        TargetField("reference", "Statement reference", "text", max_length=60),
        TargetField("as_of", "As of", "date"),
        TargetField("currency", "Currency", "currency"),
        TargetField("doc_type", "Document type", "code", max_length=20),
        TargetField("doc_number", "Document number", "text", max_length=60),
        TargetField("doc_date", "Document date", "date", required=False),
        TargetField("amount", "Amount", "money"),
    ),
)

VENDOR_TARGETS = {INVOICES: INVOICES_TARGET, STATEMENTS: STATEMENTS_TARGET}
KINDS = {"invoices": INVOICES, "statements": STATEMENTS}  # the route's and page's names
