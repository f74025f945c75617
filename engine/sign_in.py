"""Single sign-on rules that need no I/O: why a sign-in was refused (one code, one sentence the login
page shows), which provider settings are acceptable, and which e-mail domains a tenant lets sign up.

The codes travel in `/login?error=<code>`; the page looks the sentence up here, so nothing the
provider or the URL says is ever shown as text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from engine.errors import ValidationFailed
from engine.rbac import Role

REFUSALS: dict[str, str] = {
    "bad_state": "This sign-in attempt expired or was already used. Start again from the sign-in page.",
    "unknown_provider": "This sign-in option is not available.",
    "provider_denied": "The identity provider did not approve the sign-in.",
    "provider_unreachable": "The identity provider could not be reached. Try again in a moment.",
    "invalid_token": "The identity provider's answer could not be verified, so you were not signed in.",
    "wrong_audience": "The identity provider's answer was meant for another application, so you were not signed in.",
    "expired_token": "The identity provider's answer had expired. Start again from the sign-in page.",
    "replayed": "This sign-in answer was already used. Start again from the sign-in page.",
    "unverified_email": "Your e-mail address is not verified at the identity provider. Verify it there, then "
    "try again.",
    "unknown_user": "There is no active account for this e-mail address here. Ask an administrator to invite you.",
}
GENERIC_REFUSAL = "Single sign-on failed. Try again, or sign in with your e-mail and password."

# Roles a domain sign-up may grant: never owner (the tenant's keys) nor vendor (needs an organization).
SIGN_UP_ROLES = tuple(r.value for r in Role if r not in (Role.OWNER, Role.VENDOR))
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOGIN_ROUTE = "/login"
TENANT_ROUTE = "/select-tenant"


def refusal_message(code: str) -> str:
    return REFUSALS.get(code, GENERIC_REFUSAL)


class SignInRefused(Exception):
    """A sign-in that must end on the login page with `code` (a key of REFUSALS)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code if code in REFUSALS else "invalid_token"
        self.detail = detail


def safe_next(path: str | None) -> str:
    """Only local paths may be a post-sign-in destination (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if path.startswith((LOGIN_ROUTE, TENANT_ROUTE)):
        return "/"
    return path


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].casefold() if "@" in email else ""


def domain_allowed(email: str, allowed: tuple[str, ...] | list[str]) -> bool:
    """Exact domain match only: `example.com` does not let `evil-example.com` or `a.example.com` in."""
    domain = email_domain(email)
    return bool(domain) and domain in {d.casefold() for d in allowed}


def clean_issuer(raw: str, *, field: str = "issuer") -> str:
    """An issuer URL: https, or http only on this machine (a local test provider); no query or fragment."""
    issuer = raw.strip().rstrip("/")
    parts = urlsplit(issuer)
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not local):
        raise ValidationFailed(
            f"{field} must be an https URL (http only for localhost)", fields={field: "not an https URL"}
        )
    if parts.query or parts.fragment:
        raise ValidationFailed(f"{field} must not carry a query or fragment", fields={field: "query or fragment"})
    return issuer


def clean_domains(raw: list[str] | tuple[str, ...], *, field: str = "allowed_domains") -> list[str]:
    domains = sorted({d.strip().casefold() for d in raw if d.strip()})
    bad = [d for d in domains if not DOMAIN_RE.match(d)]
    if bad:
        raise ValidationFailed(f"not a domain name: {', '.join(bad)}", fields={field: "not a domain name"})
    return domains


def clean_sign_up_role(raw: str, *, field: str = "default_role") -> str:
    if raw not in SIGN_UP_ROLES:
        raise ValidationFailed(
            f"{field} must be one of {', '.join(SIGN_UP_ROLES)}", fields={field: "not a role sign-up may grant"}
        )
    return raw
