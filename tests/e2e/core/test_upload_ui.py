"""The upload component in Chromium (/uploads): a file goes up with a live progress bar and is
stored with its hash; a slow upload cancelled half-way leaves no file and no upload row."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UPLOADS_DATA_DIR, signed_in

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024


def _csv(folder: Path, rows: int) -> Path:
    path = folder / f"sample-{uuid.uuid4().hex[:6]}.csv"
    with path.open("w") as out:
        out.write("code,amount\n")
        for i in range(rows):
            out.write(f"SKU-{i:07d},{i % 1000}.{i % 100:02d}\n")
    return path


def _demo_ctx():
    from engine.context import TenantContext
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)


def _files() -> list[Path]:
    root = Path(UPLOADS_DATA_DIR) / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _open(page) -> None:
    signed_in(page, "ops@demo.test")
    page.goto("/uploads")
    expect(page.get_by_test_id("upload-purpose")).to_have_text("Sample rows")


def test_a_file_goes_up_with_progress_and_is_stored(page, tmp_path):
    from models.uploads.queries import get_upload

    source = _csv(tmp_path, 400_000)  # ~7 MB
    _open(page)
    page.get_by_test_id("upload-drop").locator("input[type=file]").set_input_files(source)
    expect(page.get_by_test_id("upload-chosen")).to_have_text(source.name)
    page.get_by_test_id("upload-send").click()
    expect(page.get_by_test_id("upload-outcome")).to_contain_text(f"{source.name} is stored", timeout=60_000)
    upload_id = page.get_by_test_id("upload-id").locator("code").inner_text()
    view = get_upload(_demo_ctx(), uuid.UUID(upload_id))
    data = source.read_bytes()
    assert (view.status, view.purpose, view.filename, view.size_received, view.sha256) == (
        "stored",
        "sample.rows",
        source.name,
        len(data),
        hashlib.sha256(data).hexdigest(),
    )


def test_cancel_half_way_keeps_nothing(page, tmp_path):
    from tests.support.effects import rows

    source = _csv(tmp_path, 2_000_000)  # ~37 MB, sent at 4 MB/s
    before_files, before_rows = _files(), rows(_demo_ctx(), "uploads")
    _open(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 4 * MIB},
    )
    page.get_by_test_id("upload-drop").locator("input[type=file]").set_input_files(source)
    page.get_by_test_id("upload-send").click()
    progress = page.get_by_test_id("upload-percent")
    expect(progress).to_have_text(re.compile(r"^([1-9]|[1-9]\d) %$"), timeout=30_000)  # moving, not done
    page.get_by_test_id("upload-cancel").click()
    expect(page.get_by_test_id("upload-outcome")).to_contain_text("Upload cancelled")
    expect(page.get_by_test_id("upload-send")).to_be_disabled()  # the chosen file was cleared
    assert rows(_demo_ctx(), "uploads") == before_rows
    assert _wait_gone(before_files)


def _wait_gone(before: list[Path]) -> bool:
    import time

    deadline = time.monotonic() + 30  # the server drops the partial file once it sees the abort
    while time.monotonic() < deadline:
        if [f for f in _files() if f not in before] == []:
            return True
        time.sleep(0.1)
    return False
