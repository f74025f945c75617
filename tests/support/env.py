"""Run part of a test under other settings: environment variables set, the settings cache reset,
and both restored afterwards (the product reads its settings from the environment only)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def settings_env() -> Iterator[Callable[..., None]]:
    """`with settings_env() as configure: configure(PHAROS_X="1")`."""
    from models.core.settings import reset_settings_cache

    saved: dict[str, str | None] = {}

    def configure(**env: str) -> None:
        for name, value in env.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        reset_settings_cache()

    try:
        yield configure
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings_cache()


@contextmanager
def script_write_budgets() -> Iterator[None]:
    """A script's write budgets (docs/security.md): for tests that send hundreds of writes a minute
    as one user on purpose (the API probe, the start/cancel race)."""
    with settings_env() as configure:
        configure(PHAROS_WRITE_LIMIT_USER="100000/minute", PHAROS_WRITE_LIMIT_TENANT="100000/minute")
        yield
