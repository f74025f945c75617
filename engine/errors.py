"""Domain errors. Each maps to one HTTP status and one error code in the API error contract."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a user can act on. `fields` names the offending inputs."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class NotFound(DomainError):
    """Also raised for rows of another tenant: their existence must not be revealed."""

    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class Conflict(DomainError):
    code = "conflict"
    status = 409


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleStatus(Conflict):
    """The decision was taken on a status the entity no longer has (another decision came first)."""

    code = "stale_status"


class RateLimited(DomainError):
    """`retry_after`: seconds until a retry can succeed (the API sends it as Retry-After)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int, fields: dict[str, str] | None = None):
        super().__init__(message, fields=fields)
        self.retry_after = max(1, int(retry_after))


class TooLarge(DomainError):
    """More bytes than the limit (or than the upload announced)."""

    code = "payload_too_large"
    status = 413


class Unavailable(DomainError):
    """A service the answer needs (Redis) did not answer in time; nothing was done."""

    code = "unavailable"
    status = 503
