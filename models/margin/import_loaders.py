"""Margin's side of the import pipeline (engine/imports/targets.py): resolve dealers, competitors,
SKUs and channels of the tenant in bulk, and merge the valid rows at bulk speed under RLS.

`merge` stages the rows by COPY into a temporary table (CSV written by Polars in C) and moves them
into the table in one `INSERT … SELECT` (`insert_keyed`: COPY is refused on row-secured tables). A
row's id is the MD5 of its tenant and every imported field, so a row already imported (an
overlapping export brought again) is skipped by the merge's anti-join and counted as skipped; every
row keeps its upload id.
After the merge, detection is queued for the tenant in the same transaction (models/margin/detection_runs).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import polars as pl
from sqlalchemy import CursorResult, DateTime, Integer, Numeric, String, Table, Uuid, text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.imports.targets import ImportTarget, Loader, MergeCounts, RowIssue
from engine.margin import import_checks as checks
from engine.margin.import_checks import Ref, RefIndex
from engine.margin.import_targets import INVENTORY_TARGET, SALES_TARGET, SNAPSHOTS_TARGET
from engine.margin.permissions import IMPORTS
from engine.margin.row_keys import KeyField, row_ids
from models.catalog.tables import Channel, Organization, Sku
from models.core import audit
from models.core.base import utcnow
from models.core.bulk import table_of
from models.margin.detection_runs import open_run
from models.margin.tables import MarginCompetitorSnapshot, MarginInventoryRow, MarginSaleRow

CHUNK_ROWS = 50_000
SOURCE = "import"
DEFAULT_CURRENCY = "INR"
DEALER_TYPES = ("dealer", "distributor")
_DIALECT = postgresql.dialect()


@dataclass(frozen=True)
class Refs:
    """The tenant's references, loaded once per check or merge."""

    dealers: RefIndex
    competitors: RefIndex
    skus: RefIndex
    channels: RefIndex

    def of(self, column: str) -> RefIndex:
        return {"dealer": self.dealers, "competitor": self.competitors, "sku": self.skus, "channel": self.channels}[
            column
        ]


def load_refs(session: Session, ctx: TenantContext) -> Refs:
    orgs = session.exec(
        select(Organization.id, Organization.code, Organization.name, Organization.type).where(
            Organization.tenant_id == ctx.tenant_id
        )
    ).all()
    skus = session.exec(select(Sku.id, Sku.code, Sku.name).where(Sku.tenant_id == ctx.tenant_id)).all()
    channels = session.exec(select(Channel.id, Channel.code, Channel.name).where(Channel.tenant_id == ctx.tenant_id))
    return Refs(
        dealers=RefIndex("dealer", (Ref(str(i), c, n) for i, c, n, t in orgs if t in DEALER_TYPES)),
        competitors=RefIndex("competitor", (Ref(str(i), c, n) for i, c, n, t in orgs if t == "competitor")),
        skus=RefIndex("SKU", (Ref(str(i), c, n) for i, c, n in skus), by_name=False),
        channels=RefIndex("channel", (Ref(str(i), c, n) for i, c, n in channels.all())),
    )


# every column `load_refs` reads, per table, in a stable order: equal digests, equal references
_REFERENCES_VERSION = text(
    "select md5(concat_ws('#', "
    "(select string_agg(concat_ws('|', id, code, name, type), ',' order by id) from organizations "
    "where tenant_id = :t), "
    "(select string_agg(concat_ws('|', id, code, name), ',' order by id) from skus where tenant_id = :t), "
    "(select string_agg(concat_ws('|', id, code, name), ',' order by id) from channels where tenant_id = :t)))"
)


def _complete(frame: pl.DataFrame, target: ImportTarget) -> pl.DataFrame:
    """Optional fields the mapping left out arrive as null columns (the loaders see every field)."""
    kinds = {"text": pl.String, "code": pl.String, "currency": pl.String, "integer": pl.Int64, "date": pl.Date}
    missing = [f for f in target.fields if f.name not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=kinds.get(f.kind, pl.Decimal(38, 10))).alias(f.name) for f in missing)


