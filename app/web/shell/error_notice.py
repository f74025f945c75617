"""Unexpected errors in page handlers, made visible without `eval`.

Reflex's default backend exception handler answers with a toast, which is a `run_script` — an
`eval` in the browser that our CSP (no 'unsafe-eval') blocks, so the user saw nothing at all.
`backend_exception_handler` (passed to `rx.App`) logs the exception server-side with a fresh
reference (correlation id) and queues `ErrorNoticeState.show(reference)`, a normal backend event: its delta
renders `error_notice()` (an app wrap, so it is on every page) with a generic message and the
reference. No exception text or stack trace ever reaches the browser.
"""

from __future__ import annotations

import logging
import re
import uuid

import reflex as rx
from reflex.event import EventSpec

from app.web.kit.buttons import dismiss_button

log = logging.getLogger("pharos.web")

MESSAGE = "Something went wrong on our side, so this action may not have completed. Please try again."
_REFERENCE = re.compile(r"^[0-9a-f]{8,32}$")


class ErrorNoticeState(rx.State):
    """The tab's error notice. Holds only a reference the server generated (checked again
    here, since any client can call `show` with anything)."""

    message: str = ""
    reference: str = ""

    @rx.event
    def show(self, reference: str):
        ref = str(reference or "")
        if not _REFERENCE.match(ref):
            return
        self.message, self.reference = MESSAGE, ref

    @rx.event
    def dismiss(self):
        self.message, self.reference = "", ""


def backend_exception_handler(exception: Exception) -> EventSpec:
    """rx.App(backend_exception_handler=...): log with a correlation id, tell the user generically."""
    reference = uuid.uuid4().hex[:16]
    log.error(
        "unhandled error in a page event handler (reference %s)",
        reference,
        exc_info=(type(exception), exception, exception.__traceback__),
        extra={"correlation_id": reference},
    )
    return ErrorNoticeState.show(reference)


def error_notice() -> rx.Component:
    return rx.cond(
        ErrorNoticeState.message != "",
        rx.box(
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert", size=18)),
                rx.vstack(
                    rx.callout.text(ErrorNoticeState.message),
                    rx.callout.text(
                        "Reference: ",
                        rx.code(ErrorNoticeState.reference, data_testid="backend-error-reference"),
                        size="1",
                    ),
                    spacing="1",
                ),
                dismiss_button(ErrorNoticeState.dismiss, "backend-error-dismiss"),
                color_scheme="red",
                role="alert",
                variant="surface",
                data_testid="backend-error",
            ),
            position="fixed",
            top="1rem",
            left="50%",
            transform="translateX(-50%)",
            z_index="1000",
            max_width="min(36rem, calc(100vw - 2rem))",
            width="100%",
        ),
    )


def error_notice_wrap(stateful: bool) -> rx.Component | None:
    """App wrap: the notice before every page (needs the state, so only in a stateful app)."""
    return rx.fragment(error_notice()) if stateful else None
