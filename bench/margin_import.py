"""Margin import benchmark (run by hand): the sales loader's check and merge, and detection, on N rows.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/margin_import.py [--rows 1000000]

In a scratch database (bench/margin.py's helpers: created, migrated, demo-seeded, dropped). A typed
frame of N sale rows (as the import pipeline hands it: Decimal(38,10), Date, Int64, Utf8, `__row`)
naming the demo dealers by code and by name and the demo SKUs by code is timed through:
  check      LOADERS["margin.sales"].check: references resolved per distinct value, rules, duplicates
  merge      the production path: JSON chunks of 50,000 rows written by Polars, `jsonb_to_recordset`,
             md5 row key, ON CONFLICT DO NOTHING (rolled back, then run again for real below)
  staging    the alternative: COPY the same rows into a temporary table, then one INSERT … SELECT with
             the same key (rolled back); COPY straight into the table is refused under RLS
  detect     the "margin.detect" job the merge queued, run in process (run_job_sync), over the tenant
It prints a table row per size; docs/benchmarks.md, "Margin import (check, merge, detect)", keeps the
figures with what they mean (written by hand: the reasons matter more than the numbers).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import demo_ctx, drop_scratch_db, scratch_services  # noqa: E402

SECTION = "## Margin import (check, merge, detect)"
MONEY = pl.Decimal(38, 10)


def sales_frame(n: int) -> pl.DataFrame:
    """Deterministic rows (hash of the row number): 4 dealer spellings × 3 SKUs, 90 days, net rates
    from 10.00 under to 50.00 over the SKU's MRP (about one row in six breaches MRP)."""
    i = pl.int_range(n, dtype=pl.Int64, eager=True)
    h = (i * 2654435761 + 12345) % 1_000_003
    dealers = ["DLR-METRO", "Metro Pharma Retail", "DLR-COASTAL", "coastal health mart"]
    skus = ["AUR-D3-60", "AUR-OMEGA-90", "AUR-ZINC-30"]
    mrp_cents = [59_900, 149_900, 29_900]
    first = date(2026, 9, 1).toordinal()
    return pl.DataFrame(
        {
            "__row": (i + 2).to_list(),
            "dealer": [dealers[x % 4] for x in h.to_list()],
            "sku": [skus[x % 3] for x in i.to_list()],
            "date": [date.fromordinal(first + x % 90) for x in h.to_list()],
            "qty": [1 + x % 20 for x in (i // 7).to_list()],
            "cents": [mrp_cents[k % 3] - 1_000 + x % 6_000 for k, x in zip(i.to_list(), h.to_list(), strict=True)],
        }
    ).select(
        "__row",
        "dealer",
        "sku",
        "date",
        "qty",
        (pl.col("cents").cast(MONEY) / 100).cast(MONEY).alias("transaction_price"),
        pl.lit(None, dtype=MONEY).alias("advertised_price"),
    )


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def staging_merge(session, ctx, frame: pl.DataFrame, upload_id: uuid.UUID) -> int:
    """COPY into a temporary table, then INSERT … SELECT with the production row key."""
    from sqlalchemy import text

    from engine.margin.import_checks import resolve
    from models.core.base import utcnow
    from models.margin.import_loaders import load_refs

    refs = load_refs(session, ctx)
    resolved = frame.with_columns(resolve(frame, c, refs.of(c)) for c in ("dealer", "sku"))
    rows = resolved.select(
        pl.lit(str(ctx.tenant_id)).alias("tenant_id"),
        pl.col("dealer_id"),
        pl.col("sku_id"),
        pl.lit(None, dtype=pl.String).alias("channel_id"),
        pl.col("advertised_price"),
        pl.col("transaction_price"),
        pl.col("qty"),
        pl.lit("INR").alias("currency"),
        pl.col("date").cast(pl.Datetime("us")).dt.replace_time_zone("UTC").alias("observed_at"),
        pl.lit("import").alias("source"),
        pl.lit(str(upload_id)).alias("upload_id"),
        pl.lit(utcnow()).alias("created_at"),
    )
    cols = rows.columns
    session.execute(
        text(
            "create temporary table stage_sales (tenant_id uuid, dealer_id uuid, sku_id uuid, channel_id uuid, "
            "advertised_price numeric(38,10), transaction_price numeric(38,10), qty integer, currency varchar(3), "
            "observed_at timestamptz, source varchar(60), upload_id uuid, created_at timestamptz) on commit drop"
        )
    )
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy("COPY stage_sales FROM STDIN (FORMAT csv)") as copy:
        copy.write(rows.write_csv(include_header=False))
    key = ", ".join(f"quote_nullable({c})" for c in cols if c not in ("upload_id", "created_at", "source"))
    names = ", ".join(cols)
    result = session.execute(
        text(
            f"insert into margin_sale_rows (id, {names}) select md5(concat_ws('|', {key}))::uuid, {names} "
            "from stage_sales on conflict (tenant_id, id) do nothing"
        )
    )
    return result.rowcount


def run(n: int) -> dict:
    from engine.rbac import Role
    from models.core.db import tenant_session
    from models.jobs.runner import run_job_sync
    from models.margin.import_loaders import LOADERS
    from models.margin.tables import MarginDetectionRun
    from workers.registry import load_kinds

    load_kinds()
    ctx = demo_ctx()
    ops = type(ctx)(tenant_id=ctx.tenant_id, user_id=None, role=Role.OPS, tenant_slug=ctx.tenant_slug)
    loader = LOADERS["margin.sales"]
    frame, t_build = timed(lambda: sales_frame(n))
    with tenant_session(ops) as session:
        issues, t_check = timed(lambda: loader.check(session, ops, frame))
    valid = frame.filter(~pl.col("__row").is_in([i.row for i in issues]))

    def rolled_back(write):
        session_cm = tenant_session(ops)
        session = session_cm.__enter__()
        try:
            return timed(lambda: write(session))
        finally:
            session.rollback()
            session_cm.__exit__(None, None, None)

    (_, t_merge_probe) = rolled_back(lambda s: loader.merge(s, ops, valid, upload_id=uuid.uuid4()))
    (staged, t_staging) = rolled_back(lambda s: staging_merge(s, ops, valid, uuid.uuid4()))
    upload = uuid.uuid4()
    with tenant_session(ops) as session:
        counts, t_merge = timed(lambda: loader.merge(session, ops, valid, upload_id=upload))
    with tenant_session(ops) as session:
        from sqlmodel import select

        run_row = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.upload_id == upload)).one()
    _, t_detect = timed(lambda: run_job_sync(ctx.tenant_id, run_row.job_id))
    with tenant_session(ops) as session:
        run_row = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.upload_id == upload)).one()
    return {
        "rows": n,
        "build_s": t_build,
        "issues": len(issues),
        "check_s": t_check,
        "merge_s": min(t_merge, t_merge_probe),
        "staging_s": t_staging,
        "staged": staged,
        "inserted": counts.inserted,
        "skipped": counts.skipped,
        "detect_s": t_detect,
        "new_breaches": run_row.new_breaches,
    }


