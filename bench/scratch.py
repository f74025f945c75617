"""What every benchmark shares: a scratch database and Redis database of its own (created, migrated,
seeded by the caller, dropped at the end), the demo tenant's context, a percentile, and writing its
own section of docs/benchmarks.md."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
REDIS_DB = 12
PASSWORD = "pharos-demo"


def _admin(server_url: str):
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    return url, create_engine(url.set(database="postgres"), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")


def create_scratch_db(server_url: str) -> str:
    url, admin = _admin(server_url)
    name = f"pharos_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_scratch_db(db_url: str) -> None:
    url, admin = _admin(db_url)
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{url.database}" with (force)'))
    admin.dispose()


def redis_url(base: str, db: int) -> str:
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{base}/{db}"


def scratch_services(redis_db: int = REDIS_DB) -> tuple[str, str]:
    """A scratch database on DATABASE_URL's server, Redis database `redis_db` and a queue of its
    own, all made the process's services: (database URL, queue name)."""
    server, redis_base = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not server or not redis_base:
        raise SystemExit("set DATABASE_URL and REDIS_URL (servers to create the scratch database on)")
    db_url = create_scratch_db(server)
    queue = f"pharos:bench:{uuid.uuid4().hex[:8]}"
    use_services(db_url, redis_url(redis_base, redis_db), queue)
    return db_url, queue


def use_services(db_url: str, redis: str, queue: str) -> None:
    os.environ.update(DATABASE_URL=db_url, REDIS_URL=redis, PHAROS_QUEUE_NAME=queue)
    from models.core.db import dispose_engines
    from models.core.redis_client import reset_redis_clients
    from models.core.settings import reset_settings_cache

    reset_settings_cache()
    dispose_engines()
    reset_redis_clients()


def demo_ctx():
    from engine.context import TenantContext
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def write_section(section: str, title: str) -> None:
    """Put `section` into docs/benchmarks.md under its `title` (that section only)."""
    doc = DOC.read_text()
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(doc)
    DOC.write_text(pattern.sub(lambda _: section + "\n", doc) if found else doc.rstrip("\n") + "\n\n" + section)