STAGE = "pharos_import_stage"
SORT_MEMORY = "256MB"


# columns that are not part of a row's identity (a re-import of the same rows is skipped)
_NOT_KEYED = ("upload_id", "created_at", "source")


def _insert_order(columns: Sequence[str]) -> list[str]:
    """The order rows go into the table: by dealer where there is one, then by key (see `_statements`)."""
    return ["dealer_id", "id"] if "dealer_id" in columns else ["id"]


@lru_cache(maxsize=8)
def _statements(table: Table, columns: tuple[str, ...], constants: tuple[str, ...]) -> tuple[str, str, str]:
    """(create the staging table, COPY into it, insert from it) for `table`'s `columns`, which vary
    per row and are staged, and `constants`, one value for every row, bound to the insert."""

    def typed(column: str) -> str:
        return table.c[column].type.compile(dialect=_DIALECT)

    def names(of: tuple[str, ...]) -> str:
        return ", ".join(f'"{c}"' for c in of)

    fields = tuple(c for c in columns if c != "id")  # an id column: the keys came staged (row_keys)
    value = {**{c: f's."{c}"' for c in fields}, **{c: f"cast(:{c} as {typed(c)})" for c in constants}}
    every = (*fields, *constants)
    # every imported field with its tenant, NULL kept distinct from any value (the same text whether
    # a value is staged or bound: existing rows keep their ids)
    key = ", ".join(f"quote_nullable({value[c]})" for c in every if c not in _NOT_KEYED)
    row_id = 's."id"' if "id" in columns else f"md5(concat_ws('|', {key}))::uuid"
    staged = ", ".join(f'"{c}" {typed(c)}' for c in columns)
    create = f"create temporary table {STAGE} ({staged}) on commit drop"
    copy = f"copy {STAGE} ({names(columns)}) from stdin (format csv)"
    # New rows only, each once (an anti-join rather than ON CONFLICT DO NOTHING, whose speculative
    # insertion probes the key and logs a confirmation per row; the merge lock, `_MERGE_LOCK`, keeps
    # a concurrent merge of the tenant from adding a key between the anti-join's snapshot and the
    # insert). In dealer order, then key order: a dealer's rows land together in the heap, so
    # detection, which reads sale rows and inventory by groups of dealers, reads ~1/20 of the pages
    # (908 instead of 17,908 heap blocks for one group of a 1M-row import), and the primary key on the
    # random md5 id is still filled front to back within each dealer.
    by = ", ".join(f"k.{c}" for c in _insert_order(columns))
    named = ", ".join(f'{value[c]} as "{c}"' for c in every)
    keyed = f"select {row_id} as id, {named} from {STAGE} s"
    # (the id covers the dealer: distinct on (dealer_id, id) is distinct on id)
    insert = (
        f'insert into "{table.name}" (id, {names(every)}) '
        f"select distinct on ({by}) k.* from ({keyed}) k "
        f'where not exists (select 1 from "{table.name}" t where t.tenant_id = k.tenant_id and t.id = k.id) '
        f"order by {by}"
    )
    return create, copy, insert


# one merge at a time per table and tenant (taken before the anti-join's statement starts, so its
# snapshot sees every earlier merge's committed rows)
_MERGE_LOCK = text("select pg_advisory_xact_lock(hashtext('margin.import.merge:' || :table), hashtext(:tenant))")