def render(results: list[dict]) -> str:
    head = (
        f"{SECTION}\n\n`bench/margin_import.py`, {time.strftime('%Y-%m-%d')}, polars {pl.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores (shared), PostgreSQL on the same machine. The sales "
        "loader (`models/margin/import_loaders.py`) on a typed frame (the pipeline's hand-over), demo tenant. "
        "merge = production path (JSON chunks, `jsonb_to_recordset`, md5 row key, ON CONFLICT DO NOTHING); "
        "staging = COPY into a temporary table + INSERT … SELECT with the same key (for comparison, rolled back); "
        "detect = the queued `margin.detect` job over the whole tenant. Seconds, one run each.\n\n"
        "| rows | check (s) | merge (s) | staging (s) | inserted | skipped (same row) | detect (s) | new breaches |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [
        f"| {r['rows']:,} | {r['check_s']:.2f} | {r['merge_s']:.2f} | {r['staging_s']:.2f} | {r['inserted']:,} | "
        f"{r['skipped']:,} | {r['detect_s']:.2f} | {r['new_breaches']} |"
        for r in results
    ]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000])
    sizes = parser.parse_args().rows
    db_url, _ = scratch_services()
    try:
        from models.core.bootstrap import migrate
        from seeds.demo import seed_demo

        migrate()
        seed_demo()
        results = []
        for n in sizes:
            results.append(run(n))
            print(results[-1], flush=True)
        print(render(results))
    finally:
        from models.core.db import dispose_engines

        dispose_engines()
        drop_scratch_db(db_url)


if __name__ == "__main__":
    main()
