"""`/portal/files`: the vendor sends its invoices or its statements of account as a CSV or XLSX
file. The file streams to a temporary file on the server (kit `stream_to`), then the cases module
reads it through the import pipeline and records it for the vendor's own organization — the whole
file or nothing: every problem is listed with its line (models/cases/vendor_files.py; the same as
`POST /api/vendor-files/{kind}`). The page shows the columns each kind takes."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import reflex as rx

from app.web.kit import controls
from app.web.kit.calls import write
from app.web.kit.format import error_text
from app.web.kit.upload import drop_zone, stream_to
from app.web.portal.common import VendorOnly
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.permissions import WRITE
from engine.cases.vendor_files import KINDS, VENDOR_TARGETS
from engine.errors import DomainError, TooLarge, ValidationFailed
from models.cases.vendor_files import import_vendor_file

MAX_BYTES = 20 * 1024 * 1024
UPLOAD_ID = "vendor-file"


@dataclass(frozen=True)
class Problem:
    where: str = ""
    what: str = ""


def columns_of(kind: str) -> str:
    target = VENDOR_TARGETS[KINDS[kind]]
    return ", ".join(f.label + ("" if f.required else " (optional)") for f in target.fields)


class _Sink:
    """The temporary file the upload streams into (at most MAX_BYTES), named by its suffix after."""

    def __init__(self, folder: str):
        self.raw, self.size = Path(folder) / "file", 0
        self.handle: BinaryIO | None = None

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > MAX_BYTES:
            raise TooLarge(f"file: at most {MAX_BYTES} bytes", fields={"file": "too large"})
        if self.handle is None:
            self.handle = self.raw.open("wb")
        self.handle.write(data)

    def close(self, name: str | None) -> Path:
        """The file, renamed with the sent name's suffix (the reader and the checks go by it)."""
        if self.handle is None:
            raise ValidationFailed("file: the file is empty", fields={"file": "empty"})
        self.handle.close()
        suffix = Path(name or "").suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise ValidationFailed("file: send a .csv or .xlsx file", fields={"file": "type not allowed"})
        return self.raw.rename(self.raw.with_suffix(suffix))


class VendorFilesState(VendorOnly, PortalAuthState):
    kind: str = "invoices"
    sending: bool = False
    outcome: str = ""
    problems: list[Problem] = []
    ok: bool = False

    @rx.event
    def set_kind(self, value: str):
        value = str(value or "")[:20]  # any client may send anything
        self.kind = value if value in KINDS else "invoices"
        self.outcome, self.problems, self.ok = "", [], False

    @rx.event
    def started(self):
        self.sending, self.outcome, self.problems, self.ok = True, "", [], False

    @rx.event(background=True)
    async def receive_file(self, chunks: rx.UploadChunkIterator):
        async with self:
            ctx = await self._require(WRITE)
            kind = self.kind
            if ctx is None or not isinstance(chunks, rx.UploadChunkIterator):
                self.sending, self.outcome = False, "You may not send files here."
                return
        with tempfile.TemporaryDirectory(prefix="pharos-vendor-file-") as folder:
            sink = _Sink(folder)
            try:
                name, _ = await stream_to(chunks, sink.write)
                done = await write(import_vendor_file, ctx, kind, sink.close(name))
            except DomainError as exc:
                async with self:
                    self.sending, self.ok = False, False
                    self.outcome = error_text(exc).split(";")[0]
                    self.problems = [Problem(k, v) for k, v in exc.fields.items()]
                return
            finally:
                if sink.handle is not None:
                    sink.handle.close()
        async with self:
            self.sending, self.ok, self.problems = False, True, []
            self.outcome = f"Recorded from {done.rows} row(s): " + ", ".join(done.created)


@portal_page("/portal/files", "Send a file")
def vendor_files_page() -> rx.Component:
    s = VendorFilesState
    chosen = rx.selected_files(UPLOAD_ID)
    return rx.vstack(
        rx.heading("Send your invoices or statements as a file", size="6"),
        controls.hint(
            "A CSV or XLSX file, one row per invoice line or statement line. The whole file is checked first: "
            "if any row has a problem, nothing is recorded and each problem is listed with its line."
        ),
        controls.choice(
            [("invoices", "Invoices"), ("statements", "Statements of account")],
            s.kind,
            s.set_kind,
            "What the file holds",
        ),
        rx.cond(
            s.kind == "invoices",
            controls.hint("Columns: ", columns_of("invoices"), data_testid="vendor-file-columns"),
            controls.hint("Columns: ", columns_of("statements"), data_testid="vendor-file-columns"),
        ),
        drop_zone(
            UPLOAD_ID,
            "Drop the file here or click to choose",
            chosen_testid="vendor-file-chosen",
            testid="vendor-file-drop",
        ),
        rx.button(
            "Send",
            on_click=[s.started, s.receive_file(rx.upload_files_chunk(upload_id=UPLOAD_ID))],  # type: ignore[call-arg]
            disabled=s.sending | (chosen.length() == 0),
            loading=s.sending,
            data_testid="vendor-file-send",
        ),
        rx.cond(
            s.outcome != "",
            rx.callout(
                s.outcome,
                color_scheme=rx.cond(s.ok, "green", "red"),
                size="1",
                data_testid="vendor-file-outcome",
            ),
        ),
        rx.cond(
            s.problems.length() > 0,
            rx.vstack(
                rx.foreach(
                    s.problems,
                    lambda p: rx.text(
                        rx.text.strong(p["where"]), ": ", p["what"], size="2", data_testid="vendor-file-problem"
                    ),
                ),
                spacing="1",
            ),
        ),
        spacing="4",
        width="100%",
    )
