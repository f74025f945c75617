"""The SSRF guard: an httpx transport whose connections are checked after DNS resolution.

httpx sends through httpcore's connection pool, which asks its network backend for every TCP
connection. `GuardedBackend` resolves the host itself (or takes PHAROS_WEBHOOK_RESOLVE's pinned
addresses), refuses the connection when any address is loopback, private, link-local, metadata, …
(engine.delivery.addresses) and connects to the very address it checked — so a name cannot resolve
to a public address for the check and a private one for the connection. TLS still verifies the
certificate against the host name (httpcore passes it as the server name). Redirects are never
followed (a 3xx is a failed attempt), so an answer cannot send us inward either; proxies from the
environment are ignored.

Two costs of httpcore that grow with the load are kept down here (docs/benchmarks.md, "Webhook
delivery"): its pool scans every connection of the pool, each with a readability poll, each time a
request starts or ends — so the connections are split over small pools (POOL_SIZE each, requests
handed out in turn); and it asks `sniffio` for every lock it makes, which is why sniffio is a pinned
dependency (without it, every failed `import sniffio` searched sys.path again).
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import math
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from engine.delivery.addresses import refusal

RESPONSE_BODY_LIMIT = 1024  # bytes of a receiver's answer kept for the delivery log
POOL_SIZE = 10  # connections per httpcore pool (its bookkeeping scans a whole pool per request)


class AddressRefused(httpcore.ConnectError):
    """The receiver's address is one a webhook may not reach."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, *, allow_private: bool, pinned: dict[str, tuple[str, ...]] | None = None) -> None:
        self.allow_private = allow_private
        self.pinned = {k.lower(): v for k, v in (pinned or {}).items()}
        self._inner: httpcore.AsyncNetworkBackend = httpcore.AnyIOBackend()  # pyright: ignore[reportAttributeAccessIssue]

    async def resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        """The addresses `host` stands for: pinned, a literal, or DNS (every A/AAAA answer)."""
        name = host.strip("[]").lower()
        if name in self.pinned:
            return list(self.pinned[name])
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
            return [name]
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(name, port, type=socket.SOCK_STREAM), timeout)
        except (TimeoutError, OSError) as exc:
            raise httpcore.ConnectError(f"{host}: the name does not resolve ({exc})") from exc
        found: list[str] = []
        for info in infos:
            address = str(info[4][0])
            if address not in found:
                found.append(address)
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolve(host, port, timeout)
        if not addresses:
            raise httpcore.ConnectError(f"{host}: the name resolves to no address")
        for address in addresses:
            why = refusal(address, allow_private=self.allow_private)
            if why:
                raise AddressRefused(f"refused {host}: {why}")
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("webhooks never connect to a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """httpx transport over a pool whose every connection goes through `GuardedBackend`; an answer's
    body is read up to RESPONSE_BODY_LIMIT bytes (the rest is dropped with the connection)."""

    def __init__(
        self,
        *,
        allow_private: bool,
        pinned: dict[str, tuple[str, ...]] | None = None,
        max_connections: int = 100,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.backend = GuardedBackend(allow_private=allow_private, pinned=pinned)
        context = ssl_context or ssl.create_default_context()
        count = max(1, math.ceil(max_connections / POOL_SIZE))
        size = max(1, math.ceil(max_connections / count))
        self._pools = [
            httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_connections=size,
                max_keepalive_connections=size,
                keepalive_expiry=30.0,
                network_backend=self.backend,
            )
            for _ in range(count)
        ]
        self._turn = itertools.cycle(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = await next(self._turn).handle_async_request(core_request)
        kept = bytearray()
        try:
            stream: Any = response.stream
            async for chunk in stream:
                kept += chunk
                if len(kept) >= RESPONSE_BODY_LIMIT:
                    break
        finally:
            await response.aclose()
        return httpx.Response(
            status_code=response.status, headers=response.headers, content=bytes(kept[:RESPONSE_BODY_LIMIT])
        )

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


def guarded_client(
    *, allow_private: bool, pinned: dict[str, tuple[str, ...]] | None, max_connections: int
) -> httpx.AsyncClient:
    """The dispatcher's client: guarded connections, no redirects, no proxies from the environment."""
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private=allow_private, pinned=pinned, max_connections=max_connections),
        follow_redirects=False,
        trust_env=False,
    )
