"""Evidence files: upload through the storage adapter (type sniffed from the content, size limit,
SHA-256), bad files refused with nothing kept, the evidence machine (verify, reject, replace with
versions, remove), and REMOVE a soft delete only: the row and the bytes stay, and the app role
cannot delete them."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from engine.cases.rules import EVIDENCE_MAX_BYTES
from tests.integration.cases.support import case_trail
from tests.support.effects import unchanged

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, case_id, name, data, label=None, evidence_id=None):
    query = f"evidence_id={evidence_id}" if evidence_id else f"case_id={case_id}"
    if label:
        query += f"&label={label}"
    return client.post(f"/api/evidence-uploads?{query}", files={"file": (name, data, "application/octet-stream")})


def _objects(world) -> int:
    """Evidence objects in the upload storage of this tenant (local adapter in tests)."""
    from models.uploads.storage import get_storage

    root = get_storage().path(f"{world.tenant.tenant_id}/evidence/x").parent  # type: ignore[attr-defined]
    return len(list(root.glob("*"))) if root.exists() else 0


def _rows(world, table: str) -> int:
    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        return s.execute(
            text(f"select count(*) from {table} where tenant_id = :t"), {"t": world.tenant.tenant_id}
        ).scalar()


def test_upload_sniffs_hashes_and_serves_the_bytes(world):
    case_id = world.new_case()
    res = upload(world.clients["vendor1"], case_id, "delivery-note.pdf", PDF, label="Delivery note")
    assert res.status_code == 201, res.text
    ev = res.json()
    assert (ev["status"], ev["content_type"], ev["size"], ev["label"]) == (
        "submitted",
        "application/pdf",
        len(PDF),
        "Delivery note",
    )
    assert ev["sha256"] == hashlib.sha256(PDF).hexdigest()
    got = world.clients["ops"].get(f"/api/evidence/{ev['id']}/file")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in got.headers["content-disposition"]
    timeline = world.clients["ops"].get(f"/api/cases/{case_id}").json()["timeline"]
    assert any(t["kind"] == "evidence" and "Delivery note" in t["title"] for t in timeline)


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "type not allowed"),
        ("photo.png", PDF, "name does not match content"),  # a PDF called .png
        ("invoice.pdf", PNG, "name does not match content"),
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"abc\x00def", "type not allowed"),
        ("..", b"hello", "no name"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(world, name, data, field):
    case_id = world.new_case()
    before = (_objects(world), _rows(world, "evidence"), _rows(world, "evidence_versions"))
    with unchanged(lambda: case_trail(world, case_id)):
        res = upload(world.clients["vendor1"], case_id, name, data)
        assert res.status_code == 422, res.text
        assert res.json()["error"]["fields"] == {"file": field}
    assert (_objects(world), _rows(world, "evidence"), _rows(world, "evidence_versions")) == before


def test_a_file_over_the_limit_is_413_and_nothing_is_kept(world):
    case_id = world.new_case()
    before = (_objects(world), _rows(world, "evidence"))
    res = upload(world.clients["vendor1"], case_id, "big.txt", b"a" * (EVIDENCE_MAX_BYTES + 1))
    assert res.status_code == 413, res.text
    assert (_objects(world), _rows(world, "evidence")) == before


def test_verify_reject_and_who_may(world):
    case_id = world.new_case()
    ev = upload(world.clients["vendor1"], case_id, "a.pdf", PDF).json()
    url = f"/api/evidence/{ev['id']}/update"
    with unchanged(lambda: case_trail(world, ev["id"])):
        assert world.clients["vendor1"].post(url, json={"action": "verify"}).status_code == 403
        assert world.clients["viewer"].post(url, json={"action": "verify"}).status_code == 403
        assert world.clients["ops"].post(url, json={"action": "reject"}).status_code == 422  # a note is required
        assert world.clients["ops"].post(url, json={"action": "shred"}).status_code == 422
    before = case_trail(world, ev["id"])
    res = world.clients["ops"].post(url, json={"action": "verify", "expected_status": "submitted"})
    assert res.status_code == 200 and res.json()["status"] == "verified", res.text
    after = case_trail(world, ev["id"])
    assert after["evidence_events"] == before["evidence_events"] + 1
    assert after["audit_events"] == before["audit_events"] + 1
    with unchanged(lambda: case_trail(world, ev["id"])):  # verified: no further decision
        assert world.clients["vendor1"].post(url, json={"action": "remove", "note": "oops"}).status_code == 409


def test_replace_keeps_every_version_and_puts_the_new_one_in_place(world):
    case_id = world.new_case()
    vendor, ops = world.clients["vendor1"], world.clients["ops"]
    ev = upload(vendor, case_id, "count.txt", b"48 cartons").json()
    assert (
        ops.post(f"/api/evidence/{ev['id']}/update", json={"action": "reject", "note": "unsigned"}).status_code == 200
    )
    with unchanged(lambda: case_trail(world, ev["id"])):  # nothing new uploaded yet
        res = vendor.post(f"/api/evidence/{ev['id']}/update", json={"action": "replace"})
        assert res.status_code == 409, res.text
    v2 = upload(vendor, case_id, "count-signed.txt", b"48 cartons, signed", evidence_id=ev["id"])
    assert v2.status_code == 201, v2.text
    assert (v2.json()["current_version"], v2.json()["new_version_waiting"]) == (1, True)
    res = vendor.post(f"/api/evidence/{ev['id']}/update", json={"action": "replace"})
    assert res.status_code == 200 and res.json()["status"] == "submitted", res.text
    now = ops.get(f"/api/evidence/{ev['id']}").json()
    assert (now["current_version"], now["filename"], now["new_version_waiting"]) == (2, "count-signed.txt", False)
    assert [v["version"] for v in now["versions"]] == [1, 2]
    assert ops.get(f"/api/evidence/{ev['id']}/file?version=1").content == b"48 cartons"
    assert ops.get(f"/api/evidence/{ev['id']}/file").content == b"48 cartons, signed"
    events = [e["action"] for e in ops.get(f"/api/evidence/{ev['id']}/events").json()["items"]]
    assert events == ["reject", "replace"]


def test_remove_is_a_soft_delete_and_the_app_role_cannot_delete(world):
    from models.core.db import tenant_session

    case_id = world.new_case()
    ev = upload(world.clients["vendor1"], case_id, "proof.pdf", PDF).json()
    res = world.clients["vendor1"].post(
        f"/api/evidence/{ev['id']}/update", json={"action": "remove", "note": "wrong file"}
    )
    assert res.status_code == 200 and res.json()["status"] == "removed", res.text
    kept = world.clients["ops"].get(f"/api/evidence/{ev['id']}")
    assert kept.status_code == 200 and kept.json()["status"] == "removed"
    assert world.clients["ops"].get(f"/api/evidence/{ev['id']}/file").content == PDF  # the bytes stay
    for table, column in (("evidence", "id"), ("evidence_versions", "evidence_id")):
        with pytest.raises(ProgrammingError, match="permission denied"), tenant_session(world.tenant.ctx()) as s:
            s.execute(text(f"delete from {table} where {column} = :e"), {"e": ev["id"]})
    with pytest.raises(ProgrammingError, match="permission denied"), tenant_session(world.tenant.ctx()) as s:
        s.execute(text("update evidence_versions set sha256 = 'x' where evidence_id = :e"), {"e": ev["id"]})
    # and a closed case takes no new file
    assert (
        world.clients["ops"].post(f"/api/cases/{case_id}/update", json={"action": "cancel", "note": "x"}).status_code
        == 200
    )
    assert upload(world.clients["vendor1"], case_id, "late.pdf", PDF).status_code == 409


def test_event_tables_refuse_unknown_actions_and_history_edits(world):
    from sqlalchemy.exc import IntegrityError

    from models.core.db import owner_tenant_session, tenant_session

    case_id = world.in_review()
    with pytest.raises(IntegrityError, match="ck_case_events_action"), owner_tenant_session(world.tenant.ctx()) as s:
        s.execute(
            text(
                "insert into case_events (id, tenant_id, machine, entity_id, action, from_status, to_status, actor, "
                "actor_role, at) values (gen_random_uuid(), :t, 'case', :c, 'escalate', 'open', 'in_review', 'x', "
                "'ops', now())"
            ),
            {"t": world.tenant.tenant_id, "c": case_id},
        )
    for statement in ("update case_events set reason = 'x'", "delete from case_events"):
        with pytest.raises(ProgrammingError, match="permission denied"), tenant_session(world.tenant.ctx()) as s:
            s.execute(text(statement))