def insert_keyed(session: Session, table: Table, rows: pl.DataFrame, constants: dict[str, Any]) -> int:
    """Insert `rows` (columns of `table`, no id) with `constants` (columns whose value is the same
    on every row: tenant, upload, ...); returns how many were new.

    The rows go by COPY (psycopg 3, CSV written by Polars in C) into a temporary table of this
    transaction, then into the table in ONE `INSERT … SELECT` that adds the constants: COPY is
    refused on the row-secured table itself, and the INSERT keeps RLS's WITH CHECK, the
    constraints and the triggers. Constants are bound once rather than sent on every row (at 1M
    rows they were half the staged bytes and most of the COPY's parsing). The row keys are computed
    here (engine/margin/row_keys.py) and staged with the rows, already in the insert's order, when
    every column's text form is known exactly; otherwise the INSERT computes them."""
    if rows.height == 0:
        return 0
    ids = _row_ids(table, rows, constants)
    if ids is not None:  # keyed here, not by the backend; staged in the order the insert takes them
        rows = rows.with_columns(ids).sort(_insert_order(rows.columns))
    create, copy, insert = _statements(table, tuple(rows.columns), tuple(constants))
    session.execute(text(f"drop table if exists {STAGE}"))
    session.execute(text(create))
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(copy) as writer:
        for start in range(0, rows.height, CHUNK_ROWS):
            writer.write(rows.slice(start, CHUNK_ROWS).write_csv(include_header=False, null_value=""))
    session.execute(text(f"set local work_mem = '{SORT_MEMORY}'"))  # the key-order sort stays in memory
    session.execute(text("set local timezone = 'UTC'"))  # keyed in SQL, instants read as UTC too
    session.execute(_MERGE_LOCK, {"table": table.name, "tenant": str(constants["tenant_id"])})
    result = cast(CursorResult[Any], session.execute(text(insert), constants))
    session.execute(text(f"drop table {STAGE}"))
    return result.rowcount


def _key_field(table: Table, column: str) -> KeyField | None:
    """The column's type as `engine.margin.row_keys` knows it, or None."""
    kind = table.c[column].type
    if isinstance(kind, Uuid):
        return KeyField(column, "uuid")
    if isinstance(kind, Integer):
        return KeyField(column, "integer")
    if isinstance(kind, Numeric) and kind.scale is not None:
        return KeyField(column, "numeric", kind.scale)
    if isinstance(kind, String) and kind.length is not None:
        return KeyField(column, "varchar", kind.length)
    if isinstance(kind, DateTime) and kind.timezone:
        return KeyField(column, "instant")
    return None


def _row_ids(table: Table, rows: pl.DataFrame, constants: dict[str, Any]) -> pl.Series | None:
    """The rows' md5 keys computed in the worker (engine/margin/row_keys.py), or None to key them in
    SQL: a column of a type whose text form is not known exactly there, or values it cannot vouch for."""
    keyed = [c for c in constants if c not in _NOT_KEYED]
    fields = [_key_field(table, c) for c in rows.columns]
    if keyed != ["tenant_id"] or any(f is None for f in fields):
        return None
    return row_ids(rows, [f for f in fields if f is not None], str(uuid.UUID(str(constants["tenant_id"]))))


@dataclass(frozen=True)
class MarginLoader:
    """One margin target: which columns name references, which rules hold, how rows are written."""

    target: ImportTarget
    table: Table
    refs: tuple[str, ...]  # columns resolved against the tenant (dealer, sku, ...)
    rules: Callable[[pl.DataFrame], list[RowIssue]]
    rows: Callable[[pl.DataFrame], pl.DataFrame]  # resolved frame -> the table's columns

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.target.fields)

    def check(self, session: Any, ctx: Any, frame: Any) -> list[RowIssue]:
        ctx.require(IMPORTS)
        data = _complete(frame, self.target)
        refs = load_refs(session, ctx)
        issues = [i for column in self.refs for i in checks.reference_issues(data, column, refs.of(column))]
        issues += self.rules(data)
        issues += checks.duplicate_issues(data, self.fields)
        return sorted(issues, key=lambda i: i.row)

    def references_version(self, session: Any, ctx: Any) -> str:
        """A digest of the tenant's dealers, competitors, SKUs and channels as `load_refs` sees them."""
        return str(session.execute(_REFERENCES_VERSION, {"t": ctx.tenant_id}).scalar_one())

    def merge(self, session: Any, ctx: Any, frame: Any, *, upload_id: Any) -> MergeCounts:
        ctx.require(IMPORTS)
        data = _complete(frame, self.target)
        refs = load_refs(session, ctx)
        resolved = data.with_columns(checks.resolve(data, c, refs.of(c)) for c in self.refs)
        usable = resolved.filter(
            pl.all_horizontal(pl.col(f"{c}_id").is_not_null() | pl.col(c).is_null() for c in self.refs)
        )
        constants = {
            "tenant_id": ctx.tenant_id,
            "source": SOURCE,
            "upload_id": uuid.UUID(str(upload_id)) if upload_id else None,
            "created_at": utcnow(),
        }
        inserted = insert_keyed(session, self.table, self.rows(usable), constants)
        counts = MergeCounts(inserted=inserted, skipped=data.height - inserted, extra={"detection_runs_queued": 1})
        audit.record(
            session,
            ctx,
            action="margin.import.merge",
            entity=self.table.name,
            entity_id=upload_id or "file",
            after={"target": self.target.name, "inserted": counts.inserted, "skipped": counts.skipped},
        )
        upload = uuid.UUID(str(upload_id)) if upload_id else None
        open_run(
            session,
            ctx,
            "import",
            upload_id=upload,
            target=self.target.name,
            rows_imported=counts.inserted,
            rows_skipped=counts.skipped,
        )
        return counts


