"""/imports/new?target=margin.sales: send the file for one import target (each module links here
from its own nav), then go on to its mapping page (/imports/file)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.web.kit.feedback import error_box
from app.web.kit.upload import UploadMixin, upload_box
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.imports import registry
from engine.imports.machine import IMPORT_WRITE
from models.uploads.queries import UploadView

FILE_TYPES = {
    "text/csv": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


class ImportUploadState(UploadMixin, AuthState):
    target: str = ""
    target_label: str = ""
    description: str = ""
    error: str = ""

    def _upload_purpose(self) -> str:
        return self.target

    def _upload_stored(self, ctx: TenantContext, view: UploadView) -> Any:
        return rx.redirect(f"/imports/file?upload={view.id}")

    @rx.event
    async def load(self):
        ctx = await self._require(IMPORT_WRITE)
        self.target = self.target_label = self.description = self.error = ""
        if ctx is None:
            return
        raw = self.router.url.query_parameters.get("target", "")
        found = registry.targets().get(raw if isinstance(raw, str) else "")
        if found is None or not ctx.can(found.permission):
            self.error = "Nothing to import here: the link names no target your role may import into."
            return
        self.target, self.target_label, self.description = found.name, found.label, found.description


@app_page("/imports/new", "Import a file", permission=IMPORT_WRITE, on_load=ImportUploadState.load)
def import_upload_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Import ", ImportUploadState.target_label, size="6"),
        error_box(ImportUploadState.error),
        rx.cond(
            ImportUploadState.target != "",
            rx.vstack(
                rx.text(ImportUploadState.description, size="2", color_scheme="gray"),
                rx.text("CSV (UTF-8) or XLSX; the first row names the columns.", size="2"),
                upload_box(ImportUploadState, accept=FILE_TYPES),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        max_width="40rem",
        width="100%",
    )
