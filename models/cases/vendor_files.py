"""A vendor sends its invoices or its statements of account as a file (CSV or XLSX) from the
portal or `POST /api/vendor-files/{kind}`: read, typed and reported by the import pipeline
(engine/imports, `pipeline.check_file`) against the targets of engine/cases/vendor_files.py, then
checked here (one invoice's rows agree, numbers not taken, PO lines of the vendor's own purchase
orders) and recorded for the vendor's own organization only.

All or nothing: any problem refuses the whole file (422, each problem named by its line and
column, the first 50 listed) and nothing is written; a clean file becomes its invoices or
statements in one transaction, through the same repository functions staff use (`by_vendor`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlmodel import Session, col, select

from engine.cases.ledger import DOC_TYPES, MAX_LINES
from engine.cases.permissions import WRITE
from engine.cases.vendor_files import INVOICES, KINDS, STATEMENTS, VENDOR_TARGETS
from engine.context import TenantContext
from engine.errors import Forbidden, ValidationFailed
from engine.imports.reader import ReadError, open_table
from engine.imports.suggest import normalise
from engine.imports.targets import ImportTarget, MergeCounts, RowIssue
from engine.imports.validate import ROW, MappingError, check_mapping
from models.cases import ledger, statements
from models.cases.cases import is_vendor, vendor_of
from models.cases.ledger_inputs import InvoiceCreate, InvoiceLineIn, StatementCreate, StatementLineIn
from models.cases.tables import Invoice, PurchaseOrder, PurchaseOrderLine
from models.core.db import tenant_session
from models.imports import pipeline

SHOWN = 50  # problems listed in the refusal


@dataclass(frozen=True)
class VendorFileResult:
    kind: str
    rows: int
    created: list[str]  # the invoice numbers or statement references recorded


def _mapping(target: ImportTarget, header: tuple[str, ...]) -> dict[str, str]:
    """Each field's column: the header that reads as its name or its label (nothing else guessed)."""
    by_text = {normalise(h): h for h in header}
    mapping = {}
    for f in target.fields:
        column = by_text.get(normalise(f.name)) or by_text.get(normalise(f.label))
        if column is not None:
            mapping[f.name] = column
    return check_mapping(target, header, mapping)


def _day(value: date | None) -> datetime | None:
    return None if value is None else datetime(value.year, value.month, value.day, tzinfo=UTC)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _po_line(po_lines: dict[tuple, uuid.UUID], row: dict[str, Any]) -> uuid.UUID | None:
    return po_lines.get((str(row["po_number"]).lower(), row["po_line"])) if row.get("po_number") else None


class _Rows:
    """A loader of the pipeline (check, then merge) for one vendor file; `mapping` names columns."""

    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def issue(self, row: dict[str, Any], field: str, message: str, hint: str = "") -> RowIssue:
        return RowIssue(int(row[ROW]), self.mapping.get(field, field), _text(row.get(field)), message, hint)

    def agree(self, groups: dict[str, list[dict[str, Any]]], fields: tuple[str, ...], what: str) -> list[RowIssue]:
        """The rows of one invoice (statement) must carry the same header values."""
        out = []
        for key, rows in groups.items():
            for f in fields:
                first = rows[0].get(f)
                out += [
                    self.issue(r, f, f"differs from line {rows[0][ROW]} of {what} {key}", f"write {_text(first)}")
                    for r in rows[1:]
                    if r.get(f) != first
                ]
            if len(rows) > MAX_LINES:
                out.append(self.issue(rows[MAX_LINES], fields[0], f"{what} {key} has more than {MAX_LINES} lines"))
        return out


class InvoiceRows(_Rows):
    def _po_lines(self, session: Session, ctx: TenantContext, rows: list[dict[str, Any]]) -> dict[tuple, uuid.UUID]:
        numbers = {str(r["po_number"]) for r in rows if r.get("po_number")}
        if not numbers:
            return {}
        found = session.exec(
            select(PurchaseOrder.number, PurchaseOrderLine.line_no, PurchaseOrderLine.id)
            .join(
                PurchaseOrderLine,
                (col(PurchaseOrderLine.po_id) == col(PurchaseOrder.id))
                & (col(PurchaseOrderLine.tenant_id) == col(PurchaseOrder.tenant_id)),
            )
            .where(
                PurchaseOrder.tenant_id == ctx.tenant_id,
                PurchaseOrder.vendor_org_id == vendor_of(ctx),
                col(PurchaseOrder.number).in_(numbers),
            )
        ).all()
        return {(n.lower(), no): i for n, no, i in found}

    def check(self, session: Session, ctx: TenantContext, frame: pl.DataFrame) -> list[RowIssue]:
        rows = frame.to_dicts()
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[str(r["invoice_number"]).strip()].append(r)
        out = self.agree(groups, ("issued_on", "currency", "due_on"), "invoice")
        taken = set(
            session.exec(
                select(Invoice.number).where(
                    Invoice.tenant_id == ctx.tenant_id,
                    Invoice.vendor_org_id == vendor_of(ctx),
                    col(Invoice.number).in_(list(groups)),
                )
            ).all()
        )
        po_lines = self._po_lines(session, ctx, rows)
        for number, mine in groups.items():
            seen: dict[int, int] = {}
            for r in mine:
                if number in taken:
                    out.append(self.issue(r, "invoice_number", f"invoice {number} is already recorded"))
                if r["line_no"] in seen:
                    again = f"line {r['line_no']} of {number} is on line {seen[r['line_no']]} too"
                    out.append(self.issue(r, "line_no", again))
                seen.setdefault(r["line_no"], r[ROW])
                if r["quantity"] <= 0:
                    out.append(self.issue(r, "quantity", "the quantity must be more than 0"))
                if r.get("due_on") is not None and r["due_on"] < r["issued_on"]:
                    out.append(self.issue(r, "due_on", "the invoice cannot fall due before its date"))
                if bool(r.get("po_number")) != (r.get("po_line") is not None):
                    out.append(self.issue(r, "po_line", "give both the PO number and the PO line, or neither"))
                elif r.get("po_number") and (str(r["po_number"]).lower(), r["po_line"]) not in po_lines:
                    out.append(
                        self.issue(r, "po_line", f"purchase order {r['po_number']} of yours has no line {r['po_line']}")
                    )
        return out

    def merge(self, session: Session, ctx: TenantContext, frame: pl.DataFrame, *, upload_id: Any) -> MergeCounts:
        rows = frame.to_dicts()
        po_lines = self._po_lines(session, ctx, rows)
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[str(r["invoice_number"]).strip()].append(r)
        for number, mine in groups.items():
            head = mine[0]
            body = InvoiceCreate(
                vendor_id=vendor_of(ctx),
                number=number,
                currency=head["currency"],
                issued_at=_day(head["issued_on"]),  # type: ignore[arg-type]
                due_at=_day(head.get("due_on")),
                lines=[
                    InvoiceLineIn(
                        line_no=int(r["line_no"]),
                        po_line_id=_po_line(po_lines, r),
                        description=_text(r.get("description")),
                        quantity=str(r["quantity"]),
                        unit_price=str(r["unit_price"]),
                        tax_amount=str(r.get("tax_amount") or 0),
                    )
                    for r in mine
                ],
            )
            ledger.create_invoice(session, ctx, body, by_vendor=True)
        return MergeCounts(inserted=len(groups), extra={"lines": len(rows)})


