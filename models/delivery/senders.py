"""One attempt of one delivery: a signed webhook POST, or an e-mail over SMTP.

Neither raises for the receiver's sake: every outcome (an answer, a timeout, a refused address, an
SMTP error) becomes an `AttemptResult` the dispatcher records.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import httpcore
import httpx

from engine.delivery import schedule, signing
from models.core.settings import SmtpSettings
from models.delivery.transport import RESPONSE_BODY_LIMIT, AddressRefused

ERROR_LIMIT = 1000


@dataclass(frozen=True)
class AttemptResult:
    at: datetime
    latency_ms: int
    status: int | None = None
    error: str | None = None
    body: str = ""
    retry_after: float | None = None
    permanent: bool = False


def _elapsed_ms(start: float) -> int:
    return int((time.perf_counter() - start) * 1000)


async def send_webhook(
    client: httpx.AsyncClient, url: str, message_id: str, body: str, secrets: list[str], timeout: float
) -> AttemptResult:
    """POST `body` to `url` with the Standard Webhooks headers, signed by every secret in force;
    the whole attempt (connection, TLS, answer) is cut at `timeout` seconds."""
    at = datetime.now(UTC)
    start = time.perf_counter()
    headers = {
        **signing.headers(secrets, message_id, int(at.timestamp()), body),
        "user-agent": "PharOS-Webhooks/1",
    }
    try:
        response = await asyncio.wait_for(
            client.post(url, content=body.encode(), headers=headers, timeout=httpx.Timeout(timeout)), timeout
        )
    except AddressRefused as exc:
        return AttemptResult(at, _elapsed_ms(start), error=str(exc)[:ERROR_LIMIT])
    except (TimeoutError, httpx.TimeoutException, httpcore.TimeoutException):
        return AttemptResult(at, _elapsed_ms(start), error=f"no answer within {timeout:g} s")
    except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, httpcore.ConnectError, OSError) as exc:
        return AttemptResult(at, _elapsed_ms(start), error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
    text = response.content[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")
    retry_after = schedule.parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
    error = None if schedule.is_success(response.status_code) else schedule.failure_text(response.status_code, None)
    return AttemptResult(at, _elapsed_ms(start), response.status_code, error, text, retry_after)


@dataclass(frozen=True)
class Email:
    message_id: str
    to: str
    subject: str
    text: str
    from_name: str
    from_address: str
    reply_to: str = ""


def _message(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((email.from_name, email.from_address))
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    # stable across attempts and replays: a receiving system can drop a duplicate by it
    message["Message-ID"] = f"<{email.message_id}@pharos>"
    message["X-PharOS-Message-Id"] = email.message_id
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message.set_content(email.text)
    return message


def _smtp_send(settings: SmtpSettings, email: Email) -> tuple[int, str]:
    context = ssl.create_default_context()
    client = (
        smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds, context=context)
        if settings.security == "tls"
        else smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    )
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password)
        refused = client.send_message(_message(email))
        if refused:
            code, why = next(iter(refused.values()))
            raise smtplib.SMTPRecipientsRefused({email.to: (code, why)})
        code, answer = client.noop()
        return 250, answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


async def send_email(settings: SmtpSettings, email: Email) -> AttemptResult:
    """Send one e-mail through the configured SMTP server (in a thread). A 5xx refusal is permanent
    (no retry can fix a rejected address); a 4xx, a lost connection or a timeout is retried."""
    at = datetime.now(UTC)
    start = time.perf_counter()
    if not settings.host:
        return AttemptResult(at, 0, error="e-mail is not configured (PHAROS_SMTP_HOST is empty)", permanent=True)
    try:
        code, answer = await asyncio.to_thread(_smtp_send, settings, email)
    except smtplib.SMTPRecipientsRefused as exc:
        code, why = next(iter(exc.recipients.values()))
        text = why.decode(errors="replace") if isinstance(why, bytes) else str(why)
        return AttemptResult(at, _elapsed_ms(start), code, f"SMTP {code}: {text}"[:ERROR_LIMIT], permanent=code >= 500)
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return AttemptResult(
            at,
            _elapsed_ms(start),
            exc.smtp_code,
            f"SMTP {exc.smtp_code}: {text}"[:ERROR_LIMIT],
            permanent=exc.smtp_code >= 500,
        )
    except (smtplib.SMTPException, OSError) as exc:
        return AttemptResult(at, _elapsed_ms(start), error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
    return AttemptResult(at, _elapsed_ms(start), code, None, f"{code} {answer}"[:RESPONSE_BODY_LIMIT])
