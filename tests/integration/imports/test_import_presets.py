"""Saved presets over REST: listed for the targets the caller may import into, deleted (audited,
files already mapped keep their mapping); another tenant's preset is a 404 and a viewer a 403,
both changing nothing."""

from __future__ import annotations

from tests.integration.imports.conftest import HEADER, MAPPING, TARGET, run_job, upload
from tests.support.api_clients import api_error
from tests.support.effects import rows, unchanged

CLEAN_BODY = (HEADER + "Metro Pharma Retail,SKU-1,12.50,3,2024-03-04,INR\r\n").encode()


def _save(client, tenant, name: str) -> str:
    upload_id = upload(client, CLEAN_BODY)
    res = client.post(f"/api/v1/uploads/{upload_id}/map", params={"preset": name}, json=MAPPING)
    assert res.status_code == 200, res.text
    run_job(tenant, res.json()["job_id"])
    return upload_id


def _named(client, name: str, **params) -> list[dict]:
    res = client.get("/api/v1/import-presets", params=params)
    assert res.status_code == 200, res.text
    return [p for p in res.json()["items"] if p["name"] == name]


def test_presets_are_listed_and_deleted_with_an_audit_row(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    upload_id = _save(ops, tenant, "Weekly ERP")
    (preset,) = _named(ops, "Weekly ERP")
    assert (preset["target"], preset["mapping"]) == (TARGET, MAPPING)
    assert _named(ops, "Weekly ERP", target=TARGET) == [preset]
    api_error(ops.get("/api/v1/import-presets", params={"target": "nope"}), 422, "validation_error")

    res = ops.delete(f"/api/v1/import-presets/{preset['id']}")
    assert res.status_code == 204, res.text
    assert _named(ops, "Weekly ERP") == []
    assert (
        rows(tenant.ctx(), "audit_events", "action = 'import_preset.delete' and entity_id = :id", id=preset["id"]) == 1
    )
    # the file mapped with it keeps its mapping
    assert ops.get(f"/api/v1/uploads/{upload_id}").json()["import"]["mapping"] == MAPPING
    api_error(ops.delete(f"/api/v1/import-presets/{preset['id']}"), 404, "not_found")


def test_another_tenants_preset_is_404_and_a_viewer_403(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    _save(ops, tenant, "Month end")
    (preset,) = _named(ops, "Month end")
    with unchanged(lambda: rows(tenant.ctx(), "import_presets"), lambda: rows(tenant.ctx(), "audit_events")):
        api_error(clients["b_owner"].delete(f"/api/v1/import-presets/{preset['id']}"), 404, "not_found")
        api_error(clients["viewer"].delete(f"/api/v1/import-presets/{preset['id']}"), 403, "forbidden")
    assert clients["b_owner"].get("/api/v1/import-presets").json()["items"] == []
    api_error(clients["viewer"].get("/api/v1/import-presets", params={"target": TARGET}), 403, "forbidden")
