"""`UploadMixin` and `upload_box`: send one file from a page with a real progress bar and cancel.

The browser posts the file to Reflex's `/_upload` (the upload budget applies, app/api/body_limit.py);
`receive_upload` is a background handler taking `rx.UploadChunkIterator`, so the file reaches this
process as chunks and goes straight to the upload storage through `models.uploads.actions.OneShot`
(1 MiB batches, written from a thread), never whole in memory. Progress comes from the browser's
XHR (`on_upload_progress`); cancel aborts the request, the handler is cancelled and the partial
object removed. Page hooks: `_upload_target` or `_upload_purpose()` (the purpose), `_upload_meta()` (e.g. a plan id) and
`_upload_stored(ctx, view)` (what to do next, e.g. open the mapping page).
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx

from app.web.kit.format import error_text
from engine.context import TenantContext
from engine.errors import DomainError
from engine.uploads.machine import UPLOAD_WRITE
from models.uploads.actions import OneShot
from models.uploads.queries import UploadView

BATCH = 1024 * 1024
IDLE, SENDING, STORED, CANCELLED, FAILED = "idle", "sending", "stored", "cancelled", "failed"


async def stream_to(chunks: rx.UploadChunkIterator, write: Any) -> tuple[str | None, str | None]:
    """Feed an upload's chunks to `write(bytes)` (run in a thread) in BATCH-sized pieces, never the
    whole file in memory; returns the file's name and content type as the browser sent them."""
    name, kind, batch = None, None, bytearray()
    async for chunk in chunks:
        name, kind = chunk.filename, chunk.content_type
        batch += chunk.data
        if len(batch) >= BATCH:
            await asyncio.to_thread(write, bytes(batch))
            batch.clear()
    if batch:
        await asyncio.to_thread(write, bytes(batch))
    return name, kind


class UploadMixin(rx.State, mixin=True):
    upload_percent: int = 0
    upload_phase: str = IDLE
    upload_message: str = ""
    upload_result: str = ""  # the stored upload's id
    upload_bytes: int = 0

    _upload_target: ClassVar[str] = ""
    _upload_permission: ClassVar[str] = UPLOAD_WRITE

    def _upload_purpose(self) -> str:
        """page: what the file is for (default `_upload_target`; runs under the state lock)."""
        return self._upload_target

    def _upload_meta(self) -> dict[str, Any]:
        """page: the upload's meta (runs under the state lock)."""
        return {}

    def _upload_stored(self, ctx: TenantContext, view: UploadView) -> Any:
        """page: the file is stored (under the state lock); may return an event (a redirect)."""
        return None

    @rx.event
    def upload_started(self):
        self.upload_percent, self.upload_bytes = 0, 0
        self.upload_phase, self.upload_message, self.upload_result = SENDING, "", ""

    @rx.event
    def upload_progressed(self, progress: dict[str, Any]):
        """The browser's XHR progress: bytes of the request sent so far."""
        if self.upload_phase != SENDING or not isinstance(progress, dict):
            return
        try:
            share = float(progress.get("progress") or 0)
            self.upload_bytes = int(progress.get("loaded") or 0)
        except (TypeError, ValueError):
            return
        self.upload_percent = max(0, min(100, int(share * 100)))

    @rx.event
    def upload_cancelled(self):
        if self.upload_phase == SENDING:
            self.upload_phase, self.upload_message = CANCELLED, "Upload cancelled: nothing was kept."

    @rx.event(background=True)
    async def receive_upload(self, chunks: rx.UploadChunkIterator):
        """Stream the file to storage; store it when the last byte is in."""
        async with self:
            ctx = await self._require(self._upload_permission)  # type: ignore[attr-defined]
            target, meta = self._upload_purpose(), self._upload_meta()
            if ctx is None or not target or not isinstance(chunks, rx.UploadChunkIterator):
                self.upload_phase, self.upload_message = FAILED, "You may not upload files here."
                return
        upload: OneShot | None = None
        try:
            upload = await asyncio.to_thread(OneShot, ctx)
            await asyncio.to_thread(upload.check_target, target)
            name, kind = await stream_to(chunks, upload.write)
            view = await asyncio.to_thread(
                lambda: upload.commit(target=target, filename=name, content_type=kind, meta=meta)  # type: ignore[union-attr]
            )
        except asyncio.CancelledError:  # the browser cancelled or went away
            if upload is not None:
                upload.discard()
            raise
        except DomainError as exc:
            if upload is not None:
                await asyncio.to_thread(upload.discard)
            async with self:
                self.upload_phase, self.upload_message = FAILED, error_text(exc)
            return
        async with self:
            self.upload_phase, self.upload_percent, self.upload_result = STORED, 100, str(view.id)
            self.upload_message = f"{view.filename} is stored ({view.size_received:,} bytes)."
            return self._upload_stored(ctx, view)


