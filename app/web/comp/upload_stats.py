"""The input catalog page's "Employee data uploads" panel (compensation-platform-prd.md §10): how
fast the tenant's employee files came in (bytes per second received, rows per second imported) and
their mapping error rate (rows the validation rejected / rows read), over all of them and per file.
Figures from models.comp.upload_metrics, shaped here as text. Its own state, loaded with the page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import reflex as rx

from app.web.comp.widgets import figures
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import section
from app.web.kit.table import col, num, table_or_empty
from app.web.shell.auth import AuthState
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp import upload_metrics


@dataclass(frozen=True)
class UploadSummary:
    uploads: str = ""
    rows: str = ""
    error_rate: str = ""
    throughput: str = ""
    rows_per_second: str = ""


@dataclass(frozen=True)
class UploadLine:
    filename: str = ""
    received: str = ""
    status: str = ""
    size: str = ""
    throughput: str = ""
    rows: str = ""
    invalid: str = ""
    error_rate: str = ""
    rows_per_second: str = ""


def _size(n: int) -> str:
    return f"{n / 1_048_576:,.2f} MiB" if n >= 1_048_576 else f"{n / 1024:,.1f} KiB"


def _speed(bytes_per_second: Decimal | None) -> str:
    return fmt.DASH if bytes_per_second is None else f"{_size(int(bytes_per_second))}/s"


def _percent(ratio: Decimal | None) -> str:
    return fmt.DASH if ratio is None else f"{ratio * 100:.2f} %"


def _per_second(rate: Decimal | None) -> str:
    return fmt.DASH if rate is None else f"{rate:,.0f} rows/s"


def _fetch(ctx: TenantContext) -> tuple[UploadSummary, list[UploadLine]]:
    m = upload_metrics.upload_metrics(ctx, limit=10)
    summary = UploadSummary(
        f"{m.uploads:,}",
        f"{m.rows_total:,} ({m.rows_invalid:,} rejected)",
        _percent(m.error_rate),
        _speed(m.bytes_per_second),
        _per_second(m.rows_per_second),
    )
    lines = [
        UploadLine(
            i.filename,
            fmt.when(i.created_at),
            i.import_status or "not mapped",
            _size(i.size_bytes),
            _speed(i.bytes_per_second),
            f"{i.rows_total:,}",
            f"{i.rows_invalid:,}",
            _percent(i.error_rate),
            _per_second(i.rows_per_second),
        )
        for i in m.items
    ]
    return summary, lines


class UploadStatsState(AuthState):
    upload_summary: UploadSummary = UploadSummary()
    upload_lines: list[UploadLine] = []
    error: str = ""  # kit.calls.call writes a refusal here

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        if ctx is None:
            return
        ok, found = await call(self, _fetch, ctx)
        if ok:
            self.upload_summary, self.upload_lines = found


COLUMNS = [
    col("File", "filename"),
    col("Received", "received"),
    col("Import", "status"),
    num("Size", "size"),
    num("Upload speed", "throughput"),
    num("Rows", "rows"),
    num("Rejected", "invalid"),
    num("Mapping error rate", lambda r: rx.text(r["error_rate"], data_testid="upload-error-rate")),
    num("Import speed", "rows_per_second"),
]


def upload_stats_section() -> rx.Component:
    s = UploadStatsState
    shown = [
        ("Uploads", s.upload_summary.uploads, "uploads-count"),
        ("Rows read", s.upload_summary.rows, "uploads-rows"),
        ("Mapping error rate", s.upload_summary.error_rate, "uploads-error-rate"),
        ("Upload throughput", s.upload_summary.throughput, "uploads-throughput"),
        ("Import throughput", s.upload_summary.rows_per_second, "uploads-rows-per-second"),
    ]
    return section(
        "Employee data uploads",
        figures(shown),
        rx.text(
            "Mapping error rate: rows the mapping's validation rejected, of the rows read. Throughput: bytes "
            "received per second of the upload, rows per second of the last validation or import job.",
            size="1",
            color_scheme="gray",
        ),
        table_or_empty(
            s.upload_lines,
            COLUMNS,
            "uploads-table",
            "No employee data uploaded yet.",
            "upload",
            row_testid="upload-row",
        ),
    )
