"""Margin module benchmark (run by hand, never in the test suite):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/margin.py [--items 10000] [--workers 1 2] [--alerts 1000000] [--requests 50] [--write]

Everything runs in a scratch database created on DATABASE_URL's server (`pharos_bench_<hex>`,
migrated, demo-seeded) and dropped at the end, on Redis database 12 with a queue of its own, so
nothing touches anyone's data.

(a) Batch throughput: N synthetic dealers (clones of a demo dealer, each with one open MAP breach
    and a latest advertised price below the floor) → `enforcement.create_batch` → `start_batch`
    → real `python -m workers` processes (the job is enqueued once per worker; duplicate runs of
    one job share its items through leases). Items/s = items ÷ (last item's finished_at − start).
(b) UI lag: a subscriber on `models.jobs.progress.watch_job` (Redis pub/sub, the path the /execution
    page's background event uses) records when each snapshot arrives; an item counts as seen at the
    first snapshot whose processed count covers its rank. Lag = seen − the item's finished_at
    (`clock_timestamp()` when the worker marked it, same host clock). Items already finished
    when the subscription opened are left out.
(c) API server time: M synthetic alerts COPY'd into margin_alerts for the demo tenant (dealers ×
    SKUs × rules × statuses spread; ~3 % open), ANALYZE, then GET /api/dashboard/summary and
    GET /api/alerts (first page, and open MAP breaches) through the FastAPI app in process
    (TestClient; no network). Server time = the API middleware's own per-request measurement
    (outermost middleware: session auth, RLS transaction, query, JSON), P50/P95 over R requests
    after 3 warm-ups; the client's wall time is shown next to it.
Goals: ≥ 500 items/s; lag ≤ 1 s; P95 ≤ 150 ms. `--write` puts the table into docs/benchmarks.md
under "## Margin module (batches, UI lag, API latency)" (own section only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, pool, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.scratch import (  # noqa: E402
    PASSWORD,
    demo_ctx,
    drop_scratch_db,
    pct,
    scratch_services,
    write_section,
)

SECTION = "## Margin module (batches, UI lag, API latency)"
DOC = ROOT / "docs" / "benchmarks.md"


# --- (a)+(b) a big batch on real workers ---------------------------------------------------------


def _columns(session, table: str) -> list[str]:
    return list(
        session.execute(
            text(
                "select column_name from information_schema.columns where table_name = :t and table_schema = 'public' "
                "order by ordinal_position"
            ),
            {"t": table},
        ).scalars()
    )


def _clone(session, table: str, where: str, overrides: dict[str, str], params: dict[str, Any]) -> int:
    """insert into table select <src columns, some overridden> from table src, bench_dealers m where …"""
    cols = _columns(session, table)
    select_list = ", ".join(overrides.get(c, f"src.{c}") for c in cols)
    sql = (
        f"insert into {table} ({', '.join(cols)}) select {select_list} from {table} src, bench_dealers m where {where}"
    )
    return session.execute(text(sql), params).rowcount


def make_dealers(n: int) -> list[str]:
    """n dealers, each with one open MAP breach and a latest advertised price 1.00 below its floor."""
    from models.core.db import owner_tenant_session

    ctx = demo_ctx()
    with owner_tenant_session(ctx) as s:
        src = s.execute(
            text(
                "select id, dealer_id, sku_id, floor from margin_alerts where tenant_id = :t and rule = 'map_breach' "
                "and floor is not null order by opened_at, id limit 1"
            ),
            {"t": ctx.tenant_id},
        ).one()
        s.execute(
            text(
                "create temp table bench_dealers on commit drop as select g, gen_random_uuid() as id from "
                "generate_series(1, :n) g"
            ),
            {"n": n},
        )
        _clone(
            s,
            "organizations",
            "src.id = :d",
            {
                "id": "m.id",
                "code": "left(src.code, 30) || '-b' || :tag || '-' || m.g",
                "name": "left(src.name, 150) || ' #' || m.g",
            },
            {"d": src.dealer_id, "tag": uuid.uuid4().hex[:6]},
        )
        _clone(
            s,
            "margin_alerts",
            "src.id = :a",
            {
                "id": "gen_random_uuid()",
                "dealer_id": "m.id",
                "status": "'open'",
                "opened_at": "now()",
                "updated_at": "now()",
            },
            {"a": src.id},
        )
        _clone(
            s,
            "margin_sale_rows",
            "src.id = (select id from margin_sale_rows where tenant_id = :t and dealer_id = :d and sku_id = :k "
            "and advertised_price is not null order by observed_at desc limit 1)",
            {
                "id": "gen_random_uuid()",
                "dealer_id": "m.id",
                "advertised_price": "cast(:price as numeric)",
                "observed_at": "now()",
                "created_at": "now()",
            },
            {"t": ctx.tenant_id, "d": src.dealer_id, "k": src.sku_id, "price": src.floor - 1},
        )
        ids = list(
            s.execute(
                text("select a.id from margin_alerts a join bench_dealers m on m.id = a.dealer_id order by a.id")
            ).scalars()
        )
    return [str(i) for i in ids]


def start_workers(k: int, log_dir: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "PHAROS_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    procs = []
    for i in range(k):
        out = (log_dir / f"worker-{i}.log").open("ab")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "workers"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def wait_workers_ready(k: int, timeout: float = 60) -> None:
    """One tiny sample job per worker, all finished = every process is up and consuming."""
    from models.core.db import tenant_session
    from models.jobs import repo
    from models.jobs.queue import enqueue_run_sync

    ctx = demo_ctx()
    ids = []
    for i in range(k):
        with tenant_session(ctx) as s:
            job = repo.create_job(s, ctx, "sample", {"item_delay_ms": 300}, [(f"warm:{uuid.uuid4().hex}:{i}", {})])
            ids.append(job.id)
        enqueue_run_sync(ctx.tenant_id, job.id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_session(ctx) as s:
            left = s.execute(
                text(
                    "select count(*) from jobs where id = any(:ids) and status not in ('completed', 'failed', "
                    "'cancelled')"
                ),
                {"ids": ids},
            ).scalar()
        if not left:
            return
        time.sleep(0.1)
    raise SystemExit("workers did not start")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process on this host (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL backend on the scratch database (same host)."""
    from models.core.db import owner_session

    with owner_session() as s:
        pids = s.execute(
            text("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
        ).scalars()
        return {pid: _cpu_seconds(pid) for pid in pids}


def _watch(job_id: str, seen: list[tuple[float, int, str]], ready: threading.Event) -> None:
    from models.jobs.progress import watch_job

    async def follow() -> None:
        async for snap in watch_job(demo_ctx(), job_id):
            seen.append((time.time(), snap.processed, snap.status))
            ready.set()
            if snap.finished:
                return

    asyncio.run(follow())


def run_batch(n: int, workers: int, log_dir: Path) -> dict[str, Any]:
    from models.core.db import tenant_session
    from models.jobs.queue import enqueue_run_sync
    from models.margin import enforcement

    ctx = demo_ctx()
    t = time.perf_counter()
    alert_ids = make_dealers(n)
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    with tenant_session(ctx) as s:
        batch = enforcement.create_batch(s, ctx, {"alert_ids": alert_ids}, "warning_notice", name=f"bench {n}")
        batch_id, items = batch.id, batch.item_count
    create_s = time.perf_counter() - t

    procs = start_workers(workers, log_dir)
    try:
        wait_workers_ready(workers)
        worker_cpu0 = sum(_cpu_seconds(p.pid) for p in procs)
        pg_cpu0 = _backend_cpu()
        started = time.time()
        with tenant_session(ctx) as s:
            job_id = str(enforcement.start_batch(s, ctx, batch_id).job_id)
        for _ in range(workers - 1):
            enqueue_run_sync(ctx.tenant_id, job_id)
        seen: list[tuple[float, int, str]] = []
        ready = threading.Event()
        watcher = threading.Thread(target=_watch, args=(job_id, seen, ready), daemon=True)
        watcher.start()
        deadline = time.monotonic() + max(600, n / 20)
        while time.monotonic() < deadline:
            with tenant_session(ctx) as s:
                status = enforcement.get_batch(s, ctx, batch_id).status
            if status in ("completed", "failed", "cancelled"):
                break
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker exited; see {log_dir}")
            time.sleep(0.2)
        completed_wall = time.time() - started
        worker_cpu = sum(_cpu_seconds(p.pid) for p in procs) - worker_cpu0
        pg_cpu = sum(cpu - pg_cpu0.get(pid, 0.0) for pid, cpu in _backend_cpu().items())
        watcher.join(timeout=30)
    finally:
        stop_workers(procs)

    with tenant_session(ctx) as s:
        finished = [
            r.timestamp()
            for r in s.execute(
                text(
                    "select finished_at from job_items where job_id = :j and finished_at is not null order by "
                    "finished_at"
                ),
                {"j": job_id},
            ).scalars()
        ]
        outcomes = dict(
            s.execute(
                text("select status, count(*) from job_items where job_id = :j group by status"), {"j": job_id}
            ).all()
        )
    first_processed = seen[0][1] if seen else len(finished)
    lags = []
    for rank, at in enumerate(finished, start=1):
        if rank <= first_processed:
            continue
        seen_at = next((r for r, processed, _ in seen if processed >= rank), None)
        if seen_at is not None:
            lags.append(seen_at - at)
    span = finished[-1] - started if finished else float("nan")
    return {
        "items": items,
        "workers": workers,
        "status": status,
        "outcomes": outcomes,
        "setup_s": setup_s,
        "create_s": create_s,
        "span_s": span,
        "wall_s": completed_wall,
        "items_per_s": items / span if span else 0.0,
        "worker_cpu_ms_per_item": 1000 * worker_cpu / items,
        "pg_cpu_ms_per_item": 1000 * pg_cpu / items,
        "cpu_bound_items_per_s": items / (worker_cpu + pg_cpu) if worker_cpu + pg_cpu else 0.0,
        "snapshots": len(seen),
        "lag_n": len(lags),
        "lag_median": statistics.median(lags) if lags else float("nan"),
        "lag_p95": pct(lags, 95) if lags else float("nan"),
        "lag_max": max(lags) if lags else float("nan"),
    }


# --- (c) API server time over 1M alerts -----------------------------------------------------------


def load_alerts(m: int, *, vacuum: bool = False) -> dict[str, Any]:
    """COPY m synthetic alerts (deterministic spread) for the demo tenant; ~3 % open, each open one
    on its own (rule, dealer, sku) so the partial unique index holds."""
    from models.core.db import owner_tenant_session

    ctx = demo_ctx()
    with owner_tenant_session(ctx) as s:
        dealers = [
            str(d) for d in s.execute(text("select id from organizations where type = 'dealer' order by id")).scalars()
        ]
        skus = [str(k) for k in s.execute(text("select id from skus order by id")).scalars()]
        taken = {
            (r.rule, str(r.dealer_id), str(r.sku_id))
            for r in s.execute(
                text(
                    "select rule, dealer_id, sku_id from margin_alerts where status in ('open', 'acknowledged', "
                    "'in_enforcement')"
                )
            ).all()
        }
    rules = ["map_breach", "mrp_breach", "competitor_undercut", "dead_stock"]
    severities = ["low", "medium", "high", "critical"]
    closed = ["resolved", "dismissed"]
    open_combos = [(r, d, k) for d in dealers for k in skus for r in rules if (r, d, k) not in taken]
    now = datetime.now(UTC)
    buf = io.StringIO()
    n_open = 0
    for i in range(m):
        h = (i * 2654435761 + 12345) % 1_000_003
        if h % 33 == 0 and n_open < len(open_combos):
            rule, dealer, sku = open_combos[n_open]
            status = ("open", "acknowledged", "in_enforcement")[h % 3]
            n_open += 1
        else:
            rule, dealer, sku = rules[h % 4], dealers[h % len(dealers)], skus[(h // 7) % len(skus)]
            status = closed[h % 2]
        opened = now - timedelta(seconds=h * 7 % (90 * 86400))
        impact = f"{(h % 100_000) / 100:.2f}"
        buf.write(
            f"{uuid.UUID(int=(0xBE << 120) | i)}\t{ctx.tenant_id}\t{rule}\t{dealer}\t{sku}\t{status}\t"
            f"{severities[h % 4]}\t"
            f"100.00\t\\N\t90.00\t10.00\t{impact}\t1\t1\t{{}}\t{opened.isoformat()}\t{opened.isoformat()}\t"
            f"{opened.isoformat()}\t{opened.isoformat()}\t\\N\n"
        )
    cols = (
        "id, tenant_id, rule, dealer_id, sku_id, status, severity, floor, floor_rule_id, worst_price, max_depth_pct, "
        "impact, evidence_count, units, explanation, first_seen, last_seen, opened_at, updated_at, notes"
    )
    t = time.perf_counter()
    with owner_tenant_session(ctx) as s:
        raw = s.connection().connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"copy margin_alerts ({cols}) from stdin") as copy:
                copy.write(buf.getvalue())
    copy_s = time.perf_counter() - t
    if vacuum:
        url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg")
        engine = create_engine(url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("vacuum analyze margin_alerts")
        engine.dispose()
    with owner_tenant_session(ctx) as s:
        s.connection().exec_driver_sql("analyze margin_alerts")
        total = s.execute(
            text("select count(*) from margin_alerts where tenant_id = :t"), {"t": ctx.tenant_id}
        ).scalar()
    return {
        "vacuum": vacuum,
        "copied": m,
        "open": n_open,
        "total": int(total or 0),
        "copy_s": copy_s,
        "dealers": len(dealers),
        "skus": len(skus),
    }


class _ServerTimes(logging.Handler):
    """Collects the API middleware's own per-request time (the `ms` of its "request" log line)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.ms: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "request" and hasattr(record, "ms"):
            self.ms.append(float(record.ms))


def api_times(requests: int) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from app.api.main import create_api

    http_log = logging.getLogger("pharos.http")
    http_log.handlers, http_log.propagate = [], False
    http_log.setLevel(logging.INFO)
    server = _ServerTimes()
    http_log.addHandler(server)
    client = TestClient(create_api(), raise_server_exceptions=True)
    res = client.post("/api/auth/login", json={"email": "viewer@demo.test", "password": PASSWORD})
    res.raise_for_status()
    client.headers["Authorization"] = f"Bearer {res.json()['token']}"
    out = []
    for label, path in (
        ("GET /api/dashboard/summary", "/api/dashboard/summary"),
        ("GET /api/alerts (first page, 25)", "/api/alerts"),
        ("GET /api/alerts?rule=map_breach&open_only=true", "/api/alerts?rule=map_breach&open_only=true"),
    ):
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
        assert len(times) == requests, (len(times), requests)
        out.append(
            {
                "label": label,
                "n": requests,
                "p50": statistics.median(times),
                "p95": pct(times, 95),
                "max": max(times),
                "wall_p95": pct(wall, 95),
            }
        )
    return out


# --- report ----------------------------------------------------------------------------------------


def render(runs: list[dict[str, Any]], load: dict[str, Any] | None, api: list[dict[str, Any]], args) -> str:
    import polars as pl

    lines = [
        SECTION,
        "",
        f"`bench/margin.py`, {datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"PostgreSQL + Redis on localhost, {os.cpu_count()} cores shared with other sessions' test runs "
        f"(polars {pl.__version__}). Scratch database, dropped afterwards.",
        "",
        "| measure | setting | result | goal | met |",
        "|---|---|---:|---:|:-:|",
    ]
    for r in runs:
        lines.append(
            f"| batch throughput | {r['items']:,} items, {r['workers']} worker process(es) | "
            f"{r['items_per_s']:,.0f} items/s ({r['span_s']:.1f} s) | ≥ 500 items/s | "
            f"{'yes' if r['items_per_s'] >= 500 else 'no'} |"
        )
    for r in runs:
        lines.append(
            f"| item finished → subscriber sees it | {r['workers']} worker(s), {r['lag_n']:,} items, "
            f"{r['snapshots']:,} snapshots | "
            f"median {r['lag_median'] * 1000:,.0f} ms, p95 {r['lag_p95'] * 1000:,.0f} ms | ≤ 1 s | "
            f"{'yes' if r['lag_p95'] <= 1 else 'no'} |"
        )
    for r in runs:
        lines.append(
            f"| CPU per item (worker + PostgreSQL) | {r['workers']} worker(s) | "
            f"{r['worker_cpu_ms_per_item']:.2f} + {r['pg_cpu_ms_per_item']:.2f} ms → "
            f"{r['cpu_bound_items_per_s']:,.0f} items/s of CPU | — | — |"
        )
    if load:
        for a in api:
            lines.append(
                f"| {a['label']} server time | {load['total']:,} alerts ({load['open']:,} open), {a['n']} requests | "
                f"p50 {a['p50']:.1f} ms, p95 {a['p95']:.1f} ms (client wall p95 {a['wall_p95']:.1f} ms) | P95 ≤ "
                f"150 ms | {'yes' if a['p95'] <= 150 else 'no'} |"
            )
    lines.append("")
    for r in runs:
        lines.append(
            f"- {r['workers']} worker(s): batch {r['status']} in {r['wall_s']:.1f} s wall (start → status seen by "
            "a 0.2 s poll); "
            f"outcomes {r['outcomes']}; setup (COPY-free SQL clone of {r['items']:,} dealers/alerts/sale rows) "
            f"{r['setup_s']:.1f} s; `create_batch` (preview + items + logs + follow-up tasks) {r['create_s']:.1f} s; "
            f"lag max {r['lag_max'] * 1000:,.0f} ms."
        )
    if load:
        lines.append(
            f"- Alerts: {load['copied']:,} rows COPY'd in {load['copy_s']:.1f} s over {load['dealers']:,} dealers × "
            f"{load['skus']} SKUs × 4 rules, statuses resolved/dismissed except ~3 % open/acknowledged/in_enforcement; "
            + ("VACUUM ANALYZE after." if load["vacuum"] else "ANALYZE after (no VACUUM).")
        )
    return "\n".join(lines) + "\n"


def write_doc(section: str, title: str = SECTION) -> None:
    """Put `section` into docs/benchmarks.md under this benchmark's title (that section only)."""
    write_section(section, title)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="none: skip (a)/(b)")
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE after the COPY (as autovacuum would)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (prints its URL)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    db_url, queue = scratch_services()
    log_dir = Path(tempfile.mkdtemp(prefix="pharos-bench-"))
    print(f"scratch database {make_url(db_url).database}, queue {queue}, logs {log_dir}", flush=True)
    try:
        from models.core.bootstrap import migrate
        from seeds.demo import seed_demo

        migrate()
        seed_demo()
        runs = []
        for k in args.workers:
            r = run_batch(args.items, k, log_dir)
            print(r, flush=True)
            runs.append(r)
        if not runs and args.alerts:  # (c) alone: the same 10k extra dealers (c) spreads alerts over
            make_dealers(args.items)
        load = load_alerts(args.alerts, vacuum=args.vacuum) if args.alerts else None
        print(load, flush=True)
        api = api_times(args.requests) if load else []
        for a in api:
            print(a, flush=True)
        section = render(runs, load, api, args)
        print(section)
        if args.write:
            write_doc(section)
    finally:
        from models.core.db import dispose_engines

        dispose_engines()
        if args.keep:
            print("kept", db_url)
        else:
            drop_scratch_db(db_url)


if __name__ == "__main__":
    main()
