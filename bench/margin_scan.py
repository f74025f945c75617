"""Breach scan benchmark (run by hand): detection over 1M and 10M synthetic sale rows.

    .venv/bin/python bench/margin_scan.py [--rows 1000000 10000000] [--write]

About 5 % of rows breach MAP and 3 % MRP across 200 dealers × 500 SKUs. Two stages are timed:
"floors" resolves every row's MAP and MRP floor with the catalog resolver (`floor_queries` →
`resolve_frame` ×2 → `attach_floors`, against 500 global MAP + 500 MRP rules, 40 dealer overrides
and 25 rules that change mid-period), then "detect" runs `detect()`: contract check, the MAP and MRP
scans, per-row impact and depth, aggregation into alerts with severity. Goal: 10M ≤ 10 s in all.
`--write` puts the table into docs/benchmarks.md under "## Margin breach scan" (own section only).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.margin.detection import detect  # noqa: E402
from engine.margin.floors import attach_floors, floor_queries  # noqa: E402
from engine.margin.frames import MONEY, PRICED_SALES_SCHEMA, SALES_SCHEMA  # noqa: E402
from engine.pricing.vectorized import RULE_SCHEMA, resolve_frame  # noqa: E402

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


def synthetic_rules() -> pl.DataFrame:
    """The floors `synthetic_sales` carries, as price rules, plus overrides and mid-period changes."""
    rows = []
    for sku in range(500):
        floor = Decimal(1_000 + sku * 71) / 100
        for kind, amount in (("map", floor), ("mrp", floor - 1)):
            rows.append((f"{kind}-{sku}", f"k{sku}", None, None, amount, "INR", kind, T0, None, 0, f"book-{kind}"))
    for dealer in range(40):  # dealer overrides on one SKU each, equal to the global floor
        sku = dealer * 7
        rows.append(
            (
                f"ovr-{dealer}",
                f"k{sku}",
                f"d{dealer}",
                None,
                Decimal(1_000 + sku * 71) / 100,
                "INR",
                "map",
                T0,
                None,
                0,
                "book-map",
            )
        )
    for sku in range(0, 500, 20):  # a change halfway through the month, same amount
        rows.append(
            (
                f"mid-{sku}",
                f"k{sku}",
                None,
                "web",
                Decimal(1_000 + sku * 71) / 100,
                "INR",
                "map",
                T0 + timedelta(days=15),
                None,
                1,
                "book-map",
            )
        )
    return pl.DataFrame(rows, schema=RULE_SCHEMA, orient="row")


def resolve_floors(sales: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    raw = sales.select(list(SALES_SCHEMA))
    map_resolved = resolve_frame(floor_queries(raw, "map", "INR"), rules)
    mrp_resolved = resolve_frame(floor_queries(raw, "mrp", "INR"), rules)
    return attach_floors(raw, map_resolved, mrp_resolved)


def run(n: int, repeats: int) -> dict:
    sales = synthetic_sales(n)
    rules = synthetic_rules()
    times, floor_times = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        priced = resolve_floors(sales, rules)
        floor_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = detect(priced)
        times.append(time.perf_counter() - started)
    # the resolver must find exactly the floors the synthetic rows were generated with
    assert priced.get_column("map_floor").equals(sales.get_column("map_floor"))
    assert priced.get_column("mrp_floor").equals(sales.get_column("mrp_floor"))
    return {
        "rows": n,
        "floors_best": min(floor_times),
        "floors_median": sorted(floor_times)[len(floor_times) // 2],
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
        " (MAP + MRP scans, exact Decimal(38,10) impact and depth, alerts with severity), after resolving"
        " every row's MAP and MRP floor with the catalog resolver (`resolve_frame`, segment strategy; 1,065"
        " rules incl. dealer overrides and mid-period changes). Best of the runs. Goal: 10M rows ≤ 10 s.",
        "",
        "| sale rows | floors (s) | detect (s) | total (s) | rows/s | breach rows | alerts | Σ lost margin |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        total = r["floors_best"] + r["best"]
        lines.append(
            f"| {r['rows']:,} | {r['floors_best']:.2f} | {r['best']:.2f} | {total:.2f} | {r['rows'] / total:,.0f} | "
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
        print(
            f"{n:>11,} rows: floors {r['floors_best']:.2f} s, detect best {r['best']:.2f} s, median "
            f"{r['median']:.2f} s, "
            f"{r['evidence']:,} breach rows, {r['alerts']:,} alerts",
            flush=True,
        )
        results.append(r)
    text = table(results)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
