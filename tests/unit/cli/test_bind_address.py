"""`pharos up` listens on this machine only unless asked (issue 17, item 9)."""

from __future__ import annotations

from app.cli.frontend import backend_command
from app.cli.main import build_parser


def _host_after_flag(command: list[str]) -> str:
    return command[command.index("--backend-host") + 1]


def test_up_binds_loopback_by_default(monkeypatch):
    monkeypatch.delenv("PHAROS_HOST", raising=False)
    assert build_parser().parse_args(["up"]).host == "127.0.0.1"
    assert _host_after_flag(backend_command(3000)) == "127.0.0.1"


def test_a_wider_bind_is_asked_for_explicitly(monkeypatch):
    monkeypatch.delenv("PHAROS_HOST", raising=False)
    args = build_parser().parse_args(["up", "--host", "0.0.0.0"])
    assert args.host == "0.0.0.0"
    assert _host_after_flag(backend_command(3000, host=args.host)) == "0.0.0.0"
    monkeypatch.setenv("PHAROS_HOST", "0.0.0.0")  # the Docker image's setting
    assert build_parser().parse_args(["up"]).host == "0.0.0.0"
