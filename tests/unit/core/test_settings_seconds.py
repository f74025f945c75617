"""Timeouts and back-off delays are read as positive seconds; a bad value stops start-up with
a message naming the variable (not a bare ValueError, and never a zero that disables a timeout)."""

from __future__ import annotations

import pytest

from models.core.settings import get_settings, reset_settings_cache


@pytest.fixture(autouse=True)
def fresh_settings():
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_defaults_and_overrides(monkeypatch):
    for name in (
        "PHAROS_REDIS_TIMEOUT_SECONDS",
        "PHAROS_WORKER_HEARTBEAT_SECONDS",
        "PHAROS_RESTART_BACKOFF_MAX_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PHAROS_REDIS_CONNECT_TIMEOUT_SECONDS", "0.25")
    settings = get_settings()
    assert (settings.redis_timeout_seconds, settings.redis_connect_timeout_seconds) == (1.0, 0.25)
    assert (settings.worker_heartbeat_seconds, settings.restart_backoff_max_seconds) == (5.0, 30.0)


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "nan"])
def test_a_bad_value_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("PHAROS_REDIS_TIMEOUT_SECONDS", raw)
    with pytest.raises(RuntimeError, match=r"^PHAROS_REDIS_TIMEOUT_SECONDS must be"):
        get_settings()
