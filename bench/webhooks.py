"""Webhook delivery benchmark (run by hand, never in the test suite).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/webhooks.py [--rows 10000] [--trickle 300] [--write]

A scratch database (migrated, one tenant, dropped at the end), one webhook endpoint subscribed to
every event, a local receiver in its own process (a bare ASGI app under uvicorn answering 200), and
two real worker processes (`python -m workers`: their dispatcher loops deliver). Goals (issue 16):
≥ 500 deliveries/s with 2 workers; commit → first attempt p95 ≤ 1 s.

- throughput: `--rows` outbox rows committed at once (as a burst of decisions would write them);
  deliveries/s = rows ÷ seconds from that commit until every delivery is recorded delivered;
- latency: `--trickle` outbox rows committed one at a time, 20 a second, while nothing else is
  queued; per row, its delivery's `first_attempt_at` − the moment its commit returned.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "## Webhook delivery (dispatcher)"


async def sink(scope, receive, send):  # noqa: ANN001 - a bare ASGI app: the cheapest receiver
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _outbox(ctx, count: int, tag: str) -> None:
    from models.core.base import utcnow
    from models.core.bulk import insert_rows, table_of
    from models.core.db import tenant_session
    from models.core.tables import OutboxEvent

    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": ctx.tenant_id,
            "topic": "margin_alert.resolve",
            "entity": "margin_alert",
            "entity_id": str(uuid.uuid4()),
            "payload": {"event_id": str(uuid.uuid4()), "from": "open", "to": "resolved", "reason": "bench", "n": i},
            "idempotency_key": f"bench:{tag}:{i}",
            "created_at": now,
            "delivered_at": None,
            "attempts": 0,
        }
        for i in range(count)
    ]
    with tenant_session(ctx) as session:
        insert_rows(session, table_of(OutboxEvent), rows)


def client_ceiling(url: str, count: int = 2000, concurrency: int = 100) -> float:
    """POSTs/s of the dispatcher's own HTTP client (guarded httpx) to the receiver, alone: what one
    process can send at most on this machine right now, with no database at all."""
    import asyncio

    from models.delivery.transport import guarded_client

    async def run() -> float:
        client = guarded_client(allow_private=True, pinned={}, max_connections=concurrency)
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                await client.post(url, content=b'{"type":"x.y"}', headers={"content-type": "application/json"})

        try:
            await asyncio.gather(*(one() for _ in range(200)))  # connections up
            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(count)))
            return count / (time.perf_counter() - started)
        finally:
            await client.aclose()

    return asyncio.run(run())


def _scalar(ctx, sql: str, **params):
    from sqlalchemy import text

    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        return session.execute(text(sql), params).scalar()


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--sink":
        import uvicorn

        uvicorn.run(sink, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", backlog=4096)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--trickle", type=int, default=300)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from bench.scratch import drop_scratch_db, pct, scratch_services, write_section

    os.environ.update(PHAROS_WEBHOOK_ALLOW_PRIVATE="1", PHAROS_SECRET_KEY=uuid.uuid4().hex, PHAROS_JOB_SCHEDULES="off")
    db_url, _queue = scratch_services()
    procs: list[subprocess.Popen] = []
    try:
        from engine.context import TenantContext
        from models.core.bootstrap import migrate
        from models.core.identity import create_tenant
        from models.delivery import actions

        migrate()
        tenant = create_tenant(
            name="Bench", owner_email="bench@bench.test", owner_password="bench-pass-1", slug="bench"
        )
        ctx = TenantContext.system(tenant.id, "bench")
        port = _free_port()
        procs.append(subprocess.Popen([sys.executable, __file__, "--sink", str(port)], cwd=ROOT))
        endpoint = actions.create_endpoint(ctx, f"http://127.0.0.1:{port}/hook", []).endpoint
        env = {
            **os.environ,
            "PHAROS_LOG_LEVEL": "WARNING",
            "PHAROS_DELIVERY_BATCH": "500",
            "PHAROS_DELIVERY_CONCURRENCY": "100",
        }
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "workers"], cwd=ROOT, env=env))
        time.sleep(3)  # let the workers and the receiver start (set-up, not a measurement)
        load = os.getloadavg()[0]

        delivered_sql = "select count(*) from delivery_messages where endpoint_id = :e and status = 'delivered'"
        _outbox(ctx, args.rows, "burst")
        committed = time.perf_counter()
        while _scalar(ctx, delivered_sql, e=endpoint.id) < args.rows:
            time.sleep(0.1)
        burst_seconds = time.perf_counter() - committed
        rate = args.rows / burst_seconds

        commits: dict[str, datetime] = {}
        for i in range(args.trickle):
            tag = f"trickle{i}"
            _outbox(ctx, 1, tag)
            commits[f"bench:{tag}:0"] = datetime.now(UTC)
            time.sleep(0.05)
        total = args.rows + args.trickle
        while _scalar(ctx, delivered_sql, e=endpoint.id) < total:
            time.sleep(0.1)
        from sqlalchemy import text

        from models.core.db import tenant_session

        with tenant_session(ctx) as session:
            firsts = dict(
                session.execute(
                    text(
                        "select o.idempotency_key, m.first_attempt_at from delivery_messages m "
                        "join outbox_events o on o.id = m.outbox_id where o.idempotency_key like 'bench:trickle%'"
                    )
                ).all()
            )
        lags = [(firsts[k] - commits[k]).total_seconds() * 1000 for k in commits]
        p50, p95, worst = pct(lags, 50), pct(lags, 95), max(lags)
        attempts = _scalar(ctx, "select count(*) from delivery_attempts")
        for proc in procs[1:]:
            proc.terminate()  # the workers: the client alone next
        ceiling = client_ceiling(f"http://127.0.0.1:{port}/hook")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_scratch_db(db_url)
    lines = [
        SECTION,
        "",
        f"`bench/webhooks.py`, {datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, 2 cores shared with "
        "other runs, PostgreSQL and Redis on the same machine. Two worker processes (their dispatcher loops, "
        "PHAROS_DELIVERY_BATCH=500, PHAROS_DELIVERY_CONCURRENCY=100), one endpoint subscribed to every event, a local "
        "receiver (bare ASGI app under uvicorn, its own process) answering 200. Goals: ≥ 500 deliveries/s, "
        "commit → first attempt p95 ≤ 1 s.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| burst: outbox rows committed at once | {args.rows:,} |",
        f"| burst: commit → all delivered (s) | {burst_seconds:.2f} |",
        f"| **deliveries/s (2 workers)** | **{rate:,.0f}** |",
        f"| trickle: rows committed one by one, 20/s | {args.trickle} |",
        f"| commit → first attempt p50 (ms) | {p50:.0f} |",
        f"| **commit → first attempt p95 (ms)** | **{p95:.0f}** |",
        f"| commit → first attempt max (ms) | {worst:.0f} |",
        f"| attempts recorded (every one a 200) | {attempts:,} |",
        f"| the HTTP client alone, one process, no database (POSTs/s) | {ceiling:,.0f} |",
        f"| load average (1 min) when the workers started, on 2 cores | {load:.1f} |",
        "",
        "Each round a dispatcher asks which tenants have work (`pharos_delivery_work()`), fans new outbox rows "
        "out (one insert per batch), claims up to a batch of due deliveries with a lease (`FOR UPDATE SKIP "
        "LOCKED`, so the two workers split the burst), sends them concurrently over kept-alive connections, "
        "and records every attempt and verdict in one transaction. An idle dispatcher looks every 0.2 s "
        "(PHAROS_DELIVERY_POLL_SECONDS), which bounds the commit → first attempt time.",
    ]
    text_out = "\n".join(lines)
    print(text_out)
    if args.write:
        write_section(text_out, SECTION)


if __name__ == "__main__":
    main()
