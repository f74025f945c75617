"""Uploads over real sockets (uvicorn in a subprocess): a client that hangs up mid-PATCH keeps the
bytes it sent and continues from HEAD's offset; 250 MiB + 1 byte is refused with 413 with and without
Content-Length, and nothing is left behind. Bodies are generated on the fly, never held whole."""

from __future__ import annotations

import hashlib
import os
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.uploads.conftest import TARGET, stored_files
from tests.support.effects import rows
from tests.support.live_api import running_api

MIB = 1024 * 1024
LIMIT = 250 * MIB
BOUNDARY = "pharos-test-boundary-7f3a"
WAIT = 60  # seconds: an upper bound on waiting for the server, never a timing assertion


@pytest.fixture(scope="module")
def live(data_dir, tmp_path_factory):
    with running_api(tmp_path_factory.mktemp("live") / "api.log") as server:
        yield server


def auth(client) -> dict[str, str]:
    return {"Authorization": client.headers["Authorization"]}


def zeros(size: int, chunk: int = MIB) -> Iterator[bytes]:
    block = b"\0" * chunk
    while size > 0:
        yield block[: min(chunk, size)]
        size -= chunk


def multipart(size: int) -> tuple[bytes, Iterator[bytes], bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="target"\r\n\r\n{TARGET}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head, zeros(size), f"\r\n--{BOUNDARY}--\r\n".encode()


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_status(sock: socket.socket) -> int:
    """The status code of the answer on `sock` (reads its first line)."""
    data = b""
    sock.settimeout(WAIT)
    while b"\r\n" not in data:
        part = sock.recv(4096)
        if not part:
            break
        data += part
    return int(data.split(b" ", 2)[1])


def wait_until(check, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def test_a_client_that_hangs_up_mid_patch_continues_from_the_offset(live, clients):
    data = os.urandom(3 * MIB + 4321)
    sent = MIB + 777
    headers = auth(clients["ops"])
    res = httpx.post(
        f"{live.base}/api/v1/uploads",
        json={"target": TARGET, "filename": "resume.csv"},
        headers={**headers, "Upload-Length": str(len(data))},
    )
    assert res.status_code == 201, res.text
    upload_id = res.json()["upload_id"]
    path = f"/api/v1/uploads/{upload_id}"
    patch_headers = {
        **headers,
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(len(data)),
    }
    with socket.create_connection((live.host, live.port)) as sock:
        sock.sendall(request_head("PATCH", path, patch_headers) + data[:sent])
    # the connection is gone; the server keeps what arrived, and HEAD says where to continue
    wait_until(
        lambda: httpx.head(live.base + path, headers=headers).headers.get("Upload-Offset") == str(sent),
        "the offset of the bytes sent",
    )

    def resume():
        res = httpx.patch(
            live.base + path,
            content=data[sent:],
            headers={**headers, "Upload-Offset": str(sent), "Content-Type": "application/offset+octet-stream"},
        )
        busy = res.status_code == 409 and res.json()["error"]["fields"] == {"Upload-Offset": "busy"}
        return None if busy else res  # the hung-up request may still hold the upload's lock

    res = wait_until(resume, "the upload's lock")
    assert res.status_code == 200, res.text
    assert res.json() == {"upload_id": upload_id, "status": "stored", "received": len(data)}
    detail = httpx.get(live.base + path, headers=headers).json()
    assert (detail["received"], detail["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def kept(data_dir, tenant) -> tuple[list, int]:
    """What uploads left behind: the files in storage and the tenant's upload rows."""
    return stored_files(data_dir), rows(tenant.ctx(), "uploads")


def form_headers(client, **extra: str) -> dict[str, str]:
    return {**auth(client), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **extra}


def test_over_the_limit_with_content_length_is_refused_before_reading(live, clients, data_dir):
    tenant = clients["tenant"]
    before = kept(data_dir, tenant)
    head, _, tail = multipart(LIMIT + 1)
    headers = form_headers(clients["ops"], **{"Content-Length": str(len(head) + LIMIT + 1 + len(tail))})
    with socket.create_connection((live.host, live.port)) as sock:
        sock.sendall(request_head("POST", "/api/v1/uploads", headers) + head)
        assert read_status(sock) == 413  # answered before any file byte was sent
    assert kept(data_dir, tenant) == before


def test_over_the_limit_without_content_length_is_refused_on_the_bytes_and_removed(live, clients, data_dir):
    tenant = clients["tenant"]
    before = kept(data_dir, tenant)
    head, body, tail = multipart(LIMIT + 1)
    headers = form_headers(clients["ops"], **{"Transfer-Encoding": "chunked"})
    sent = 0
    with socket.create_connection((live.host, live.port)) as sock:
        sock.sendall(request_head("POST", "/api/v1/uploads", headers))
        for piece in (head, *body, tail):
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered: stop sending
            try:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        status = read_status(sock)
    assert status == 413
    assert sent > LIMIT - MIB  # refused on the bytes actually received, not on a header
    wait_until(lambda: kept(data_dir, tenant) == before, "the partial file to go")


def test_resumable_uploads_over_the_limit_are_refused(live, clients):
    headers = auth(clients["ops"])
    res = httpx.post(
        f"{live.base}/api/v1/uploads",
        json={"target": TARGET},
        headers={**headers, "Upload-Length": str(LIMIT + 1)},
    )
    assert res.status_code == 413, res.text
    assert res.json()["error"]["fields"] == {"Upload-Length": "too large"}
    res = httpx.post(f"{live.base}/api/v1/uploads", json={"target": TARGET}, headers={**headers, "Upload-Length": "5"})
    upload_id = res.json()["upload_id"]
    res = httpx.patch(
        f"{live.base}/api/v1/uploads/{upload_id}",
        content=b"123456",
        headers={**headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert res.status_code == 413, res.text
    assert res.json()["error"]["fields"] == {"Content-Length": "too large"}
    head = httpx.head(f"{live.base}/api/v1/uploads/{upload_id}", headers=headers)
    assert head.headers["Upload-Offset"] == "0"
