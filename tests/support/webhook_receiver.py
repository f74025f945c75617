"""A real, scripted webhook receiver for tests: a Starlette app served by uvicorn on 127.0.0.1 in a
thread (like tests/support/oidc_provider.py).

`receiver.script("/hook", [500, "timeout", 302, (429, {"retry-after": "3600"}), 410, 200])` sets the
answers of the next requests to that path, in order (then 200 for ever); every request is kept in
`receiver.requests` (path, headers, body, when). "timeout" holds the answer back for `hang_seconds`
(longer than the dispatcher's timeout, set by the test); 302 redirects to `inner_url` (a second
receiver's address), which a correct dispatcher never follows.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Answer = int | str | tuple[int, dict[str, str]]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class ScriptedReceiver:
    def __init__(self, *, hang_seconds: float = 3.0) -> None:
        self.hang_seconds = hang_seconds
        self.requests: list[Received] = []
        self.inner_url = ""
        self._scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self._lock = threading.Lock()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST", "GET"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", backlog=2048)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, answers: list[Answer]) -> None:
        with self._lock:
            self._scripts[path] = deque(answers)

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> ScriptedReceiver:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the test webhook receiver did not start"
            assert self._thread.is_alive(), "the test webhook receiver stopped while starting"
            time.sleep(0.01)  # polling for readiness, not evidence of anything
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        with self._lock:
            self.requests.append(Received(path, {k.lower(): v for k, v in request.headers.items()}, body, time.time()))
            script = self._scripts.get(path)
            answer: Answer = script.popleft() if script else 200
        headers: dict[str, str] = {}
        if isinstance(answer, tuple):
            answer, headers = answer
        if answer == "timeout":
            await asyncio.sleep(self.hang_seconds)
            return Response("late", status_code=200)
        assert isinstance(answer, int)
        if 300 <= answer < 400:
            headers = {"location": self.inner_url or "http://127.0.0.1:9/", **headers}
        text: Any = "ok" if answer < 300 else f"scripted {answer}"
        return Response(text, status_code=answer, headers=headers)