# --- the three targets ------------------------------------------------------------------------


def _day(column: str) -> pl.Expr:
    """A calendar day stored as 00:00 UTC of that day."""
    return pl.col(column).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _currency() -> pl.Expr:
    return pl.col("currency").fill_null(DEFAULT_CURRENCY).str.to_uppercase().alias("currency")


def _negative(frame: pl.DataFrame, column: str, noun: str) -> list[RowIssue]:
    return checks.rule_issues(
        frame, pl.col(column) < 0, column, f"{noun} cannot be negative", "write the amount without a minus sign"
    )


def _not_positive(frame: pl.DataFrame, column: str, noun: str) -> list[RowIssue]:
    return checks.rule_issues(frame, pl.col(column) <= 0, column, f"{noun} must be more than 0")


def _sales_rules(frame: pl.DataFrame) -> list[RowIssue]:
    no_price = pl.col("transaction_price").is_null() & pl.col("advertised_price").is_null()
    return [
        *_negative(frame, "qty", "quantity"),
        *_not_positive(frame, "transaction_price", "net rate"),
        *_not_positive(frame, "advertised_price", "advertised price"),
        *checks.rule_issues(
            frame, no_price, "transaction_price", "the row has no price", "give a net rate or an advertised price"
        ),
    ]


def _sales_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("dealer_id"),
        pl.col("sku_id"),
        pl.col("channel_id"),
        pl.col("advertised_price"),
        pl.col("transaction_price"),
        pl.col("qty"),
        _currency(),
        _day("date").alias("observed_at"),
    )


def _snapshot_rules(frame: pl.DataFrame) -> list[RowIssue]:
    return _not_positive(frame, "price", "price")


def _snapshot_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("competitor_id"),
        pl.col("sku_id"),
        pl.col("channel_id"),
        pl.col("price"),
        _currency(),
        _day("date").alias("observed_at"),
    )


def _inventory_rules(frame: pl.DataFrame) -> list[RowIssue]:
    return [*_negative(frame, "qty", "quantity"), *_negative(frame, "unit_cost", "unit cost")]


def _inventory_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("dealer_id"),
        pl.col("sku_id"),
        pl.col("qty"),
        pl.col("unit_cost"),
        _day("received_on").alias("received_at"),
    )


LOADERS: dict[str, Loader] = {
    loader.target.name: loader
    for loader in (
        MarginLoader(SALES_TARGET, table_of(MarginSaleRow), ("dealer", "sku", "channel"), _sales_rules, _sales_rows),
        MarginLoader(
            SNAPSHOTS_TARGET,
            table_of(MarginCompetitorSnapshot),
            ("competitor", "sku", "channel"),
            _snapshot_rules,
            _snapshot_rows,
        ),
        MarginLoader(
            INVENTORY_TARGET, table_of(MarginInventoryRow), ("dealer", "sku"), _inventory_rules, _inventory_rows
        ),
    )
}
