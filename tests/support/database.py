"""Test services: a real PostgreSQL and a real Redis for every test session.

DATABASE_URL / REDIS_URL name servers to use; without them the embedded servers start. Each
pytest session gets its own freshly migrated database (and its own Redis database number).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

from app.cli.embedded import EmbeddedServices, start_postgres, start_redis

TEST_DATA_DIR = Path(os.environ.get("PHAROS_TEST_DATA_DIR", "/tmp/pharos-test-services"))


def prepare_services() -> tuple[EmbeddedServices, str]:
    """Return the embedded services handle and the server URL the test database lives on.

    The embedded PostgreSQL is shared by parallel test sessions (each gets its own database);
    the embedded Redis is per session (its own socket), so sessions never flush each other.
    """
    services = EmbeddedServices()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(TEST_DATA_DIR, services)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(TEST_DATA_DIR / f"session-{os.getpid()}", services)
    return services, os.environ["DATABASE_URL"]


def create_test_database(server_url: str) -> str:
    """Create an empty database named for this run on the given server; return its URL."""
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"pharos_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for (stale,) in conn.execute(
            text("select datname from pg_database where datname like 'pharos_test_%' and datname <> :n"), {"n": name}
        ).all():
            if not _owner_alive(stale):  # leftovers of crashed runs; never touch a live parallel run
                conn.execute(text(f'drop database if exists "{stale}" with (force)'))
        conn.execute(text(f'create database "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _owner_alive(database: str) -> bool:
    try:
        pid = int(database.split("_")[2])
    except (IndexError, ValueError):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_test_database(db_url: str) -> None:
    url = make_url(db_url)
    admin = create_engine(url.set(database="postgres"), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{url.database}" with (force)'))
    admin.dispose()


def redis_test_url(url: str) -> str:
    """Use Redis database 13 (or PHAROS_TEST_REDIS_DB, so parallel local sessions do not flush each
    other) for tests, so a developer's data in db 0 is never flushed."""
    db = int(os.environ.get("PHAROS_TEST_REDIS_DB", "13"))
    if url.startswith("unix://"):
        return url.split("?")[0] + f"?db={db}"
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return f"{base}/{db}"
