"""Upload benchmark (run by hand, never in the test suite): server memory while streaming 250 MiB.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/uploads.py [--mib 250] [--write]

A scratch database (migrated, demo-seeded, dropped at the end; bench/margin.py's helpers) and the
REST API as a real uvicorn process (tests/support/live_api.py) with local storage in a temporary
data dir. The client generates the bytes on the fly and streams them over loopback: (a) one
multipart request with Content-Length, (b) one multipart request without it (chunked) — both with a
file 4 KiB under the limit, so the whole body fits the budget — and (c) a resumable upload (POST
Upload-Length, then one PATCH of all the bytes). The server's RSS is sampled
every 20 ms from before the request until the answer; growth = peak − the RSS just before. Goal:
growth < 100 MB for each.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from bench.scratch import drop_scratch_db, scratch_services, write_section  # noqa: E402

SECTION = "## Uploads (server memory while streaming)"
MIB = 1024 * 1024
BLOCK = MIB
BOUNDARY = "pharos-bench-boundary"
TARGET = "sample.rows"
FORM_ROOM = 4096  # a one-request body (file + form) fits the budget: the file is this much smaller


def zeros(size: int) -> Iterator[bytes]:
    block = bytes(range(256)) * (BLOCK // 256)
    while size > 0:
        yield block[: min(BLOCK, size)]
        size -= BLOCK


def multipart(size: int) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="target"\r\n\r\n{TARGET}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from zeros(size)
        yield tail

    return len(head) + size + len(tail), body()


class RssWatch:
    """Samples a process's RSS in a thread until stopped; `growth` = peak − first sample."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.base = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> RssWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def run(name: str, pid: int, send) -> dict:
    with RssWatch(pid) as watch:
        started = time.perf_counter()
        res = send()
        seconds = time.perf_counter() - started
    assert res.status_code in (200, 201), res.text
    return {
        "mode": name,
        "seconds": seconds,
        "base_mb": watch.base / 1e6,
        "peak_mb": watch.peak / 1e6,
        "growth_mb": (watch.peak - watch.base) / 1e6,
        "upload": res.json(),
    }


def bench(base: str, pid: int, size: int) -> list[dict]:
    login = httpx.post(f"{base}/api/auth/login", json={"email": "ops@demo.test", "password": "pharos-demo"})
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    kind = f"multipart/form-data; boundary={BOUNDARY}"
    timeout = httpx.Timeout(600)
    runs = []

    def one_shot(chunked: bool):
        length, body = multipart(size - FORM_ROOM)
        headers = {**auth, "Content-Type": kind}
        if not chunked:
            headers["Content-Length"] = str(length)
        return httpx.post(f"{base}/api/v1/uploads", content=body, headers=headers, timeout=timeout)

    def resumable():
        made = httpx.post(
            f"{base}/api/v1/uploads", json={"target": TARGET}, headers={**auth, "Upload-Length": str(size)}
        )
        headers = {
            **auth,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(size),
        }
        url = f"{base}/api/v1/uploads/{made.json()['upload_id']}"
        return httpx.patch(url, content=zeros(size), headers=headers, timeout=timeout)

    runs.append(run("one multipart request, Content-Length", pid, lambda: one_shot(False)))
    runs.append(run("one multipart request, chunked", pid, lambda: one_shot(True)))
    runs.append(run("resumable: POST + one PATCH", pid, resumable))
    digests = {}
    for sent in (size - FORM_ROOM, size):
        digest = hashlib.sha256()
        for block in zeros(sent):
            digest.update(block)
        digests[sent] = digest.hexdigest()
    for r in runs:
        detail = httpx.get(f"{base}/api/v1/uploads/{r['upload']['upload_id']}", headers=auth).json()
        assert detail["status"] == "stored" and detail["sha256"] == digests[detail["received"]], detail
        print(r, flush=True)
    return runs


def render(runs: list[dict], size: int) -> str:
    head = (
        f"{SECTION}\n\n`bench/uploads.py`, {datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared). The REST API as one uvicorn process, local storage; {size // MIB} MiB "
        "generated on the fly by the client and streamed over loopback. RSS of the server process sampled "
        "every 20 ms; growth = peak − RSS just before the request. Goal: growth < 100 MB.\n\n"
        "| mode | seconds | MB/s | RSS before (MB) | peak (MB) | growth (MB) |\n"
        "|---|---:|---:|---:|---:|---:|\n"
    )
    rows = [
        f"| {r['mode']} | {r['seconds']:.1f} | {size / 1e6 / r['seconds']:.0f} | {r['base_mb']:.0f} | "
        f"{r['peak_mb']:.0f} | {r['growth_mb']:.1f} |"
        for r in runs
    ]
    return head + "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=250)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    db_url, _queue = scratch_services()
    data_dir = tempfile.mkdtemp(prefix="pharos-bench-uploads-")
    try:
        from models.core.bootstrap import migrate
        from seeds.demo import seed_demo
        from tests.support.live_api import running_api

        migrate()
        seed_demo()
        env = {"PHAROS_DATA_DIR": data_dir, "PHAROS_IMPORT_TARGET_MODULES": "tests.support.sample_targets"}
        with running_api(Path(data_dir) / "api.log", **env) as api:
            runs = bench(api.base, api.pid, args.mib * MIB)
        section = render(runs, args.mib * MIB)
        print(section)
        if args.write:
            write_section(section, SECTION)
    finally:
        from models.core.db import dispose_engines

        dispose_engines()
        drop_scratch_db(db_url)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
