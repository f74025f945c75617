"""/imports/file?upload=ID: map a stored file's columns (suggestions preselected with their
confidence, the preview with type warnings, save as preset), validate, read the report (paged,
downloadable as CSV), import (all rows, or the valid ones) with live progress. The target comes
from the upload; the page is generic, each module links to /imports/new?target=... from its nav."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx

from app.web.imports.views import BUSY, NONE, chosen_mapping, mapping_data, more_issues, status_data
from app.web.kit import format as fmt
from app.web.kit.calls import call, write
from app.web.kit.controls import field, section
from app.web.kit.feedback import messages
from app.web.kit.jobs import JobWatchMixin
from app.web.kit.table import column_table, compact_table, load_more
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.imports.machine import IMPORT_WRITE
from models.imports import actions
from models.imports.views import ImportView


def _map(
    ctx: TenantContext, upload_id: str, mapping: dict[str, str], preset: str | None, sheet: str | None
) -> ImportView:
    return actions.map_upload(ctx, upload_id, mapping, preset=preset, sheet=sheet)


def _import(ctx: TenantContext, upload_id: str, valid_rows_only: bool) -> ImportView:
    return actions.start_import(ctx, upload_id, valid_rows_only=valid_rows_only)


class ImportFileState(JobWatchMixin, AuthState):
    upload_id: str = ""
    target: str = ""
    status: str = ""
    preset: str = ""
    preset_name: str = ""
    header: list[str] = []
    sheets: list[str] = []  # a workbook's sheets (a picker is shown when there are several)
    sheet: str = ""
    fields: list[dict[str, str]] = []
    columns: list[dict[str, str]] = []
    rows: list[list[str]] = []
    counts: list[dict[str, str]] = []
    issues: list[dict[str, str]] = []
    next_cursor: str = ""
    valid_rows_only: bool = False
    job_error: str = ""
    busy: bool = False
    loading_more: bool = False
    error: str = ""
    notice: str = ""

    _watch_permission: ClassVar[str] = IMPORT_WRITE

    def _watch_fetch(self, ctx: TenantContext, key: str) -> dict[str, Any]:
        return status_data(ctx, key)

    def _watch_apply(self, ctx: TenantContext, data: dict[str, Any]) -> None:
        self._apply_status(data)

    def _watch_failed(self, message: str) -> None:
        self.error = message

    def _apply_status(self, data: dict[str, Any]) -> None:
        self.status, self.job_error, self.counts = data["status"], data["error"], data["counts"]
        self.issues, self.next_cursor = data["issues"], data["next_cursor"]

    @rx.event
    async def load(self):
        ctx = await self._require(IMPORT_WRITE)
        self.error, self.notice, self.busy = "", "", False
        self._stop_watch()
        if ctx is None:
            return
        raw = self.router.url.query_parameters.get("upload", "")
        upload = fmt.parse_uuid(raw if isinstance(raw, str) else "")
        if upload is None:
            self.upload_id, self.error = "", "No file to show: the link's upload id is not valid."
            return
        ok, data = await call(self, mapping_data, ctx, str(upload))
        if not ok:
            self.upload_id = ""
            return
        self.upload_id = str(upload)
        self._apply_mapping(data)
        if self.preset:
            self.notice = f"The preset '{self.preset}' matches this file's columns: its mapping is chosen."
        if self.status in BUSY and data["job_id"]:
            return self._start_watch(self.upload_id, data["job_id"])

    def _apply_mapping(self, data: dict[str, Any]) -> None:
        self.target, self.preset, self.sheets, self.sheet = (
            data["target"],
            data["preset"],
            data["sheets"],
            data["sheet"],
        )
        self.header, self.fields, self.columns, self.rows = (
            data["header"],
            data["fields"],
            data["columns"],
            data["rows"],
        )
        self._apply_status(data)

    @rx.event
    async def choose_sheet(self, sheet: str):
        """Show another sheet of the workbook: its columns, preview and suggestions."""
        ctx = await self._require(IMPORT_WRITE)
        if ctx is None or not isinstance(sheet, str) or sheet not in self.sheets or self.busy:
            return
        self.busy, self.error, self.notice = True, "", ""
        yield
        ok, data = await call(self, mapping_data, ctx, self.upload_id, sheet)
        self.busy = False
        if ok:
            self._apply_mapping(data)

    @rx.event
    def choose(self, name: str, column: str):
        if not isinstance(name, str) or not isinstance(column, str):
            return
        if column != NONE and column not in self.header:
            return
        self.fields = [{**f, "column": column, "confidence": ""} if f["name"] == name else f for f in self.fields]

    @rx.event
    def set_preset_name(self, value: str):
        self.preset_name = value[:100] if isinstance(value, str) else ""

    @rx.event
    def set_valid_rows_only(self, value: bool):
        self.valid_rows_only = value is True

    async def _run(self, ctx: TenantContext, fn: Any, *args: Any):
        """A write (through the write budget), then the status re-read and the job followed live."""
        self.busy, self.error, self.notice = True, "", ""
        try:
            view = await write(fn, ctx, self.upload_id, *args)
            data = await asyncio.to_thread(status_data, ctx, self.upload_id)
        except DomainError as exc:
            self.error = fmt.error_text(exc)
            return None
        finally:
            self.busy = False
        self._apply_status(data)
        return self._start_watch(self.upload_id, str(view.job_id)) if view.job_id else None

    @rx.event
    async def validate(self):
        """Record the mapping (and the preset) and validate the file in a worker."""
        ctx = await self._require(IMPORT_WRITE)
        if ctx is None or not self.upload_id or self.busy:
            return
        preset = self.preset_name.strip() or None
        return await self._run(ctx, _map, chosen_mapping(self.fields), preset, self.sheet or None)

    @rx.event
    async def start_import(self):
        ctx = await self._require(IMPORT_WRITE)
        if ctx is None or not self.upload_id or self.busy:
            return
        return await self._run(ctx, _import, self.valid_rows_only)

    @rx.event
    async def more(self):
        ctx = await self._require(IMPORT_WRITE)
        if ctx is None or not self.next_cursor or self.loading_more:
            return
        self.loading_more = True
        yield
        ok, page = await call(self, more_issues, ctx, self.upload_id, self.next_cursor)
        self.loading_more = False
        if ok:
            self.issues, self.next_cursor = self.issues + page[0], page[1]


def _field_row(f: rx.Var) -> rx.Component:
    # a native select: Radix's trigger shows nothing for an item built by a foreach nested in a foreach
    return rx.table.row(
        rx.table.cell(rx.text(f["label"], weight="medium"), rx.text(f["kind"], size="1", color_scheme="gray")),
        rx.table.cell(
            rx.el.select(
                rx.el.option("— not in this file —", value=NONE),
                rx.foreach(ImportFileState.header, lambda h: rx.el.option(h, value=h)),
                value=f["column"],
                on_change=lambda column: ImportFileState.choose(f["name"], column),
                aria_label=f["label"],
                min_width="14rem",
                padding="0.3rem",
                border_radius="6px",
                border=f"1px solid {rx.color('gray', 7)}",
                background=rx.color("gray", 1),
                data_testid="map-select",
            )
        ),
        rx.table.cell(rx.text(f["confidence"], size="1", color_scheme="gray")),
        data_testid="map-field",
    )


def _mapping() -> rx.Component:
    editable = ~ImportFileState.status.contains("ing") & (ImportFileState.status != "imported")
    return section(
        "Columns",
        rx.cond(
            ImportFileState.sheets.length() > 1,
            field(
                "Sheet",
                rx.select.root(
                    rx.select.trigger(aria_label="Sheet", min_width="14rem", data_testid="sheet-select"),
                    rx.select.content(rx.foreach(ImportFileState.sheets, lambda n: rx.select.item(n, value=n))),
                    value=ImportFileState.sheet,
                    on_change=ImportFileState.choose_sheet,
                    disabled=~editable | ImportFileState.busy,
                ),
            ),
        ),
        compact_table(
            ["Field", "Column in the file", "Suggestion"], rx.foreach(ImportFileState.fields, _field_row), "map-table"
        ),
        rx.hstack(
            field(
                "Save as preset (optional)",
                rx.input(
                    value=ImportFileState.preset_name,
                    on_change=ImportFileState.set_preset_name,
                    max_length=100,
                    placeholder="e.g. ERP export",
                    data_testid="preset-name",
                ),
            ),
            rx.button(
                "Validate",
                on_click=ImportFileState.validate,
                loading=ImportFileState.busy,
                disabled=~editable,
                data_testid="validate",
            ),
            rx.link("Saved presets", href="/imports/presets", size="2", data_testid="presets-link"),
            align="end",
            spacing="3",
        ),
    )


def _preview() -> rx.Component:
    headers = rx.foreach(
        ImportFileState.columns,
        lambda c: rx.table.column_header_cell(
            rx.vstack(
                rx.text(c["name"]),
                rx.badge(c["kind"], variant="soft"),
                rx.cond(c["warnings"] != "", rx.text(c["warnings"], size="1", color_scheme="orange")),
                spacing="1",
            )
        ),
    )
    body = rx.foreach(ImportFileState.rows, lambda r: rx.table.row(rx.foreach(r, lambda cell: rx.table.cell(cell))))
    return section(
        "Preview (first 100 rows)",
        rx.box(
            rx.table.root(rx.table.header(rx.table.row(headers)), rx.table.body(body), size="1", variant="surface"),
            overflow="auto",
            max_height="24rem",
            width="100%",
            data_testid="preview",
        ),
    )


def _report() -> rx.Component:
    csv_href = "/api/v1/uploads/" + ImportFileState.upload_id + "/report.csv"
    return section(
        "Validation report",
        rx.hstack(
            rx.foreach(
                ImportFileState.counts,
                lambda c: rx.vstack(
                    rx.text(c["label"], size="1", color_scheme="gray"), rx.text(c["value"], weight="bold"), spacing="0"
                ),
            ),
            spacing="5",
            wrap="wrap",
        ),
        rx.cond(
            ImportFileState.job_error != "",
            rx.callout(ImportFileState.job_error, icon="triangle-alert", color_scheme="red"),
        ),
        column_table(
            [("Line", "row"), ("Column", "column"), ("Value", "value"), ("Problem", "message"), ("How to fix", "hint")],
            ImportFileState.issues,
            "report-table",
            "report-row",
        ),
        load_more(ImportFileState.next_cursor != "", ImportFileState.loading_more, ImportFileState.more, "report-more"),
        rx.hstack(
            rx.link("Download the report (CSV)", href=csv_href, is_external=True, data_testid="report-csv"),
            rx.spacer(),
            rx.cond(
                ImportFileState.status == "invalid",
                rx.checkbox(
                    "Import the valid rows only",
                    checked=ImportFileState.valid_rows_only,
                    on_change=ImportFileState.set_valid_rows_only,
                    data_testid="valid-only",
                ),
            ),
            rx.button(
                "Import",
                on_click=ImportFileState.start_import,
                loading=ImportFileState.busy,
                disabled=(ImportFileState.status != "valid")
                & ((ImportFileState.status != "invalid") | ~ImportFileState.valid_rows_only),
                data_testid="import",
            ),
            width="100%",
            align="center",
        ),
        action=rx.badge(ImportFileState.status, data_testid="import-status"),
    )


@app_page("/imports/file", "Import a file", permission=IMPORT_WRITE, on_load=ImportFileState.load)
def import_file_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Import into ", ImportFileState.target, size="6"),
        messages(ImportFileState.error, ImportFileState.notice),
        rx.cond(
            ImportFileState.live,
            rx.hstack(
                rx.spinner(size="2"), rx.text("Working… the page follows the job live."), data_testid="import-live"
            ),
        ),
        rx.cond(
            ImportFileState.upload_id != "", rx.vstack(_mapping(), _preview(), _report(), spacing="4", width="100%")
        ),
        spacing="4",
        width="100%",
    )
