"""Price resolver benchmark (run by hand): N resolutions one by one vs vectorized.

    .venv/bin/python bench/pricing.py [--queries 100000] [--skus 1000] [--rules 20000] [--repeat 5] [--write]

Synthetic, deterministic data (seeded RNG): rules spread over the four precedence steps, 2 book
kinds, 2 currencies, staggered effective windows and priorities; queries at random instants for
random (sku, org, channel). The one-by-one form is `engine.pricing.resolve` with the explanation,
given only the rules of the query's SKU (an index, as the repository does). The vectorized form is
`engine.pricing.resolve_frame` over the whole batch. Both must agree on every query (checked).
Goal: ≥ 100k resolutions/s vectorized. `--write` puts the table into docs/benchmarks.md under
"## Pricing resolver" (own section only).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.pricing import PriceQuery, PriceRule, queries_frame, resolve, resolve_frame, rules_frame  # noqa: E402

SECTION = "## Pricing resolver"
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def synthetic(n_queries: int, n_skus: int, n_rules: int, seed: int = 7) -> tuple[list[PriceRule], list[PriceQuery]]:
    rng = random.Random(seed)
    skus = [f"sku-{i:05d}" for i in range(n_skus)]
    orgs = [f"org-{i:04d}" for i in range(200)]
    channels = [f"ch-{i}" for i in range(5)]
    rules = []
    for i in range(n_rules):
        level = rng.random()
        org = rng.choice(orgs) if level < 0.35 else None
        channel = rng.choice(channels) if 0.2 < level < 0.5 else None
        start = T0 + timedelta(days=rng.randint(0, 360), seconds=rng.randint(0, 86_399))
        end = start + timedelta(days=rng.randint(1, 400)) if rng.random() < 0.4 else None
        rules.append(
            PriceRule(
                id=f"r{i:07d}",
                sku_id=rng.choice(skus),
                amount=Decimal(rng.randint(100, 500_000)) / 100,
                currency="INR" if rng.random() < 0.9 else "USD",
                effective_from=start,
                effective_to=end,
                org_id=org,
                channel_id=channel,
                priority=rng.choice((0, 0, 0, 1, 5)),
                kind=rng.choice(("map", "mrp")),
                price_book_id=f"book-{i % 7}",
            )
        )
    queries = [
        PriceQuery(
            sku_id=rng.choice(skus),
            at=T0 + timedelta(days=rng.randint(0, 500), seconds=rng.randint(0, 86_399)),
            currency="INR",
            kind=rng.choice(("map", "mrp")),
            org_id=rng.choice(orgs) if rng.random() < 0.9 else None,
            channel_id=rng.choice(channels) if rng.random() < 0.8 else None,
        )
        for _ in range(n_queries)
    ]
    return rules, queries


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--skus", type=int, default=1_000)
    parser.add_argument("--rules", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args()

    rules, queries = synthetic(args.queries, args.skus, args.rules)
    by_sku: dict[str, list[PriceRule]] = defaultdict(list)
    for rule in rules:
        by_sku[rule.sku_id].append(rule)

    build_times, frames = timed(lambda: (queries_frame(queries), rules_frame(rules)), 1)
    qf, rf = frames  # type: ignore[misc]
    vec_times, out = timed(lambda: resolve_frame(qf, rf), args.repeat)
    one_times, singles = timed(
        lambda: [resolve(q, by_sku.get(q.sku_id, ())) for q in queries], max(1, args.repeat // 3)
    )

    assert isinstance(out, pl.DataFrame)
    mismatches = sum(
        1
        for s, (rid, price) in zip(singles, out.select("rule_id", "price").iter_rows(), strict=True)  # type: ignore[arg-type]
        if (s.rule_id, s.price) != (rid, price)
    )
    priced = out.height - out.get_column("price").null_count()

    n = args.queries
    rows = [
        ("one by one (`resolve`, with explanation)", one_times),
        ("vectorized (`resolve_frame`)", vec_times),
    ]
    lines = [
        SECTION,
        "",
        f"`bench/pricing.py`, {date.today().isoformat()}, polars {pl.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared). {n:,} resolutions against {args.rules:,} rules over {args.skus:,} SKUs, "
        "200 orgs, 5 channels, 2 kinds, 2 currencies (precedence steps, windows, priorities mixed). "
        "Goal: ≥ 100k resolutions/s vectorized.",
        "",
        "| form | best (s) | median (s) | resolutions/s |",
        "|---|---:|---:|---:|",
    ]
    for label, times in rows:
        lines.append(f"| {label} | {min(times):.3f} | {statistics.median(times):.3f} | {n / min(times):,.0f} |")
    lines += [
        "",
        f"Both forms agree on all {n:,} queries (mismatches: {mismatches}); {priced:,} priced, {n - priced:,} no "
        "price. "
        f"Building the two input frames from Python objects took {build_times[0]:.3f} s (not in the timings). "
        "Speed-up: "
        f"{min(one_times) / min(vec_times):,.0f}×.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if mismatches:
        raise SystemExit("the two forms disagree")
    if args.write:
        write_section(text)


def write_section(section: str) -> None:
    """Replace our own section (or append it); never touch anyone else's."""
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: section + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    DOC.write_text(updated.rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
