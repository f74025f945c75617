"""Vendor cases benchmark (run by hand, never in the test suite):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/cases.py [--cases 1000000] [--requests 20] [--lines 1000000] [--write]

(a) The case inbox over N cases: a scratch database on DATABASE_URL's server (`pharos_bench_<hex>`,
    migrated, demo-seeded, dropped at the end; Redis database 12), N cases made with
    `generate_series` for the demo tenant (the two demo vendors, six types, every status, spread
    over 400 days, a third unassigned), ANALYZE; then `GET /api/cases` through the FastAPI app in
    process — the first page and each filter (status, vendor, type, assignee, unassigned, age, past
    the SLA) as ops@demo.test, and a vendor's portal list as vendor@demo.test (RLS `vendor_scope`
    plus the code scope). Server time = the API middleware's own per-request measurement (session
    auth, RLS transaction, query, JSON), p50/p95 over R requests after 3 warm-ups. Goal: p95 ≤ 150 ms.
(b) The 3-way match of L invoice lines (`engine.cases.matching.match`, Polars, exact Decimal(38,10)):
    frames generated in Polars (10 lines per invoice, every PO line billed by two invoices, 0.5 %
    of lines naming no PO line, 0.1 % in another currency, prices, quantities and taxes off on a
    share of lines), best and median of 3 runs. Goal: ≤ 5 s for 1M lines.
`--write` puts the table into docs/benchmarks.md under "## Vendor cases (inbox, 3-way match)".
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.scratch import PASSWORD, drop_scratch_db, pct, scratch_services, write_section  # noqa: E402

SECTION = "## Vendor cases (inbox, 3-way match)"


# ---- (a) the inbox ---------------------------------------------------------------------------------


def load_cases(n: int) -> dict[str, Any]:
    from models.core.db import owner_session
    from seeds.demo import DEMO_TENANT_ID
    from seeds.ids import demo_id

    apex, blue = demo_id("organization", "vendor-apex"), demo_id("organization", "vendor-blueline")
    ops = demo_id("user", "ops@demo.test")
    started = time.perf_counter()
    with owner_session() as s:
        s.execute(
            text(
                """
                insert into cases (id, tenant_id, vendor_org_id, subject, case_type, status, assignee_id, opened_by,
                                   opened_at, due_at)
                select gen_random_uuid(), :t,
                       case when i % 2 = 0 then cast(:apex as uuid) else cast(:blue as uuid) end,
                       'Bench case ' || i,
                       (array['general','invoice_dispute','payment_query','onboarding','quality',
                              'enforcement'])[1 + i % 6],
                       (array['resolved_approved','resolved_rejected','withdrawn','cancelled','open','waiting_vendor',
                              'in_review','resolved_approved','resolved_approved','cancelled'])[1 + (i / 7) % 10],
                       case when i % 3 = 0 then null else cast(:ops as uuid) end,
                       null,
                       now() - make_interval(secs => (i % 400) * 86400 + (i * 37) % 86400),
                       now() - make_interval(secs => (i % 400) * 86400 + (i * 37) % 86400)
                             + make_interval(days => (array[10, 7, 5, 14, 7, 5])[1 + i % 6])
                from generate_series(1, :n) as g(i)
                """
            ),
            {"t": DEMO_TENANT_ID, "apex": apex, "blue": blue, "ops": ops, "n": n},
        )
    insert_s = time.perf_counter() - started
    with owner_session() as s:
        s.execute(text("analyze cases"))
        total = s.execute(text("select count(*) from cases where tenant_id = :t"), {"t": DEMO_TENANT_ID}).scalar()
    return {"inserted": n, "total": total, "insert_s": insert_s}


class _ServerTimes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.ms: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "request" and hasattr(record, "ms"):
            self.ms.append(float(record.ms))


def inbox_times(requests: int) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from app.api.main import create_api
    from seeds.ids import demo_id

    http_log = logging.getLogger("pharos.http")
    http_log.handlers, http_log.propagate = [], False
    http_log.setLevel(logging.INFO)
    server = _ServerTimes()
    http_log.addHandler(server)
    api = create_api()

    def client_for(email: str) -> TestClient:
        client = TestClient(api, raise_server_exceptions=True)
        res = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        res.raise_for_status()
        client.headers["Authorization"] = f"Bearer {res.json()['token']}"
        return client

    staff, vendor = client_for("ops@demo.test"), client_for("vendor@demo.test")
    apex = demo_id("organization", "vendor-apex")
    ops = demo_id("user", "ops@demo.test")
    probes = [
        ("first page", staff, "/api/cases?limit=50"),
        ("status = in review", staff, "/api/cases?limit=50&status=in_review"),
        ("vendor", staff, f"/api/cases?limit=50&vendor_id={apex}"),
        ("type = quality", staff, "/api/cases?limit=50&case_type=quality"),
        ("assignee", staff, f"/api/cases?limit=50&assignee_id={ops}"),
        ("unassigned", staff, "/api/cases?limit=50&unassigned=true"),
        ("older than 30 days", staff, "/api/cases?limit=50&min_age_days=30"),
        ("past the SLA", staff, "/api/cases?limit=50&overdue=true"),
        ("a vendor's portal list (RLS + scope)", vendor, "/api/cases?limit=50"),
    ]
    out = []
    for label, client, path in probes:
        for _ in range(3):
            client.get(path).raise_for_status()
        server.ms.clear()
        wall = []
        for _ in range(requests):
            t = time.perf_counter()
            res = client.get(path)
            wall.append((time.perf_counter() - t) * 1000)
            res.raise_for_status()
        times = list(server.ms)
        out.append(
            {
                "label": label,
                "n": requests,
                "p50": statistics.median(times),
                "p95": pct(times, 95),
                "wall_p95": pct(wall, 95),
                "rows": len(res.json()["items"]),
            }
        )
        print(f"  {label}: p95 {out[-1]['p95']:.1f} ms", flush=True)
    return out


# ---- (b) the 3-way match ------------------------------------------------------------------------------


def match_frames(n: int):
    import polars as pl

    from engine.cases import matching

    money = matching.MONEY
    cent = pl.lit(matching.Decimal("0.01"), dtype=money)
    i = pl.int_range(0, n, dtype=pl.Int64, eager=True)
    po_count = max(1, n // 2)
    lines = pl.DataFrame({"i": i}).select(
        line_id=pl.col("i").cast(pl.String),
        invoice_id=(pl.col("i") // 10).cast(pl.String),
        invoice_seq=(pl.col("i") % 2) * (n // 10 + 1) + pl.col("i") // 10,
        line_no=pl.col("i") % 10 + 1,
        currency=pl.when(pl.col("i") % 1000 == 7).then(pl.lit("USD")).otherwise(pl.lit("INR")),
        po_line_id=pl.when(pl.col("i") % 200 == 3).then(None).otherwise((pl.col("i") // 2 % po_count).cast(pl.String)),
        quantity=(pl.col("i") % 20 + 1 + (pl.col("i") % 97 == 5).cast(pl.Int64)).cast(money),
        unit_price=((pl.col("i") % 1000 + 100) + (pl.col("i") % 53 == 1).cast(pl.Int64) * 50).cast(money) * cent,
    )
    lines = lines.with_columns(
        tax_amount=pl.col("quantity") * pl.col("unit_price") * pl.lit(matching.Decimal("0.18"), dtype=money)
        + pl.when(pl.col("line_no") == 4)
        .then(pl.lit(matching.Decimal("1"), dtype=money))
        .otherwise(pl.lit(matching.Decimal(0), dtype=money))
    )
    p = pl.int_range(0, po_count, dtype=pl.Int64, eager=True)
    po = pl.DataFrame({"p": p}).select(
        po_line_id=pl.col("p").cast(pl.String),
        po_id=(pl.col("p") // 5).cast(pl.String),
        po_currency=pl.lit("INR"),
        ordered_qty=pl.lit(matching.Decimal(60), dtype=money),
        po_price=(pl.col("p") * 2 % 1000 + 100).cast(money) * cent,
        tax_rate=pl.lit(matching.Decimal("0.18"), dtype=money),
    )
    receipts = pl.DataFrame({"p": p}).select(
        po_line_id=pl.col("p").cast(pl.String), received_qty=(pl.col("p") % 20 * 2 + 2).cast(money)
    )
    return lines.cast(matching.INVOICE_LINES), po.cast(matching.PO_LINES), receipts.cast(matching.RECEIPTS)


def match_times(n: int, runs: int = 3) -> dict[str, Any]:
    from engine.cases import matching

    t = time.perf_counter()
    lines, po, receipts = match_frames(n)
    build_s = time.perf_counter() - t
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = matching.match(lines, po, receipts)
        times.append(time.perf_counter() - t)
    assert out is not None and out.height == n
    exceptions = {code: int(out[flag].sum()) for code, flag in matching.FLAGS.items()}
    return {
        "lines": n,
        "best": min(times),
        "median": statistics.median(times),
        "build_s": build_s,
        "exceptions": exceptions,
        "exception_lines": int((out["exceptions"] > 0).sum()),
        "variance": out["variance"].sum(),
    }


# ---- report -------------------------------------------------------------------------------------------


def render(load: dict[str, Any] | None, inbox: list[dict[str, Any]], match: dict[str, Any] | None) -> str:
    import polars as pl

    lines = [
        SECTION,
        "",
        f"`bench/cases.py`, {datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, polars {pl.__version__}, "
        f"PostgreSQL + Redis on localhost, {os.cpu_count()} cores shared with other sessions' test runs. "
        "Scratch database, dropped afterwards.",
        "",
        "| measure | setting | result | goal | met |",
        "|---|---|---:|---:|:-:|",
    ]
    for a in inbox:
        lines.append(
            f"| `GET /api/cases` {a['label']} | {load['total'] if load else 0:,} cases, {a['n']} requests, 50 rows | "
            f"p50 {a['p50']:.1f} ms, p95 {a['p95']:.1f} ms (client wall p95 {a['wall_p95']:.1f} ms) | p95 ≤ 150 ms | "
            f"{'yes' if a['p95'] <= 150 else 'no'} |"
        )
    if match:
        lines.append(
            f"| 3-way match (`engine.cases.matching.match`) | {match['lines']:,} invoice lines | "
            f"best {match['best']:.2f} s, median {match['median']:.2f} s | ≤ 5 s | "
            f"{'yes' if match['best'] <= 5 else 'no'} |"
        )
    lines.append("")
    if load:
        lines.append(
            f"- Cases: {load['inserted']:,} rows made by `generate_series` in {load['insert_s']:.1f} s (two vendors, "
            "six types, every status, 400 days, a third unassigned), ANALYZE after; each filter reads an index "
            "`(tenant_id, …, opened_at, id)` in keyset order."
        )
    if match:
        exc = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in match["exceptions"].items())
        lines.append(
            f"- Match: frames built in Polars in {match['build_s']:.2f} s (not timed); {match['exception_lines']:,} "
            f"lines with exceptions ({exc}); Σ variance {match['variance']}. Exact Decimal(38,10) throughout."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="0: skip (a)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--lines", type=int, default=1_000_000, help="0: skip (b)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    match = match_times(args.lines) if args.lines else None
    if match:
        print(f"3-way match of {args.lines:,} lines: best {match['best']:.2f} s", flush=True)
    load, inbox = None, []
    if args.cases:
        db_url, _ = scratch_services()
        print(f"scratch database {make_url(db_url).database}", flush=True)
        try:
            from models.core.bootstrap import migrate
            from seeds.demo import seed_demo

            migrate()
            seed_demo()
            load = load_cases(args.cases)
            print(f"{load['inserted']:,} cases in {load['insert_s']:.1f} s", flush=True)
            inbox = inbox_times(args.requests)
        finally:
            from models.core.db import dispose_engines

            dispose_engines()
            drop_scratch_db(db_url)
    section = render(load, inbox, match)
    print(section)
    if args.write:
        write_section(section, SECTION)


if __name__ == "__main__":
    main()
