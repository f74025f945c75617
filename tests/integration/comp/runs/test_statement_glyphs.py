"""Statement PDFs draw every name as written: Latin-1 names with the built-in font (nothing
embedded), "Zoë Łukasiewicz" and Cyrillic with the shipped DejaVu Sans, "山田 太郎" with the Droid Sans
Fallback added — and pypdf extracts each name, the payout and the run export's rows as they were."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.support.comp_runs import HEADER, import_employees, start_run, upload_employees

NAMES = {
    "E000001": "Ana Müller",  # Latin-1
    "E000002": "Zoë Łukasiewicz",  # Latin Extended-A
    "E000003": "Дмитрий Иванов",  # Cyrillic
    "E000004": "山田 太郎",  # CJK
    "E000005": "Ελένη Παππά",  # Greek
}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return found


@pytest.fixture(scope="module")
def run(comp):
    lines = [",".join(HEADER)]
    for i, (ref, name) in enumerate(NAMES.items(), start=1):
        lines.append(f"{ref},{name},Team {name.split()[0]},{60_000 + i * 1000}.50,4,1,research,true")
    upload = upload_employees(comp["hr"], comp["plan"].plan_id, ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    import_employees(comp["hr"], comp["tenant"], upload)
    return start_run(comp["hr"], comp["tenant"], comp["plan"].plan_id, upload, "Glyphs")["run_id"]


@pytest.mark.parametrize(
    ("ref", "fonts"),
    [
        ("E000001", {"Helvetica", "Helvetica-Bold"}),
        ("E000002", {"DejaVuSansBook", "DejaVuSansBold"}),
        ("E000003", {"DejaVuSansBook", "DejaVuSansBold"}),
        ("E000004", {"DejaVuSansBook", "DejaVuSansBold", "DroidSansFallback"}),
        ("E000005", {"DejaVuSansBook", "DejaVuSansBold"}),
    ],
)
def test_each_statement_holds_the_name_as_written(comp, run, ref, fonts):
    tape = comp["hr"].get(f"/api/v1/runs/{run}/results", params={"employee_ref": ref}).json()
    assert tape["employee_name"] == NAMES[ref]
    res = comp["hr"].post("/api/v1/reports/individual-statement", json={"run_id": run, "employee_ref": ref})
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    text = _text(res.content)
    assert f"Employee: {ref} - {NAMES[ref]}" in text
    assert f"team: Team {NAMES[ref].split()[0]}" in text
    assert f"Exact value: {tape['payout']}" in text
    assert _fonts(res.content) == fonts


def test_the_run_pdf_export_holds_every_name(comp, run):
    res = comp["hr"].get(f"/api/v1/runs/{run}/export.pdf")
    assert res.status_code == 200
    text = _text(res.content)
    for ref, name in NAMES.items():
        assert f"{ref} {name}" in text
    assert "DroidSansFallback" in _fonts(res.content)
