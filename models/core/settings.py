"""Process configuration, read once from the environment.

DATABASE_URL is the owner/superuser URL used by migrations and the CLI; the application itself
connects as the unprivileged role `pharos_app` (APP_DATABASE_URL, or DATABASE_URL with that user
swapped in). REDIS_URL carries sessions, rate limits, progress events and the arq queue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy.engine import make_url

APP_ROLE = "pharos_app"


@dataclass(frozen=True)
class EnvOidc:
    """The single sign-on provider configured by environment (PHAROS_OIDC_*); it signs people into
    one tenant (`tenant`, a slug). Tenants can add their own providers (models.core.sign_in_settings)."""

    issuer: str
    client_id: str
    client_secret: str
    name: str
    tenant: str
    allowed_domains: tuple[str, ...] = ()
    default_role: str = "viewer"


@dataclass(frozen=True)
class Settings:
    database_url: str
    app_database_url: str
    redis_url: str
    data_dir: str
    session_ttl_seconds: int
    app_role_password: str
    login_failures_per_minute: int
    # Every Redis call gives up after this long (a frozen Redis must not hang requests).
    redis_timeout_seconds: float = 1.0
    redis_connect_timeout_seconds: float = 1.0
    # Workers write a heartbeat this often; health calls a worker missing after 3 missed beats.
    worker_heartbeat_seconds: float = 5.0
    # `pharos up` restarts a dead child after this delay, doubling per quick crash up to the cap.
    restart_backoff_seconds: float = 0.5
    restart_backoff_max_seconds: float = 30.0
    # `limits` notation, e.g. "20/minute;100/hour": failed logins from one IP, any e-mail
    login_ip_limit: str = "20/minute;100/hour"
    # origins besides the app's own that may call the API and open the websocket (browsers)
    allowed_origins: tuple[str, ...] = ()
    # proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs)
    trusted_proxies: tuple[str, ...] = ()
    # empty: /metrics answers 404; set: it needs `Authorization: Bearer <token>`
    metrics_token: str = ""
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 250 * 1024 * 1024
    # `limits` notation: writes (REST and page handlers) per user, and per tenant for all its users
    write_limit_user: str = "120/minute"
    write_limit_tenant: str = "600/minute"
    oidc: EnvOidc | None = None

    @property
    def sqlalchemy_owner_url(self) -> str:
        return to_sqlalchemy_url(self.database_url)

    @property
    def sqlalchemy_app_url(self) -> str:
        return to_sqlalchemy_url(self.app_database_url)


def parse_list(raw: str) -> tuple[str, ...]:
    """A comma-separated setting as a tuple of its non-empty, trimmed items."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def parse_origins(raw: str) -> tuple[str, ...]:
    """PHAROS_ALLOWED_ORIGINS as exact origins (`scheme://host[:port]`, no path, no wildcard)."""
    origins = []
    for item in parse_list(raw):
        origin = item.rstrip("/").lower()
        if origin == "*" or "://" not in origin or "/" in origin.split("://", 1)[1]:
            raise RuntimeError(f"PHAROS_ALLOWED_ORIGINS: '{item}' is not an origin like https://app.example.com")
        origins.append(origin)
    return tuple(origins)


def _rate_limits(name: str, raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name}: '{raw}' is not a rate like '20/minute;100/hour'") from exc
    return raw


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name}: '{raw}' is not a whole number") from exc
    if value < 1:
        raise RuntimeError(f"{name} must be at least 1")
    return value


def to_sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver whatever scheme the URL was given with."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def app_url_from_owner_url(owner_url: str, password: str) -> str:
    parsed = make_url(owner_url)
    return parsed.set(username=APP_ROLE, password=password or None).render_as_string(hide_password=False)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        raise RuntimeError(
            "DATABASE_URL is not set. Run `pharos up` (it starts an embedded PostgreSQL) "
            "or export DATABASE_URL=postgresql://owner@host:5432/db"
        )
    app_password = os.environ.get("PHAROS_APP_DB_PASSWORD", "pharos_app")
    return Settings(
        database_url=database_url,
        app_database_url=os.environ.get("APP_DATABASE_URL") or app_url_from_owner_url(database_url, app_password),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        data_dir=os.environ.get("PHAROS_DATA_DIR", ".pharos"),
        session_ttl_seconds=int(os.environ.get("PHAROS_SESSION_TTL", "43200")),
        app_role_password=app_password,
        login_failures_per_minute=int(os.environ.get("PHAROS_LOGIN_FAILURES_PER_MINUTE", "10")),
        redis_timeout_seconds=_seconds("PHAROS_REDIS_TIMEOUT_SECONDS", 1.0),
        redis_connect_timeout_seconds=_seconds("PHAROS_REDIS_CONNECT_TIMEOUT_SECONDS", 1.0),
        worker_heartbeat_seconds=_seconds("PHAROS_WORKER_HEARTBEAT_SECONDS", 5),
        restart_backoff_seconds=_seconds("PHAROS_RESTART_BACKOFF_SECONDS", 0.5),
        restart_backoff_max_seconds=_seconds("PHAROS_RESTART_BACKOFF_MAX_SECONDS", 30),
        login_ip_limit=_rate_limits(
            "PHAROS_LOGIN_IP_LIMIT", os.environ.get("PHAROS_LOGIN_IP_LIMIT", "20/minute;100/hour")
        ),
        allowed_origins=parse_origins(os.environ.get("PHAROS_ALLOWED_ORIGINS", "")),
        trusted_proxies=parse_list(os.environ.get("PHAROS_TRUSTED_PROXIES", "")),
        metrics_token=os.environ.get("PHAROS_METRICS_TOKEN", ""),
        max_body_bytes=_positive_int("PHAROS_MAX_BODY_BYTES", os.environ.get("PHAROS_MAX_BODY_BYTES", "1048576")),
        max_upload_bytes=_positive_int(
            "PHAROS_MAX_UPLOAD_BYTES", os.environ.get("PHAROS_MAX_UPLOAD_BYTES", "262144000")
        ),
        write_limit_user=_rate_limits(
            "PHAROS_WRITE_LIMIT_USER", os.environ.get("PHAROS_WRITE_LIMIT_USER", "120/minute")
        ),
        write_limit_tenant=_rate_limits(
            "PHAROS_WRITE_LIMIT_TENANT", os.environ.get("PHAROS_WRITE_LIMIT_TENANT", "600/minute")
        ),
        oidc=_env_oidc(),
    )


