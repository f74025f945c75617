"""`EvidenceUploadMixin` and `evidence_box`: send one evidence file (a new file, or a new version
of one) from a case page, staff's or the vendor portal's, by one code path.

The file reaches the process as chunks (`rx.UploadChunkIterator`, Reflex's `/_upload`, which has the
upload body budget) and goes in 1 MiB batches, from a thread, to a receiver the page opens with
`_open_receiver` (the cases module's `EvidenceUpload`: storage adapter, content sniffing, SHA-256;
the kit may not import a module, so the page names it). A refused or cancelled file leaves nothing.

Page hooks: `_open_receiver(ctx, case_id, evidence_id)` and `_evidence_stored(ctx, evidence_id)`
(under the state lock: e.g. take the REPLACE decision for a new version, then show the case again).
The page's `_require` decides who may send (a vendor only, on the portal)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, ClassVar, Protocol

import reflex as rx

from app.web.kit import controls
from app.web.kit.calls import write
from app.web.kit.format import error_text, parse_uuid
from app.web.kit.upload import drop_zone, stream_to
from engine.context import TenantContext
from engine.errors import DomainError

LABEL_MAX = 300


class Receiver(Protocol):
    def write(self, chunk: bytes) -> None: ...
    def discard(self) -> None: ...
    def commit(self, *, filename: str | None, label: str | None = None) -> tuple[Any, Any]: ...


class EvidenceUploadMixin(rx.State, mixin=True):
    file_label: str = ""
    uploading: bool = False
    upload_message: str = ""
    replacing: str = ""  # the evidence id a new version is for ("" = a new file)

    _evidence_permission: ClassVar[str] = "cases.write"  # the page sets its module's write permission

    def _open_receiver(self, ctx: TenantContext, case_id: uuid.UUID, evidence_id: uuid.UUID | None) -> Receiver:
        raise NotImplementedError

    async def _evidence_stored(self, ctx: TenantContext, evidence_id: uuid.UUID, replaced: bool) -> None:
        """page: the file is stored (under the state lock)."""

    @rx.event
    def set_file_label(self, value: str):
        self.file_label = str(value or "")[:LABEL_MAX]

    @rx.event
    def start_replace(self, evidence_id: str):
        self.replacing, self.upload_message = str(evidence_id or "")[:40], ""

    @rx.event
    def stop_replace(self):
        self.replacing, self.upload_message = "", ""

    @rx.event
    def upload_started(self):
        self.uploading, self.upload_message = True, ""

    @rx.event(background=True)
    async def receive_evidence(self, chunks: rx.UploadChunkIterator):
        """Stream the file to the receiver; store it when the last byte is in."""
        async with self:
            ctx = await self._require(self._evidence_permission)  # type: ignore[attr-defined]
            case_id = parse_uuid(self._record_id)  # type: ignore[attr-defined]
            evidence_id, label = parse_uuid(self.replacing), self.file_label
            if ctx is None or case_id is None or not isinstance(chunks, rx.UploadChunkIterator):
                self.uploading, self.upload_message = False, "You may not upload files here."
                return
        receiver: Receiver | None = None
        try:
            await write(lambda c: None, ctx)  # spend the write budget once, before any byte is kept
            receiver = await asyncio.to_thread(self._open_receiver, ctx, case_id, evidence_id)
            name, _ = await stream_to(chunks, receiver.write)
            row, _ = await asyncio.to_thread(lambda: receiver.commit(filename=name, label=label))  # type: ignore[union-attr]
        except asyncio.CancelledError:
            if receiver is not None:
                receiver.discard()
            raise
        except DomainError as exc:
            if receiver is not None:
                await asyncio.to_thread(receiver.discard)
            async with self:
                self.uploading, self.upload_message = False, error_text(exc)
            return
        async with self:
            self.uploading, self.file_label, self.replacing = False, "", ""
            self.upload_message = "The new version is stored." if evidence_id else "The file is stored."
            await self._evidence_stored(ctx, row.id, evidence_id is not None)


def evidence_box(state: Any, upload_id: str, prefix: str, *, heading: str = "Add evidence") -> rx.Component:
    """The label, a drop zone for one file and Upload; test ids start with `prefix` (e.g. `portal-`).
    While `state.replacing` names a file, the box sends a new version of it instead."""
    chosen = rx.selected_files(upload_id)
    return controls.section(
        rx.cond(state.replacing != "", "Replace the file with a new version", heading),
        rx.cond(
            state.replacing != "",
            rx.hstack(
                controls.hint("The new version replaces the current one; earlier versions stay readable."),
                rx.button(
                    "Keep the current file",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=state.stop_replace,
                    data_testid=f"{prefix}replace-cancel",
                ),
                align="center",
                wrap="wrap",
            ),
            rx.input(
                value=state.file_label,
                on_change=state.set_file_label,
                placeholder="What the file shows",
                data_testid=f"{prefix}file-label",
                width="100%",
            ),
        ),
        drop_zone(
            upload_id,
            "Drop a file here or click to choose (PDF, image, Office document, text or CSV)",
            chosen_testid=f"{prefix}file-chosen",
            testid=f"{prefix}upload",
        ),
        rx.button(
            "Upload",
            on_click=[
                state.upload_started,
                state.receive_evidence(rx.upload_files_chunk(upload_id=upload_id)),  # type: ignore[call-arg]
            ],
            disabled=state.uploading | (chosen.length() == 0),
            loading=state.uploading,
            data_testid=f"{prefix}upload-send",
        ),
        rx.cond(
            state.upload_message != "",
            rx.text(state.upload_message, size="2", data_testid=f"{prefix}upload-message"),
        ),
    )
