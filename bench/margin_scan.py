"""Breach scan benchmark (run by hand): detection over 1M and 10M synthetic sale rows.

    .venv/bin/python bench/margin_scan.py [--rows 1000000 10000000] [--write]

Rows carry their resolved floors (as floors.attach_floors leaves them); about 5 % breach MAP and
3 % MRP across 200 dealers × 500 SKUs. The timed part is `detect()`: contract check, the MAP
and MRP scans, per-row impact and depth, and aggregation into alerts with severity. Goal: 10M ≤ 10 s.
`--write` puts the table into docs/benchmarks.md under "## Margin breach scan" (own section only).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.margin.detection import detect  # noqa: E402
from engine.margin.frames import MONEY, PRICED_SALES_SCHEMA  # noqa: E402

SECTION = "## Margin breach scan"
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _cents(expr: pl.Expr) -> pl.Expr:
    return expr.cast(MONEY) * pl.lit(Decimal("0.01"), dtype=MONEY)


def synthetic_sales(n: int) -> pl.DataFrame:
    """Deterministic pseudo-random sale rows with floors (hash of the row number, no RNG state)."""
    i = pl.int_range(n, dtype=pl.Int64)
    h = (i * 2654435761 + 12345) % 1_000_003
    floor_cents = 1_000 + (i % 500) * 71  # per-SKU floor between 10.00 and 364.29
    map_gap = pl.when(h % 20 == 0).then(-(1 + h % 900)).otherwise(h % 500)
    mrp_gap = pl.when(h % 33 == 0).then(-(1 + h % 700)).otherwise(h % 300)
    return (
        pl.LazyFrame()
        .select(
            i.cast(pl.String).alias("row_id"),
            ("d" + (h % 200).cast(pl.String)).alias("dealer_id"),
            ("k" + (i % 500).cast(pl.String)).alias("sku_id"),
            pl.lit("web").alias("channel_id"),
            _cents(floor_cents + map_gap).alias("advertised_price"),
            _cents(floor_cents - 100 + mrp_gap).alias("transaction_price"),
            (1 + h % 5).alias("qty"),
            (pl.lit(T0) + pl.duration(seconds=i % 2_592_000)).alias("observed_at"),
            _cents(floor_cents).alias("map_floor"),
            ("map-" + (i % 500).cast(pl.String)).alias("map_rule_id"),
            _cents(floor_cents - 100).alias("mrp_floor"),
            ("mrp-" + (i % 500).cast(pl.String)).alias("mrp_rule_id"),
        )
        .cast(PRICED_SALES_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


def run(n: int, repeats: int) -> dict:
    sales = synthetic_sales(n)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = detect(sales)
        times.append(time.perf_counter() - started)
    return {
        "rows": n,
        "best": min(times),
        "median": sorted(times)[len(times) // 2],
        "evidence": result.evidence.height,
        "alerts": result.alerts.height,
        "impact": result.alerts.get_column("impact").sum(),
    }


def table(results: list[dict]) -> str:
    lines = [
        SECTION,
        "",
        f"`bench/margin_scan.py`, {datetime.now(UTC):%Y-%m-%d}, polars {pl.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores (shared). Timed: `engine.margin.detection.detect()`"
        " over sale rows with resolved floors (MAP + MRP scans, exact Decimal(38,10) impact and depth, alerts"
        " with severity). Goal: 10M rows ≤ 10 s.",
        "",
        "| sale rows | best (s) | median (s) | rows/s | breach rows | alerts | Σ lost margin |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['best']:.2f} | {r['median']:.2f} | {r['rows'] / r['best']:,.0f} | "
            f"{r['evidence']:,} | {r['alerts']:,} | {r['impact']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace our own section or append it; never touch the other sections."""
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    DOC.write_text(updated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    results = []
    for n in args.rows:
        r = run(n, args.repeats)
        print(f"{n:>11,} rows: best {r['best']:.2f} s, median {r['median']:.2f} s, "
              f"{r['evidence']:,} breach rows, {r['alerts']:,} alerts", flush=True)
        results.append(r)
    text = table(results)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
