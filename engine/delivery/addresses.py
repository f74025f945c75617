"""The SSRF guard's rules: which receiver URLs and which resolved addresses a webhook may reach.

- URLs: `https://` only (plain `http://` only when private addresses are allowed, for a receiver on
  the developer's own machine), a host, no user:password part, at most 2,000 characters.
- Addresses, checked at connect time on every address the name resolves to (so a name that points
  inwards is refused however it is spelled): loopback, private (RFC 1918, unique-local), link-local,
  carrier-grade NAT, multicast, reserved, unspecified and the cloud metadata addresses are refused
  unless `allow_private` (PHAROS_WEBHOOK_ALLOW_PRIVATE=1: tests and local development). The
  metadata addresses are refused even then: no receiver lives there.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from engine.errors import ValidationFailed

MAX_URL_LENGTH = 2000
METADATA = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def refusal(address: str, *, allow_private: bool) -> str | None:
    """Why a connection to `address` (an IP literal) is refused, or None when it is allowed."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return f"{ip} is a cloud metadata address"
    if allow_private:
        return None
    kinds = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
    )
    for kind, hit in kinds:
        if hit:
            return f"{ip} is a {kind} address (PHAROS_WEBHOOK_ALLOW_PRIVATE=1 allows private receivers in development)"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def clean_url(raw: object, *, allow_private: bool, field: str = "url") -> str:
    """A receiver URL as stored, or ValidationFailed naming `field`. A literal address is checked
    here too; names are checked when they are resolved, at every connection."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed("give the receiver's URL", fields={field: "required"})
    url = raw.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(f"the URL is longer than {MAX_URL_LENGTH} characters", fields={field: "too long"})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationFailed("not a URL like https://hooks.example.com/pharos", fields={field: "invalid"}) from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise ValidationFailed(
            "webhook receivers must use https://", fields={field: "https only" if not allow_private else "invalid"}
        )
    if not parts.hostname:
        raise ValidationFailed("the URL names no host", fields={field: "no host"})
    if parts.username is not None or parts.password is not None:
        raise ValidationFailed("put no user or password in the URL", fields={field: "credentials in URL"})
    if parts.fragment:
        raise ValidationFailed("the URL must not have a #fragment", fields={field: "fragment"})
    if port == 0:
        raise ValidationFailed("port 0 is not a port", fields={field: "invalid port"})
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return url
    why = refusal(host, allow_private=allow_private)
    if why:
        raise ValidationFailed(f"receiver refused: {why}", fields={field: "address refused"})
    return url
