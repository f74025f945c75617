"""Import benchmark end to end (run by hand, never in the test suite): a sales file of N rows through
the real API and real workers — upload → validate → import → detect — with each stage timed, and
the floors measured in the same run on the same file.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/imports.py --rows 100000 1000000 [--workers 2] [--dealers 300] [--write]

Per size, from scratch: a scratch database (migrated, demo-seeded, dropped at the end), the demo
catalog grown to `--dealers` dealers and 3 × `--sku-copies` SKUs (clones of the demo's, each with the
demo SKU's MAP and MRP rules), the REST API as a uvicorn process and `--workers` `python -m workers`
processes on a queue of their own. The file is a distributor's export (invoice number, date,
stockist code and name, product code and name, qty, MRP, net rate, a listed price on one row in
four, currency; about one row in six sells under MRP). Stages, as the person's client sees them
(polling every 200 ms):

  upload    POST /api/v1/uploads (multipart, streamed from the file) → stored, SHA-256 recorded
  validate  POST /map → the `imports.validate` job has read, typed and checked every row (status valid)
  import    POST /import → the `imports.import` job re-checked the file (hash verified) and merged it
  detect    the detection run the import queued has finished (its job's items on every worker)

Floors, same machine, same minute: `raw COPY` = the file's bytes COPY'd into an UNLOGGED table of
text columns (no parsing into types, no index, no constraint, no RLS); `read` = Polars `read_csv`
of the file, all columns as text; `sha256` = hashing the file. Ratios = stage ÷ floor.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import polars as pl  # noqa: E402
import psutil  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.scratch import PASSWORD, demo_ctx, drop_scratch_db, scratch_services, write_section  # noqa: E402

SECTION = "## Import end to end (upload → validate → import → detect)"
TARGET = "margin.sales"
MAPPING = {
    "dealer": "Stockist Code",
    "sku": "Product Code",
    "date": "Invoice Date",
    "qty": "Qty",
    "transaction_price": "Net Rate",
    "advertised_price": "Listed Price",
    "currency": "Currency",
}
POLL = 0.2  # the client polls like a page would (every poll is an API request: CPU on the shared machine)


# --- data ------------------------------------------------------------------------------------------


def grow_catalog(dealers: int, sku_copies: int) -> tuple[list[str], list[tuple[str, int]]]:
    """`dealers` dealers (clones of a demo dealer) and `sku_copies` clones of each demo SKU with its
    price rules; returns the dealer codes and (SKU code, MRP in cents) for the file."""
    from models.core.db import owner_tenant_session

    ctx = demo_ctx()
    t = {"t": ctx.tenant_id}
    with owner_tenant_session(ctx) as s:
        s.execute(
            text(
                "create temp table bench_orgs on commit drop as select s.id as src, gen_random_uuid() as id, g "
                "from organizations s, generate_series(1, :n) g where s.tenant_id = :t and s.code = 'DLR-COASTAL'"
            ),
            {**t, "n": dealers},
        )
        s.execute(
            text(
                "create temp table bench_skus on commit drop as select s.id as src, gen_random_uuid() as id, g "
                "from skus s, generate_series(1, :n) g where s.tenant_id = :t"
            ),
            {**t, "n": sku_copies},
        )
        for table, mapping, match, overrides in (
            (
                "organizations",
                "bench_orgs",
                "src.id = m.src",
                {
                    "id": "m.id",
                    "code": "'BD-' || lpad(m.g::text, 5, '0')",
                    "name": "'Bench Dealer ' || lpad(m.g::text, 5, '0') || ' Pharma'",
                },
            ),
            (
                "skus",
                "bench_skus",
                "src.id = m.src",
                {"id": "m.id", "code": "src.code || '-B' || m.g", "name": "src.name || ' (B' || m.g || ')'"},
            ),
            (
                "price_rules",
                "bench_skus",
                "src.sku_id = m.src and src.org_id is null",
                {"id": "gen_random_uuid()", "sku_id": "m.id"},
            ),
        ):
            cols = list(
                s.execute(
                    text(
                        "select column_name from information_schema.columns where table_name = :n and "
                        "table_schema = 'public' order by ordinal_position"
                    ),
                    {"n": table},
                ).scalars()
            )
            select_list = ", ".join(overrides.get(c, f"src.{c}") for c in cols)
            s.execute(
                text(
                    f"insert into {table} ({', '.join(cols)}) select {select_list} from {table} src, {mapping} m "
                    f"where src.tenant_id = :t and {match}"
                ),
                t,
            )
        codes = list(
            s.execute(
                text("select code from organizations where tenant_id = :t and type = 'dealer' order by code"), t
            ).scalars()
        )
        skus = s.execute(
            text(
                "select s.code, min(r.amount) from skus s join price_rules r on r.sku_id = s.id and r.tenant_id = "
                "s.tenant_id join price_books b on b.id = r.price_book_id and b.tenant_id = s.tenant_id where "
                "s.tenant_id = :t and b.kind = 'mrp' and r.org_id is null group by s.code order by s.code"
            ),
            t,
        ).all()
    return codes, [(code, int(amount * 100)) for code, amount in skus]


def write_file(path: Path, n: int, dealers: list[str], skus: list[tuple[str, int]]) -> int:
    """A distributor's export of n rows, deterministic (a hash of the row number picks each value)."""
    i = pl.int_range(n, dtype=pl.Int64, eager=True).alias("i")
    h = ((i * 2654435761 + 12345) % 1_000_003).alias("h")
    dealer_codes = pl.Series(dealers)
    sku_codes = pl.Series([c for c, _ in skus])
    mrp = pl.Series([m for _, m in skus], dtype=pl.Int64)
    first = date(2026, 9, 1)
    frame = pl.DataFrame({"i": i, "h": h}).with_columns(
        d=pl.col("h") % len(dealers), k=(pl.col("i") * 7 + pl.col("h")) % len(skus)
    )
    frame = frame.with_columns(mrp=mrp.gather(frame["k"]))
    # net rate from 12 % under MRP to 60 % over it in cents: about one row in six under MRP
    cents = pl.col("mrp") * 88 // 100 + (pl.col("h") * 31 + pl.col("i")) % (pl.col("mrp") * 72 // 100)
    out = frame.select(
        ("INV-" + pl.col("i").cast(pl.String).str.zfill(10)).alias("Invoice No"),
        (pl.lit(first) + pl.duration(days=pl.col("h") % 90)).cast(pl.Date).alias("Invoice Date"),
        dealer_codes.gather(frame["d"]).alias("Stockist Code"),
        ("Stockist " + pl.col("d").cast(pl.String)).alias("Stockist Name"),
        sku_codes.gather(frame["k"]).alias("Product Code"),
        (1 + (pl.col("i") // 7) % 20).alias("Qty"),
        (pl.col("mrp").cast(pl.Decimal(38, 2)) / 100).cast(pl.Decimal(38, 2)).alias("MRP"),
        (cents.cast(pl.Decimal(38, 2)) / 100).cast(pl.Decimal(38, 2)).alias("Net Rate"),
        pl.when(pl.col("i") % 4 == 0)
        .then((cents.cast(pl.Decimal(38, 2)) / 100 + 5).cast(pl.Decimal(38, 2)))
        .otherwise(None)
        .alias("Listed Price"),
        pl.lit("INR").alias("Currency"),
    )
    out.write_csv(path)
    return path.stat().st_size


# --- floors ----------------------------------------------------------------------------------------


def floors(path: Path) -> dict[str, float]:
    from models.core.db import owner_session

    started = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    sha = time.perf_counter() - started
    started = time.perf_counter()
    pl.read_csv(path, infer_schema=False)
    read = time.perf_counter() - started
    header = path.open().readline().strip().split(",")
    with owner_session() as s:
        s.execute(text("drop table if exists bench_raw_copy"))
        columns = ", ".join(f"c{n} text" for n in range(len(header)))
        s.execute(text(f"create unlogged table bench_raw_copy ({columns})"))
        raw: Any = s.connection().connection.driver_connection
        started = time.perf_counter()
        with raw.cursor() as cursor, cursor.copy("copy bench_raw_copy from stdin (format csv, header)") as copy:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)
        copied = time.perf_counter() - started
        s.execute(text("drop table bench_raw_copy"))
    return {"sha256_s": sha, "read_s": read, "raw_copy_s": copied}


# --- the flow --------------------------------------------------------------------------------------


def start_workers(k: int, log_dir: Path) -> list[Any]:
    from bench.margin import start_workers as start

    return start(k, log_dir)


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(POLL)
    raise SystemExit(f"timed out waiting for {what}")


def flow(base: str, path: Path, timeout: float) -> dict[str, Any]:
    client = httpx.Client(base_url=base, timeout=httpx.Timeout(600))
    token = client.post("/api/auth/login", json={"email": "ops@demo.test", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    times: dict[str, float] = {}

    started = time.perf_counter()
    with path.open("rb") as handle:
        res = client.post("/api/v1/uploads", data={"target": TARGET}, files={"file": ("sales.csv", handle, "text/csv")})
    assert res.status_code == 201, res.text
    upload_id = res.json()["upload_id"]
    times["upload_s"] = time.perf_counter() - started

    def status() -> dict[str, Any]:
        return client.get(f"/api/v1/uploads/{upload_id}").json()["import"] or {}

    started = time.perf_counter()
    res = client.post(f"/api/v1/uploads/{upload_id}/map", json=MAPPING)
    assert res.status_code == 200, res.text
    checked = wait_for(
        lambda: (s := status()).get("status") in ("valid", "invalid", "failed") and s, timeout, "validate"
    )
    times["validate_s"] = time.perf_counter() - started
    assert checked["status"] != "failed", checked

    started = time.perf_counter()
    res = client.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": True})
    assert res.status_code == 202, res.text
    imported = wait_for(lambda: (s := status()).get("status") in ("imported", "failed") and s, timeout, "import")
    times["import_s"] = time.perf_counter() - started
    assert imported["status"] == "imported", imported

    started = time.perf_counter()

    def run() -> dict[str, Any] | None:
        items = client.get("/api/margin/detection-runs").json()["items"]
        mine = [r for r in items if r["upload_id"] == upload_id]
        return mine[0] if mine and mine[0]["finished_at"] else None

    finished = wait_for(run, timeout, "detection")
    times["detect_s"] = time.perf_counter() - started
    return {**times, "import": imported, "run": finished, "upload_id": upload_id}


def _cpu(pid: int) -> float:
    try:
        return sum(psutil.Process(pid).cpu_times()[:2])
    except psutil.Error:
        return 0.0


def backends() -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL backend on the scratch database (same host)."""
    from models.core.db import owner_session

    with owner_session() as s:
        pids = s.execute(
            text("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
        ).scalars()
        return {pid: _cpu(pid) for pid in pids}


def import_seconds() -> dict[str, float]:
    """What the import item measured itself (re-check of the file, merge)."""
    from models.core.db import owner_session

    with owner_session() as s:
        found = s.execute(
            text("select i.result->'seconds' from job_items i join jobs j on j.id = i.job_id where j.kind = :k"),
            {"k": "imports.import"},
        ).scalar()
        processes = s.execute(
            text(
                "select count(distinct split_part(e.after->>'worker', ':', 2)) from audit_events e join jobs j "
                "on j.id::text = e.entity_id where e.action = 'job.items.process' and j.kind = 'margin.detect'"
            )
        ).scalar()
    return {f"import_{k}_s": float(v) for k, v in (found or {}).items()} | {"detect_processes": int(processes or 0)}


def job_seconds(upload_id: str) -> dict[str, float]:
    """The worker's own time per job (started → finished), read from the jobs table."""
    from models.core.db import owner_session

    with owner_session() as s:
        rows = s.execute(
            text(
                "select j.kind, extract(epoch from j.finished_at - j.started_at), "
                "(select count(*) from job_items i where i.job_id = j.id) from jobs j where j.tenant_id = :t "
                "and j.kind in ('imports.validate', 'imports.import', 'margin.detect') order by j.created_at"
            ),
            {"t": demo_ctx().tenant_id},
        ).all()
    return {f"{kind}_s": float(seconds or 0) for kind, seconds, _ in rows} | {
        f"{kind}_items": int(items) for kind, _, items in rows
    }


def one_size(n: int, args, log_dir: Path) -> dict[str, Any]:
    from bench.margin import stop_workers
    from models.core.bootstrap import migrate
    from models.core.db import dispose_engines
    from seeds.demo import seed_demo
    from tests.support.live_api import running_api

    db_url, _ = scratch_services(args.redis_db)
    data_dir = Path(tempfile.mkdtemp(prefix="pharos-bench-imports-"))
    try:
        migrate()
        seed_demo()
        dealers, skus = grow_catalog(args.dealers, args.sku_copies)
        path = data_dir / f"sales-{n}.csv"
        size = write_file(path, n, dealers, skus)
        print(f"{n:,} rows, {size / 1e6:.1f} MB, {len(dealers)} dealers, {len(skus)} SKUs", flush=True)
        floor = floors(path)
        print(floor, flush=True)
        env = {"PHAROS_DATA_DIR": str(data_dir), "PHAROS_JOB_SCHEDULES": "off"}
        os.environ.update(env)
        procs = start_workers(args.workers, log_dir)
        try:
            with running_api(log_dir / "api.log", **env) as api:
                wait_for(
                    lambda: httpx.get(f"{api.base}/api/health").json().get("workers", 0) >= args.workers,
                    60,
                    "workers",
                )
                load_before = os.getloadavg()[0]
                mine = [p.pid for p in procs] + [api.pid]
                cpu_before = {pid: _cpu(pid) for pid in mine}
                db_before = backends()
                result = flow(api.base, path, args.timeout)
                db_after = backends()
                cpu_used = {pid: _cpu(pid) - cpu_before[pid] for pid in mine}
                load_after = os.getloadavg()[0]
        finally:
            stop_workers(procs)
        jobs = job_seconds(result["upload_id"]) | import_seconds()
        counts = result["import"]["counts"]
        return {
            "rows": n,
            "mb": size / 1e6,
            **floor,
            **{k: v for k, v in result.items() if k.endswith("_s")},
            "total_s": sum(v for k, v in result.items() if k.endswith("_s")),
            "jobs": jobs,
            "inserted": counts["inserted"],
            "skipped": counts["skipped"],
            "invalid": counts["rows_invalid"],
            "new_breaches": result["run"]["new_breaches"],
            "worker_cpu_s": sum(v for pid, v in cpu_used.items() if pid != api.pid),
            "api_cpu_s": cpu_used[api.pid],
            "db_cpu_s": sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items()),
            "load": (load_before, load_after),
        }
    finally:
        dispose_engines()
        drop_scratch_db(db_url)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


def render(results: list[dict[str, Any]], args) -> str:
    head = (
        f"{SECTION}\n\n`bench/imports.py`, {datetime.now(UTC):%Y-%m-%d}, polars {pl.__version__}, Python "
        f"{platform.python_version()}, PostgreSQL 15 and Redis on the same machine, {os.cpu_count()} cores shared "
        f"with other sessions; {args.workers} worker processes, {args.dealers + 2} dealers, "
        f"{3 * (args.sku_copies + 1)} SKUs. Seconds as the client sees them (upload → stored; map → "
        "valid; import → imported, split into the item's re-check of the file and its merge; imported → "
        "the queued detection run finished). Floors on the same file in the same run: raw COPY into an "
        "unlogged text table, Polars read_csv (text). CPU = user + system seconds of the worker processes, "
        "the API process and the scratch database's backends over the whole flow (robust to the other "
        "sessions' load, unlike the wall time).\n\n"
        "| rows | MB | upload | validate | import (check + merge) | detect (items on worker processes) "
        "| **total** | raw COPY | read "
        "| total ÷ raw COPY | CPU: workers + API + PostgreSQL | new breaches | load (1 min) |\n"
        "|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|---:|---|\n"
    )
    lines = []
    for r in results:
        jobs = r["jobs"]
        lines.append(
            f"| {r['rows']:,} | {r['mb']:.0f} | {r['upload_s']:.1f} | {r['validate_s']:.1f} | "
            f"{r['import_s']:.1f} ({jobs.get('import_check_s', 0):.1f} + {jobs.get('import_merge_s', 0):.1f}) | "
            f"{r['detect_s']:.1f} ({jobs.get('margin.detect_items', 0)} on {jobs.get('detect_processes', 0)}) | "
            f"**{r['total_s']:.1f}** | "
            f"{r['raw_copy_s']:.1f} | {r['read_s']:.2f} | {r['total_s'] / r['raw_copy_s']:.0f}× | "
            f"{r['worker_cpu_s']:.1f} + {r['api_cpu_s']:.1f} + {r['db_cpu_s']:.1f} = "
            f"{r['worker_cpu_s'] + r['api_cpu_s'] + r['db_cpu_s']:.1f} | {r['new_breaches']:,} | "
            f"{r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dealers", type=int, default=300)
    parser.add_argument("--sku-copies", type=int, default=9)
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="pharos-bench-imports-logs-"))
    print(f"logs in {log_dir}", flush=True)
    results = []
    for n in args.rows:
        results.append(one_size(n, args, log_dir))
        print(results[-1], flush=True)
    section = render(results, args)
    print(section)
    if args.write:
        write_section(section, SECTION)


if __name__ == "__main__":
    main()
