"""A real SMTP server for tests (aiosmtpd's Controller, on 127.0.0.1 in a thread): every message it
accepts is kept in `received` (envelope sender, recipients, the parsed message)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, box: list[Mail], refuse: set[str]) -> None:
        self.box = box
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001 - aiosmtpd's hook
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001 - aiosmtpd's hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.box.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class LocalSmtpServer:
    """`with LocalSmtpServer() as smtp:` listens on `smtp.port`; `smtp.refuse` rejects addresses (550)."""

    def __init__(self) -> None:
        self.received: list[Mail] = []
        self.refuse: set[str] = set()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._controller = Controller(_Handler(self.received, self.refuse), hostname="127.0.0.1", port=self.port)

    def env(self) -> dict[str, str]:
        """The PHAROS_SMTP_* settings that send through this server."""
        return {
            "PHAROS_SMTP_HOST": "127.0.0.1",
            "PHAROS_SMTP_PORT": str(self.port),
            "PHAROS_SMTP_SECURITY": "none",
            "PHAROS_SMTP_FROM": "pharos@platform.test",
        }

    def __enter__(self) -> LocalSmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
