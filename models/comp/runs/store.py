"""Bulk reads and writes of employee rows and run results: PostgreSQL COPY.

COPY FROM is not allowed into a table with row-level security, so rows are copied into a temporary
table (no RLS: it is the transaction's own) and moved with one INSERT … SELECT, which RLS checks
like any insert (the tenant is the transaction's). Reads use COPY (SELECT …) TO, which RLS filters.
Digests (SHA-256 over a canonical text of the rows, in row order) are computed by PostgreSQL.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, LiteralString

import polars as pl
from psycopg import sql
from sqlalchemy import text
from sqlmodel import Session

from engine.context import TenantContext


def _driver(session: Session) -> Any:
    """The transaction's psycopg connection (COPY is not in SQLAlchemy's API)."""
    return session.connection().connection.driver_connection


def copy_out(session: Session, query: sql.Composable) -> bytes:
    """`COPY (query) TO STDOUT` as CSV with a header."""
    buf = io.BytesIO()
    with _driver(session).cursor() as cursor:
        statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(query)
        with cursor.copy(statement) as copy:
            for block in copy:
                buf.write(block)
    return buf.getvalue()


def copy_in(
    session: Session,
    columns: dict[str, LiteralString],
    chunks: Iterable[bytes],
    insert: sql.SQL,
    **params: sql.Composable,
) -> None:
    """CSV `chunks` (no header; columns in `columns` order, name → SQL type) into a temporary table,
    then `insert` (an INSERT … SELECT … FROM {src}; `params` fill its other placeholders)."""
    temp = f"tmp_copy_{uuid.uuid4().hex[:12]}"
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    typed = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items())
    conn = _driver(session)
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(temp), typed))
        with cursor.copy(
            sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(sql.Identifier(temp), names)
        ) as cp:
            for chunk in chunks:
                cp.write(chunk)
        cursor.execute(insert.format(src=sql.Identifier(temp), **params))
        cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(temp)))


def csv_chunks(
    frame: pl.DataFrame, rows: int = 100_000, on_chunk: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """`frame` as CSV blocks of `rows` rows; `on_chunk(rows sent so far)` after each block."""
    for start in range(0, frame.height, rows):
        part = frame.slice(start, rows)
        yield part.write_csv(include_header=False).encode("utf-8")
        if on_chunk is not None:
            on_chunk(start + part.height)


# --- employee rows ------------------------------------------------------------------------------

EMPLOYEE_COLUMNS: dict[str, LiteralString] = {
    "row_no": "integer",
    "employee_ref": "text",
    "employee_name": "text",
    "team": "text",
    "fund": "text",
    "role": "text",
    "raw": "jsonb",
}


def write_employee_rows(session: Session, ctx: TenantContext, upload_id: uuid.UUID, frame: pl.DataFrame) -> int:
    """`frame`: the EMPLOYEE_COLUMNS (raw as JSON text). Returns the rows written."""
    insert = sql.SQL(
        "INSERT INTO comp_employee_rows (tenant_id, upload_id, row_no, employee_ref, employee_name, team, fund, role,"
        " raw) SELECT {tenant}::uuid, {upload}::uuid, row_no, employee_ref, employee_name, team, fund, role, raw"
        " FROM {src}"
    )
    params = {"tenant": sql.Literal(str(ctx.tenant_id)), "upload": sql.Literal(str(upload_id))}
    copy_in(session, EMPLOYEE_COLUMNS, csv_chunks(frame), insert, **params)
    return frame.height


def read_employee_rows(
    session: Session, ctx: TenantContext, upload_id: uuid.UUID, keys: Iterable[str], *, employee_ref: str | None = None
) -> pl.DataFrame:
    """row_no, employee_ref and one String column per input key (null where the row has none);
    every employee of the upload, or the one `employee_ref`."""
    keys = list(keys)
    fields = [sql.SQL("raw->>{} AS {}").format(sql.Literal(k), sql.Identifier(k)) for k in keys]
    only = (
        sql.SQL(" AND employee_ref = {}").format(sql.Literal(employee_ref)) if employee_ref is not None else sql.SQL("")
    )
    query = sql.SQL(
        "SELECT row_no, employee_ref{} FROM comp_employee_rows"
        " WHERE tenant_id = {} AND upload_id = {}{} ORDER BY row_no"
    ).format(
        sql.SQL("").join(sql.SQL(", ") + f for f in fields),
        sql.Literal(str(ctx.tenant_id)),
        sql.Literal(str(upload_id)),
        only,
    )
    data = copy_out(session, query)
    schema = {"row_no": pl.Int64(), "employee_ref": pl.String(), **dict.fromkeys(keys, pl.String())}
    return pl.read_csv(io.BytesIO(data), schema=schema)


def count_employee_rows(session: Session, ctx: TenantContext, upload_id: uuid.UUID) -> int:
    query = text("SELECT count(*) FROM comp_employee_rows WHERE tenant_id = :t AND upload_id = :u")
    return int(session.execute(query, {"t": ctx.tenant_id, "u": upload_id}).scalar_one())


_INPUTS_DIGEST = text(
    "SELECT encode(sha256(convert_to(coalesce(string_agg("
    "row_no::text || E'\\t' || employee_ref || E'\\t' || raw::text || E'\\t' || jsonb_build_array(employee_name, team,"
    " fund, role)::text, E'\\n' ORDER BY row_no), ''), 'UTF8')), 'hex')"
    " FROM comp_employee_rows WHERE tenant_id = :t AND upload_id = :u"
)
_RESULTS_DIGEST = text(
    "SELECT encode(sha256(convert_to(coalesce(string_agg("
    "row_no::text || E'\\t' || employee_ref || E'\\t' || coalesce(vals::text, '') || E'\\t' ||"
    " coalesce(payout::text, '') || E'\\t' || coalesce(allocated::text, '') || E'\\t' || coalesce(error, ''),"
    " E'\\n' ORDER BY row_no), ''), 'UTF8')), 'hex') FROM comp_run_results WHERE tenant_id = :t AND run_id = :r"
)


def inputs_digest(session: Session, ctx: TenantContext, upload_id: uuid.UUID) -> str:
    return str(session.execute(_INPUTS_DIGEST, {"t": ctx.tenant_id, "u": upload_id}).scalar_one())


def results_digest(session: Session, ctx: TenantContext, run_id: uuid.UUID) -> str:
    return str(session.execute(_RESULTS_DIGEST, {"t": ctx.tenant_id, "r": run_id}).scalar_one())


# --- results --------------------------------------------------------------------------------------

RESULT_COLUMNS: dict[str, LiteralString] = {
    "row_no": "integer",
    "employee_ref": "text",
    "vals": "text",
    "payout": "numeric(38,10)",
    "allocated": "numeric(38,10)",
    "error": "text",
    "error_step": "text",
}


def write_results(
    session: Session,
    ctx: TenantContext,
    run_id: uuid.UUID,
    frame: pl.DataFrame,
    on_chunk: Callable[[int], None] | None = None,
) -> None:
    """`frame`: the RESULT_COLUMNS, `vals` as the step values joined by '|' (null for a failed row)."""
    insert = sql.SQL(
        "INSERT INTO comp_run_results (tenant_id, run_id, row_no, employee_ref, vals, payout, allocated, error,"
        " error_step) SELECT {tenant}::uuid, {run}::uuid, row_no, employee_ref, string_to_array(vals, '|'), payout,"
        " allocated, error, error_step FROM {src}"
    )
    params = {"tenant": sql.Literal(str(ctx.tenant_id)), "run": sql.Literal(str(run_id))}
    copy_in(session, RESULT_COLUMNS, csv_chunks(frame, on_chunk=on_chunk), insert, **params)


def delete_results(session: Session, ctx: TenantContext, run_id: uuid.UUID) -> None:
    session.execute(
        text("DELETE FROM comp_run_results WHERE tenant_id = :t AND run_id = :r"), {"t": ctx.tenant_id, "r": run_id}
    )
