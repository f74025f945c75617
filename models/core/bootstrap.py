"""Bring a database to the current schema: app role first, then Alembic migrations as owner."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text

from models.core.rls import ensure_role_sql
from models.core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(owner_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["owner_url"] = owner_url
    return config


def ensure_app_role(owner_url: str, password: str) -> None:
    engine = create_engine(owner_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text(ensure_role_sql(password)))
    finally:
        engine.dispose()


def migrate() -> None:
    settings = get_settings()
    ensure_app_role(settings.sqlalchemy_owner_url, settings.app_role_password)
    command.upgrade(alembic_config(settings.sqlalchemy_owner_url), "head")


def current_revision() -> str | None:
    engine = create_engine(get_settings().sqlalchemy_owner_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("select to_regclass('public.alembic_version')")).scalar()
            if not exists:
                return None
            return conn.execute(text("select version_num from alembic_version")).scalar()
    finally:
        engine.dispose()
