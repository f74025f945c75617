"""The outside probe, kept in the suite (issue 17): schemathesis generates requests from the API's own
OpenAPI document (`/api/openapi.json`) and sends them as the owners of two tenants, over ASGI, with
every built-in check on — no 5xx, status codes, content types and bodies as declared, data valid by the
schema accepted and invalid data refused — plus two of ours: every 422 names the refused field, and
no answer to one tenant carries an id of the other's. Each case goes to one of the two tenants (chosen from its
content, so a replay goes to
the same one); path ids are drawn from both tenants' real rows as well as at random, so every route
meets its own rows and the other tenant's ids. Bounded: a few examples per operation (~2 minutes
on an idle 2-core machine).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from sqlmodel import select

from tests.integration.catalog.conftest import ALL_FLAGS
from tests.integration.margin.conftest import MarginTenant, build
from tests.support.api_clients import create_test_api
from tests.support.env import settings_env

EXAMPLES = 8  # per operation and phase, besides the coverage phase's boundary cases
# Every built-in check is on. "Valid by the schema" cannot mean "accepted" for two kinds of input
# that no schema can describe — an opaque pagination cursor and a well-formed id of a row that does
# not exist in the caller's tenant — so a 422 also counts as a valid answer to schema-valid data;
# `refusals_name_a_field` below checks that each such 422 names the field it refuses.
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# single sign-on's start and callback are browser navigations: every answer is a redirect (to the
# provider, into the app, or back to /login?error=<code>), never an error body
[[operations]]
include-path-regex = "^/api/auth/oidc/(callback|[^/]+/start)$"
checks.positive_data_acceptance.expected-statuses = ["302", "422"]
"""
)
API = create_test_api()
SCHEMA = schemathesis.openapi.from_asgi("/api/openapi.json", API, config=CONFIG).exclude(
    # ending the probe's own session would turn every later case into a 401
    path="/api/auth/logout",
)
# the resumable upload's PATCH body (tus) is raw bytes, like application/octet-stream
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ID_POOL: list[str] = []  # both tenants' row ids, filled by the `probe` fixture


@dataclass
class Probe:
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # tenant slug → auth header
    ids: dict[str, set[str]] = field(default_factory=dict)  # tenant slug → its row ids


def _row_ids(tenant: MarginTenant) -> set[str]:
    from models.catalog.tables import Channel, Offering, Organization, PriceBook, PriceRule, Product, Sku
    from models.comp.tables import BonusPlan, BonusPool, InputDefinition, PlanInput, PlanStep
    from models.core.db import tenant_session
    from models.jobs.tables import Job
    from models.margin.enforcement.tables import EnforcementBatch
    from models.margin.tables import MarginAlert, MarginTask

    tables = (Organization, Channel, Product, Sku, Offering, PriceBook, PriceRule, MarginAlert, MarginTask, Job)
    comp = (BonusPlan, PlanStep, PlanInput, InputDefinition, BonusPool)
    ids = {str(tenant.tenant.tenant_id)}
    with tenant_session(tenant.ctx()) as session:
        for table in (*tables, EnforcementBatch, *comp):
            ids |= {str(i) for i in session.exec(select(table.id).where(table.tenant_id == tenant.tenant.tenant_id))}
    return ids


# The probe sends hundreds of writes and failed sign-ins a minute from one user and one address:
# its own budgets, far above the defaults, so it tests the routes rather than the budgets (those have
# their own tests), and the tests after it start with untouched default budgets (the `limits` keys
# name the rate).
PROBE_BUDGETS = {
    "PHAROS_WRITE_LIMIT_USER": "100000/minute",
    "PHAROS_WRITE_LIMIT_TENANT": "100000/minute",
    "PHAROS_LOGIN_IP_LIMIT": "100000/minute",
    "PHAROS_LOGIN_FAILURES_PER_MINUTE": "100000",
}


@pytest.fixture(scope="module", autouse=True)
def probe_budgets():
    with settings_env() as configure:
        configure(**PROBE_BUDGETS)
        yield


@pytest.fixture(scope="module")
def probe(probe_budgets) -> Probe:
    from fastapi.testclient import TestClient

    from models.core.db import tenant_session
    from models.core.flags import set_flags
    from seeds.catalog import tenant_ids
    from seeds.comp import build_comp

    found = Probe()
    for label in ("probea", "probeb"):
        tenant = build(label)
        with tenant_session(tenant.ctx()) as session:
            set_flags(session, tenant.ctx(), ALL_FLAGS)
            build_comp(session, tenant.ctx(), tenant_ids(tenant.tenant.tenant_id))
        login = {"email": tenant.tenant.owner_email, "password": tenant.tenant.password}
        res = TestClient(API).post("/api/auth/login", json=login)
        assert res.status_code == 200, res.text
        found.headers[tenant.tenant.slug] = {"Authorization": f"Bearer {res.json()['token']}"}
        found.ids[tenant.tenant.slug] = _row_ids(tenant)
    ID_POOL[:] = sorted(set().union(*found.ids.values()))
    return found


@SCHEMA.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time a path id is a real row of one of the two tenants. Not for live streams: a
    running job's stream lasts until the job ends, and no worker runs here."""
    if not path_parameters or context.operation is None or context.operation.path.endswith("/stream") or not ID_POOL:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just(value), st.sampled_from(ID_POOL))
            if UUID_RE.fullmatch(str(value))
            else st.just(value)
            for name, value in path_parameters.items()
        }
    )


@SCHEMA.hook
def filter_query(context, query):
    """An object cannot be a query value: sending drops it, so a "schema-violating" case made of
    one sends a valid request (hypothesis also draws strings from our own code, so any change may
    bring such a case up)."""
    return not any(isinstance(value, dict) for value in (query or {}).values())


def _no_foreign_ids(foreign: set[str]):
    def no_foreign_ids(ctx, response, case):
        leaked = foreign & set(UUID_RE.findall(response.text or ""))
        sent = set(UUID_RE.findall(str(case.path_parameters) + str(case.query) + str(case.body)))
        assert not (leaked - sent), f"another tenant's ids in the answer: {sorted(leaked - sent)[:5]}"

    return no_foreign_ids


def refusals_name_a_field(ctx, response, case):
    """Every refusal is a 422 in the error contract naming the refused field — never the generic
    "request" of the database's last line of defence (app/api/errors.py). A HEAD answer has no body
    by HTTP's rules (the upload offset route, app/api/core/uploads.py)."""
    if response.status_code != 422 or case.method.upper() == "HEAD":
        return
    error = response.json()["error"]
    assert error["code"] == "validation_error", error
    assert error["fields"] and "request" not in error["fields"], error


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_holds_under_the_probe(case, probe):
    slugs = sorted(probe.headers)
    slug = slugs[zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % len(slugs)]
    foreign = set().union(*(ids for other, ids in probe.ids.items() if other != slug))
    case.call_and_validate(
        headers=probe.headers[slug], additional_checks=[_no_foreign_ids(foreign), refusals_name_a_field]
    )


def test_the_probe_covers_every_route():
    """A route the OpenAPI does not describe would escape the probe."""
    described = {(op.method.upper(), op.path) for op in (r.ok() for r in SCHEMA.get_all_operations())}
    routes = {
        (method, route.path)
        for route in API.routes
        if getattr(route, "include_in_schema", False)
        for method in getattr(route, "methods", ())
    }
    assert len(described) >= 45
    assert routes <= described | {("POST", "/api/auth/logout")}, routes - described
