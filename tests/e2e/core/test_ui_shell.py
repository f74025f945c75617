"""The UI shell in Chromium: login per demo user, nav by role, logout, 403/404, tenant picker, audit."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from engine.rbac import has_permission
from seeds.demo import DEMO_USERS as SEEDED
from tests.e2e.conftest import PASSWORD, login, signed_in

pytestmark = pytest.mark.e2e

# every demo login (`<role>@demo.test`, one per staff role)
DEMO_USERS = {user.email: user.role.value for user in SEEDED}


def expected_nav(role: str) -> list[str]:
    import app.web.modules  # noqa: F401  (registers the pages)
    from app.web.shell.registry import nav_for

    return [item.label for item in nav_for(role)]


def nav_labels(page) -> list[str]:
    links = page.locator("aside, [role=navigation]").first.get_by_test_id("nav-link")
    links.first.wait_for()
    return [t.strip() for t in links.all_inner_texts()]


@pytest.mark.parametrize("email", list(DEMO_USERS))
def test_each_demo_user_signs_in_and_sees_nav_for_their_role(page, email):
    from seeds.demo import DEMO_NAME

    role = DEMO_USERS[email]
    signed_in(page, email)
    expect(page.get_by_test_id("tenant-name")).to_have_text(DEMO_NAME)
    expect(page.get_by_test_id("role-badge")).to_have_text(role)
    expect(page.get_by_test_id("home-tenant")).to_have_text(DEMO_NAME)
    expect(page.get_by_test_id("ability-card").first).to_be_visible()
    labels = nav_labels(page)
    assert labels == expected_nav(role)
    assert ("Audit log" in labels) is has_permission(role, "core.audit.read")
    assert ("Members" in labels) is has_permission(role, "core.users.manage")


def test_wrong_password_shows_error_and_stays_on_login(page, console):
    console.allow(r"status of 401")  # the browser logs the failed POST /api/auth/login itself
    login(page, "owner@demo.test", "not-the-password")
    error = page.get_by_test_id("login-error")
    error.wait_for()
    assert "incorrect" in error.inner_text()
    assert "/login" in page.url
    assert page.get_by_test_id("login-submit").is_enabled()


# Records the form events of the login page. The browser validates inside the click itself: it fires
# `invalid` on each empty required field and then aborts the submit, so once `invalid` was seen
# the outcome is known (no waiting to see that nothing happens).
FORM_EVENTS_JS = """() => {
  window.__formEvents = [];
  document.addEventListener('invalid', (e) => window.__formEvents.push('invalid:' + e.target.id), true);
  document.addEventListener('submit', () => window.__formEvents.push('submit'), true);
}"""


def test_empty_form_is_not_submitted(page):
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_be_enabled()
    page.evaluate(FORM_EVENTS_JS)
    page.get_by_test_id("login-submit").click()
    page.wait_for_function("() => window.__formEvents.length > 0")
    assert page.evaluate("() => window.__formEvents") == ["invalid:login-email", "invalid:login-password"]
    assert "/login" in page.url
    assert page.get_by_test_id("login-error").count() == 0  # browser validation stops it first


def test_signed_out_visitor_is_sent_to_login_and_back(page):
    page.goto("/audit")
    page.wait_for_url(re.compile(r"/login\?next=/audit$"))
    page.locator("#login-email").fill("owner@demo.test")
    page.locator("#login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/audit$"))
    page.get_by_test_id("audit-row").first.wait_for()


def test_logout_ends_the_session(page):
    signed_in(page, "sales@demo.test")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login$"))
    cookies = {c["name"] for c in page.context.cookies()}
    assert "pharos_session" not in cookies
    page.goto("/")
    page.wait_for_url(re.compile(r"/login"))


def test_sign_in_again_after_sign_out_in_the_same_tab(page):
    """QA #1: the tab's LoginState kept `submitting` from the first sign-in, so the form stayed
    disabled on "Signing in…" after sign-out, even after a reload."""
    signed_in(page, "ops@demo.test")
    expect(page.get_by_test_id("role-badge")).to_have_text("ops")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login$"))
    submit = page.get_by_test_id("login-submit")
    expect(submit).to_be_enabled()
    expect(submit).to_have_text("Sign in")
    page.locator("#login-email").fill("sales@demo.test")
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-password").press("Enter")
    page.wait_for_url(re.compile(r"^[^?]*/(\?.*)?$"))
    expect(page.get_by_test_id("role-badge")).to_have_text("sales")


def test_viewer_gets_403_on_audit(page):
    signed_in(page, "viewer@demo.test")
    page.goto("/audit")
    expect(page.get_by_test_id("page-403")).to_be_visible()
    assert page.get_by_test_id("audit-row").count() == 0
    assert "Audit log" not in nav_labels(page)


def test_unknown_path_gets_404_page(page, live_app, console):
    console.allow(r"status of 404")  # Chromium logs the document's own 404 status
    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    page.get_by_test_id("page-404").wait_for()
    assert httpx.get(live_app.url + "/index").status_code == 404


def test_pages_carry_security_headers(live_app):
    for path in ("/login", "/", "/no-such-page", "/favicon.ico", "/api/health"):
        response = httpx.get(live_app.url + path)
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), path
        assert response.headers.get("x-content-type-options") == "nosniff", path


def test_audit_page_lists_events_and_filters(page):
    from engine.context import TenantContext
    from models.core.audit_log import AuditFilter, list_events
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        newest = list_events(session, ctx, AuditFilter(), limit=50).items
        tenants_only = list_events(session, ctx, AuditFilter(entity="tenants"), limit=50).items

    signed_in(page, "owner@demo.test")
    page.goto("/audit")
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(len(newest))
    first = rows.first.inner_text()
    assert newest[0].action in first and newest[0].entity_id in first  # newest first

    page.get_by_test_id("filter-entity").click()
    page.get_by_role("option", name="tenants", exact=True).click()
    expect(rows).to_have_count(len(tenants_only))
    assert all("tenants" in t for t in rows.all_inner_texts())

    page.get_by_test_id("filter-clear").click()
    expect(rows).to_have_count(len(newest))

    page.get_by_test_id("filter-since").fill("2999-01-01")
    page.get_by_test_id("audit-empty").wait_for()

    page.get_by_test_id("filter-clear").click()
    rows.first.wait_for()
    rows.first.locator("summary").click()
    assert rows.first.locator("pre").first.is_visible()


def test_audit_load_more_pages_with_the_cursor(page):
    from engine.context import TenantContext
    from models.core import audit
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    entity = f"e2e_{uuid.uuid4().hex[:6]}"
    total = 57
    with owner_tenant_session(ctx) as session:
        for i in range(total):
            audit.record(session, ctx, action="probe.touch", entity=entity, entity_id=str(i), after={"i": i})

    signed_in(page, "owner@demo.test")
    page.goto("/audit")
    page.get_by_test_id("audit-row").first.wait_for()
    page.get_by_test_id("filter-entity").click()
    page.get_by_role("option", name=entity, exact=True).click()
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(50)
    page.get_by_test_id("audit-more").click()
    expect(rows).to_have_count(total)
    expect(page.get_by_test_id("audit-more")).to_have_count(0)


@pytest.fixture(scope="module")
def multi_tenant_user(live_app):
    """A user who owns a second tenant and is a viewer in the demo tenant."""
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, create_tenant, find_user_by_email
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    suffix = uuid.uuid4().hex[:6]
    email = f"multi-{suffix}@e2e.test"
    other = create_tenant(
        name=f"Second Co {suffix}",
        slug=f"second-{suffix}",
        owner_email=email,
        owner_password=PASSWORD,
        owner_display_name="Mia Multi",
    )
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        add_membership(session, ctx, find_user_by_email(session, email), Role.VIEWER)
    return email, other.name


def test_tenant_picker_and_switcher(page, multi_tenant_user):
    from seeds.demo import DEMO_NAME

    email, other_name = multi_tenant_user
    login(page, email)
    page.wait_for_url(re.compile(r"/select-tenant$"))
    choices = page.get_by_test_id("tenant-choice")
    choices.first.wait_for()
    assert choices.count() == 2
    choices.filter(has_text=DEMO_NAME).click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_test_id("tenant-name").wait_for()
    expect(page.get_by_test_id("tenant-name")).to_have_text(DEMO_NAME)
    expect(page.get_by_test_id("role-badge")).to_have_text("viewer")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("tenant-option").filter(has_text=other_name).click()
    expect(page.get_by_test_id("tenant-name")).to_have_text(other_name)
    expect(page.get_by_test_id("role-badge")).to_have_text("owner")
    assert "Audit log" in nav_labels(page)


def test_a_deep_link_survives_the_tenant_picker(page, multi_tenant_user):
    """A user of several tenants who opens a link before signing in lands on that page once a
    tenant is chosen (not on the dashboard)."""
    from seeds.demo import DEMO_NAME

    email, _ = multi_tenant_user
    page.goto("/tasks")
    page.wait_for_url(re.compile(r"/login\?next=/tasks$"))
    login(page, email, path=page.url)
    page.wait_for_url(re.compile(r"/select-tenant\?next=%2Ftasks$"))
    page.get_by_test_id("tenant-choice").filter(has_text=DEMO_NAME).click()
    page.wait_for_url(re.compile(r"/tasks$"))
    expect(page.get_by_test_id("tenant-name")).to_have_text(DEMO_NAME)


def test_an_unexpected_handler_error_is_shown_with_a_reference_and_no_eval(page, console):
    """QA #5: Reflex's default error toast is an eval the CSP blocks, so a failing handler was
    invisible. A client sends `LoginState.start` with an argument it does not take: it raises
    on the server, and the notice (a normal state update, no eval) appears with a reference and
    no exception text. The `page` fixture fails the test on any console error (e.g. EvalError)."""
    tampered: list[str] = []

    def route(ws):
        server = ws.connect_to_server()

        def from_page(message):
            if isinstance(message, str) and "login_state.start" in message and not tampered:
                changed = message.replace('login_state.start",', 'login_state.start","payload":{"unexpected":1},', 1)
                if changed != message:
                    tampered.append(changed)
                    message = changed
            server.send(message)

        ws.on_message(from_page)

    console.allow(r"status of 401")  # the browser logs the failed POST /api/auth/login itself
    page.route_web_socket(re.compile(r"/_event"), route)
    login(page, "owner@demo.test", "not-the-password")
    notice = page.get_by_test_id("backend-error")
    expect(notice).to_be_visible()
    assert tampered, "the start event was not seen on the websocket"
    reference = page.get_by_test_id("backend-error-reference").inner_text()
    assert re.fullmatch(r"[0-9a-f]{16}", reference)
    assert "Traceback" not in notice.inner_text() and "unexpected" not in notice.inner_text()
    page.get_by_test_id("backend-error-dismiss").click()
    expect(notice).to_have_count(0)
    expect(page.get_by_test_id("login-submit")).to_be_enabled()