def upload_box(state: type[UploadMixin], upload_id: str = "upload", *, accept: dict | None = None) -> rx.Component:
    """A drop zone for one file, a Send button, a progress bar with Cancel while it goes, and the
    outcome. `accept`: MIME type → extensions (e.g. {"text/csv": [".csv"]})."""
    chosen = rx.selected_files(upload_id)
    sending = state.upload_phase == SENDING
    send = [
        state.upload_started,
        state.receive_upload(  # type: ignore[call-arg]
            rx.upload_files_chunk(upload_id=upload_id, on_upload_progress=state.upload_progressed)
        ),
    ]
    return rx.vstack(
        rx.upload.root(
            rx.vstack(
                rx.icon("upload", size=24, color=rx.color("gray", 9)),
                rx.text("Drop a file here, or click to choose one", size="2", color_scheme="gray"),
                rx.foreach(chosen, lambda f: rx.text(f, size="2", weight="medium", data_testid="upload-chosen")),
                align="center",
                spacing="2",
            ),
            id=upload_id,
            multiple=False,
            max_files=1,
            accept=accept,
            disabled=sending,
            border=f"1px dashed {rx.color('gray', 7)}",
            border_radius="8px",
            padding="1.5rem",
            width="100%",
            data_testid="upload-drop",
        ),
        rx.hstack(
            rx.button("Send", on_click=send, disabled=sending | (chosen.length() == 0), data_testid="upload-send"),
            rx.cond(
                sending,
                rx.button(
                    "Cancel",
                    variant="soft",
                    color_scheme="gray",
                    on_click=[rx.cancel_upload(upload_id), state.upload_cancelled, rx.clear_selected_files(upload_id)],
                    data_testid="upload-cancel",
                ),
            ),
            spacing="2",
        ),
        rx.cond(
            sending,
            rx.vstack(
                rx.progress(value=state.upload_percent, max=100, width="100%", data_testid="upload-progress"),
                rx.text(
                    state.upload_percent.to_string() + " %", size="1", color_scheme="gray", data_testid="upload-percent"
                ),
                width="100%",
                spacing="1",
            ),
        ),
        rx.cond(
            state.upload_message != "",
            rx.match(
                state.upload_phase,
                (STORED, _outcome(state.upload_message, "check", "green")),
                (FAILED, _outcome(state.upload_message, "triangle-alert", "red")),
                _outcome(state.upload_message, "info", "gray"),
            ),
        ),
        width="100%",
        spacing="3",
    )


def drop_zone(upload_id: str, text: str, *, chosen_testid: str, testid: str) -> rx.Component:
    """A drop zone for one file that lists the chosen file's name (the small form of upload_box's)."""
    return rx.upload.root(
        rx.vstack(
            rx.icon("upload", size=20, color=rx.color("gray", 9)),
            rx.text(text, size="2", color_scheme="gray"),
            rx.foreach(
                rx.selected_files(upload_id),
                lambda f: rx.text(f, size="2", weight="medium", data_testid=chosen_testid),
            ),
            align="center",
            spacing="1",
        ),
        id=upload_id,
        multiple=False,
        max_files=1,
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="8px",
        padding="1rem",
        width="100%",
        data_testid=testid,
    )


def _outcome(message, icon: str, color: str) -> rx.Component:
    role = "alert" if color == "red" else "status"
    return rx.callout(message, icon=icon, color_scheme=color, role=role, width="100%", data_testid="upload-outcome")
