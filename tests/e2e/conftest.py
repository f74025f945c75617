"""Browser tests: the real app as a subprocess (prebuilt frontend, prod backend) + Debian Chromium.

Session fixtures: seed the demo tenant into the test database (the `services` fixture made it), build
the frontend when its sources changed (app/cli/frontend.py), start the app on a free port with the
test DATABASE_URL/REDIS_URL, wait for an HTTP probe, stop it at the end. Every test gets a fresh
browser context and fails on any console error or uncaught page error, unless it declares the
errors it expects (`console.allow(pattern)`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from models.core.settings import reset_settings_cache
from tests.support.import_loader import MODULE_ENV, create_sample_table

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PHAROS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "pharos-demo"
UPLOADS_DATA_DIR = tempfile.mkdtemp(prefix="pharos-e2e-data-")
FLUSH_JS = "() => new Promise((done) => setTimeout(() => requestAnimationFrame(() => done(null)), 0))"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_db(url: str, db: int) -> str:
    from rxconfig import reflex_redis_url

    return reflex_redis_url(url, db)


@dataclass
class LiveApp:
    url: str
    port: int
    log_path: Path
    startup_seconds: float


@pytest.fixture(scope="session", autouse=True)
def _real_services(services):
    return services


@pytest.fixture(scope="session")
def live_app(services) -> Iterator[LiveApp]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make chromium` (apt-get install -y chromium)")
    from app.cli.frontend import backend_command, backend_env, build_frontend, ensure_bun
    from seeds.demo import seed_demo

    seed_demo()
    os.environ.update(ensure_bun())
    build_frontend(quiet=True)

    port = _free_port()
    env = {**os.environ, **backend_env(port)}
    env["REFLEX_REDIS_URL"] = _redis_db(os.environ["REDIS_URL"], 14)
    env["GRANIAN_WORKERS"] = "2"
    # uploads: a data dir of the session's own, and the core's sample import target (tests/support)
    env["PHAROS_DATA_DIR"] = UPLOADS_DATA_DIR
    # webhooks: the tests' receivers listen on 127.0.0.1 (docs/delivery.md)
    env["PHAROS_WEBHOOK_ALLOW_PRIVATE"] = "1"
    env["PHAROS_IMPORT_TARGET_MODULES"] = ",".join(
        filter(
            None,
            [
                os.environ.get("PHAROS_IMPORT_TARGET_MODULES"),
                "tests.support.sample_targets",
                MODULE_ENV["PHAROS_IMPORT_TARGET_MODULES"],
            ],
        )
    )
    # the import pages' test target merges through the test loader, into its test-only table
    env["PHAROS_IMPORT_LOADER_MODULES"] = MODULE_ENV["PHAROS_IMPORT_LOADER_MODULES"]
    # the jobs the tests run in this process read the same files and targets as the app
    os.environ.update({k: env[k] for k in (*MODULE_ENV, "PHAROS_DATA_DIR")})
    reset_settings_cache()
    create_sample_table()
    log_path = Path(tempfile.mkdtemp(prefix="pharos-e2e-")) / "app.log"
    log = log_path.open("w")
    started = time.perf_counter()
    proc = subprocess.Popen(
        backend_command(port, host="127.0.0.1"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    ready = False
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if (
                httpx.get(url + "/login", timeout=2).status_code == 200
                and httpx.get(url + "/ping", timeout=2).is_success
            ):
                ready = True
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    if not ready:
        _stop(proc)
        pytest.fail(f"app did not start on {url}:\n{log_path.read_text()[-4000:]}")
    try:
        yield LiveApp(url=url, port=port, log_path=log_path, startup_seconds=time.perf_counter() - started)
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(live_app):
    from playwright.sync_api import expect, sync_playwright

    # expect()'s default wait is 5 s; a page's first render on a loaded 2-core CI machine has taken
    # longer. An upper bound on waiting, not a timing assertion: a passing check returns at once.
    expect.set_options(timeout=15_000)

    # launch() gives every run a fresh temporary profile (user-data dir) of its own
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser, live_app, console):
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: console.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.errors.append(f"pageerror: {e}"))
    yield page
    # A round trip through the page's task queue: errors the page already raised (a failed
    # websocket answer after the last assertion, say) reach the console log before it is read.
    with contextlib.suppress(PlaywrightError):  # the page may be mid-navigation or closed
        page.evaluate(FLUSH_JS)
    context.close()
    assert console.unexpected() == [], f"console errors: {console.unexpected()}"


def login(page, email: str, password: str = PASSWORD, *, path: str = "/login") -> None:
    page.goto(path)
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-password").press("Enter")


def signed_in(page, email: str, password: str = PASSWORD) -> None:
    login(page, email, password)
    page.wait_for_url(re.compile(r"^[^?]*/(\?.*)?$"))
    from playwright.sync_api import expect

    expect(page.get_by_test_id("tenant-name")).to_have_text(re.compile(r"\S"))
    expect(page.get_by_test_id("nav-link").first).to_be_visible()


UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def demo_ctx():
    """The demo tenant's system context (for the module's queries that compute expected values)."""
    from engine.context import TenantContext
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)


def pick_in_dialog(page, label: str, option: str) -> None:
    """Choose the option whose name contains `option` in the open dialog's select labelled `label`."""
    page.get_by_role("dialog").get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).click()


def demo_db(fn):
    """Run `fn(session, ctx)` against the demo tenant (as the owner role, RLS on): tests compute
    their expected values through the repositories, never hard-coded."""
    from engine.context import TenantContext
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        return fn(session, ctx)