class StatementRows(_Rows):
    def check(self, session: Session, ctx: TenantContext, frame: pl.DataFrame) -> list[RowIssue]:
        rows = frame.to_dicts()
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[str(r["reference"]).strip()].append(r)
        out = self.agree(groups, ("as_of", "currency"), "statement")
        for r in rows:
            if str(r["doc_type"]).lower() not in DOC_TYPES:
                out.append(self.issue(r, "doc_type", "unknown document type", f"one of: {', '.join(DOC_TYPES)}"))
        return out

    def merge(self, session: Session, ctx: TenantContext, frame: pl.DataFrame, *, upload_id: Any) -> MergeCounts:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in frame.to_dicts():
            groups[str(r["reference"]).strip()].append(r)
        for reference, mine in groups.items():
            body = StatementCreate(
                vendor_id=vendor_of(ctx),
                reference=reference,
                currency=mine[0]["currency"],
                as_of=_day(mine[0]["as_of"]),  # type: ignore[arg-type]
                lines=[
                    StatementLineIn(
                        doc_type=str(r["doc_type"]).lower(),
                        doc_number=str(r["doc_number"]),
                        doc_date=_day(r.get("doc_date")),
                        amount=str(r["amount"]),
                    )
                    for r in mine
                ],
            )
            statements.create_statement(session, ctx, body, by_vendor=True)
        return MergeCounts(inserted=len(groups), extra={"lines": frame.height})


LOADERS = {INVOICES: InvoiceRows, STATEMENTS: StatementRows}


def _refusal(issues: list[RowIssue], total: int) -> ValidationFailed:
    fields: dict[str, str] = {}
    for i in issues[:SHOWN]:
        text = f"{i.column}: {i.message}" + (f" ({i.hint})" if i.hint else "")
        key = f"line {i.row}"
        fields[key] = f"{fields[key]}; {text}" if key in fields else text
    more = f" (the first {SHOWN} are listed)" if total > SHOWN else ""
    return ValidationFailed(f"file: {total} problem(s){more}; nothing was recorded", fields=fields)


def import_vendor_file(ctx: TenantContext, kind: str, path: Path) -> VendorFileResult:
    """Check the whole file, then record it for the caller's own organization, or nothing."""
    ctx.require(WRITE)
    if not is_vendor(ctx):
        raise Forbidden("only a vendor sends its own invoices and statements as a file")
    if kind not in KINDS:
        raise ValidationFailed(f"kind: one of {', '.join(KINDS)}", fields={"kind": "unknown"})
    target = VENDOR_TARGETS[KINDS[kind]]
    try:
        with open_table(path) as table:
            header = table.header
        mapping = _mapping(target, header)
        with tenant_session(ctx) as session:
            loader = LOADERS[target.name](mapping)
            checked = pipeline.check_file(session, ctx, path, target, mapping, loader)
            if checked.issues_total:
                raise _refusal(checked.issues, checked.issues_total)
            if not checked.rows_total:
                raise ValidationFailed("file: it has no rows", fields={"file": "empty"})
            loader.merge(session, ctx, checked.frame, upload_id=None)
            key = "invoice_number" if target.name == INVOICES else "reference"
            created = list(dict.fromkeys(str(v).strip() for v in checked.frame[key].to_list()))
            return VendorFileResult(kind, checked.rows_total, created)
    except ReadError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise ValidationFailed(f"file: {exc.message}{where}", fields={exc.field: "unreadable"}) from exc
    except MappingError as exc:
        columns = {name: f"no column named {target.field(name).label!r} or {name!r}" for name in exc.fields}
        raise ValidationFailed(f"file: {exc}", fields=columns) from exc
