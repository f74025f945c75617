"""Two realistic import targets for the pipeline's tests: sale rows and employee records.

They are what a module declares in engine/<module>/import_targets.py; the mapping accuracy test
(tests/data/import_headers) scores the suggester against them, and the integration tests register
`tests.sales` with a loader (tests/support/import_loader.py) so the whole flow runs without a
module's own targets.
"""

from __future__ import annotations

from engine.imports.targets import ImportTarget, TargetField

SALES = ImportTarget(
    name="tests.sales",
    label="Test sale rows",
    module="tests",
    permission="catalog.write",  # admin and ops hold it; sales and viewer do not
    fields=(
        TargetField(
            "dealer",
            "Dealer",
            "code",
            aliases=("customer", "distributor", "retailer", "stockist", "party", "sold to", "account", "buyer"),
            max_length=200,
        ),
        TargetField(
            "sku",
            "SKU",
            "code",
            aliases=("product code", "item code", "material", "article", "item", "product", "part number", "ean"),
            max_length=64,
        ),
        TargetField(
            "unit_price",
            "Unit price",
            "money",
            aliases=("price", "net price", "selling price", "rate", "price per unit", "unit net price", "ptr"),
        ),
        TargetField("qty", "Quantity", "integer", aliases=("qty", "units", "quantity sold", "pieces", "pcs", "volume")),
        TargetField("currency", "Currency", "currency", required=False, aliases=("curr", "ccy", "currency code")),
        TargetField(
            "sold_on",
            "Sale date",
            "date",
            aliases=("date", "invoice date", "order date", "transaction date", "posting date", "billing date"),
        ),
        TargetField(
            "channel", "Channel", "code", required=False, aliases=("sales channel", "distribution channel", "platform")
        ),
    ),
)

EMPLOYEES = ImportTarget(
    name="tests.employees",
    label="Test employees",
    module="tests",
    permission="catalog.write",  # admin and ops hold it; sales and viewer do not
    fields=(
        TargetField(
            "employee_ref",
            "Employee ID",
            "code",
            aliases=("employee number", "emp id", "personnel number", "staff id", "worker id", "hr id", "emp no"),
        ),
        TargetField("first_name", "First name", "text", aliases=("given name", "forename", "preferred name")),
        TargetField("last_name", "Last name", "text", aliases=("surname", "family name")),
        TargetField("email", "Email", "text", required=False, aliases=("work email", "email address", "e mail")),
        TargetField(
            "department", "Department", "text", required=False, aliases=("dept", "cost center", "team", "org unit")
        ),
        TargetField(
            "job_title", "Job title", "text", required=False, aliases=("position", "title", "role", "designation")
        ),
        TargetField(
            "hire_date",
            "Hire date",
            "date",
            aliases=("start date", "date of joining", "doj", "joined", "original hire date"),
        ),
        TargetField(
            "base_salary",
            "Base salary",
            "money",
            aliases=("salary", "annual salary", "base pay", "annual base", "ctc", "fixed pay", "compensation"),
        ),
        TargetField(
            "currency", "Currency", "currency", required=False, aliases=("salary currency", "pay currency", "ccy")
        ),
        TargetField(
            "manager_ref",
            "Manager ID",
            "code",
            required=False,
            aliases=("manager", "reports to", "supervisor id", "line manager"),
        ),
        TargetField(
            "country", "Country", "code", required=False, aliases=("work country", "location country", "country code")
        ),
    ),
)

TARGETS = (SALES, EMPLOYEES)  # read by engine.imports.registry (PHAROS_IMPORT_TARGET_MODULES)
BY_NAME = {t.name: t for t in TARGETS}
