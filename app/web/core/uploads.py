"""/uploads — send a file for one of the purposes the role may use (the import targets), with live
progress and cancel (kit/upload.py). What happens to a stored file next (mapping, import) belongs to
the purpose's own pages."""

from __future__ import annotations

import reflex as rx

from app.web.kit.controls import field, select
from app.web.kit.feedback import empty
from app.web.kit.rows import Option
from app.web.kit.upload import UploadMixin, upload_box
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.imports import registry
from engine.uploads.machine import UPLOAD_WRITE

ROUTE = "/uploads"
FILE_TYPES = {
    "text/csv": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


class UploadPageState(UploadMixin, AuthState):
    purposes: list[Option] = []
    purpose: str = ""

    def _upload_purpose(self) -> str:
        return self.purpose if any(p.id == self.purpose for p in self.purposes) else ""

    @rx.event
    async def load(self):
        ctx = await self._require(UPLOAD_WRITE)
        if ctx is None:
            return
        self.purposes = [
            Option(t.name, t.label)
            for t in sorted(registry.targets().values(), key=lambda t: t.label)
            if ctx.can(t.permission)
        ]
        if not self._upload_purpose():
            self.purpose = self.purposes[0].id if self.purposes else ""

    @rx.event
    def set_purpose(self, value: str):
        if any(p.id == value for p in self.purposes) and self.upload_phase != "sending":
            self.purpose = value


@app_page(ROUTE, "Upload a file", permission=UPLOAD_WRITE, on_load=UploadPageState.load)
def uploads_page() -> rx.Component:
    return rx.cond(
        UploadPageState.purposes.length() == 0,
        empty("There is nothing your role can upload files for yet.", icon="upload"),
        rx.vstack(
            field(
                "What is the file?",
                select(
                    UploadPageState.purposes,
                    UploadPageState.purpose,
                    UploadPageState.set_purpose,
                    "What is the file?",
                    trigger={"data_testid": "upload-purpose", "min_width": "16rem"},
                ),
            ),
            upload_box(UploadPageState, accept=FILE_TYPES),
            rx.cond(
                UploadPageState.upload_result != "",
                rx.text("Upload id: ", rx.code(UploadPageState.upload_result), size="2", data_testid="upload-id"),
            ),
            spacing="4",
            max_width="40rem",
            width="100%",
        ),
    )
