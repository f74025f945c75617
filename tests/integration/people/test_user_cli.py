"""`pharos user invite|list|role|deactivate` against the real database: the same actions and guard
rails as the API, domain refusals as one line with exit status 2."""

from __future__ import annotations

from app.cli.main import main
from tests.integration.people.conftest import accept
from tests.support.api_clients import api_error


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_invite_list_role_deactivate(api, people, capsys):
    tenant, owner = people
    status, out, _ = _run(capsys, "user", "invite", "cli@example.test", "--tenant", tenant.slug, "--role", "sales")
    assert status == 0, out
    link = out.strip().splitlines()[-1].split("(shown once): ", 1)[1]
    assert link.startswith("http://localhost:3000/invite/accept?token=")
    assert accept(api, link, password="cli-member-pw").status_code == 200

    status, out, _ = _run(capsys, "user", "list", "--tenant", tenant.slug)
    lines = out.strip().splitlines()
    assert status == 0 and len(lines) == 3  # header, owner, the new member
    assert lines[2].split()[:3] == ["cli@example.test", "sales", "active"]

    assert _run(capsys, "user", "role", "cli@example.test", "viewer", "--tenant", tenant.slug)[0] == 0
    status, out, _ = _run(
        capsys, "user", "deactivate", "cli@example.test", "--tenant", tenant.slug, "--reason", "contract ended"
    )
    assert status == 0 and "deactivated" in out
    members = {m["email"]: m for m in owner.get("/api/members").json()["items"]}
    assert (members["cli@example.test"]["role"], members["cli@example.test"]["status"]) == ("viewer", "deactivated")
    from fastapi.testclient import TestClient

    refused = TestClient(api).post("/api/auth/login", json={"email": "cli@example.test", "password": "cli-member-pw"})
    api_error(refused, 401, "unauthenticated")


def test_cli_refusals_are_one_line(people, capsys):
    tenant, _ = people
    status, _, err = _run(capsys, "user", "role", tenant.owner_email, "viewer", "--tenant", tenant.slug)
    assert status == 2 and "last active owner" in err
    status, _, err = _run(capsys, "user", "invite", "x@example.test", "--tenant", "no-such-tenant", "--role", "ops")
    assert status == 2 and "no active tenant with slug 'no-such-tenant'" in err
    status, _, err = _run(capsys, "user", "invite", "x@example.test", "--tenant", tenant.slug, "--role", "boss")
    assert status == 2 and "'boss' is not a role" in err
    status, _, err = _run(capsys, "user", "deactivate", "ghost@example.test", "--tenant", tenant.slug, "--reason", "r")
    assert status == 2 and "not a member" in err
