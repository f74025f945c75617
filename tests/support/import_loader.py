"""The test-only loader of `tests.sales` (tests/support/import_targets.py) and its table.

`check` knows three dealers and refuses any other with a did-you-mean hint (the kind of reference
problem a module's loader reports); `merge` writes the rows to `import_sample_rows`, a test-only
table on its own registry (never in the product's schema), created by `create_sample_table`
under the same RLS recipe as every tenant table. The pipeline finds this
module and the target through MODULE_ENV (tests/integration/imports/conftest.py sets it).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from rapidfuzz import process
from sqlalchemy import Column, Numeric, Table, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from engine.imports.targets import MergeCounts, RowIssue
from models.core.base import id_field, tenant_field
from models.core.bulk import insert_rows
from models.core.db import owner_engine
from models.core.rls import tenant_isolation

MODULE_ENV = {
    "PHAROS_IMPORT_TARGET_MODULES": "tests.support.import_targets",
    "PHAROS_IMPORT_LOADER_MODULES": "tests.support.import_loader",
}
DEALERS = ("Metro Pharma Retail", "City Medicos", "D-1")


class _TestTables(SQLModel, registry=registry()):
    """Test-only tables: their own metadata, outside the product's schema."""


Table("tenants", _TestTables.metadata, Column("id", UUID(as_uuid=True), primary_key=True))


class ImportSampleRow(_TestTables, table=True):
    __tablename__ = "import_sample_rows"
    __table_args__ = {"comment": "pharos:test-only: rows merged by tests/support/import_loader.py"}
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    upload_id: uuid.UUID
    source_row: int
    dealer: str
    sku: str
    unit_price: Decimal = Field(sa_column=Column(Numeric(38, 10), nullable=False))
    qty: int
    currency: str | None = None
    sold_on: date


class SampleSalesLoader:
    def check(self, session: Any, ctx: Any, frame: Any) -> list[RowIssue]:
        issues = []
        for row, dealer in zip(frame["__row"].to_list(), frame["dealer"].to_list(), strict=True):
            if dealer not in DEALERS:
                near = process.extractOne(dealer, DEALERS, score_cutoff=60)
                hint = f"did you mean {near[0]!r}?" if near else "add the dealer first"
                issues.append(RowIssue(row, "dealer", dealer, f"dealer {dealer!r} not found", hint))
        return issues

    def merge(self, session: Any, ctx: Any, frame: Any, *, upload_id: Any) -> MergeCounts:
        rows = [
            {
                "id": uuid.uuid4(),
                "tenant_id": ctx.tenant_id,
                "upload_id": upload_id,
                "source_row": r["__row"],
                "dealer": r["dealer"],
                "sku": r["sku"],
                "unit_price": r["unit_price"],
                "qty": r["qty"],
                "currency": r.get("currency"),
                "sold_on": r["sold_on"],
            }
            for r in frame.iter_rows(named=True)
        ]
        insert_rows(session, ImportSampleRow.__table__, rows)  # type: ignore[arg-type]
        return MergeCounts(inserted=len(rows))


LOADERS = {"tests.sales": SampleSalesLoader()}


def create_sample_table() -> None:
    table = ImportSampleRow.__table__
    with owner_engine().begin() as conn:
        if conn.execute(text("select to_regclass(:t) is not null"), {"t": table.name}).scalar():  # type: ignore[attr-defined]
            return
        _TestTables.metadata.create_all(conn, tables=[table])  # type: ignore[list-item]
        for statement in tenant_isolation(table.name):  # type: ignore[attr-defined]
            conn.execute(text(statement))
