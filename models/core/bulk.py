"""Many rows into one table in one statement, sent as ONE JSON parameter.

An executemany INSERT of a few hundred rows spends most of its time in Python, encoding every
cell as its own parameter; here the rows go as one JSON document (one C-level `json.dumps`) and
PostgreSQL unpacks it with `jsonb_to_recordset`, typed by the table's own column types. RLS
applies as for any INSERT (COPY FROM is not allowed on row-level-secured tables). For the
set-based writers of the job path (audit chain, decisions, outbox, enforcement rows).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, SQLModel

_DIALECT = postgresql.dialect()


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Table: SQLModel's typing does not declare `__table__`."""
    table: Table = getattr(model, "__table__")  # noqa: B009 - untyped attribute, read once here
    return table


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} as a row value")


@lru_cache(maxsize=256)
def _statement(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...] | None):
    names = ", ".join(f'"{c}"' for c in columns)
    typed = ", ".join(f'"{c}" {table.c[c].type.compile(dialect=_DIALECT)}' for c in columns)
    sql = (
        f'insert into "{table.name}" ({names}) '
        f"select {names} from jsonb_to_recordset(cast(:rows as jsonb)) as r({typed})"
    )
    if conflict is not None:
        target = f" ({', '.join(conflict)})" if conflict else ""
        sql += f" on conflict{target} do nothing"
    return text(sql)


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    on_conflict_do_nothing: Sequence[str] | None = None,
) -> None:
    """Insert `rows` (dicts with the same keys, all columns of `table`) in one statement.
    `on_conflict_do_nothing`: the unique columns whose clash skips a row ([] = any clash)."""
    if not rows:
        return
    columns = tuple(rows[0])
    conflict = None if on_conflict_do_nothing is None else tuple(on_conflict_do_nothing)
    payload = json.dumps(rows, default=_encode, ensure_ascii=False, separators=(",", ":"))
    session.execute(_statement(table, columns, conflict), {"rows": payload})


def row_json(row: dict[str, Any], encoded: dict[str, str] | None = None) -> str:
    """One row as a JSON object for `insert_encoded`; `encoded`: columns whose JSON text is made
    already (spliced in as is, not encoded a second time)."""
    text = json.dumps(row, default=_encode, ensure_ascii=False, separators=(",", ":"))
    if not encoded:
        return text
    spliced = ",".join(f"{encode_basestring(name)}:{value}" for name, value in encoded.items())
    return f"{text[:-1]},{spliced}}}" if row else f"{{{spliced}}}"


def insert_encoded(session: Session, table: Table, columns: tuple[str, ...], rows: Sequence[str]) -> None:
    """`insert_rows` for rows encoded already (`row_json`, or any JSON object with `columns`' keys)."""
    if rows:
        session.execute(_statement(table, columns, None), {"rows": f"[{','.join(rows)}]"})


def insert_frame(session: Session, table: Table, frame: Any, *, chunk_rows: int = 20_000) -> None:
    """`insert_rows` for a Polars frame (columns of `table`): the JSON is written by Polars in C
    (Decimal as text, instants ISO 8601), `chunk_rows` rows a statement."""
    if frame.height == 0:
        return
    statement = _statement(table, tuple(frame.columns), None)
    for start in range(0, frame.height, chunk_rows):
        session.execute(statement, {"rows": frame.slice(start, chunk_rows).write_json()})