def _env_oidc() -> EnvOidc | None:
    """PHAROS_OIDC_ISSUER turns the environment's provider on; the rest must then be right."""
    from engine.errors import ValidationFailed
    from engine.sign_in import clean_domains, clean_issuer, clean_sign_up_role

    issuer = os.environ.get("PHAROS_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    client_id = os.environ.get("PHAROS_OIDC_CLIENT_ID", "").strip()
    tenant = os.environ.get("PHAROS_OIDC_TENANT", "").strip()
    if not client_id or not tenant:
        raise RuntimeError("PHAROS_OIDC_ISSUER is set, so PHAROS_OIDC_CLIENT_ID and PHAROS_OIDC_TENANT must be set too")
    domains = parse_list(os.environ.get("PHAROS_OIDC_ALLOWED_DOMAINS", ""))
    try:
        return EnvOidc(
            issuer=clean_issuer(issuer, field="PHAROS_OIDC_ISSUER"),
            client_id=client_id,
            client_secret=os.environ.get("PHAROS_OIDC_CLIENT_SECRET", ""),
            name=os.environ.get("PHAROS_OIDC_NAME", "").strip() or "single sign-on",
            tenant=tenant,
            allowed_domains=tuple(clean_domains(domains, field="PHAROS_OIDC_ALLOWED_DOMAINS")),
            default_role=clean_sign_up_role(
                os.environ.get("PHAROS_OIDC_DEFAULT_ROLE", "viewer").strip(), field="PHAROS_OIDC_DEFAULT_ROLE"
            ),
        )
    except ValidationFailed as exc:
        raise RuntimeError(exc.message) from exc


def _seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment; a bad value names the variable."""
    raw = os.environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not value > 0:
        raise RuntimeError(f"{name} must be more than 0 seconds, not {raw!r}")
    return value


@dataclass(frozen=True)
class JobSettings:
    """The job path's knobs. `chunk_size` None: each job kind's own (JobKind.chunk_size)."""

    queue_name: str
    lease_seconds: float
    chunk_size: int | None
    sweep_seconds: float
    timeout_seconds: float
    # kind modules a worker loads besides the registered modules' own (a deployment's own kinds;
    # the tests' "sample" kind)
    extra_kind_modules: tuple[str, ...] = ()
    # the workers' cron runs the modules' schedules (models/jobs/schedules.py); the test suite turns
    # it off (PHAROS_JOB_SCHEDULES=off) so a worker never queues work for tenants other tests build
    schedules_on: bool = True


def job_settings() -> JobSettings:
    """Read on each call, not cached like `get_settings()`: a test run or benchmark switches the
    queue name (PHAROS_QUEUE_NAME) inside a running process, and the kill tests give their worker
    a short lease. Five environment reads cost nothing next to a chunk's transaction."""
    chunk = os.environ.get("PHAROS_JOB_CHUNK_SIZE", "")
    return JobSettings(
        queue_name=os.environ.get("PHAROS_QUEUE_NAME", "pharos:queue"),
        lease_seconds=_seconds("PHAROS_JOB_LEASE_SECONDS", 15),
        chunk_size=int(chunk) if chunk.strip() else None,
        sweep_seconds=float(os.environ.get("PHAROS_JOB_SWEEP_SECONDS", "30")),
        timeout_seconds=float(os.environ.get("PHAROS_JOB_TIMEOUT_SECONDS", "3600")),
        extra_kind_modules=tuple(
            m.strip() for m in os.environ.get("PHAROS_WORKER_KIND_MODULES", "").split(",") if m.strip()
        ),
        schedules_on=os.environ.get("PHAROS_JOB_SCHEDULES", "on").strip().lower() not in ("off", "0", "false"),
    )


def invitation_ttl() -> timedelta:
    """How long an invitation link stays valid (PHAROS_INVITATION_TTL_SECONDS, default 7 days).
    Read on each call, like job_settings: a test gives its own invitations a short life."""
    return timedelta(seconds=_seconds("PHAROS_INVITATION_TTL_SECONDS", 7 * 24 * 3600))


def reset_settings_cache() -> None:
    get_settings.cache_clear()


def _flag(raw: str) -> bool:
    return raw.strip().lower() in ("1", "on", "true", "yes")


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP server e-mail goes through (PHAROS_SMTP_*); `host` empty: e-mail is off, and every
    e-mail delivery fails at once with a message saying so (the delivery log shows it)."""

    host: str
    port: int
    username: str
    password: str
    security: str  # starttls | tls | none
    from_address: str
    from_name: str
    timeout_seconds: float


@dataclass(frozen=True)
class DeliverySettings:
    """The dispatcher's knobs (docs/delivery.md)."""

    allow_private: bool
    timeout_seconds: float
    # host → addresses the receiver's name resolves to instead of asking DNS (curl's --resolve)
    resolve: dict[str, tuple[str, ...]]
    poll_seconds: float
    lease_seconds: float
    batch: int
    concurrency: int
    dispatcher_on: bool
    public_url: str
    smtp: SmtpSettings


def parse_resolve(raw: str) -> dict[str, tuple[str, ...]]:
    """PHAROS_WEBHOOK_RESOLVE: `host=addr[,addr];host2=addr` → {host: (addr, …)}."""
    import ipaddress

    pinned: dict[str, tuple[str, ...]] = {}
    for entry in (e.strip() for e in raw.split(";")):
        if not entry:
            continue
        host, sep, addrs = entry.partition("=")
        found = tuple(a.strip() for a in addrs.split(",") if a.strip())
        if not sep or not host.strip() or not found:
            raise RuntimeError(f"PHAROS_WEBHOOK_RESOLVE: '{entry}' is not like 'hooks.example.com=203.0.113.7'")
        for address in found:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise RuntimeError(f"PHAROS_WEBHOOK_RESOLVE: '{address}' is not an IP address") from None
        pinned[host.strip().lower()] = found
    return pinned


def delivery_settings() -> DeliverySettings:
    """Read on each call, like job_settings: a test switches a knob for one dispatcher run."""
    smtp_security = os.environ.get("PHAROS_SMTP_SECURITY", "starttls").strip().lower()
    if smtp_security not in ("starttls", "tls", "none"):
        raise RuntimeError(f"PHAROS_SMTP_SECURITY must be starttls, tls or none, not {smtp_security!r}")
    port = os.environ.get("PHAROS_PORT", "3000")
    return DeliverySettings(
        allow_private=_flag(os.environ.get("PHAROS_WEBHOOK_ALLOW_PRIVATE", "0")),
        timeout_seconds=_seconds("PHAROS_WEBHOOK_TIMEOUT_SECONDS", 15),
        resolve=parse_resolve(os.environ.get("PHAROS_WEBHOOK_RESOLVE", "")),
        poll_seconds=_seconds("PHAROS_DELIVERY_POLL_SECONDS", 0.2),
        lease_seconds=_seconds("PHAROS_DELIVERY_LEASE_SECONDS", 60),
        batch=_positive_int("PHAROS_DELIVERY_BATCH", os.environ.get("PHAROS_DELIVERY_BATCH", "200")),
        concurrency=_positive_int("PHAROS_DELIVERY_CONCURRENCY", os.environ.get("PHAROS_DELIVERY_CONCURRENCY", "64")),
        dispatcher_on=_flag(os.environ.get("PHAROS_DELIVERY", "on")),
        public_url=(os.environ.get("PHAROS_PUBLIC_URL", "") or f"http://localhost:{port}").rstrip("/"),
        smtp=SmtpSettings(
            host=os.environ.get("PHAROS_SMTP_HOST", "").strip(),
            port=_positive_int("PHAROS_SMTP_PORT", os.environ.get("PHAROS_SMTP_PORT", "587")),
            username=os.environ.get("PHAROS_SMTP_USERNAME", ""),
            password=os.environ.get("PHAROS_SMTP_PASSWORD", ""),
            security=smtp_security,
            from_address=os.environ.get("PHAROS_SMTP_FROM", "pharos@localhost").strip(),
            from_name=os.environ.get("PHAROS_SMTP_FROM_NAME", "PharOS").strip(),
            timeout_seconds=_seconds("PHAROS_SMTP_TIMEOUT_SECONDS", 15),
        ),
    )


def secret_key_setting() -> tuple[str, str]:
    """(PHAROS_SECRET_KEY, PHAROS_DATA_DIR): the key that encrypts stored secrets, or the data dir
    whose `secret.key` holds one (made on first use)."""
    return os.environ.get("PHAROS_SECRET_KEY", ""), os.environ.get("PHAROS_DATA_DIR", ".pharos")
